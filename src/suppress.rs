//! Suppression: inline markers, `.plainsightignore` and `.gitleaksignore` files,
//! baselines ([`crate::baseline`]) and allowlists ([`crate::allowlist`]).
//!
//! Inline markers (`plainsight:allow`) silence the findings on their line or the line
//! below; the matcher applies them, since it holds the text and its line index. Ignore
//! files and baselines work on fingerprints instead, which survive the secret moving to
//! another line or file, so an accepted finding stays accepted.

use std::collections::HashSet;
use std::ops::Range;
use std::path::Path;

use memchr::memmem;

use crate::allowlist::{Allowlist, RulePath};
use crate::baseline::Baseline;
use crate::error::{Error, Result, SpecLocation};
use crate::finding::{Finding, Fingerprint};
use crate::gitleaks::IgnoreList;
use crate::matcher::LineIndex;
use crate::read::{read_user_file, SMALL_FILE_LIMIT};

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

/// Why a finding that was found is not reported, beyond inline markers (which the
/// matcher counts itself). The names are the keys of `stats.suppressed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suppression {
    /// A gitleaks rule `path` the file does not match: the rule does not apply there.
    RulePath,
    /// An `[[allowlists]]` table (plainsight's or gitleaks').
    Allowlist,
    /// A `.gitleaksignore` entry.
    GitleaksIgnore,
    /// A baseline entry.
    Baseline,
}

impl Suppression {
    /// The key in `stats.suppressed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Suppression::RulePath => "rule_path",
            Suppression::Allowlist => "allowlist",
            Suppression::GitleaksIgnore => "gitleaks_ignore",
            Suppression::Baseline => "baseline",
        }
    }
}

/// Every suppression applied to findings after the matcher, resolved once.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    /// `--baseline`.
    pub baseline: Baseline,
    /// `.gitleaksignore`.
    pub gitleaks_ignore: IgnoreList,
    /// Allowlists of the config.
    pub allowlists: Vec<Allowlist>,
    /// gitleaks rule paths.
    pub rule_paths: Vec<RulePath>,
}

impl Suppressions {
    /// Why `f` is not reported, if it is not.
    pub fn check(&self, f: &Finding) -> Option<Suppression> {
        if self.rule_paths.iter().any(|r| r.excludes(f)) {
            return Some(Suppression::RulePath);
        }
        if self.allowlists.iter().any(|a| a.allows(f)) {
            return Some(Suppression::Allowlist);
        }
        if self.gitleaks_ignore.matches(f) {
            return Some(Suppression::GitleaksIgnore);
        }
        if self.baseline.contains(f) {
            return Some(Suppression::Baseline);
        }
        None
    }
}

/// Which lines an inline marker silences, relative to its own line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerScope {
    /// Its own line and the line below (plainsight's and gitleaks' convention, which
    /// other tools' markers keep so that a marker written for one tool works the same).
    SameOrNext,
    /// Only the line below: the marker says so in its name (`nextline`, `next-line`), and
    /// the line holding it is a comment, not the secret.
    NextOnly,
    /// Only its own line (`secretlint-disable-line`).
    SameOnly,
}

/// Inline markers of plainsight and of the tools people move from, so that code already
/// annotated for gitleaks, detect-secrets, secretlint, TruffleHog or Kingfisher needs no
/// edit. `secretlint-disable` alone opens a block (see [`BLOCK_START`]).
pub const ALLOW_MARKERS: [(&str, MarkerScope); 9] = [
    ("plainsight:allow", MarkerScope::SameOrNext),
    ("gitleaks:allow", MarkerScope::SameOrNext),
    ("betterleaks:allow", MarkerScope::SameOrNext),
    ("kingfisher:ignore", MarkerScope::SameOrNext),
    ("trufflehog:ignore", MarkerScope::SameOrNext),
    ("pragma: allowlist secret", MarkerScope::SameOrNext),
    ("pragma: allowlist nextline secret", MarkerScope::NextOnly),
    ("secretlint-disable-next-line", MarkerScope::NextOnly),
    ("secretlint-disable-line", MarkerScope::SameOnly),
];

/// Opens a block silenced until [`BLOCK_END`] (or the end of the text): secretlint's
/// `secretlint-disable` … `secretlint-enable`.
pub const BLOCK_START: &str = "secretlint-disable";
/// Closes a block opened by [`BLOCK_START`].
pub const BLOCK_END: &str = "secretlint-enable";

/// Every marker of one text, found in one pass per marker: checking many findings on one
/// very long line does not search that line again each time (which made a 25 MB
/// single-line file with many keys quadratic).
#[derive(Debug, Default)]
pub(crate) struct Markers {
    /// Line markers as byte spans with their scope, sorted by start.
    spans: Vec<(Range<usize>, MarkerScope)>,
    /// Silenced blocks: from a block start's byte to its block end's (or the text end).
    blocks: Vec<Range<usize>>,
}

/// Find every marker in `text`.
pub(crate) fn marker_spans(text: &[u8]) -> Markers {
    let mut spans: Vec<(Range<usize>, MarkerScope)> = ALLOW_MARKERS
        .iter()
        .flat_map(|&(m, scope)| {
            memmem::find_iter(text, m.as_bytes()).map(move |i| (i..i + m.len(), scope))
        })
        .collect();
    spans.sort_by_key(|(r, _)| r.start);
    Markers {
        spans,
        blocks: blocks(text),
    }
}

/// `secretlint-disable` … `secretlint-enable` regions. A start that is really
/// `secretlint-disable-line` or `-next-line` is a line marker, not a block.
fn blocks(text: &[u8]) -> Vec<Range<usize>> {
    let starts = memmem::find_iter(text, BLOCK_START.as_bytes()).filter(|&i| {
        let rest = &text[i + BLOCK_START.len()..];
        !(rest.starts_with(b"-line") || rest.starts_with(b"-next-line"))
    });
    let ends: Vec<usize> = memmem::find_iter(text, BLOCK_END.as_bytes()).collect();
    let mut out: Vec<Range<usize>> = Vec::new();
    for s in starts {
        if out.last().is_some_and(|b| s < b.end) {
            continue; // already inside an open block
        }
        let end = ends
            .get(ends.partition_point(|&e| e < s))
            .copied()
            .unwrap_or(text.len());
        out.push(s..end);
    }
    out
}

/// Whether a marker silences `line`: one on it or the line before it (each as its scope
/// allows), or a disabled block around it.
pub(crate) fn suppressed(text: &[u8], lines: &LineIndex, line: usize, markers: &Markers) -> bool {
    let here = lines.line_start(line);
    let to = lines.line_end(text, line);
    let from = if line > 1 {
        lines.line_start(line - 1)
    } else {
        here
    };
    let first = markers.spans.partition_point(|(r, _)| r.start < from);
    let by_line = markers.spans[first..]
        .iter()
        .take_while(|(r, _)| r.start < to)
        .any(|(r, scope)| {
            let same = r.start >= here;
            r.end <= to
                && match scope {
                    MarkerScope::SameOrNext => true,
                    MarkerScope::NextOnly => !same,
                    MarkerScope::SameOnly => same,
                }
        });
    by_line
        || markers
            .blocks
            .iter()
            .any(|b| here >= lines.line_start(lines.line_of(b.start)) && here < b.end)
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

    #[test]
    fn marker_scopes_and_secretlint_blocks() {
        let set = demo_set();
        let k = "demo_q8w3v7l2k9r4b6h1";
        let counts = |t: &str| {
            let m = run(&set, t);
            (m.findings.len(), m.suppressed)
        };
        assert_eq!(
            counts(&format!("{k} # pragma: allowlist nextline secret")),
            (1, 0)
        );
        assert_eq!(
            counts(&format!("# pragma: allowlist nextline secret\n{k}")),
            (0, 1)
        );
        assert_eq!(
            counts(&format!("// secretlint-disable-next-line\n{k}")),
            (0, 1)
        );
        assert_eq!(
            counts(&format!("{k} // secretlint-disable-next-line")),
            (1, 0)
        );
        assert_eq!(counts(&format!("{k} // secretlint-disable-line")), (0, 1));
        assert_eq!(counts(&format!("// secretlint-disable-line\n{k}")), (1, 0));
        let block =
            format!("{k}\n/* secretlint-disable */\na\n{k}\n\n{k}\n/* secretlint-enable */\n{k}\n");
        assert_eq!(counts(&block), (2, 2));
        assert_eq!(counts(&format!("// secretlint-disable\n\n\n{k}\n")), (0, 1));
    }
}
