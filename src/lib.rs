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

pub mod archive;
pub mod config;
pub mod error;
pub mod finding;
pub mod git;
pub mod matcher;
pub mod prefilter;
pub mod read;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod suppress;

pub use config::Config;
pub use error::{Error, Result};
pub use finding::{Finding, Fingerprint, Location, Secret};
pub use rules::{Rule, RuleSet, Severity};
pub use scan::{Progress, ScanOptions, ScanReport, ScanStats, Scanner};
