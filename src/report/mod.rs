//! Reporters: the same [`ScanReport`] written for people (text), for programs (JSON)
//! and for code hosts (SARIF 2.1.0).
//!
//! Every reporter writes to any `io::Write`, takes findings in the report's sorted
//! order and shows secrets masked unless [`ReportOptions::show_secrets`] is set: that
//! flag is the only path from a [`crate::finding::Secret`] to plaintext output.

pub mod gitlab;
pub mod inventory;
pub mod json;
pub mod jsonl;
pub mod sarif;
pub mod schema;
pub mod text;

use std::io::{self, Write};

use crate::scan::ScanReport;

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON object.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JSON lines: one finding per line, then a summary line. Streamed by the CLI.
    Jsonl,
    /// GitLab's secret-detection security report.
    Gitlab,
}

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReportOptions {
    /// Print plaintext secrets (`--show-secrets`).
    pub show_secrets: bool,
    /// ANSI colors (text only).
    pub color: bool,
    /// List every skipped path (text only; JSON and SARIF always list them).
    pub verbose: bool,
}

/// The tool's name in reports.
pub const TOOL_NAME: &str = "plainsight";
/// The tool's version.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");
/// Where to read about it.
pub const TOOL_URI: &str = "https://github.com/plainsight-dev/plainsight";

/// Write `report` in `format`.
pub fn write(
    format: Format,
    report: &ScanReport,
    opts: ReportOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::write(report, opts, out),
        Format::Json => json::write(report, opts, out),
        Format::Sarif => sarif::write(report, opts, out),
        Format::Jsonl => jsonl::write(report, opts, out),
        Format::Gitlab => gitlab::write(report, opts, out),
    }
}

/// The proleptic Gregorian (year, month, day) of a day count since 1970-01-01 (Howard
/// Hinnant's civil-from-days): the reports print dates without a calendar crate.
fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}
