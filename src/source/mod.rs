//! Sources: where blobs come from. A source enumerates units of work with the report
//! path of each, and turns one into bytes (a file to open, a blob in memory, a stream)
//! with its provenance; it never matches anything. The [`crate::scan::Scanner`] owns
//! everything from there: the thread pool, exclusion globs, size limits, sniffing,
//! archives, chunking, the prefilter and rules, suppression, accounting and the report.
//!
//! The sources: the filesystem and standard input ([`fs`]), git history and the staged
//! index ([`crate::git`]). Archive entries are not a source of their own: an archive is
//! a blob the scanner opens, whatever source it came from, so a key in a committed
//! `.tgz` is found in a directory scan, in history and in a staged change alike.
//!
//! The shape follows Nosey Parker's blob iterator and ripgrep's search worker: one
//! thread enumerates ([`Source::produce`]) into a bounded channel, each scan worker
//! keeps an [`Source::Opener`] (a repository handle with its caches) and opens the units
//! it is handed ([`Source::open`]).

pub mod fs;

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;

use crate::error::Result;
use crate::finding::{Finding, Provenance};
use crate::read::Skip;
use crate::scan::SkippedFile;

/// What a source enumerates: a unit to open and scan, or a path it will not hand over.
#[derive(Debug)]
pub enum Produced<I> {
    /// A unit of work and the path findings in it are reported at.
    Item {
        /// Report path: relative, `/`-separated.
        path: String,
        /// What [`Source::open`] needs to open it.
        item: I,
    },
    /// Something that will not be scanned, and why (counted, listed).
    Skipped(SkippedFile),
}

/// Where a source sends what it enumerates: into the scanner's bounded channel, each
/// unit numbered in the order it was sent. Cheap to clone, and `Send`, so a parallel
/// walk sends from each of its threads with no relay between them.
pub struct Emitter<'a, I> {
    tx: SyncSender<(u64, Produced<I>)>,
    seq: &'a AtomicU64,
    stop: &'a AtomicBool,
}

impl<I> Clone for Emitter<'_, I> {
    fn clone(&self) -> Self {
        Emitter {
            tx: self.tx.clone(),
            seq: self.seq,
            stop: self.stop,
        }
    }
}

impl<'a, I: Send> Emitter<'a, I> {
    /// An emitter into `tx`; `stop` set means the scan stopped.
    pub(crate) fn new(
        tx: SyncSender<(u64, Produced<I>)>,
        seq: &'a AtomicU64,
        stop: &'a AtomicBool,
    ) -> Self {
        Emitter { tx, seq, stop }
    }

    /// Hand one unit or skip to the scanner, waiting while its workers are behind.
    /// `false`: the scan stopped, send no more.
    pub fn send(&self, p: Produced<I>) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return false;
        }
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        self.tx.send((n, p)).is_ok()
    }
}

/// The bytes of one unit, as the scanner reads them.
pub enum Content<'a> {
    /// A file to open (without blocking) and read in chunks.
    File(&'a Path),
    /// Bytes already in memory (a git blob).
    Bytes(&'a [u8]),
    /// A stream read once from its start (standard input, a FIFO named on the command
    /// line), under the same size limit as a file.
    Stream(&'a mut dyn Read),
    /// The source found it cannot be read (too large by its header), without reading it.
    Skipped(Skip),
}

/// One unit's bytes and where they came from.
pub struct Blob<'a> {
    /// The bytes.
    pub content: Content<'a>,
    /// Git provenance, attached to every finding of the blob.
    pub provenance: Option<Provenance>,
}

/// A source of blobs. See the module documentation for who does what.
pub trait Source: Sync {
    /// One unit of work, sent from the enumerating thread to a worker.
    type Item: Send;
    /// What one worker keeps between units (a repository handle and its caches).
    type Opener: Send;

    /// Enumerate every unit and skip, sending each through `emit` until it says the
    /// scan stopped. Runs on a thread of its own beside the workers (it may start more),
    /// so it must not use the scanner's thread pool. A source whose [`Source::fold`]
    /// depends on order sends from one thread, in that order.
    fn produce(&self, emit: &Emitter<'_, Self::Item>) -> Result<()>;

    /// A new worker's opener.
    fn opener(&self) -> Self::Opener;

    /// Open `item` and hand its blob to `scan`, exactly once. `max_size` lets a source
    /// refuse a blob it knows is too large before reading it. An error fails the scan
    /// (a corrupt object in history must not pass as clean).
    fn open(
        &self,
        opener: &mut Self::Opener,
        item: &Self::Item,
        max_size: u64,
        scan: &mut dyn FnMut(Blob<'_>),
    ) -> Result<()>;

    /// Keep only the findings of one unit this source reports (the staged change: those
    /// on lines it adds). Called only when there are findings.
    fn retain(
        &self,
        _opener: &mut Self::Opener,
        _item: &Self::Item,
        _findings: &mut Vec<Finding>,
    ) -> Result<()> {
        Ok(())
    }

    /// Fold the findings of every unit, which arrive in the order [`Source::produce`]
    /// emitted their units (history: one secret at one path across blob versions).
    fn fold(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
    }
}
