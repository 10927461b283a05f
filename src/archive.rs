//! Archives and compressed files: their entries become blobs of their own, scanned by the
//! same pipeline as files, and nothing is ever extracted to disk.
//!
//! Kinds, recognised by their first bytes (never by name): the zip family (zip, jar, war,
//! apk, whl, nupkg, vsix, Office and OpenDocument files all are zip), tar, and gzip,
//! bzip2, xz and zstd streams, each holding a tar or a single file. An entry is handed to
//! a [`Visit`] as a stream; when it is an archive itself, the scanner opens it again here,
//! one level deeper.
//!
//! Hostile archives are the norm for a secret scanner (a repository is anyone's input),
//! so every limit is a counted skip naming the entry, never a crash, a hang or unbounded
//! memory: entries are streamed, not buffered (a zip inside a stream is the one exception,
//! and it is bounded by the entry size limit); every byte an archive yields counts
//! against [`ArchiveLimits::max_total_bytes`], every entry against
//! [`ArchiveLimits::max_entries`], and output that outgrows its compressed input by
//! [`ArchiveLimits::max_ratio`] stops as a bomb. Decoder memory is capped too (xz and
//! zstd windows).
//!
//! Crates: `zip` (central directory, the common methods), `tar`, `flate2` on
//! `miniz_oxide`, `bzip2` on `libbz2-rs-sys`, `lzma-rust2` and `ruzstd`: all pure Rust,
//! so decoding hostile bytes stays memory-safe and the build needs no C toolchain.

use std::cell::Cell;
use std::io::{self, Cursor, Read, Seek};

use crate::skip::{Skip, SkipReason};

/// Recognised archive and compression formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArchiveKind {
    /// PKZIP and everything built on it.
    Zip,
    /// POSIX ustar / GNU tar.
    Tar,
    /// gzip (`.gz`, `.tgz`).
    Gzip,
    /// bzip2.
    Bzip2,
    /// xz.
    Xz,
    /// Zstandard.
    Zstd,
}

impl ArchiveKind {
    /// The lower-case name used in skip details.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveKind::Zip => "zip",
            ArchiveKind::Tar => "tar",
            ArchiveKind::Gzip => "gzip",
            ArchiveKind::Bzip2 => "bzip2",
            ArchiveKind::Xz => "xz",
            ArchiveKind::Zstd => "zstd",
        }
    }
}

/// The archive format `head` (a blob's first bytes) starts with, if any. Magic numbers
/// are long enough that no text file starts with one by chance, except tar's, whose
/// header checksum is verified as well.
pub fn detect(head: &[u8]) -> Option<ArchiveKind> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Some(ArchiveKind::Zip);
    }
    if head.starts_with(&[0x1F, 0x8B, 0x08]) {
        return Some(ArchiveKind::Gzip);
    }
    if head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == *b"1AY&SY" || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
    {
        return Some(ArchiveKind::Bzip2);
    }
    if head.starts_with(b"\xFD7zXZ\0") {
        return Some(ArchiveKind::Xz);
    }
    if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        return Some(ArchiveKind::Zstd);
    }
    is_tar_header(head).then_some(ArchiveKind::Tar)
}

/// A ustar header: the magic at 257 and a header checksum that adds up.
fn is_tar_header(head: &[u8]) -> bool {
    if head.len() < 512 || &head[257..262] != b"ustar" {
        return false;
    }
    let field = &head[148..156];
    let digits: String = field
        .iter()
        .take_while(|&&b| b != 0 && b != b' ')
        .skip_while(|&&b| b == b' ')
        .map(|&b| char::from(b))
        .collect();
    let Ok(stored) = u32::from_str_radix(digits.trim(), 8) else {
        return false;
    };
    let sum: u32 = head[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    sum == stored
}

/// Default [`ArchiveLimits::max_depth`].
pub const DEFAULT_MAX_DEPTH: usize = 3;
/// Default [`ArchiveLimits::max_total_bytes`]: 256 MiB.
pub const DEFAULT_MAX_TOTAL_BYTES: u64 = 256 << 20;
/// Default [`ArchiveLimits::max_entries`].
pub const DEFAULT_MAX_ENTRIES: u64 = 50_000;
/// Default [`ArchiveLimits::max_ratio`].
pub const DEFAULT_MAX_RATIO: u64 = 1_000;
/// Output a stream may produce before the ratio limit applies: small, highly repetitive
/// files (a config of blank lines) compress far better than 1000:1 and are harmless.
const RATIO_GRACE: u64 = 1 << 20;
/// Largest window an xz or zstd stream may ask its decoder to hold.
const MAX_DECODER_WINDOW: u64 = 64 << 20;

/// Limits on what one top-level archive may cost, each a counted skip when reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Archives nested deeper than this are not opened (0: archives are not opened at
    /// all, and count as binary files).
    pub max_depth: usize,
    /// Uncompressed bytes one top-level archive may yield, nested entries included.
    pub max_total_bytes: u64,
    /// Entries one top-level archive may hold, nested entries included.
    pub max_entries: u64,
    /// Uncompressed bytes per compressed byte beyond which an entry is a bomb.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_depth: DEFAULT_MAX_DEPTH,
            max_total_bytes: DEFAULT_MAX_TOTAL_BYTES,
            max_entries: DEFAULT_MAX_ENTRIES,
            max_ratio: DEFAULT_MAX_RATIO,
        }
    }
}

/// What is left of a top-level archive's limits while its entries (and their entries)
/// are read. One per top-level blob, shared by every nesting level.
#[derive(Debug)]
pub struct Budget {
    bytes_left: Cell<u64>,
    entries_left: Cell<u64>,
    limits: ArchiveLimits,
}

impl Budget {
    /// A fresh budget for one top-level blob.
    pub fn new(limits: ArchiveLimits) -> Self {
        Budget {
            bytes_left: Cell::new(limits.max_total_bytes),
            entries_left: Cell::new(limits.max_entries),
            limits,
        }
    }

    /// Take one entry from the budget, or say why the entry may not be read.
    fn take_entry(&self, declared: Option<u64>) -> Result<(), Skip> {
        let left = self.entries_left.get();
        if left == 0 {
            return Err(Skip {
                reason: SkipReason::ArchiveEntries,
                detail: format!(
                    "past the limit of {} entries per top-level archive",
                    self.limits.max_entries
                ),
            });
        }
        if declared.is_some_and(|size| size > self.bytes_left.get()) {
            return Err(self.total_skip());
        }
        self.entries_left.set(left - 1);
        Ok(())
    }

    fn total_skip(&self) -> Skip {
        Skip {
            reason: SkipReason::ArchiveTotal,
            detail: format!(
                "past the limit of {} uncompressed bytes per top-level archive",
                self.limits.max_total_bytes
            ),
        }
    }
}

/// A limit reached while an entry was being read, carried through `io::Error` so the
/// reader that hit it (the scanner's) can turn it into the right skip.
#[derive(Debug)]
pub(crate) struct LimitReached(pub(crate) Skip);

impl std::fmt::Display for LimitReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.detail)
    }
}

impl std::error::Error for LimitReached {}

/// Counts the compressed bytes a decoder pulls from its input.
struct Counting<'c, R> {
    inner: R,
    count: &'c Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// An entry's uncompressed stream, charged to the budget as it is read: past the
/// top-level archive's byte budget, or past `max_ratio` times its compressed input, it
/// fails with [`LimitReached`].
struct Guarded<'b, R> {
    inner: R,
    budget: &'b Budget,
    /// Compressed bytes behind this output so far, when known.
    compressed: Option<&'b Cell<u64>>,
    /// Declared compressed size, for a zip entry.
    declared_compressed: Option<u64>,
    produced: u64,
}

impl<R: Read> Read for Guarded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n64 = n as u64;
        let left = self.budget.bytes_left.get();
        if n64 > left {
            self.budget.bytes_left.set(0);
            return Err(io::Error::other(LimitReached(self.budget.total_skip())));
        }
        self.budget.bytes_left.set(left - n64);
        self.produced += n64;
        let input = self
            .compressed
            .map(Cell::get)
            .or(self.declared_compressed)
            .unwrap_or(u64::MAX);
        let ratio = self.budget.limits.max_ratio;
        if self.produced > RATIO_GRACE && self.produced / input.max(1) > ratio {
            return Err(io::Error::other(LimitReached(Skip {
                reason: SkipReason::CompressionRatio,
                detail: format!(
                    "decompresses to more than {ratio} times its compressed size (a bomb?)"
                ),
            })));
        }
        Ok(n)
    }
}

/// Reads and seeks: a file on disk or a blob in memory.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// How an archive's bytes can be reached.
pub enum Input<'a> {
    /// With random access (a file, a blob in memory): a zip reads its central directory.
    Seekable(&'a mut dyn ReadSeek),
    /// As a stream only (standard input, an entry of another archive). A zip needs its
    /// end first, so it is read into memory, at most `max_size` bytes.
    Stream {
        /// The bytes, from the start of the archive.
        reader: &'a mut dyn Read,
        /// The most that may be buffered (the entry size limit).
        max_size: u64,
    },
}

impl<'a> Input<'a> {
    /// The bytes as a stream, for formats read from the start (tar, compressed streams).
    fn into_reader(self) -> &'a mut dyn Read {
        match self {
            Input::Seekable(r) => r,
            Input::Stream { reader, .. } => reader,
        }
    }
}

/// Receives an archive's entries.
pub trait Visit {
    /// Scan one entry: `content` yields its uncompressed bytes, limits enforced.
    fn entry(&mut self, name: &str, content: &mut dyn Read);
    /// An entry (or the archive itself, with `name` empty) that was not read, and why.
    fn skipped(&mut self, name: &str, skip: Skip);
}

/// Open an archive of `kind` and hand each entry to `visit`. `name` is the archive's
/// own file name, used to name the single file inside a compressed stream. Trouble with
/// one entry is that entry's skip; trouble with the archive as a whole (a corrupt zip
/// directory, a truncated tar) is reported with an empty entry name, after whatever
/// entries could be read.
pub fn open(
    kind: ArchiveKind,
    input: Input<'_>,
    name: &str,
    budget: &Budget,
    visit: &mut dyn Visit,
) {
    let result = match kind {
        ArchiveKind::Zip => zip_entries(input, budget, visit),
        ArchiveKind::Tar => tar_entries(input.into_reader(), budget, visit),
        ArchiveKind::Gzip | ArchiveKind::Bzip2 | ArchiveKind::Xz | ArchiveKind::Zstd => {
            compressed(kind, input.into_reader(), name, budget, visit)
        }
    };
    if let Err(skip) = result {
        visit.skipped("", skip);
    }
}

fn corrupt(kind: ArchiveKind, e: impl std::fmt::Display) -> Skip {
    Skip {
        reason: SkipReason::Corrupt,
        detail: format!("corrupt or truncated {}: {e}", kind.as_str()),
    }
}

/// What an error met while reading an archive means: a limit reached below (carried
/// by [`LimitReached`]) is that limit's skip; anything else is corruption.
fn read_skip(kind: ArchiveKind, e: &io::Error) -> Skip {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitReached>())
    {
        Some(LimitReached(skip)) => skip.clone(),
        None => corrupt(kind, e),
    }
}

/// A compressed stream: a tar inside it is one layer with it (`x.tar.gz!file`), anything
/// else is its single file, named after the archive without its compression suffix.
/// Everything the decoder yields is charged to the budget at this level, including the
/// parts of tar entries that are skipped unread, so a bomb costs its limit, not its size.
fn compressed(
    kind: ArchiveKind,
    reader: &mut dyn Read,
    name: &str,
    budget: &Budget,
    visit: &mut dyn Visit,
) -> Result<(), Skip> {
    let consumed = Cell::new(0u64);
    let input = Counting {
        inner: reader,
        count: &consumed,
    };
    let decoder: Box<dyn Read + '_> = match kind {
        ArchiveKind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(input)),
        ArchiveKind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(input)),
        ArchiveKind::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            input,
            true,
            u32::try_from(MAX_DECODER_WINDOW >> 10).unwrap_or(u32::MAX),
        )),
        ArchiveKind::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new_with_max_window_size(input, MAX_DECODER_WINDOW)
                .map_err(|e| corrupt(kind, e))?,
        ),
        ArchiveKind::Zip | ArchiveKind::Tar => return Err(corrupt(kind, "not a stream")),
    };
    let mut guarded = Guarded {
        inner: decoder,
        budget,
        compressed: Some(&consumed),
        declared_compressed: None,
        produced: 0,
    };
    // Peek at the first block to see whether a tar is inside.
    let mut head = Vec::with_capacity(512);
    (&mut guarded)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| read_skip(kind, &e))?;
    let is_tar = is_tar_header(&head);
    let mut whole = Cursor::new(head).chain(guarded);
    if is_tar {
        return tar_entries(&mut whole, budget, visit);
    }
    let inner = inner_name(name);
    match budget.take_entry(None) {
        Ok(()) => visit.entry(&inner, &mut whole),
        Err(skip) => visit.skipped(&inner, skip),
    }
    Ok(())
}

/// `config.env.gz` → `config.env`, `x.tgz` → `x.tar`; a name without a known suffix is
/// kept as it is.
fn inner_name(name: &str) -> String {
    let file = name.rsplit(['/', '!']).next().unwrap_or(name);
    for (suffix, replace) in [
        (".tgz", ".tar"),
        (".tbz2", ".tar"),
        (".txz", ".tar"),
        (".tzst", ".tar"),
        (".gz", ""),
        (".bz2", ""),
        (".xz", ""),
        (".zst", ""),
    ] {
        if file.len() > suffix.len() && file.to_ascii_lowercase().ends_with(suffix) {
            return format!("{}{replace}", &file[..file.len() - suffix.len()]);
        }
    }
    file.to_string()
}

/// A tar's entries. Their bytes are charged by whatever yields the tar (a compressed
/// stream's guard, a zip entry's guard) or bounded by the size limit of the file or
/// stream that is the tar, so only entries are counted here.
fn tar_entries(reader: &mut dyn Read, budget: &Budget, visit: &mut dyn Visit) -> Result<(), Skip> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| read_skip(ArchiveKind::Tar, &e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| read_skip(ArchiveKind::Tar, &e))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind == tar::EntryType::Continuous || kind.is_gnu_sparse()) {
            continue; // directories, links, devices: no content of their own
        }
        // Shown as written, `../` and absolute names included: nothing is extracted,
        // so a name is never followed.
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        match budget.take_entry(Some(entry.size())) {
            // A reader that stops early (a limit, a binary entry) leaves the rest of the
            // entry unread; the tar reader skips it on the next call.
            Ok(()) => visit.entry(&name, &mut entry),
            Err(skip) => visit.skipped(&name, skip),
        }
    }
    Ok(())
}

fn zip_entries(input: Input<'_>, budget: &Budget, visit: &mut dyn Visit) -> Result<(), Skip> {
    match input {
        Input::Seekable(r) => zip_archive(r, budget, visit),
        Input::Stream { reader, max_size } => {
            let mut buf = Vec::new();
            reader
                .take(max_size.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(|e| Skip::from_io(&e))?;
            if buf.len() as u64 > max_size {
                return Err(Skip {
                    reason: SkipReason::TooLarge,
                    detail: format!(
                        "a zip inside a stream is read into memory, and this one is over \
                         --max-file-size {max_size}"
                    ),
                });
            }
            zip_archive(&mut Cursor::new(buf), budget, visit)
        }
    }
}

/// The zip methods this build decodes (Zstandard, PPMd and the legacy ones are not).
const DECODED_METHODS: [zip::CompressionMethod; 6] = [
    zip::CompressionMethod::Stored,
    zip::CompressionMethod::Deflated,
    zip::CompressionMethod::Deflate64,
    zip::CompressionMethod::Bzip2,
    zip::CompressionMethod::Lzma,
    zip::CompressionMethod::Xz,
];

fn zip_archive(r: &mut dyn ReadSeek, budget: &Budget, visit: &mut dyn Visit) -> Result<(), Skip> {
    use zip::result::ZipError;
    let mut archive = zip::ZipArchive::new(r).map_err(|e| corrupt(ArchiveKind::Zip, e))?;
    for i in 0..archive.len() {
        let (name, encrypted, size, packed, is_file, method) = match archive.by_index_raw(i) {
            Ok(f) => (
                String::from_utf8_lossy(f.name_raw()).into_owned(),
                f.encrypted(),
                f.size(),
                f.compressed_size(),
                f.is_file(),
                f.compression(),
            ),
            Err(e) => {
                visit.skipped(&format!("#{i}"), corrupt(ArchiveKind::Zip, e));
                continue;
            }
        };
        if !is_file {
            continue;
        }
        if encrypted {
            visit.skipped(
                &name,
                Skip {
                    reason: SkipReason::Encrypted,
                    detail: "encrypted zip entry: its content cannot be read".into(),
                },
            );
            continue;
        }
        if !DECODED_METHODS.contains(&method) {
            visit.skipped(
                &name,
                Skip {
                    reason: SkipReason::Unsupported,
                    detail: format!("zip compression method {method} is not supported"),
                },
            );
            continue;
        }
        if size > RATIO_GRACE && size / packed.max(1) > budget.limits.max_ratio {
            visit.skipped(
                &name,
                Skip {
                    reason: SkipReason::CompressionRatio,
                    detail: format!(
                        "declares {size} bytes from {packed} compressed (more than {} to 1: a bomb?)",
                        budget.limits.max_ratio
                    ),
                },
            );
            continue;
        }
        if let Err(skip) = budget.take_entry(Some(size)) {
            visit.skipped(&name, skip);
            continue;
        }
        match archive.by_index(i) {
            Ok(file) => {
                let mut guarded = Guarded {
                    inner: file,
                    budget,
                    compressed: None,
                    declared_compressed: Some(packed),
                    produced: 0,
                };
                visit.entry(&name, &mut guarded);
            }
            Err(ZipError::UnsupportedArchive(what)) => visit.skipped(
                &name,
                Skip {
                    reason: SkipReason::Unsupported,
                    detail: format!("zip entry: {what}"),
                },
            ),
            Err(ZipError::CompressionMethodNotSupported(method)) => visit.skipped(
                &name,
                Skip {
                    reason: SkipReason::Unsupported,
                    detail: format!("zip compression method {method} is not supported"),
                },
            ),
            Err(e) => visit.skipped(&name, corrupt(ArchiveKind::Zip, e)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_magic_not_by_name() {
        assert_eq!(detect(b"PK\x03\x04rest"), Some(ArchiveKind::Zip));
        assert_eq!(detect(&[0x1F, 0x8B, 0x08, 0]), Some(ArchiveKind::Gzip));
        assert_eq!(detect(b"BZh91AY&SYxx"), Some(ArchiveKind::Bzip2));
        assert_eq!(detect(b"BZh9 is a word"), None);
        assert_eq!(detect(b"\xFD7zXZ\0\0"), Some(ArchiveKind::Xz));
        assert_eq!(
            detect(&[0x28, 0xB5, 0x2F, 0xFD, 0]),
            Some(ArchiveKind::Zstd)
        );
        assert_eq!(detect(b"plain text"), None);
        // "ustar" at 257 without a valid checksum is not a tar.
        let mut fake = vec![b' '; 600];
        fake[257..262].copy_from_slice(b"ustar");
        assert_eq!(detect(&fake), None);
    }

    /// Counts what an archive hands over, reading every entry to its end.
    #[derive(Default)]
    struct Drain {
        entries: usize,
        bytes: u64,
        skips: Vec<Skip>,
    }

    impl Visit for Drain {
        fn entry(&mut self, _name: &str, content: &mut dyn Read) {
            self.entries += 1;
            match io::copy(content, &mut io::sink()) {
                Ok(n) => self.bytes += n,
                Err(e) => self.skips.push(Skip::from_io(&e)),
            }
        }
        fn skipped(&mut self, _name: &str, skip: Skip) {
            self.skips.push(skip);
        }
    }

    proptest::proptest! {
        /// Hostile bytes behind every magic number: no panic, every failure a skip with
        /// a reason, and never more bytes out than the budget allows.
        #[test]
        fn hostile_bytes_are_skips_never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2048)) {
            for magic in [&b"PK\x03\x04"[..], b"\x1F\x8B\x08", b"BZh91AY&SY", b"\xFD7zXZ\0", b"\x28\xB5\x2F\xFD"] {
                let mut bytes = magic.to_vec();
                bytes.extend_from_slice(&data);
                let Some(kind) = detect(&bytes) else { continue };
                let limits = ArchiveLimits { max_total_bytes: 1 << 16, ..ArchiveLimits::default() };
                let budget = Budget::new(limits);
                let mut drain = Drain::default();
                let mut cursor = Cursor::new(bytes.as_slice());
                open(kind, Input::Seekable(&mut cursor), "x", &budget, &mut drain);
                proptest::prop_assert!(drain.bytes <= limits.max_total_bytes);
                for s in &drain.skips {
                    proptest::prop_assert!(!s.detail.is_empty());
                }
            }
        }
    }

    #[test]
    fn a_real_gzip_yields_its_file_and_counts_it() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"hello\n").unwrap();
        let gz = e.finish().unwrap();
        let budget = Budget::new(ArchiveLimits::default());
        let mut drain = Drain::default();
        let mut cursor = Cursor::new(gz.as_slice());
        open(
            ArchiveKind::Gzip,
            Input::Seekable(&mut cursor),
            "a.txt.gz",
            &budget,
            &mut drain,
        );
        assert_eq!((drain.entries, drain.bytes), (1, 6));
        assert!(drain.skips.is_empty());
        assert_eq!(budget.entries_left.get(), DEFAULT_MAX_ENTRIES - 1);
        assert_eq!(budget.bytes_left.get(), DEFAULT_MAX_TOTAL_BYTES - 6);
    }

    #[test]
    fn names_the_file_inside_a_compressed_stream() {
        assert_eq!(inner_name("a/config.env.gz"), "config.env");
        assert_eq!(inner_name("x.TGZ"), "x.tar");
        assert_eq!(inner_name("outer.zip!logs/app.log.zst"), "app.log");
        assert_eq!(inner_name("blob"), "blob");
        assert_eq!(inner_name(".gz"), ".gz");
    }
}
