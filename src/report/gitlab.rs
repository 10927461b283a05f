//! `--format gitlab`: GitLab's secret-detection security report (schema 15.x), so a
//! GitLab CI job can publish findings under `artifacts: reports: secret_detection` and
//! they appear in merge requests and the vulnerability report.
//!
//! The report carries no plaintext: `raw_source_code_extract` is the masked context line,
//! and the secret itself appears only with `--show-secrets` (as GitLab's analyzers do,
//! in the description), never by default.

use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{ReportOptions, TOOL_NAME, TOOL_URI, TOOL_VERSION};
use crate::finding::Finding;
use crate::rules::Severity;
use crate::scan::ScanReport;

/// The schema version written in `version`.
pub const SCHEMA_VERSION: &str = "15.0.7";

/// Used when a finding has no commit (a working-tree scan); GitLab requires a sha.
const NO_COMMIT: &str = "0000000000000000000000000000000000000000";

/// Write the GitLab report.
pub fn write(report: &ScanReport, opts: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let doc = build(report, opts, SystemTime::now());
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// Build the report document; `now` is the scan's end time.
pub fn build(report: &ScanReport, opts: ReportOptions, now: SystemTime) -> Value {
    let end = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let start = end.saturating_sub(report.stats.elapsed_ms / 1000);
    let tool = json!({
        "id": TOOL_NAME,
        "name": TOOL_NAME,
        "version": TOOL_VERSION,
        "url": TOOL_URI,
        "vendor": {"name": TOOL_NAME},
    });
    let messages: Vec<Value> = report
        .skipped
        .iter()
        .map(|k| {
            json!({
                "level": "warn",
                "value": format!("not scanned ({}): {}: {}", k.skip.reason.as_str(), k.path, k.skip.detail),
            })
        })
        .collect();
    json!({
        "version": SCHEMA_VERSION,
        "vulnerabilities": report.findings.iter().map(|f| vulnerability(f, opts)).collect::<Vec<_>>(),
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "start_time": iso8601(start),
            "end_time": iso8601(end),
            "status": "success",
            "messages": messages,
        },
    })
}

fn vulnerability(f: &Finding, opts: ReportOptions) -> Value {
    let sha = f
        .provenance
        .as_ref()
        .map_or(NO_COMMIT, |p| p.commit.as_str());
    let mut description = format!(
        "{} The secret is {}.",
        f.rule.description,
        f.secret.preview()
    );
    if opts.show_secrets {
        description = format!(
            "{} The secret is {}.",
            f.rule.description,
            f.secret.expose()
        );
    }
    json!({
        "id": vulnerability_id(f),
        "name": f.rule.name,
        "description": description,
        "severity": severity(f),
        "solution": format!("Revoke or rotate the {} credential, review its use, then remove it from the code and from git history.", f.rule.provider),
        "raw_source_code_extract": f.context.render(opts.show_secrets),
        "location": {
            "file": f.report_path(),
            "start_line": f.location.line,
            "end_line": f.location.end_line,
            "commit": {"sha": sha},
        },
        "identifiers": [{
            "type": "plainsight_rule_id",
            "name": format!("plainsight rule {}", f.rule.id),
            "value": f.rule.id,
            "url": f.rule.references.first().cloned().unwrap_or_else(|| TOOL_URI.to_string()),
        }],
        "cve": f.fingerprint.as_str(),
    })
}

/// A stable UUID-shaped id per place: fingerprint, path and line.
fn vulnerability_id(f: &Finding) -> String {
    let mut h = Sha256::new();
    h.update(f.fingerprint.as_str().as_bytes());
    h.update(f.report_path().as_bytes());
    h.update(f.location.line.to_le_bytes());
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn severity(f: &Finding) -> &'static str {
    match f.severity {
        Severity::Error if f.rule.security_severity >= 9.0 => "Critical",
        Severity::Error => "High",
        Severity::Warning => "Medium",
        Severity::Note => "Info",
    }
}

/// `yyyy-mm-ddThh:mm:ss` (UTC) from Unix seconds.
fn iso8601(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (year, month, day) = super::civil_date(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_matches_known_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(iso8601(1_795_478_400 + 3661), "2026-11-24T01:01:01");
    }

    #[test]
    fn empty_report_has_the_required_envelope() {
        let v = build(&ScanReport::default(), ReportOptions::default(), UNIX_EPOCH);
        assert_eq!(v["version"], SCHEMA_VERSION);
        assert_eq!(v["scan"]["type"], "secret_detection");
        assert_eq!(v["scan"]["status"], "success");
        for k in ["analyzer", "scanner"] {
            for f in ["id", "name", "version"] {
                assert!(v["scan"][k][f].is_string(), "{k}.{f}");
            }
            assert!(v["scan"][k]["vendor"]["name"].is_string());
        }
        assert!(v["vulnerabilities"].as_array().is_some_and(Vec::is_empty));
    }
}
