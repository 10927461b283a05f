//! `--format jsonl`: JSON lines, written while the scan runs.
//!
//! The other formats need every finding before they can write (they sort, and SARIF lists
//! the rules that fired up front), so their memory grows with the number of findings.
//! This one does not: each scanned file's findings are written, one JSON object per line,
//! as soon as that file is done, and the scan keeps none of them. The last line is the
//! summary (stats and skipped files). Lines of one file come together and in order;
//! files come in the order they finish, which depends on the thread count.
//!
//! ```text
//! {"type":"finding","rule_id":"aws-access-key-id",...,"path":"a/b.env","line":3,...}
//! {"type":"summary","version":"0.1.0","stats":{...},"skipped":[...]}
//! ```

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::Serialize;

use super::json::{self, JsonFinding, JsonSkipped, JsonStats};
use super::{ReportOptions, TOOL_VERSION};
use crate::finding::Finding;
use crate::rules::Severity;
use crate::scan::{FindingSink, ScanReport};

#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    finding: JsonFinding<'a>,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    version: &'a str,
    stats: JsonStats<'a>,
    skipped: Vec<JsonSkipped<'a>>,
}

/// Write one finding as one line.
pub fn write_finding(f: &Finding, opts: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let line = FindingLine {
        kind: "finding",
        finding: json::finding(f, opts),
    };
    serde_json::to_writer(&mut *out, &line).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Write the closing summary line (stats and skipped files).
pub fn write_summary(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let line = SummaryLine {
        kind: "summary",
        version: TOOL_VERSION,
        stats: json::stats(report),
        skipped: json::skipped(report),
    };
    serde_json::to_writer(&mut *out, &line).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// Write a whole report that is already in memory: its findings, then the summary.
pub fn write(report: &ScanReport, opts: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        write_finding(f, opts, out)?;
    }
    write_summary(report, out)
}

/// A [`FindingSink`] that writes each file's findings as JSON lines as they arrive.
///
/// The first write error (a closed pipe, a full disk) is kept and stops the scan; the
/// caller reads it back with [`StreamWriter::finish`].
pub struct StreamWriter<W: Write + Send> {
    out: Mutex<W>,
    opts: ReportOptions,
    error: Mutex<Option<io::Error>>,
    stopped: AtomicBool,
    worst: Mutex<Option<Severity>>,
}

impl<W: Write + Send> StreamWriter<W> {
    /// Stream to `out`.
    pub fn new(out: W, opts: ReportOptions) -> Self {
        StreamWriter {
            out: Mutex::new(out),
            opts,
            error: Mutex::new(None),
            stopped: AtomicBool::new(false),
            worst: Mutex::new(None),
        }
    }

    /// The highest severity streamed so far (for the exit code).
    pub fn worst_severity(&self) -> Option<Severity> {
        *self
            .worst
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Write the summary line, flush, and return the writer or the first error.
    pub fn finish(self, report: &ScanReport) -> io::Result<W> {
        let error = self
            .error
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(e) = error {
            return Err(e);
        }
        let mut out = self
            .out
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        write_summary(report, &mut out)?;
        out.flush()?;
        Ok(out)
    }

    fn fail(&self, e: io::Error) {
        self.stopped.store(true, Ordering::Relaxed);
        let mut slot = self
            .error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.get_or_insert(e);
    }
}

impl<W: Write + Send> FindingSink for StreamWriter<W> {
    fn file_findings(&self, findings: Vec<Finding>) {
        if let Some(top) = findings.iter().map(|f| f.severity).max() {
            let mut worst = self
                .worst
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *worst = (*worst).max(Some(top));
        }
        if self.stopped() {
            return;
        }
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for f in &findings {
            if let Err(e) = write_finding(f, self.opts, &mut *out) {
                drop(out);
                return self.fail(e);
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }
}
