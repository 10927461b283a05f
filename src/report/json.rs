//! `--format json`: one object, `{"format_version", "version", "rule_set", "rules",
//! "findings", "stats", "skipped"}` (plus `base`, `version_control` and `shard` for git
//! scans).
//!
//! Keys are part of plainsight's interface (README and `src/report/schema.json` document
//! them; `--baseline` and `plainsight merge` read them back), so they are spelled out in
//! these structs rather than derived from the internal types. A report holds everything
//! a merge needs to write any format again (the rules that fired, each finding's blob
//! versions), and never a plaintext secret unless `--show-secrets` asked for it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{ReportOptions, TOOL_VERSION};
use crate::finding::Finding;
use crate::scan::ScanReport;
use crate::skip::SkipReason;

/// The shape of the JSON report: bumped whenever a key is added, renamed or changes
/// meaning, so a reader (`plainsight merge`) can refuse what it does not understand.
/// Version 1 (no `format_version` key) lacked `rule_set`, `rules`, `base`,
/// `version_control`, `shard` and the blob `versions` of each finding's commit.
pub const FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct JsonReport<'a> {
    format_version: u32,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_set: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<std::borrow::Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_control: Option<JsonVersionControl<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<JsonShard>,
    rules: Vec<JsonRule<'a>>,
    findings: Vec<JsonFinding<'a>>,
    stats: JsonStats<'a>,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize)]
struct JsonVersionControl<'a> {
    repository_uri: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    revision: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonShard {
    index: u32,
    count: u32,
}

/// What SARIF and GitLab reports say about a rule, for each rule that fired.
#[derive(Serialize)]
struct JsonRule<'a> {
    id: &'a str,
    name: &'a str,
    provider: &'a str,
    category: &'static str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rotate: Option<&'a str>,
    description: &'a str,
    severity: &'a str,
    security_severity: f64,
    precision: &'a str,
    references: &'a [String],
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
    versions: Vec<JsonVersion<'a>>,
}

#[derive(Serialize)]
struct JsonVersion<'a> {
    order: u64,
    commit: &'a str,
    path: &'a str,
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
            versions: p
                .versions
                .iter()
                .map(|v| JsonVersion {
                    order: v.order,
                    commit: &v.commit,
                    path: &v.path,
                    other_locations: &v.other_locations,
                })
                .collect(),
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
    let mut fired: BTreeMap<&str, &crate::rules::RuleInfo> = BTreeMap::new();
    for f in &report.findings {
        fired.entry(&f.rule.id).or_insert(&f.rule);
    }
    let doc = JsonReport {
        format_version: FORMAT_VERSION,
        version: TOOL_VERSION,
        rule_set: report.rule_set.as_deref(),
        base: report.base.as_deref().map(|b| b.to_string_lossy()),
        version_control: report.vcs.as_ref().map(|v| JsonVersionControl {
            repository_uri: &v.repository_uri,
            revision: v.revision.as_deref(),
            branch: v.branch.as_deref(),
        }),
        shard: report.shard.map(|s| JsonShard {
            index: s.index(),
            count: s.count(),
        }),
        rules: fired
            .values()
            .map(|r| JsonRule {
                id: &r.id,
                name: &r.name,
                provider: &r.provider,
                category: r.category.as_str(),
                kind: r.kind.as_str(),
                rotate: r.rotate.as_deref(),
                description: &r.description,
                severity: r.severity.as_str(),
                security_severity: r.security_severity,
                precision: r.precision.as_str(),
                references: &r.references,
            })
            .collect(),
        findings: report.findings.iter().map(|f| finding(f, opts)).collect(),
        stats: stats(report),
        skipped: skipped(report),
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    writeln!(out)
}
