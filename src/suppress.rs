//! Suppression by fingerprint: `.plainsightignore` files and `--baseline` reports.
//!
//! Inline markers (`plainsight:allow`) are handled by the matcher, which sees lines;
//! these two work on fingerprints, which survive the secret moving to another line or
//! file, so an accepted finding stays accepted.

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Result, SpecLocation};
use crate::finding::Fingerprint;
use crate::read::{read_user_file, SMALL_FILE_LIMIT};

/// A baseline is a whole JSON report, so it may be far larger than a config file.
const BASELINE_LIMIT: u64 = 4 << 30;

/// The ignore file looked for in the scan root.
pub const IGNORE_FILE: &str = ".plainsightignore";

/// Read an ignore file: one fingerprint per line; `#` starts a comment.
pub fn load_ignore_file(path: &Path) -> Result<HashSet<Fingerprint>> {
    let text = read_user_file(path, SMALL_FILE_LIMIT)?;
    let mut out = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let entry = line.split('#').next().unwrap_or("").trim();
        if entry.is_empty() {
            continue;
        }
        let fp = Fingerprint::parse(entry).ok_or_else(|| Error::Spec {
            at: SpecLocation {
                file: path.display().to_string(),
                line: i + 1,
                key: "fingerprint".into(),
            },
            message: format!("`{entry}` is not a fingerprint (64 hex digits from a report)"),
        })?;
        out.insert(fp);
    }
    Ok(out)
}

/// Read the fingerprints of an earlier `--format json` report.
pub fn load_baseline(path: &Path) -> Result<HashSet<Fingerprint>> {
    let text = read_user_file(path, BASELINE_LIMIT)?;
    let bad = |message: String| Error::Baseline {
        path: path.to_path_buf(),
        message,
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let findings = value
        .get("findings")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| bad("no `findings` array".into()))?;
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.get("fingerprint")
                .and_then(serde_json::Value::as_str)
                .and_then(Fingerprint::parse)
                .ok_or_else(|| bad(format!("findings[{i}] has no valid `fingerprint`")))
        })
        .collect()
}
