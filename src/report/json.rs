//! `--format json`: one object, `{"version", "findings", "stats", "skipped"}`.
//!
//! Keys are part of plainsight's interface (README documents them; `--baseline` reads
//! them back), so they are spelled out in these structs rather than derived from the
//! internal types.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{ReportOptions, TOOL_VERSION};
use crate::finding::Finding;
use crate::scan::ScanReport;
use crate::skip::SkipReason;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: &'a str,
    findings: Vec<JsonFinding<'a>>,
    stats: JsonStats<'a>,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize)]
pub(super) struct JsonFinding<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    provider: &'a str,
    severity: &'a str,
    precision: &'a str,
    path: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    archive_entry: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    decoded: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a str>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    fingerprint: &'a str,
    preview: String,
    context: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<JsonCommit<'a>>,
}

#[derive(Serialize)]
struct JsonCommit<'a> {
    sha: &'a str,
    author: &'a str,
    time: i64,
    other_locations: &'a [String],
}

#[derive(Serialize)]
pub(super) struct JsonStats<'a> {
    files_scanned: u64,
    bytes_scanned: u64,
    skipped: BTreeMap<&'static str, u64>,
    findings: u64,
    suppressed: &'a BTreeMap<&'static str, u64>,
    capped: Vec<String>,
    archives: u64,
    decode_capped: &'a [String],
    elapsed_ms: u64,
}

#[derive(Serialize)]
pub(super) struct JsonSkipped<'a> {
    path: &'a str,
    reason: &'static str,
    detail: &'a str,
}

/// Convert one finding.
pub(super) fn finding<'a>(f: &'a Finding, opts: ReportOptions) -> JsonFinding<'a> {
    JsonFinding {
        rule_id: &f.rule.id,
        rule_name: &f.rule.name,
        provider: &f.rule.provider,
        severity: f.severity.as_str(),
        precision: f.rule.precision.as_str(),
        path: f.report_path(),
        archive_entry: f.entry.as_deref(),
        decoded: f.decoded.iter().map(|l| l.as_str()).collect(),
        details: f.details.as_deref(),
        line: f.location.line,
        column: f.location.column,
        end_line: f.location.end_line,
        end_column: f.location.end_column,
        fingerprint: f.fingerprint.as_str(),
        preview: f.secret.preview(),
        context: f.context.render(opts.show_secrets),
        secret: opts.show_secrets.then(|| f.secret.expose()),
        commit: f.provenance.as_ref().map(|p| JsonCommit {
            sha: &p.commit,
            author: &p.author,
            time: p.time,
            other_locations: &p.other_locations,
        }),
    }
}

/// The `stats` object of a report.
pub(super) fn stats(report: &ScanReport) -> JsonStats<'_> {
    let s = &report.stats;
    JsonStats {
        files_scanned: s.files_scanned,
        bytes_scanned: s.bytes_scanned,
        skipped: SkipReason::ALL
            .iter()
            .map(|r| (r.as_str(), s.skipped.get(r).copied().unwrap_or(0)))
            .collect(),
        findings: s.findings,
        suppressed: &s.suppressed,
        capped: s.capped.iter().map(ToString::to_string).collect(),
        archives: s.archives,
        decode_capped: &s.decode_capped,
        elapsed_ms: s.elapsed_ms,
    }
}

/// The `skipped` list of a report.
pub(super) fn skipped(report: &ScanReport) -> Vec<JsonSkipped<'_>> {
    report
        .skipped
        .iter()
        .map(|k| JsonSkipped {
            path: &k.path,
            reason: k.skip.reason.as_str(),
            detail: &k.skip.detail,
        })
        .collect()
}

/// Write the JSON report.
pub fn write(report: &ScanReport, opts: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let doc = JsonReport {
        version: TOOL_VERSION,
        findings: report.findings.iter().map(|f| finding(f, opts)).collect(),
        stats: stats(report),
        skipped: skipped(report),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}
