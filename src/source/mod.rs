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

use std::cell::RefCell;
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

/// Units handed to the scanner at once: see [`Emitter`].
const BATCH: usize = 32;

/// Units numbered in the order they were sent, as the scanner's channel carries them.
pub(crate) type Batch<I> = Vec<(u64, Produced<I>)>;

/// Where a source sends what it enumerates: into the scanner's bounded channel, each
/// unit numbered in the order it was sent. Cheap to clone, and `Send`, so a parallel
/// walk sends from each of its threads (each with a clone) with no relay between them.
///
/// Units go in batches of [`BATCH`], and the rest when the emitter is dropped: each
/// hand-over through the channel can wake a thread on each side (a futex call each
/// way), and with one per file those calls cost the scan of a tree of small files a
/// tenth of its CPU time.
pub struct Emitter<'a, I> {
    tx: SyncSender<Batch<I>>,
    seq: &'a AtomicU64,
    stop: &'a AtomicBool,
    batch: RefCell<Batch<I>>,
}

impl<I> Clone for Emitter<'_, I> {
    fn clone(&self) -> Self {
        Emitter {
            tx: self.tx.clone(),
            seq: self.seq,
            stop: self.stop,
            batch: RefCell::new(Vec::new()),
        }
    }
}

impl<'a, I> Emitter<'a, I> {
    /// An emitter into `tx`; `stop` set means the scan stopped.
    pub(crate) fn new(tx: SyncSender<Batch<I>>, seq: &'a AtomicU64, stop: &'a AtomicBool) -> Self {
        Emitter {
            tx,
            seq,
            stop,
            batch: RefCell::new(Vec::new()),
        }
    }

    /// Hand one unit or skip to the scanner (with the next ones, or when this emitter
    /// is dropped), waiting while its workers are behind. `false`: the scan stopped,
    /// send no more.
    pub fn send(&self, p: Produced<I>) -> bool {
        if self.stop.load(Ordering::Relaxed) {
            return false;
        }
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let full = {
            let mut batch = self.batch.borrow_mut();
            batch.push((n, p));
            batch.len() >= BATCH
        };
        !full || self.flush()
    }

    /// Hand over the units kept so far; false if the scanner is gone.
    fn flush(&self) -> bool {
        let batch = std::mem::take(&mut *self.batch.borrow_mut());
        batch.is_empty() || self.tx.send(batch).is_ok()
    }
}

impl<I> Drop for Emitter<'_, I> {
    fn drop(&mut self) {
        // A scanner that stopped or is gone wants no more.
        if !self.stop.load(Ordering::Relaxed) {
            self.flush();
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(i: usize) -> Produced<usize> {
        Produced::Item {
            path: format!("f{i}"),
            item: i,
        }
    }

    /// Units arrive in full batches, the rest when the emitter (and each clone) is
    /// dropped, numbered in the order sent; none after the scan stopped.
    #[test]
    fn emitters_hand_over_batches_and_the_rest_when_dropped() {
        let (seq, stop) = (AtomicU64::new(0), AtomicBool::new(false));
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<usize>>(16);
        let emit = Emitter::new(tx, &seq, &stop);
        let other = emit.clone();
        for i in 0..BATCH + 3 {
            assert!(emit.send(item(i)));
        }
        assert!(other.send(item(100)));
        assert_eq!(rx.try_recv().map(|b| b.len()), Ok(BATCH));
        assert!(
            rx.try_recv().is_err(),
            "the rest waits for more or for the drop"
        );
        drop(other);
        let lone = rx.try_recv().unwrap();
        assert_eq!(
            (lone.len(), lone[0].0),
            (1, u64::try_from(BATCH + 3).unwrap())
        );
        drop(emit);
        let rest: Vec<u64> = rx.try_recv().unwrap().iter().map(|(n, _)| *n).collect();
        let full = u64::try_from(BATCH).unwrap();
        assert_eq!(rest, (full..full + 3).collect::<Vec<u64>>());
        assert!(rx.recv().is_err(), "every sender is gone");

        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch<usize>>(16);
        let emit = Emitter::new(tx, &seq, &stop);
        assert!(emit.send(item(0)));
        stop.store(true, Ordering::Relaxed);
        assert!(!emit.send(item(1)));
        drop(emit);
        assert!(rx.recv().is_err(), "a stopped scan is sent nothing more");
    }
}
