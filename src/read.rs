//! Reads one file into a reused buffer and decides what its bytes are: text to scan,
//! UTF-16 text to decode first, or binary to skip.
//!
//! Every way a read can fail becomes a [`SkipReason`] rather than an error, so a file
//! that vanished, a directory without permission or a 3 GB log never stops a scan, and
//! never disappears from the report either: the caller counts every skip.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use serde::Serialize;

/// Why a file was not scanned. Every one is counted and reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A NUL byte in the first 8 KiB and no text encoding recognised.
    Binary,
    /// Larger than `--max-file-size`.
    TooLarge,
    /// Permission denied or another read error.
    Unreadable,
    /// Gone between the walk and the read.
    Vanished,
    /// A FIFO, socket or device: never opened, reading could block forever.
    Special,
    /// A symbolic link, not followed (use `--follow`).
    Symlink,
    /// A symlink loop or a directory the walker could not list.
    WalkError,
    /// Matched a path allowlist glob in the config.
    Excluded,
}

impl SkipReason {
    /// The snake_case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too_large",
            SkipReason::Unreadable => "unreadable",
            SkipReason::Vanished => "vanished",
            SkipReason::Special => "special",
            SkipReason::Symlink => "symlink",
            SkipReason::WalkError => "walk_error",
            SkipReason::Excluded => "excluded",
        }
    }

    /// All reasons, in report order.
    pub const ALL: [SkipReason; 8] = [
        SkipReason::Binary,
        SkipReason::TooLarge,
        SkipReason::Unreadable,
        SkipReason::Vanished,
        SkipReason::Special,
        SkipReason::Symlink,
        SkipReason::WalkError,
        SkipReason::Excluded,
    ];
}

/// A skip with its human explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The reason category.
    pub reason: SkipReason,
    /// Details (the OS error, the size).
    pub detail: String,
}

impl Skip {
    fn new(reason: SkipReason, detail: impl Into<String>) -> Self {
        Skip {
            reason,
            detail: detail.into(),
        }
    }

    fn from_io(e: &io::Error) -> Self {
        let reason = if e.kind() == io::ErrorKind::NotFound {
            SkipReason::Vanished
        } else {
            SkipReason::Unreadable
        };
        Skip::new(reason, e.to_string())
    }
}

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
const SNIFF: usize = 8192;

/// A per-thread reader with reused buffers.
#[derive(Debug, Default)]
pub struct Reader {
    raw: Vec<u8>,
    decoded: Vec<u8>,
}

impl Reader {
    /// Read `path` (at most `max_size` bytes) and return its text to scan.
    pub fn read(&mut self, path: &Path, max_size: u64) -> Result<(&[u8], Encoding), Skip> {
        let file = File::open(path).map_err(|e| Skip::from_io(&e))?;
        let meta = file.metadata().map_err(|e| Skip::from_io(&e))?;
        if !meta.is_file() {
            return Err(Skip::new(SkipReason::Special, "not a regular file"));
        }
        if meta.len() > max_size {
            return Err(too_large(meta.len(), max_size));
        }
        self.raw.clear();
        let cap = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
        self.raw
            .reserve(cap.min(usize::try_from(max_size).unwrap_or(usize::MAX)));
        file.take(max_size.saturating_add(1))
            .read_to_end(&mut self.raw)
            .map_err(|e| Skip::from_io(&e))?;
        if self.raw.len() as u64 > max_size {
            return Err(too_large(self.raw.len() as u64, max_size));
        }
        self.decode_raw()
    }

    /// Interpret bytes already in memory (git blobs, tests).
    pub fn decode<'a>(&'a mut self, bytes: &'a [u8]) -> Result<(&'a [u8], Encoding), Skip> {
        interpret(bytes, &mut self.decoded)
    }

    fn decode_raw(&mut self) -> Result<(&[u8], Encoding), Skip> {
        interpret(&self.raw, &mut self.decoded)
    }
}

/// Text as it is, UTF-16 decoded into `decoded`, or a binary skip.
fn interpret<'a>(bytes: &'a [u8], decoded: &'a mut Vec<u8>) -> Result<(&'a [u8], Encoding), Skip> {
    match sniff(bytes) {
        Sniffed::Text(skip) => Ok((&bytes[skip..], Encoding::Bytes)),
        Sniffed::Utf16 { big_endian, skip } => {
            decode_utf16(&bytes[skip..], big_endian, decoded);
            let enc = if big_endian {
                Encoding::Utf16Be
            } else {
                Encoding::Utf16Le
            };
            Ok((decoded.as_slice(), enc))
        }
        Sniffed::Binary => Err(Skip::new(SkipReason::Binary, "NUL byte in the first 8 KiB")),
    }
}

fn too_large(size: u64, max: u64) -> Skip {
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
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let (mut even, mut odd) = (0usize, 0usize);
        for p in head.chunks_exact(2) {
            even += usize::from(p[0] == 0);
            odd += usize::from(p[1] == 0);
        }
        // ASCII-heavy UTF-16: one byte of most pairs is zero, the other almost never.
        if odd * 10 >= pairs * 4 && even * 50 <= pairs {
            return Sniffed::Utf16 {
                big_endian: false,
                skip: 0,
            };
        }
        if even * 10 >= pairs * 4 && odd * 50 <= pairs {
            return Sniffed::Utf16 {
                big_endian: true,
                skip: 0,
            };
        }
    }
    Sniffed::Binary
}

fn decode_utf16(bytes: &[u8], big_endian: bool, out: &mut Vec<u8>) {
    out.clear();
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
        out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
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
}
