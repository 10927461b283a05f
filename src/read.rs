//! Reads a blob (a file, a pipe, a git blob, an archive entry) through one reused
//! buffer and decides what its bytes are: text to scan, UTF-16 text to decode first, or
//! binary to skip. Texts over 1 MiB come as overlapping chunks, whatever the source.
//!
//! Every way a read can fail becomes a [`SkipReason`] rather than an error, so a file
//! that vanished, a directory without permission or a 3 GB log never stops a scan, and
//! never disappears from the report either: the caller counts every skip.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::ops::Range;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::finding::Location;
pub use crate::skip::{Skip, SkipReason};

/// How the bytes of a file were interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 or any ASCII-compatible bytes, scanned as they are.
    Bytes,
    /// UTF-16 little endian, decoded to UTF-8 before scanning.
    Utf16Le,
    /// UTF-16 big endian, decoded to UTF-8 before scanning.
    Utf16Be,
}

/// Bytes inspected for the binary decision.
pub(crate) const SNIFF: usize = 8192;

/// Files larger than this are scanned in overlapping chunks instead of being read
/// whole, so one huge file costs a few chunks of memory, not its size.
pub const CHUNK_THRESHOLD: u64 = 1 << 20;
/// Raw bytes each chunk owns (a finding belongs to the chunk its first byte is in).
pub const CHUNK: usize = 1 << 20;
/// Raw bytes each chunk also sees on both sides of what it owns. Larger than the longest
/// secret any rule reports (a 16 KiB RSA key in PEM is ~12 KiB), so a match straddling
/// two chunks is seen whole by the chunk that owns its start; it also gives inline
/// suppression markers and `near` companions context across a chunk boundary.
pub const OVERLAP: usize = 64 << 10;

/// A position in the scanned text: byte offset, 0-based line, and 0-based column in
/// characters since that line's start (`\n`, `\r\n` and a lone `\r` end lines).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextPos {
    /// Bytes of text before this position.
    pub offset: usize,
    /// Line terminators before this position.
    pub line: usize,
    /// Characters between the last line start and this position.
    pub column: usize,
}

impl TextPos {
    /// Move past `text[range]`; `text` may extend beyond the range so a `\r` at its end
    /// can see whether a `\n` follows.
    fn advance(&mut self, text: &[u8], range: Range<usize>) {
        let part = &text[range.clone()];
        let mut last_break = None;
        for i in memchr::memchr2_iter(b'\n', b'\r', part) {
            let abs = range.start + i;
            if part[i] == b'\r' && text.get(abs + 1) == Some(&b'\n') {
                continue;
            }
            self.line += 1;
            last_break = Some(i);
        }
        self.column = match last_break {
            Some(i) => char_count(&part[i + 1..]),
            None => self.column + char_count(part),
        };
        self.offset += part.len();
    }
}

/// Characters in a UTF-8-ish byte slice, invalid sequences counting as one each (the
/// count columns use everywhere, including across the chunks of a large file).
pub(crate) fn char_count(bytes: &[u8]) -> usize {
    // As a viewer decoding lossily shows it: each valid character counts once, and
    // each maximal invalid sequence once (one U+FFFD), so columns stay right around
    // broken bytes.
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + usize::from(!c.invalid().is_empty()))
        .sum()
}

/// One piece of a file's text handed to the matcher.
///
/// A small file is one chunk that owns all of its text. A large one comes as a series
/// of chunks, each seeing [`OVERLAP`] bytes on both sides of what it owns:
/// [`crate::matcher::Matcher::scan_chunk`] reports only the findings that start in
/// [`Chunk::owned`], placed in the whole file.
#[derive(Debug)]
pub struct Chunk<'a> {
    /// The text to match.
    pub text: &'a [u8],
    /// The part of `text` this chunk answers for.
    pub owned: Range<usize>,
    /// Where `text[owned.start]` sits in the whole file's text.
    pub base: TextPos,
    /// 1-based line of `owned.start` within `text`, as the matcher counts it.
    local_line: usize,
    /// 0-based column of `owned.start` within its line in `text`.
    local_column: usize,
    /// True when this is the only chunk of the file.
    pub whole: bool,
}

impl<'a> Chunk<'a> {
    fn new(text: &'a [u8], owned: Range<usize>, base: TextPos, whole: bool) -> Self {
        let mut local = TextPos::default();
        local.advance(text, 0..owned.start);
        Chunk {
            text,
            owned,
            base,
            local_line: local.line + 1,
            local_column: local.column,
            whole,
        }
    }

    /// Whether a match starting at byte `offset` of `text` belongs to this chunk.
    pub fn owns(&self, offset: usize) -> bool {
        self.owned.contains(&offset) || (self.owned.is_empty() && offset == self.owned.start)
    }

    /// Map a location computed within `text` to the whole file.
    pub fn absolute(&self, loc: Location) -> Location {
        if self.whole {
            return loc;
        }
        let map = |line: usize, column: usize| {
            let abs_line = self.base.line + 1 + line.saturating_sub(self.local_line);
            let abs_col = if line == self.local_line {
                self.base.column + column.saturating_sub(self.local_column)
            } else {
                column
            };
            (abs_line, abs_col)
        };
        let (line, column) = map(loc.line, loc.column);
        let (end_line, end_column) = map(loc.end_line, loc.end_column);
        Location {
            line,
            column,
            end_line,
            end_column,
            offset: self.base.offset + loc.offset.saturating_sub(self.owned.start),
            len: loc.len,
        }
    }
}

/// What reading one file amounted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRead {
    /// Bytes of text scanned (after decoding).
    pub bytes: u64,
    /// Chunks the file was scanned in (1 unless it was larger than [`CHUNK_THRESHOLD`]).
    pub chunks: usize,
}

/// Open `path` for reading without ever blocking: `O_NONBLOCK` so a FIFO or device that
/// replaced a regular file after the walk cannot hang the open, then `fstat` on the
/// open descriptor (not the path) so what is read is what was checked.
pub fn open_regular(path: &Path, max_size: u64) -> Result<(File, u64), Skip> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| Skip::from_io(&e))?;
    let meta = file.metadata().map_err(|e| Skip::from_io(&e))?;
    if !meta.is_file() {
        return Err(Skip::new(
            SkipReason::Special,
            special_kind(&meta.file_type()),
        ));
    }
    if meta.len() > max_size {
        return Err(too_large(meta.len(), max_size));
    }
    Ok((file, meta.len()))
}

/// Largest config or ignore file read (a hostile repository could hold a huge one).
pub const SMALL_FILE_LIMIT: u64 = 16 << 20;

/// [`read_text_file`] for files the user named (config, ignore file, baseline, rule
/// files): a failure is the run's [`crate::Error::Read`] naming the path.
pub fn read_user_file(path: &Path, limit: u64) -> crate::Result<String> {
    read_text_file(path, limit).map_err(|source| crate::Error::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Read a small text file that the user or the scanned repository supplies, at most
/// `limit` bytes. Regular files are opened as [`open_regular`] does; a FIFO is read (so
/// `--config <(generate-config)` works) but only up to `limit`; devices, sockets and
/// directories are refused, so `--config /dev/zero` is an error, not an endless read.
fn read_text_file(path: &Path, limit: u64) -> io::Result<String> {
    let refuse = |detail: String| io::Error::new(io::ErrorKind::InvalidInput, detail);
    let file = if std::fs::metadata(path)?.file_type().is_fifo() {
        // A pipe the user handed us: wait for its writer like any reader would (opening
        // it without blocking first could let a writer come and go unread).
        File::open(path)?
    } else {
        open_regular(path, limit)
            .map_err(|skip| match skip.reason {
                SkipReason::Unreadable | SkipReason::Vanished => io::Error::other(skip.detail),
                _ => refuse(skip.detail),
            })?
            .0
    };
    let mut text = String::new();
    file.take(limit.saturating_add(1))
        .read_to_string(&mut text)?;
    if text.len() as u64 > limit {
        return Err(refuse(format!("more than {limit} bytes")));
    }
    Ok(text)
}

/// Describe a file type that is not a regular file.
pub fn special_kind(ft: &std::fs::FileType) -> &'static str {
    if ft.is_fifo() {
        "FIFO (named pipe), not opened"
    } else if ft.is_socket() {
        "socket, not opened"
    } else if ft.is_block_device() || ft.is_char_device() {
        "device node, not opened"
    } else if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Read from `src` until `buf` holds `want` bytes or the stream ends; retries
/// `EINTR`. Returns whether the stream ended.
fn fill(src: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    if buf.len() >= want {
        return Ok(false);
    }
    buf.reserve_exact(want - buf.len()); // a chunk's buffer is sized once, not doubled
    let got = src.take((want - buf.len()) as u64).read_to_end(buf)?;
    Ok(got == 0 || buf.len() < want)
}

/// Move a chunk's end back (by at most one character, never to `start`) so it does not
/// cut a UTF-8 sequence or a UTF-16 surrogate pair: both sides then count characters
/// the way a whole-file scan does.
fn char_boundary(raw: &[u8], start: usize, mut end: usize, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Bytes => {
            for _ in 0..3 {
                if end > start + 1 && (raw[end] & 0xC0) == 0x80 {
                    end -= 1;
                } else {
                    break;
                }
            }
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            if end >= start + 4 {
                let pair = [raw[end - 2], raw[end - 1]];
                let unit = if encoding == Encoding::Utf16Be {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                };
                if (0xD800..0xDC00).contains(&unit) {
                    end -= 2;
                }
            }
        }
    }
    end
}

/// A per-thread reader with reused buffers.
#[derive(Debug, Default)]
pub struct Reader {
    raw: Vec<u8>,
    decoded: Vec<u8>,
}

/// How the first bytes of a blob say to read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextKind {
    /// Bytes to skip first (a byte-order mark).
    pub skip: usize,
    /// The encoding of the rest.
    pub encoding: Encoding,
}

/// Chunk sizes of a chunked read (tests use small ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkSizes {
    /// Texts up to this many bytes are one chunk.
    pub threshold: u64,
    /// Bytes each chunk owns.
    pub chunk: usize,
    /// Bytes each chunk also sees on both sides.
    pub overlap: usize,
}

impl Default for ChunkSizes {
    fn default() -> Self {
        ChunkSizes {
            threshold: CHUNK_THRESHOLD,
            chunk: CHUNK,
            overlap: OVERLAP,
        }
    }
}

impl Reader {
    /// Read the first 8 KiB of `src` into the buffer, replacing what it held,
    /// and return them: enough to tell text from binary and archives.
    pub fn read_head(&mut self, src: &mut dyn Read) -> Result<&[u8], Skip> {
        self.raw.clear();
        fill(src, &mut self.raw, SNIFF).map_err(|e| Skip::from_io(&e))?;
        Ok(&self.raw)
    }

    /// The bytes [`Reader::read_head`] read.
    pub fn head(&self) -> &[u8] {
        &self.raw
    }

    /// Read `path` and hand its text to `each`, as one chunk when the file is at most
    /// [`CHUNK_THRESHOLD`] bytes and as overlapping chunks of [`CHUNK`] bytes above
    /// that, so memory stays bounded whatever the file's size.
    pub fn scan_file<F>(&mut self, path: &Path, max_size: u64, each: F) -> Result<FileRead, Skip>
    where
        F: FnMut(Chunk<'_>),
    {
        self.scan_file_with(path, max_size, CHUNK_THRESHOLD, CHUNK, OVERLAP, each)
    }

    /// [`Reader::scan_file`] with explicit chunk sizes (tests use small ones).
    pub fn scan_file_with<F>(
        &mut self,
        path: &Path,
        max_size: u64,
        threshold: u64,
        chunk: usize,
        overlap: usize,
        each: F,
    ) -> Result<FileRead, Skip>
    where
        F: FnMut(Chunk<'_>),
    {
        let (mut file, _) = open_regular(path, max_size)?;
        let kind = text_kind(self.read_head(&mut file)?)?;
        let sizes = ChunkSizes {
            threshold,
            chunk,
            overlap,
        };
        self.scan_stream(&mut file, kind, max_size, sizes, each)
    }

    /// Hand the text of a stream to `each` in chunks. The stream's first bytes must
    /// already be in the buffer ([`Reader::read_head`]) and read as `kind`. A stream
    /// longer than `max_size` is a [`SkipReason::TooLarge`] skip (chunks already handed
    /// over are then to be dropped by the caller); a read error is a skip too.
    ///
    /// Every kind of content is read through here, so a file, a pipe, a git blob and an
    /// archive entry of the same bytes are cut into the same chunks: one chunk when the
    /// text is at most `sizes.threshold` bytes, else chunks of `sizes.chunk` bytes that
    /// each see `sizes.overlap` bytes on both sides, read into one sliding buffer.
    pub fn scan_stream<F>(
        &mut self,
        src: &mut dyn Read,
        kind: TextKind,
        max_size: u64,
        sizes: ChunkSizes,
        mut each: F,
    ) -> Result<FileRead, Skip>
    where
        F: FnMut(Chunk<'_>),
    {
        let io = |e: io::Error| Skip::from_io(&e);
        let limit = usize::try_from(max_size.saturating_add(1)).unwrap_or(usize::MAX);
        let threshold = usize::try_from(sizes.threshold).unwrap_or(usize::MAX);
        let small_enough = threshold.saturating_add(1).min(limit);
        let ended = fill(src, &mut self.raw, small_enough).map_err(io)?;
        if self.raw.len() as u64 > max_size {
            return Err(too_large(self.raw.len() as u64, max_size));
        }
        if ended && self.raw.len() <= threshold {
            let text = text_of(&self.raw, kind.skip, kind.encoding, &mut self.decoded);
            let bytes = text.len() as u64;
            each(Chunk::new(text, 0..text.len(), TextPos::default(), true));
            return Ok(FileRead { bytes, chunks: 1 });
        }
        let encoding = kind.encoding;
        let skip = kind.skip;
        // UTF-16 chunks must cut between code units.
        let even = |n: usize| {
            if encoding == Encoding::Bytes {
                n
            } else {
                n & !1
            }
        };
        let (chunk, overlap) = (
            even(sizes.chunk.max(2)),
            even(sizes.overlap.max(2)).min(even(sizes.chunk.max(2))),
        );
        let mut pos = TextPos::default();
        let mut at = skip; // stream offset of the current chunk's owned start
        let mut buf_start = 0usize; // stream offset of `raw[0]`
        let mut ended = ended;
        let mut chunks = 0;
        let mut bytes = 0u64;
        loop {
            let back = (at - skip).min(overlap);
            let from = at - back;
            // Slide: drop what no later chunk sees, then read up to this chunk's end.
            self.raw.drain(..from - buf_start);
            buf_start = from;
            if !ended {
                ended = fill(src, &mut self.raw, back + chunk + overlap).map_err(io)?;
            }
            if (buf_start + self.raw.len()) as u64 > max_size {
                return Err(too_large((buf_start + self.raw.len()) as u64, max_size));
            }
            if self.raw.len() <= back && chunks > 0 {
                break; // the stream ended at the previous chunk's end
            }
            let mut own_end = (back + chunk).min(self.raw.len());
            if own_end < self.raw.len() {
                own_end = char_boundary(&self.raw, back, own_end, encoding);
            }
            let last = own_end == self.raw.len() && ended;
            let (text, owned): (&[u8], Range<usize>) = if encoding == Encoding::Bytes {
                (&self.raw, back..own_end)
            } else {
                let big = encoding == Encoding::Utf16Be;
                self.decoded.clear();
                decode_utf16_into(&self.raw[..back], big, &mut self.decoded);
                let s = self.decoded.len();
                decode_utf16_into(&self.raw[back..own_end], big, &mut self.decoded);
                let e = self.decoded.len();
                decode_utf16_into(&self.raw[own_end..], big, &mut self.decoded);
                (&self.decoded, s..e)
            };
            chunks += 1;
            bytes += owned.len() as u64;
            let next = {
                let mut p = pos;
                p.advance(text, owned.clone());
                p
            };
            each(Chunk::new(text, owned, pos, false));
            pos = next;
            if last {
                break;
            }
            at += own_end - back;
        }
        Ok(FileRead { bytes, chunks })
    }

    /// Interpret bytes already in memory (tests, fuzzing, one-off texts).
    pub fn decode<'a>(&'a mut self, bytes: &'a [u8]) -> Result<(&'a [u8], Encoding), Skip> {
        interpret(bytes, &mut self.decoded)
    }
}

/// How to read a blob whose first bytes are `head`, or a binary skip.
pub fn text_kind(head: &[u8]) -> Result<TextKind, Skip> {
    let (skip, encoding) = sniff(head).encoding()?;
    Ok(TextKind { skip, encoding })
}

/// Text as it is, UTF-16 decoded into `decoded`, or a binary skip.
fn interpret<'a>(bytes: &'a [u8], decoded: &'a mut Vec<u8>) -> Result<(&'a [u8], Encoding), Skip> {
    let (skip, encoding) = sniff(bytes).encoding()?;
    Ok((text_of(bytes, skip, encoding, decoded), encoding))
}

/// `bytes` past `skip` as text: as they are, or UTF-16 decoded into `decoded`.
fn text_of<'a>(
    bytes: &'a [u8],
    skip: usize,
    encoding: Encoding,
    decoded: &'a mut Vec<u8>,
) -> &'a [u8] {
    match encoding {
        Encoding::Bytes => &bytes[skip..],
        Encoding::Utf16Le | Encoding::Utf16Be => {
            decode_utf16(&bytes[skip..], encoding == Encoding::Utf16Be, decoded);
            decoded
        }
    }
}

/// The skip of a blob over `--max-file-size`, worded the same for every source.
pub(crate) fn too_large(size: u64, max: u64) -> Skip {
    Skip::new(
        SkipReason::TooLarge,
        format!("{size} bytes > --max-file-size {max}"),
    )
}

enum Sniffed {
    Text(usize),
    Utf16 { big_endian: bool, skip: usize },
    Binary,
}

impl Sniffed {
    /// Bytes to skip (a BOM) and the encoding to read the rest in, or a binary skip.
    fn encoding(self) -> Result<(usize, Encoding), Skip> {
        match self {
            Sniffed::Text(skip) => Ok((skip, Encoding::Bytes)),
            Sniffed::Utf16 {
                big_endian: true,
                skip,
            } => Ok((skip, Encoding::Utf16Be)),
            Sniffed::Utf16 {
                big_endian: false,
                skip,
            } => Ok((skip, Encoding::Utf16Le)),
            Sniffed::Binary => Err(Skip::new(SkipReason::Binary, "NUL byte in the first 8 KiB")),
        }
    }
}

/// Signatures of binary formats that hold long runs of small integers: archives and
/// static libraries (`ar`), executables and objects (ELF, PE, Mach-O), Java classes,
/// WebAssembly, compressed data and SQLite databases. Checked only once a zero byte has
/// been seen, so a text file that happens to start like one is still text.
const BINARY_SIGNATURES: &[&[u8]] = &[
    b"!<arch>\n",
    b"\x7fELF",
    b"MZ",
    b"\xCA\xFE\xBA\xBE",
    b"\xFE\xED\xFA\xCE",
    b"\xFE\xED\xFA\xCF",
    b"\xCE\xFA\xED\xFE",
    b"\xCF\xFA\xED\xFE",
    b"\0asm",
    b"PK\x03\x04",
    b"\x1F\x8B",
    b"BZh",
    b"\xFD7zXZ\0",
    b"7z\xBC\xAF\x27\x1C",
    b"\x28\xB5\x2F\xFD",
    b"SQLite format 3\0",
    b"\x89PNG",
];

/// Decide how to read `bytes`: BOMs first, then NUL bytes in the first 8 KiB, which
/// mean UTF-16 when they sit regularly in every other position and binary otherwise.
fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Sniffed::Text(3);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Sniffed::Utf16 {
            big_endian: false,
            skip: 2,
        };
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Sniffed::Utf16 {
            big_endian: true,
            skip: 2,
        };
    }
    let head = &bytes[..bytes.len().min(SNIFF)];
    if memchr::memchr(0, head).is_none() {
        return Sniffed::Text(0);
    }
    // Zero bytes and a known binary signature: binary, however regular the zeros are
    // (an import library's big-endian offset table passes for UTF-16 otherwise).
    if BINARY_SIGNATURES.iter().any(|sig| head.starts_with(sig)) {
        return Sniffed::Binary;
    }
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let (mut even, mut odd) = (0usize, 0usize);
        for p in head.chunks_exact(2) {
            even += usize::from(p[0] == 0);
            odd += usize::from(p[1] == 0);
        }
        // ASCII-heavy UTF-16: one byte of most pairs is zero, the other almost never.
        if odd * 10 >= pairs * 4 && even * 50 <= pairs && utf16_text_like(head, false) {
            return Sniffed::Utf16 {
                big_endian: false,
                skip: 0,
            };
        }
        if even * 10 >= pairs * 4 && odd * 50 <= pairs && utf16_text_like(head, true) {
            return Sniffed::Utf16 {
                big_endian: true,
                skip: 0,
            };
        }
    }
    Sniffed::Binary
}

/// Whether the ASCII-range code units of `head`, read as UTF-16, are text: binary files
/// full of small integers (import libraries, archives) pass the zero-byte test above but
/// are mostly control characters or punctuation here, where text is mostly letters,
/// digits and spaces.
fn utf16_text_like(head: &[u8], big_endian: bool) -> bool {
    let (mut ascii, mut control, mut wordy) = (0usize, 0usize, 0usize);
    for p in head.chunks_exact(2) {
        let (hi, lo) = if big_endian {
            (p[0], p[1])
        } else {
            (p[1], p[0])
        };
        if hi == 0 {
            ascii += 1;
            control += usize::from(lo < 0x20 && !matches!(lo, b'\t' | b'\n' | b'\r' | 0x0C));
            wordy += usize::from(lo.is_ascii_alphanumeric() || lo.is_ascii_whitespace());
        }
    }
    control * 20 <= ascii && wordy * 2 >= ascii
}

/// Decode UTF-16 into UTF-8, replacing unpaired surrogates (and an odd last byte is
/// dropped): a broken encoding is scanned as far as it can be, never rejected.
pub fn decode_utf16(bytes: &[u8], big_endian: bool, out: &mut Vec<u8>) {
    out.clear();
    decode_utf16_into(bytes, big_endian, out);
}

fn decode_utf16_into(bytes: &[u8], big_endian: bool, out: &mut Vec<u8>) {
    out.reserve(bytes.len() / 2 + 4);
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut tmp = [0u8; 4];
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        if c.is_ascii() {
            out.push(c as u8); // most code units of text that has keys in it
        } else {
            out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    }

    #[test]
    fn decodes_utf16_with_and_without_bom() {
        let text = "line one\nkey = value é\n";
        for be in [false, true] {
            for bom in [false, true] {
                let mut r = Reader::default();
                let bytes = utf16(text, be, bom);
                let (out, enc) = r.decode(&bytes).unwrap();
                assert_eq!(out, text.as_bytes(), "be={be} bom={bom}");
                assert_ne!(enc, Encoding::Bytes);
            }
        }
    }

    #[test]
    fn binary_and_text() {
        let mut r = Reader::default();
        assert_eq!(
            r.decode(b"\x7fELF\0\0\x01\x02\x03\0\0\0\x05\x06")
                .unwrap_err()
                .reason,
            SkipReason::Binary
        );
        assert_eq!(r.decode(b"plain \xff text").unwrap().0, b"plain \xff text");
        assert_eq!(r.decode(b"\xEF\xBB\xBFbom").unwrap().0, b"bom");
    }

    #[test]
    fn binary_files_are_read_only_as_far_as_their_head() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.a");
        let mut bytes = b"!<arch>\n".to_vec();
        bytes.resize(3 << 20, 0);
        std::fs::write(&path, &bytes).unwrap();
        let mut r = Reader::default();
        let skip = r
            .scan_file(&path, 1 << 30, |_| panic!("binary"))
            .unwrap_err();
        assert_eq!(skip.reason, SkipReason::Binary);
        assert!(r.raw.len() <= SNIFF, "read {} bytes", r.raw.len());
    }

    #[test]
    fn tables_of_small_integers_are_binary_not_utf16() {
        // What an import library looks like to the zero-byte test: u16 values < 256.
        let table: Vec<u8> = (0u16..2048)
            .flat_map(|i| (i % 7 + 1).to_be_bytes())
            .collect();
        let mut r = Reader::default();
        assert_eq!(r.decode(&table).unwrap_err().reason, SkipReason::Binary);
        let le: Vec<u8> = (0u16..2048)
            .flat_map(|i| (i % 7 + 1).to_le_bytes())
            .collect();
        assert_eq!(r.decode(&le).unwrap_err().reason, SkipReason::Binary);
        // An import library's symbol table: big-endian offsets whose high halves are
        // printable but not letters, behind the `ar` signature.
        let mut lib =
            b"!<arch>\n/               -1                      0       1338398   `\n".to_vec();
        lib.extend((0u32..1500).flat_map(|i| (0x0028_f170 + i * 0x40).to_be_bytes()));
        assert_eq!(r.decode(&lib).unwrap_err().reason, SkipReason::Binary);
        assert_eq!(r.decode(&lib[68..]).unwrap_err().reason, SkipReason::Binary);
        // A text file that starts like a signature is still text.
        assert!(r.decode(b"MZ is not always an executable").is_ok());
    }

    #[test]
    fn chunk_positions_count_crlf_split_across_a_boundary_once() {
        let dir = std::env::temp_dir().join(format!("plainsight-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("crlf.txt");
        std::fs::write(&p, "a\r\nbc\rd\u{e9}e\n").unwrap();
        let mut bases = Vec::new();
        let mut owned = Vec::new();
        let read = Reader::default()
            .scan_file_with(&p, 1 << 20, 0, 2, 2, |w| {
                bases.push((w.base.offset, w.base.line, w.base.column));
                owned.push(w.text[w.owned.clone()].to_vec());
            })
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(read.chunks, 6);
        assert_eq!(owned.concat(), "a\r\nbc\rd\u{e9}e\n".as_bytes());
        // "a\r" | "\nb" | "c\r" | "d" | "\u{e9}" | "e\n": the \r\n ends one line
        // once, and the chunk ends move back so as not to cut the é.
        assert_eq!(
            bases,
            [
                (0, 0, 0),
                (2, 0, 2),
                (4, 1, 1),
                (6, 2, 0),
                (7, 2, 1),
                (9, 2, 2)
            ]
        );
    }
}
