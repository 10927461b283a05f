//! Why something was not scanned: every blob a scan does not read, or reads only in
//! part, becomes a [`Skip`] with a [`SkipReason`], counted and listed in every report.
//! Skips are data, not errors: one bad file never hides the findings of every other, and
//! never disappears from the report either.

use std::io;

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
    /// Kept out by `.gitignore` (inside a git work tree), `.ignore` or git's exclude
    /// files (`--no-ignore` scans it). A directory counts once.
    Ignored,
    /// An archive nested deeper than `--max-archive-depth`: not opened.
    ArchiveDepth,
    /// Past the uncompressed bytes one top-level archive may yield.
    ArchiveTotal,
    /// Past the number of entries one top-level archive may hold.
    ArchiveEntries,
    /// Decompresses to far more than its compressed size: a likely bomb.
    CompressionRatio,
    /// An encrypted archive entry: its content cannot be read.
    Encrypted,
    /// A corrupt or truncated archive or compressed stream.
    Corrupt,
    /// An archive entry stored with a method plainsight cannot decode.
    Unsupported,
    /// A blob the repository does not hold: a partial clone (`--filter=blob:…`) leaves
    /// blobs out until they are fetched, and plainsight never fetches.
    Missing,
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
            SkipReason::Ignored => "ignored",
            SkipReason::ArchiveDepth => "archive_depth",
            SkipReason::ArchiveTotal => "archive_total",
            SkipReason::ArchiveEntries => "archive_entries",
            SkipReason::CompressionRatio => "compression_ratio",
            SkipReason::Encrypted => "encrypted",
            SkipReason::Corrupt => "corrupt",
            SkipReason::Unsupported => "unsupported",
            SkipReason::Missing => "missing",
        }
    }

    /// All reasons, in report order.
    pub const ALL: [SkipReason; 17] = [
        SkipReason::Binary,
        SkipReason::TooLarge,
        SkipReason::Unreadable,
        SkipReason::Vanished,
        SkipReason::Special,
        SkipReason::Symlink,
        SkipReason::WalkError,
        SkipReason::Excluded,
        SkipReason::Ignored,
        SkipReason::ArchiveDepth,
        SkipReason::ArchiveTotal,
        SkipReason::ArchiveEntries,
        SkipReason::CompressionRatio,
        SkipReason::Encrypted,
        SkipReason::Corrupt,
        SkipReason::Unsupported,
        SkipReason::Missing,
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
    /// A skip for `reason`, explained by `detail`.
    pub fn new(reason: SkipReason, detail: impl Into<String>) -> Self {
        Skip {
            reason,
            detail: detail.into(),
        }
    }

    /// What a read error means for the blob being read: a limit an archive reader
    /// reached is that limit's skip, bad compressed data is corruption, and a path that
    /// went away vanished.
    pub(crate) fn from_io(e: &io::Error) -> Self {
        if let Some(crate::archive::LimitReached(skip)) = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<crate::archive::LimitReached>())
        {
            return skip.clone();
        }
        let reason = match e.kind() {
            io::ErrorKind::NotFound => SkipReason::Vanished,
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => SkipReason::Corrupt,
            io::ErrorKind::Unsupported => SkipReason::Unsupported,
            _ => SkipReason::Unreadable,
        };
        Skip::new(reason, e.to_string())
    }
}
