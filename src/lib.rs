//! plainsight finds API keys and other secrets stored in plaintext, and never becomes
//! the next leak itself: secrets are redacted in every output unless explicitly shown,
//! and nothing is ever sent anywhere.
//!
//! The library is the pipeline; `main.rs` is a thin CLI over it:
//!
//! ```text
//! source ──► scan ──────────────────────────────────────────► ScanReport ──► report
//! (files,    (exclude, limits, sniff, archives, chunks (read),   (sorted,       (text, json,
//!  stdin,     prefilter, matcher, suppression, accounting)        deterministic)  sarif, …)
//!  git)
//! ```
//!
//! ```no_run
//! use plainsight::{RuleSet, ScanOptions, Scanner, Progress};
//! let scanner = Scanner::new(RuleSet::builtin()?, ScanOptions::default())?;
//! let report = scanner.scan_paths(&[".".into()], &Progress::default())?;
//! for f in &report.findings {
//!     println!("{}:{} {} {}", f.path, f.location.line, f.rule.id, f.secret); // masked
//! }
//! # Ok::<(), plainsight::Error>(())
//! ```
//!
//! The surface to build on is re-exported at the top: [`Scanner`] with its
//! [`ScanOptions`], any [`source::Source`] (the filesystem's, [`git::Repo`]'s), the
//! [`ScanReport`] it returns and [`report::write`]. The stage modules stay public for the
//! benchmarks, fuzz targets and tests that exercise one stage alone; the prefilter is
//! hidden from the documentation because nothing outside them should call it.

pub mod allowlist;
pub mod archive;
pub mod baseline;
pub mod config;
pub mod decode;
pub mod error;
pub mod finding;
pub mod git;
pub mod gitleaks;
pub mod import;
pub mod inventory;
pub mod keystore;
pub mod matcher;
pub mod merge;
#[doc(hidden)]
pub mod prefilter;
pub mod read;
pub mod report;
pub mod rules;
pub mod scan;
pub mod skip;
pub mod source;
pub mod suppress;

pub use config::Config;
pub use error::{Error, Result};
pub use finding::{Finding, Fingerprint, Location, Secret};
pub use rules::{Rule, RuleSet, Severity};
pub use scan::{Progress, ScanOptions, ScanReport, ScanStats, Scanner};
pub use skip::{Skip, SkipReason};
pub use source::Source;
