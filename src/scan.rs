//! The scanner: everything from a source's units to a deterministic [`ScanReport`].
//!
//! ```text
//! Source::produce ─► channel ─► workers: exclude ─► Source::open ─► content ─► report
//!  (one thread)      (bounded)            (globs)    (bytes, stream)  │
//!                                                                      ▼
//!        size limit ─► sniff ─► archive? ─► entries (again, one level deeper)
//!                          └─► text ─► chunks ─► prefilter ─► rules ─► suppression
//! ```
//!
//! Every source goes through the same stages, so a file, a git blob, standard input and
//! an archive entry of the same bytes give the same findings. The channel is bounded, so
//! memory does not grow with the number of units; each rayon worker owns its read
//! buffers, matcher and source opener, so nothing on the hot path allocates per unit or
//! takes a lock. Results are folded per worker and merged once, then sorted, so output
//! never depends on the thread count.

use std::collections::{BTreeMap, HashSet};
use std::io::{Cursor, Read, Seek};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;
use std::time::Instant;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::archive::{self, ArchiveKind, ArchiveLimits, Budget, Input, Visit};
use crate::decode::{self, Decoded};
use crate::error::{Error, Result};
use crate::finding::{Context, Finding, Fingerprint, Location, Provenance, Secret, Segment};
use crate::keystore;
use crate::matcher::Matcher;
use crate::read::{
    open_regular, text_kind, too_large, ChunkSizes, Reader, Skip, SkipReason, CHUNK_THRESHOLD,
    SNIFF,
};
use crate::rules::{Precision, RuleSet};
use crate::source::fs::{FsSource, WalkOptions, DEFAULT_STDIN_NAME};
use crate::source::{Batch, Blob, Content, Emitter, Produced, Source};

/// The default `--max-file-size`: 25 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 * 1024 * 1024;
/// Findings of one rule in one file beyond this are counted, not reported.
pub const DEFAULT_MAX_FINDINGS_PER_RULE: usize = 1000;
/// At most this many skipped paths are kept for listing; all are counted.
const MAX_SKIPPED_LISTED: usize = 10_000;

/// Validated scan settings.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Larger files, blobs, streams and archive entries are skipped and reported.
    pub max_file_size: u64,
    /// Honour ignore files (filesystem scans).
    pub respect_ignore: bool,
    /// Follow symlinks (filesystem scans).
    pub follow_links: bool,
    /// Path globs (relative, `/`-separated) never read.
    pub exclude: Vec<String>,
    /// Per rule and file cap on reported findings.
    pub max_findings_per_rule: usize,
    /// Findings with these fingerprints are dropped (`.plainsightignore`).
    pub ignored: HashSet<Fingerprint>,
    /// Findings with these fingerprints are dropped (`--baseline`).
    pub baseline: HashSet<Fingerprint>,
    /// Baselines, `.gitleaksignore`, allowlists: each finding is checked against them.
    pub suppressions: crate::suppress::Suppressions,
    /// How deep and how much of archives is opened.
    pub archives: ArchiveLimits,
    /// The report name of standard input (`--stdin-name`).
    pub stdin_name: String,
    /// Decoding layers undone at most (`--max-decode-depth`; 0: none).
    pub decode_depth: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            threads: 0,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            respect_ignore: true,
            follow_links: false,
            exclude: Vec::new(),
            max_findings_per_rule: DEFAULT_MAX_FINDINGS_PER_RULE,
            ignored: HashSet::new(),
            baseline: HashSet::new(),
            suppressions: crate::suppress::Suppressions::default(),
            archives: ArchiveLimits::default(),
            stdin_name: DEFAULT_STDIN_NAME.to_string(),
            decode_depth: decode::DEFAULT_MAX_DEPTH,
        }
    }
}

/// Live counters for a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files read so far.
    pub files: AtomicU64,
    /// Bytes read so far.
    pub bytes: AtomicU64,
    /// Set when the scan has finished.
    pub done: AtomicBool,
}

/// Receives each file's findings as soon as that file is scanned, instead of the scan
/// holding every finding until the end (`--format jsonl`): memory then stays bounded
/// whatever the number of findings. Called from worker threads, one file at a time.
pub trait FindingSink: Sync {
    /// One file's findings, sorted, ignore-file and baseline filtering applied.
    fn file_findings(&self, findings: Vec<Finding>);
    /// True once the sink cannot take more (its reader went away): scanning stops.
    fn stopped(&self) -> bool {
        false
    }
}

/// A file that was not scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedFile {
    /// Report path.
    pub path: String,
    /// Why.
    pub skip: Skip,
}

/// A rule that reached its per-file cap in one file: its further findings there were
/// counted, not reported.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CappedRule {
    /// Report path of the file (archive entries included).
    pub path: String,
    /// The rule.
    pub rule: String,
}

impl std::fmt::Display for CappedRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.rule)
    }
}

/// Totals of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Files read and matched.
    pub files_scanned: u64,
    /// Bytes read from them.
    pub bytes_scanned: u64,
    /// Files not scanned, by reason.
    pub skipped: BTreeMap<SkipReason, u64>,
    /// Findings reported.
    pub findings: u64,
    /// Matches silenced, by mechanism (`inline`, `ignore_file`, `baseline`, …, and
    /// `stand_in`: guessable values in tests and docs, withheld unless asked for).
    pub suppressed: BTreeMap<&'static str, u64>,
    /// Rules that hit their per-file cap, and where.
    pub capped: Vec<CappedRule>,
    /// Archives and compressed files opened (their entries count as files).
    pub archives: u64,
    /// Texts whose decoded spans reached the per-text cap (report paths).
    pub decode_capped: Vec<String>,
    /// Wall time.
    pub elapsed_ms: u64,
}

impl ScanStats {
    /// Total files skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// Add `other`'s counts and lists to these (elapsed time is left to the caller).
    pub(crate) fn merge(&mut self, other: ScanStats) {
        self.files_scanned += other.files_scanned;
        self.bytes_scanned += other.bytes_scanned;
        self.archives += other.archives;
        for (k, v) in other.skipped {
            *self.skipped.entry(k).or_default() += v;
        }
        for (k, v) in other.suppressed {
            *self.suppressed.entry(k).or_default() += v;
        }
        self.capped.extend(other.capped);
        self.decode_capped.extend(other.decode_capped);
    }
}

/// Everything a scan found and everything it could not do.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// Findings, sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    /// Totals.
    pub stats: ScanStats,
    /// Skipped files, sorted by path (at most 10,000 listed; all counted in stats).
    pub skipped: Vec<SkippedFile>,
    /// The directory report paths are relative to (for SARIF `%SRCROOT%`).
    pub base: Option<PathBuf>,
    /// Digest of the rules and options that decide what is found
    /// ([`Scanner::rule_set_digest`]): reports are merged only when it matches.
    pub rule_set: Option<String>,
    /// The repository state a git scan covered.
    pub vcs: Option<crate::finding::VersionControl>,
    /// The part of a history this report covers (`--shard`); `None`: all of it.
    pub shard: Option<crate::git::Shard>,
}

/// A rule set plus options: the thing that scans.
#[derive(Debug)]
pub struct Scanner {
    rules: RuleSet,
    options: ScanOptions,
    exclude: Option<GlobSet>,
    /// Built on first use and kept, so a source's preparation (history's tree diffs)
    /// and the scan share one pool.
    pool: std::sync::OnceLock<rayon::ThreadPool>,
}

impl Scanner {
    /// A scanner of `rules` (findings get each rule's severity) with `options`.
    pub fn new(rules: RuleSet, options: ScanOptions) -> Result<Self> {
        let exclude = if options.exclude.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for g in &options.exclude {
                b.add(Glob::new(g).map_err(|source| Error::Glob {
                    glob: g.clone(),
                    source,
                })?);
            }
            Some(b.build().map_err(|source| Error::Glob {
                glob: options.exclude.join(", "),
                source,
            })?)
        };
        Ok(Scanner {
            rules,
            options,
            exclude,
            pool: std::sync::OnceLock::new(),
        })
    }

    /// The rules in use.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The options in use.
    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Hex SHA-256 of everything that decides what this scanner finds: each rule's
    /// metadata and patterns, the limits and exclusions, the ignored and baselined
    /// fingerprints, and `inputs` (the raw config, baseline and ignore files, which
    /// also carry allowlists). Reports are merged only when theirs match, since two
    /// runs with different rules cannot be folded into what one run would find.
    pub fn rule_set_digest(&self, inputs: &[&[u8]]) -> String {
        use sha2::{Digest, Sha256};
        use std::fmt::Write as _;
        let mut text = String::new();
        for r in self.rules.rules() {
            let _ = writeln!(
                text,
                "{:?}|{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}",
                r.info,
                r.regex,
                r.secret_group,
                r.entropy,
                r.allow_secret,
                r.allow_match,
                r.stopwords,
                r.near,
                r.not_near,
                r.placeholder_check,
                r.checksum,
            );
        }
        let o = &self.options;
        let sorted = |set: &HashSet<Fingerprint>| {
            let mut v: Vec<&str> = set.iter().map(Fingerprint::as_str).collect();
            v.sort_unstable();
            v.join(",")
        };
        let _ = writeln!(
            text,
            "{}|{}|{}|{:?}|{:?}|{}|{}",
            o.max_file_size,
            o.max_findings_per_rule,
            o.decode_depth,
            o.archives,
            o.exclude,
            sorted(&o.ignored),
            sorted(&o.baseline),
        );
        let mut h = Sha256::new();
        h.update(text.as_bytes());
        for input in inputs {
            h.update((input.len() as u64).to_le_bytes());
            h.update(input);
        }
        h.finalize()
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            })
    }

    /// A matcher for one thread.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher::new(&self.rules, self.options.max_findings_per_rule)
    }

    /// Run `f` on the scanner's thread pool (a source preparing its units in parallel,
    /// before the scan starts; never while one runs).
    pub fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> Result<R> {
        Ok(self.pool()?.install(f))
    }

    fn pool(&self) -> Result<&rayon::ThreadPool> {
        if let Some(p) = self.pool.get() {
            return Ok(p);
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads())
            .thread_name(|i| format!("plainsight-scan-{i}"))
            .build()
            .map_err(|e| Error::Scan(e.to_string()))?;
        Ok(self.pool.get_or_init(|| pool))
    }

    fn threads(&self) -> usize {
        if self.options.threads == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        } else {
            self.options.threads
        }
    }

    /// A worker for scanning texts one at a time on this thread, through the whole
    /// content pipeline (rule checks, tests, fuzzing).
    pub fn worker(&self) -> BlobWorker<'_> {
        BlobWorker::new(self)
    }

    /// Scan bytes already in memory, as if read from a file at `path`: the whole
    /// content pipeline, archives included. Ignore-file and baseline filtering are
    /// applied by [`Scanner::finish`].
    pub fn scan_bytes(&self, path: &str, bytes: &[u8]) -> BlobScan {
        self.worker().scan_bytes(path, bytes)
    }

    /// Scan files, directories and `-` (standard input). Paths in the report are
    /// relative to the single directory root when there is one, and as given otherwise.
    pub fn scan_paths(&self, roots: &[PathBuf], progress: &Progress) -> Result<ScanReport> {
        self.scan_fs(roots, progress, None)
    }

    /// Scan like [`Scanner::scan_paths`] but hand each file's findings to `sink` as soon
    /// as they are known; the returned report has no findings, only stats and skips
    /// (`stats.findings` counts what went to the sink).
    pub fn scan_paths_streaming(
        &self,
        roots: &[PathBuf],
        progress: &Progress,
        sink: &dyn FindingSink,
    ) -> Result<ScanReport> {
        self.scan_fs(roots, progress, Some(sink))
    }

    /// A filesystem scan, based at the single directory root when there is one.
    fn scan_fs(
        &self,
        roots: &[PathBuf],
        progress: &Progress,
        sink: Option<&dyn FindingSink>,
    ) -> Result<ScanReport> {
        let source = self.fs_source(roots)?;
        let mut report = self.scan(&source, progress, sink)?;
        report.base = source
            .base()
            .map(|b| std::fs::canonicalize(b).unwrap_or_else(|_| b.to_path_buf()));
        Ok(report)
    }

    fn fs_source(&self, roots: &[PathBuf]) -> Result<FsSource> {
        let walk = WalkOptions {
            respect_ignore: self.options.respect_ignore,
            follow_links: self.options.follow_links,
            // Listing a directory costs far less than reading and matching its
            // files, and walker threads compete with scan threads for the same
            // cores: on 2 cores one walker thread scanned the 560 MB benchmark
            // corpus in 1.21 s, two in 1.28 s (medians of three).
            threads: self.threads().div_ceil(4),
        };
        FsSource::new(roots, &self.options.stdin_name, walk)
    }

    /// Scan every unit of `source`. With a `sink`, each unit's findings go there as
    /// soon as they are known and the report keeps none.
    pub fn scan<S: Source>(
        &self,
        source: &S,
        progress: &Progress,
        sink: Option<&dyn FindingSink>,
    ) -> Result<ScanReport> {
        let start = Instant::now();
        let pool = self.pool()?;
        // Batches of units (see `Emitter`): 128 of 32 keep as many ahead as before.
        let (tx, rx) = sync_channel::<Batch<S::Item>>(128);
        let failed: Mutex<Option<Error>> = Mutex::new(None);
        let stop = AtomicBool::new(false);
        let seq = AtomicU64::new(0);
        let (produced, acc) = std::thread::scope(|s| {
            let stop = &stop;
            let emit = Emitter::new(tx, &seq, stop);
            let producer = s.spawn(move || source.produce(&emit));
            let acc = pool.install(|| {
                rx.into_iter()
                    .flatten()
                    .par_bridge()
                    .fold(
                        || UnitWorker::new(self, source, sink),
                        |mut w, (seq, unit)| {
                            if stop.load(Ordering::Relaxed)
                                || sink.is_some_and(FindingSink::stopped)
                            {
                                return w;
                            }
                            if let Err(e) = w.process(seq, unit, progress) {
                                stop.store(true, Ordering::Relaxed);
                                if let Ok(mut f) = failed.lock() {
                                    f.get_or_insert(e);
                                }
                            }
                            w
                        },
                    )
                    .map(|w| w.acc)
                    .reduce(Acc::default, Acc::merge)
            });
            let produced = producer
                .join()
                .unwrap_or_else(|_| Err(Error::Scan("the source's thread panicked".into())));
            (produced, acc)
        });
        progress.done.store(true, Ordering::Relaxed);
        produced?;
        if let Some(e) = failed.into_inner().ok().flatten() {
            return Err(e);
        }
        let streamed = acc.streamed;
        let mut units = acc.findings;
        // In the order the source produced its units, whatever thread scanned them.
        units.sort_by_key(|(seq, _)| *seq);
        let findings = source.fold(units.into_iter().flat_map(|(_, f)| f).collect());
        let mut report = self.finish(findings, acc.stats, acc.skipped);
        if sink.is_some() {
            report.stats.findings = streamed;
        }
        report.stats.elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// Drop the findings `.plainsightignore` or the baseline lists, counting each kind.
    fn drop_suppressed(&self, findings: &mut Vec<Finding>, stats: &mut ScanStats) {
        let (ignored, baseline) = (&self.options.ignored, &self.options.baseline);
        findings.retain(|f| {
            let kind = if ignored.contains(&f.fingerprint) {
                "ignore_file"
            } else if baseline.contains(&f.fingerprint) {
                "baseline"
            } else if let Some(s) = self.options.suppressions.check(f) {
                s.as_str()
            } else {
                return true;
            };
            *stats.suppressed.entry(kind).or_default() += 1;
            false
        });
    }

    /// Apply ignore-file and baseline filtering, sort, and total up.
    pub fn finish(
        &self,
        findings: Vec<Finding>,
        mut stats: ScanStats,
        mut skipped: Vec<SkippedFile>,
    ) -> ScanReport {
        let mut kept = findings;
        self.drop_suppressed(&mut kept, &mut stats);
        kept.par_sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        // The whole skip, not only its path: one path is skipped in several blob
        // versions of a history, and arrival order depends on the thread count.
        skipped.sort_by(|a, b| {
            (&a.path, a.skip.reason, &a.skip.detail).cmp(&(&b.path, b.skip.reason, &b.skip.detail))
        });
        skipped.truncate(MAX_SKIPPED_LISTED);
        stats.capped.sort();
        stats.decode_capped.sort();
        stats.findings = kept.len() as u64;
        ScanReport {
            findings: kept,
            stats,
            skipped,
            ..ScanReport::default()
        }
    }
}

#[derive(Default)]
struct Acc {
    /// Each unit's findings with its place in the source's order.
    findings: Vec<(u64, Vec<Finding>)>,
    stats: ScanStats,
    skipped: Vec<SkippedFile>,
    /// Findings handed to a streaming sink.
    streamed: u64,
}

impl Acc {
    fn merge(mut self, other: Acc) -> Acc {
        self.findings.extend(other.findings);
        self.streamed += other.streamed;
        self.stats.merge(other.stats);
        self.skipped.extend(other.skipped);
        self.skipped.truncate(MAX_SKIPPED_LISTED);
        self
    }

    fn skip(&mut self, path: String, skip: Skip) {
        *self.stats.skipped.entry(skip.reason).or_default() += 1;
        if self.skipped.len() < MAX_SKIPPED_LISTED {
            self.skipped.push(SkippedFile { path, skip });
        }
    }
}

/// One rayon worker of a scan: the source's opener, the content pipeline, and results.
struct UnitWorker<'s, S: Source> {
    scanner: &'s Scanner,
    source: &'s S,
    opener: S::Opener,
    blobs: BlobWorker<'s>,
    acc: Acc,
    sink: Option<&'s dyn FindingSink>,
}

impl<'s, S: Source> UnitWorker<'s, S> {
    fn new(scanner: &'s Scanner, source: &'s S, sink: Option<&'s dyn FindingSink>) -> Self {
        UnitWorker {
            scanner,
            source,
            opener: source.opener(),
            blobs: BlobWorker::new(scanner),
            acc: Acc::default(),
            sink,
        }
    }

    fn process(&mut self, seq: u64, unit: Produced<S::Item>, progress: &Progress) -> Result<()> {
        let (path, item) = match unit {
            Produced::Skipped(s) => {
                self.acc.skip(s.path, s.skip);
                return Ok(());
            }
            Produced::Item { path, item } => (path, item),
        };
        if self
            .scanner
            .exclude
            .as_ref()
            .is_some_and(|g| g.is_match(&path))
        {
            self.acc.skip(
                path,
                Skip::new(SkipReason::Excluded, "matches a config allowlist path"),
            );
            return Ok(());
        }
        let blobs = &mut self.blobs;
        let mut scanned = None;
        self.source.open(
            &mut self.opener,
            &item,
            self.scanner.options.max_file_size,
            &mut |blob| scanned = Some(blobs.scan_blob(&path, blob)),
        )?;
        let Some(mut scan) = scanned else {
            return Ok(());
        };
        if !scan.findings.is_empty() {
            self.source
                .retain(&mut self.opener, &item, &mut scan.findings)?;
        }
        progress
            .files
            .fetch_add(scan.stats.files_scanned, Ordering::Relaxed);
        progress
            .bytes
            .fetch_add(scan.stats.bytes_scanned, Ordering::Relaxed);
        for s in scan.skipped {
            self.acc.skip(s.path, s.skip);
        }
        let mut findings = scan.findings;
        let mut stats = scan.stats;
        stats.skipped.clear(); // counted by `skip` above
        match self.sink {
            None => {
                if !findings.is_empty() {
                    self.acc.findings.push((seq, findings));
                }
            }
            Some(sink) => {
                self.scanner.drop_suppressed(&mut findings, &mut stats);
                if !findings.is_empty() {
                    findings.sort_unstable_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                    self.acc.streamed += findings.len() as u64;
                    sink.file_findings(findings);
                }
            }
        }
        self.acc.stats.merge(stats);
        Ok(())
    }
}

/// What scanning one blob produced: findings (placed in the blob, provenance
/// attached), the blobs it could not read (itself, or archive entries), and totals.
#[derive(Debug, Default)]
pub struct BlobScan {
    /// Findings, in the order found.
    pub findings: Vec<Finding>,
    /// The blob, or entries of it, that were not scanned.
    pub skipped: Vec<SkippedFile>,
    /// Texts scanned (the blob, or each entry of an archive), bytes, inline
    /// suppressions, capped rules, archives opened; `skipped` counts `self.skipped`.
    pub stats: ScanStats,
}

impl BlobScan {
    fn skip(&mut self, path: String, skip: Skip) {
        *self.stats.skipped.entry(skip.reason).or_default() += 1;
        self.skipped.push(SkippedFile { path, skip });
    }
}

/// Where a text sits: the blob's report path and, inside archives, the entry's path
/// (`dir/inner.tar.gz!file.env`).
#[derive(Clone, Debug)]
struct Place<'p> {
    path: &'p str,
    entry: Option<String>,
}

impl Place<'_> {
    /// How reports and rules name it: `outer.zip!dir/inner.tar.gz!file.env`.
    fn display(&self) -> String {
        match &self.entry {
            None => self.path.to_string(),
            Some(e) => format!("{}!{e}", self.path),
        }
    }

    fn child(&self, name: &str) -> Self {
        Place {
            path: self.path,
            entry: Some(match &self.entry {
                None => name.to_string(),
                Some(e) => format!("{e}!{name}"),
            }),
        }
    }
}

/// The content stage for one thread: bytes → archive entries or text → chunks →
/// findings. Owns the read buffers and the matcher, reused from blob to blob.
pub struct BlobWorker<'s> {
    scanner: &'s Scanner,
    reader: Reader,
    matcher: Matcher<'s>,
    /// What the decoding layers made of the text being scanned.
    decoding: Decoding,
}

/// The decoding stage's reusable buffers: what the layers decoded, and where the raw
/// text's precise keywords were (see [`decode::Hints`]).
#[derive(Debug, Default)]
struct Decoding {
    decoded: Decoded,
    keywords: Vec<usize>,
    /// Where the text's decoding triggers start ([`decode::TRIGGER_MARKS`]).
    triggers: Vec<usize>,
}

impl std::fmt::Debug for BlobWorker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobWorker").finish_non_exhaustive()
    }
}

impl<'s> BlobWorker<'s> {
    fn new(scanner: &'s Scanner) -> Self {
        BlobWorker {
            scanner,
            reader: Reader::default(),
            matcher: scanner.matcher(),
            decoding: Decoding::default(),
        }
    }

    /// Scan bytes in memory reported at `path`.
    pub fn scan_bytes(&mut self, path: &str, bytes: &[u8]) -> BlobScan {
        self.scan_blob(
            path,
            Blob {
                content: Content::Bytes(bytes),
                provenance: None,
            },
        )
    }

    /// Scan one blob reported at `path`.
    pub fn scan_blob(&mut self, path: &str, blob: Blob<'_>) -> BlobScan {
        let mut out = BlobScan::default();
        let budget = Budget::new(self.scanner.options.archives);
        let place = Place { path, entry: None };
        self.content(&place, blob.content, 0, &budget, &mut out);
        if let Some(p) = blob.provenance {
            attach(&mut out.findings, &p);
            // A blob of history is named by the commit that introduced it.
            for s in &mut out.skipped {
                s.path = format!("{}:{}", p.commit, s.path);
            }
        }
        out
    }

    /// Scan `content` found at `at`, `depth` archives deep: a skip, an archive whose
    /// entries come back here, or a text.
    fn content(
        &mut self,
        at: &Place<'_>,
        content: Content<'_>,
        depth: usize,
        budget: &Budget,
        out: &mut BlobScan,
    ) {
        let max = self.scanner.options.max_file_size;
        match content {
            Content::Skipped(skip) => out.skip(at.display(), skip),
            Content::File(path) => {
                let (mut file, _) = match open_regular(path, max) {
                    Ok(f) => f,
                    Err(skip) => return out.skip(at.display(), skip),
                };
                let head = match self.reader.read_head(&mut file) {
                    Ok(h) => h,
                    Err(skip) => return out.skip(at.display(), skip),
                };
                match archive_kind(self.scanner.options.archives.max_depth, head, depth) {
                    Err(skip) => out.skip(at.display(), skip),
                    Ok(Some(kind)) => match file.rewind() {
                        Ok(()) => {
                            self.archive(at, kind, Input::Seekable(&mut file), depth, budget, out)
                        }
                        Err(e) => out.skip(at.display(), Skip::from_io(&e)),
                    },
                    Ok(None) => self.text(at, &mut file, out),
                }
            }
            Content::Bytes(bytes) => {
                if bytes.len() as u64 > max {
                    return out.skip(at.display(), too_large(bytes.len() as u64, max));
                }
                let head = &bytes[..bytes.len().min(SNIFF)];
                match archive_kind(self.scanner.options.archives.max_depth, head, depth) {
                    Err(skip) => out.skip(at.display(), skip),
                    Ok(Some(kind)) => {
                        let mut cursor = Cursor::new(bytes);
                        self.archive(at, kind, Input::Seekable(&mut cursor), depth, budget, out);
                    }
                    Ok(None) if bytes.len() as u64 <= CHUNK_THRESHOLD => {
                        self.text_in_memory(at, bytes, out);
                    }
                    Ok(None) => {
                        let mut r = bytes;
                        if let Err(skip) = self.reader.read_head(&mut r) {
                            return out.skip(at.display(), skip);
                        }
                        self.text(at, &mut r, out);
                    }
                }
            }
            Content::Stream(stream) => {
                let head = match self.reader.read_head(stream) {
                    Ok(h) => h,
                    Err(skip) => return out.skip(at.display(), skip),
                };
                match archive_kind(self.scanner.options.archives.max_depth, head, depth) {
                    Err(skip) => out.skip(at.display(), skip),
                    Ok(Some(kind)) => {
                        let head = head.to_vec();
                        let mut whole = Cursor::new(head).chain(stream);
                        let input = Input::Stream {
                            reader: &mut whole,
                            max_size: max,
                        };
                        self.archive(at, kind, input, depth, budget, out);
                    }
                    Ok(None) => self.text(at, stream, out),
                }
            }
        }
    }

    fn archive(
        &mut self,
        at: &Place<'_>,
        kind: ArchiveKind,
        input: Input<'_>,
        depth: usize,
        budget: &Budget,
        out: &mut BlobScan,
    ) {
        out.stats.archives += 1;
        let name = at.display();
        let mut entries = Entries {
            worker: self,
            parent: at,
            depth,
            budget,
            out,
        };
        archive::open(kind, input, &name, budget, &mut entries);
    }

    /// The rule (by index) whose `structure` recognises a file at `path` starting with
    /// `head`; `len` is the file's size when `head` is the whole file.
    fn structural(&self, path: &str, head: &[u8], len: Option<u64>) -> Option<usize> {
        let rules = self.scanner.rules.rules();
        self.scanner.rules.structural().iter().copied().find(|&ri| {
            let rule = &rules[ri];
            rule.structure
                .is_some_and(|s| s.recognises(head, len) && rule.reports_at(path))
        })
    }

    /// Report a file a rule's `structure` recognised: one finding for the whole file,
    /// whose secret is the SHA-256 of its bytes (see [`crate::keystore`]).
    fn structural_finding(
        &self,
        at: &Place<'_>,
        display: String,
        ri: usize,
        bytes: &[u8],
        out: &mut BlobScan,
    ) {
        let rule = &self.scanner.rules.rules()[ri];
        let secret = Secret::from_bytes(keystore::digest(bytes).as_bytes());
        let finding = Finding {
            rule: std::sync::Arc::clone(&rule.info),
            severity: rule.info.severity,
            details: None,
            path: display.clone(),
            entry: None,
            decoded: Vec::new(),
            location: Location {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 1,
                offset: 0,
                len: bytes.len(),
            },
            fingerprint: Fingerprint::new(&rule.info.id, &secret),
            context: Context {
                segments: vec![Segment::Text(format!(
                    "[{}: {} bytes, binary]",
                    rule.info.name,
                    bytes.len()
                ))],
            },
            secret,
            provenance: None,
        };
        self.account(
            at,
            display,
            bytes.len() as u64,
            vec![finding],
            Silenced {
                inline: 0,
                stand_ins: 0,
            },
            Vec::new(),
            out,
        );
    }

    /// Scan a text whose first bytes [`Reader::read_head`] read from `src`.
    fn text(&mut self, at: &Place<'_>, src: &mut dyn Read, out: &mut BlobScan) {
        let display = at.display();
        let head = self.reader.head();
        let whole = (head.len() < SNIFF).then_some(head.len() as u64);
        if let Some(ri) = self.structural(&display, head, whole) {
            let max = self.scanner.options.max_file_size;
            let mut bytes = head.to_vec();
            let rest = max.saturating_add(1).saturating_sub(bytes.len() as u64);
            if let Err(e) = src.take(rest).read_to_end(&mut bytes) {
                return out.skip(display, Skip::from_io(&e));
            }
            if bytes.len() as u64 > max {
                return out.skip(display, too_large(bytes.len() as u64, max));
            }
            return self.structural_finding(at, display, ri, &bytes, out);
        }
        let kind = match text_kind(self.reader.head()) {
            Ok(k) => k,
            Err(skip) => return out.skip(display, skip),
        };
        let depth = self.scanner.options.decode_depth;
        let (matcher, decoding) = (&mut self.matcher, &mut self.decoding);
        let mut found = Vec::new();
        let mut suppressed = 0;
        let mut stand_ins = 0;
        let mut capped: Vec<String> = Vec::new();
        let mut decode_capped = false;
        let read = self.reader.scan_stream(
            src,
            kind,
            self.scanner.options.max_file_size,
            ChunkSizes::default(),
            |w| {
                let m = matcher.scan_chunk(&display, &w);
                suppressed += m.suppressed;
                capped.extend(m.capped_rules);
                let raw = found.len();
                found.extend(m.findings);
                let d = scan_decoded(
                    matcher,
                    decoding,
                    depth,
                    &display,
                    (w.text, w.owned.clone()),
                    &|loc| w.absolute(loc),
                    (&mut found, raw),
                    &m.stand_ins,
                );
                suppressed += d.suppressed;
                stand_ins += d.stand_ins;
                decode_capped |= d.capped;
            },
        );
        match read {
            Err(skip) => out.skip(display, skip),
            Ok(read) => {
                if read.chunks > 1 {
                    cap_per_rule(
                        &mut found,
                        self.scanner.options.max_findings_per_rule,
                        &mut capped,
                    );
                }
                if decode_capped {
                    out.stats.decode_capped.push(display.clone());
                }
                let silenced = Silenced {
                    inline: suppressed,
                    stand_ins,
                };
                self.account(at, display, read.bytes, found, silenced, capped, out);
            }
        }
    }

    /// A text already in memory and small enough to be one chunk: scanned in place.
    fn text_in_memory(&mut self, at: &Place<'_>, bytes: &[u8], out: &mut BlobScan) {
        let display = at.display();
        if let Some(ri) = self.structural(&display, bytes, Some(bytes.len() as u64)) {
            return self.structural_finding(at, display, ri, bytes, out);
        }
        let (text, _) = match self.reader.decode(bytes) {
            Ok(t) => t,
            Err(skip) => return out.skip(display, skip),
        };
        let len = text.len() as u64;
        let m = self.matcher.scan(&display, text);
        let mut found = m.findings;
        let d = scan_decoded(
            &mut self.matcher,
            &mut self.decoding,
            self.scanner.options.decode_depth,
            &display,
            (text, 0..text.len()),
            &|loc| loc,
            (&mut found, 0),
            &m.stand_ins,
        );
        if d.capped {
            out.stats.decode_capped.push(display.clone());
        }
        let silenced = Silenced {
            inline: m.suppressed + d.suppressed,
            stand_ins: d.stand_ins,
        };
        self.account(at, display, len, found, silenced, m.capped_rules, out);
    }

    #[allow(clippy::too_many_arguments)]
    fn account(
        &self,
        at: &Place<'_>,
        display: String,
        bytes: u64,
        mut findings: Vec<Finding>,
        silenced: Silenced,
        mut capped: Vec<String>,
        out: &mut BlobScan,
    ) {
        if let Some(entry) = &at.entry {
            for f in &mut findings {
                f.path = at.path.to_string();
                f.entry = Some(entry.clone());
            }
        }
        capped.sort();
        capped.dedup();
        out.stats.files_scanned += 1;
        out.stats.bytes_scanned += bytes;
        for (kind, n) in [
            ("inline", silenced.inline),
            ("stand_in", silenced.stand_ins),
        ] {
            if n > 0 {
                *out.stats.suppressed.entry(kind).or_default() += n as u64;
            }
        }
        out.stats
            .capped
            .extend(capped.into_iter().map(|rule| CappedRule {
                path: display.clone(),
                rule,
            }));
        out.findings.extend(findings);
    }
}

/// The entries of one archive, handed back to the content stage one level deeper.
struct Entries<'w, 's, 'p> {
    worker: &'w mut BlobWorker<'s>,
    parent: &'w Place<'p>,
    depth: usize,
    budget: &'w Budget,
    out: &'w mut BlobScan,
}

impl Visit for Entries<'_, '_, '_> {
    fn entry(&mut self, name: &str, content: &mut dyn Read) {
        let child = self.parent.child(name);
        self.worker.content(
            &child,
            Content::Stream(content),
            self.depth + 1,
            self.budget,
            self.out,
        );
    }

    fn skipped(&mut self, name: &str, skip: Skip) {
        let path = if name.is_empty() {
            self.parent.display()
        } else {
            self.parent.child(name).display()
        };
        self.out.skip(path, skip);
    }
}

/// Whether a blob starting with `head` at `depth` is an archive to open, or a skip
/// because it is nested deeper than `max_depth`. `Ok(None)`: read it as text (or binary).
fn archive_kind(max_depth: usize, head: &[u8], depth: usize) -> Result<Option<ArchiveKind>, Skip> {
    let Some(kind) = archive::detect(head) else {
        return Ok(None);
    };
    if max_depth == 0 {
        return Ok(None); // archives off: sniffed like any file (binary, mostly)
    }
    if depth >= max_depth {
        return Err(Skip::new(
            SkipReason::ArchiveDepth,
            format!(
                "{} archive nested deeper than --max-archive-depth {max_depth}: not opened",
                kind.as_str()
            ),
        ));
    }
    Ok(Some(kind))
}

/// Matches one text had that are counted, not reported.
struct Silenced {
    /// Silenced by an inline marker.
    inline: usize,
    /// Guessable values in tests and documentation (see `matcher::stand_in`).
    stand_ins: usize,
}

/// What scanning one text's decoded spans added.
struct DecodedScan {
    /// Decoded findings silenced by an inline marker in the original text.
    suppressed: usize,
    /// The text's stand-ins: its raw ones that no decoded match replaced, and the
    /// decoded ones.
    stand_ins: usize,
    /// Whether the decoding cap cut decoding short.
    capped: bool,
}

/// Decode the encoded spans of one text (`text.0`, answering for `text.1`), scan what
/// they decode to, and add the findings to `found`, placed on the encoded span of the
/// original (`place` maps a location in `text.0` to the whole file) and naming their
/// layers. A decoded finding that repeats one already in `found[raw..]` (the same
/// secret found raw inside the span, or through two layers) is dropped; a marker on the
/// original line silences it like any finding. A decoded stand-in claims its span the
/// same way but is counted, not added; `withheld` are the text's raw stand-ins, which
/// claim theirs.
#[allow(clippy::too_many_arguments)]
fn scan_decoded(
    matcher: &mut Matcher<'_>,
    decoding: &mut Decoding,
    depth: usize,
    display: &str,
    text: (&[u8], std::ops::Range<usize>),
    place: &dyn Fn(crate::finding::Location) -> crate::finding::Location,
    (found, raw): (&mut Vec<Finding>, usize),
    withheld: &[Finding],
) -> DecodedScan {
    let (text, owned) = text;
    if depth == 0 {
        return DecodedScan {
            suppressed: 0,
            stand_ins: withheld.len(),
            capped: false,
        };
    }
    let Decoding {
        decoded,
        keywords,
        triggers,
    } = decoding;
    let known = matcher.precise_keywords(keywords);
    let marked = matcher.mark_starts(0..decode::TRIGGER_MARKS, triggers);
    let quoted_printable = matcher
        .mark_positions(decode::QUOTED_PRINTABLE_MARK)
        .map(|at| !at.is_empty());
    let hints = decode::Hints {
        armour: matcher.saw_armour(),
        keywords: known.then_some(keywords.as_slice()),
        triggers: marked.then_some(triggers.as_slice()),
        quoted_printable,
    };
    decode::decode(text, owned, depth, hints, decoded);
    let mut out = DecodedScan {
        suppressed: 0,
        stand_ins: withheld.len(),
        capped: decoded.capped,
    };
    if decoded.pieces.is_empty() {
        return out;
    }
    let m = matcher.scan(display, &decoded.text);
    if m.findings.is_empty() && m.stand_ins.is_empty() {
        return out;
    }
    let lines = crate::matcher::LineIndex::new(text);
    let markers = crate::suppress::marker_spans(text);
    // Raw stand-ins a decoded match replaced, as raw findings are replaced below.
    let mut replaced = vec![false; withheld.len()];
    let offered = m.findings.into_iter().map(|f| (f, false));
    for (mut f, stand_in) in offered.chain(m.stand_ins.into_iter().map(|f| (f, true))) {
        // Decoding multiplies what generic rules see; only formats distinctive enough to
        // stand on their own are reported from decoded text.
        if f.rule.precision < Precision::High {
            continue;
        }
        let Some(piece) = decoded
            .piece_at(f.location.offset)
            .filter(|p| f.location.offset + f.location.len <= p.at.end)
        else {
            continue;
        };
        let span = piece.origin.clone();
        let local = lines.location(text, span.clone());
        let location = place(local);
        // One secret, one finding. Already found here by the same rule, or by a rule
        // at least as precise (raw inside the span, or through another layer): where it
        // is plainest wins. Found here only by less precise rules (a Kubernetes `data:`
        // value, a base64 blob): the decoded finding, which names the secret, replaces
        // them.
        let overlaps = |g: &Finding| {
            g.location.offset < location.offset + location.len.max(1)
                && location.offset < g.location.offset + g.location.len.max(1)
        };
        if found[raw..].iter().chain(withheld).any(|g| {
            overlaps(g) && (g.rule.id == f.rule.id || g.rule.precision >= f.rule.precision)
        }) {
            continue;
        }
        if crate::suppress::suppressed(text, &lines, local.line, &markers) {
            out.suppressed += 1;
            continue;
        }
        f.context = crate::matcher::context(text, &lines, &span, std::slice::from_ref(&span));
        f.location = location;
        f.decoded.clone_from(&piece.layers);
        let mut index = 0;
        found.retain(|g| {
            index += 1;
            index <= raw || !overlaps(g)
        });
        for (gone, g) in replaced.iter_mut().zip(withheld) {
            if !*gone && overlaps(g) {
                *gone = true;
                out.stand_ins -= 1;
            }
        }
        if stand_in {
            out.stand_ins += 1;
        } else {
            found.push(f);
        }
    }
    out
}

/// Give every finding of a blob its git provenance.
fn attach(findings: &mut [Finding], p: &Provenance) {
    for f in findings {
        f.provenance = Some(p.clone());
    }
}

/// Keep at most `max` findings per rule in one file (chunks each apply the cap to
/// themselves; this applies it to the file), noting each rule that was cut.
fn cap_per_rule(findings: &mut Vec<Finding>, max: usize, capped: &mut Vec<String>) {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    findings.retain(|f| {
        let n = counts.entry(f.rule.id.clone()).or_default();
        *n += 1;
        if *n > max.max(1) {
            capped.push(f.rule.id.clone());
            false
        } else {
            true
        }
    });
}
