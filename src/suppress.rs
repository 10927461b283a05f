//! Suppression: inline markers, `.plainsightignore` files and `--baseline` reports.
//!
//! Inline markers (`plainsight:allow`) silence the findings on their line or the line
//! below; the matcher applies them, since it holds the text and its line index. Ignore
//! files and baselines work on fingerprints instead, which survive the secret moving to
//! another line or file, so an accepted finding stays accepted.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use memchr::memmem;

use crate::error::{Error, Result, SpecLocation};
use crate::finding::Fingerprint;
use crate::matcher::LineIndex;
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

/// Comments that silence a finding on their line or the line below.
pub const ALLOW_MARKERS: [&str; 3] = [
    "plainsight:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// Every allow marker in `text`, as sorted byte spans: found in one pass per text, so
/// checking many findings on one very long line does not search that line again each
/// time (which made a 25 MB single-line file with many keys quadratic).
pub(crate) fn marker_spans(text: &[u8]) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = ALLOW_MARKERS
        .iter()
        .flat_map(|m| memmem::find_iter(text, m.as_bytes()).map(move |i| i..i + m.len()))
        .collect();
    spans.sort_by_key(|r| r.start);
    spans
}

/// Whether an allow marker lies on `line` or the line before it.
pub(crate) fn suppressed(
    text: &[u8],
    lines: &LineIndex,
    line: usize,
    markers: &[Range<usize>],
) -> bool {
    let from = lines.line_start(line.saturating_sub(1).max(1));
    let to = lines.line_end(text, line);
    let first = markers.partition_point(|r| r.start < from);
    markers[first..]
        .iter()
        .take_while(|r| r.start < to)
        .any(|r| r.end <= to)
}

#[cfg(test)]
mod tests {
    use crate::matcher::test_support::{demo_set, run};

    #[test]
    fn inline_markers_suppress_same_and_next_line_only() {
        let set = demo_set();
        assert_eq!(
            run(&set, "demo_q8w3v7l2k9r4b6h1 # plainsight:allow").suppressed,
            1
        );
        let m = run(&set, "# gitleaks:allow\ndemo_q8w3v7l2k9r4b6h1");
        assert_eq!((m.findings.len(), m.suppressed), (0, 1));
        let m = run(&set, "# pragma: allowlist secret\n\ndemo_q8w3v7l2k9r4b6h1");
        assert_eq!((m.findings.len(), m.suppressed), (1, 0));
    }
}
