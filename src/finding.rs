//! What a scan produces: a [`Finding`], its [`Location`], its [`Fingerprint`], and the
//! [`Secret`] itself, which redacts itself everywhere unless explicitly exposed.
//!
//! The report of a secret scanner must not become the next leak. The plaintext therefore
//! lives only in [`Secret`], whose `Display` and `Debug` print a masked preview; the one
//! way to the plaintext is [`Secret::expose`], which the reporters call only when the
//! user passed `--show-secrets`.

use std::fmt;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::rules::{RuleInfo, Severity};

/// A secret's plaintext. Its `Display` and `Debug` show only [`Secret::preview`].
///
/// A secret read back from a report (`plainsight merge`) is known only by its preview:
/// reports do not carry plaintext, and merging must not need it. Such a secret is
/// [`Secret::masked`], and its preview is all it can ever show, [`Secret::expose`]
/// included.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret {
    text: Box<str>,
    /// `text` is already the preview, not the plaintext.
    masked: bool,
}

impl Secret {
    /// Wrap plaintext bytes (lossily decoded: scanned files are bytes, not always UTF-8).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Secret {
            text: String::from_utf8_lossy(bytes).into(),
            masked: false,
        }
    }

    /// A secret known only by the preview a report showed of it.
    pub fn masked(preview: &str) -> Self {
        Secret {
            text: preview.into(),
            masked: true,
        }
    }

    /// The plaintext (the preview, for a [`Secret::masked`] one). Call only when the
    /// user asked to see secrets.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// Number of characters in the secret.
    pub fn char_len(&self) -> usize {
        self.text.chars().count()
    }

    /// A masked preview: at most the first 4 and last 2 characters, and never more than
    /// a third of the secret in all; the rest is a fixed run of `*` so neither the
    /// length of a long key nor its middle shows.
    pub fn preview(&self) -> String {
        if self.masked {
            return self.text.to_string();
        }
        let chars: Vec<char> = self.text.chars().filter(|c| !c.is_control()).collect();
        let n = chars.len();
        let reveal = (n / 3).min(6);
        let head = (reveal * 2).div_ceil(3).min(4);
        let tail = (reveal - head).min(2);
        let hidden = n - head - tail;
        let mut out = String::with_capacity(head + tail + 8);
        out.extend(&chars[..head]);
        out.push_str(&"*".repeat(hidden.clamp(1, 8)));
        out.extend(&chars[n - tail..]);
        out
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.preview())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.preview())
    }
}

/// Hex SHA-256 of the rule id and the secret: the same leak gets the same fingerprint
/// wherever it moves, on any machine and OS, so baselines and ignore files stay valid.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Fingerprint of `secret` found by `rule_id`.
    pub fn new(rule_id: &str, secret: &Secret) -> Self {
        let mut h = Sha256::new();
        h.update(rule_id.as_bytes());
        h.update([0u8]);
        h.update(secret.expose().as_bytes());
        let digest = h.finalize();
        let mut s = String::with_capacity(64);
        for b in digest {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        Fingerprint(s)
    }

    /// Parse a fingerprint as written in reports and ignore files.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        (s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Fingerprint(s.to_ascii_lowercase()))
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Where a secret sits: 1-based lines and columns (columns count Unicode scalar values),
/// end exclusive, plus the byte span in the scanned text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// First line of the secret.
    pub line: usize,
    /// Column of the secret's first character.
    pub column: usize,
    /// Line of the secret's last character.
    pub end_line: usize,
    /// Column just past the secret's last character.
    pub end_column: usize,
    /// Byte offset of the secret in the scanned text.
    pub offset: usize,
    /// Length of the secret in bytes.
    pub len: usize,
}

/// One piece of a context line: text, or a secret that must stay masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Ordinary text from the line.
    Text(String),
    /// A secret (this finding's or another one on the same line).
    Secret(Secret),
}

/// The line a secret was found on, with every secret on it kept as a [`Secret`] so that
/// rendering it can never show plaintext by accident.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The line's pieces in order; long lines are already trimmed around the secret.
    pub segments: Vec<Segment>,
}

impl Context {
    /// Render the line; secrets are masked unless `show_secrets`.
    pub fn render(&self, show_secrets: bool) -> String {
        let mut out = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Text(t) => out.push_str(t),
                Segment::Secret(s) if show_secrets => out.push_str(s.expose()),
                Segment::Secret(s) => out.push_str(&s.preview()),
            }
        }
        out
    }
}

/// Where a finding came from in git history (filled in by history scans).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Commit that first introduced the blob at this path.
    pub commit: String,
    /// Author name of that commit.
    pub author: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// Other `commit:path` places the same secret occurs: where the same blob was
    /// introduced again, then where each later blob version holding it was introduced
    /// ([`Provenance::fold_locations`] of `versions`).
    pub other_locations: Vec<String>,
    /// Every blob version this finding stands for, the reported one first, in order of
    /// first introduction. Kept so that the findings of several runs (shards of one
    /// history) can be folded again exactly as one run folds them.
    pub versions: Vec<BlobVersion>,
}

/// One blob that holds a finding's secret, and where the history introduced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobVersion {
    /// The blob's place in the order of first introduction over the whole selected
    /// history (the same in every shard of a run).
    pub order: u64,
    /// The commit that first introduced it.
    pub commit: String,
    /// Its path there.
    pub path: String,
    /// Later `commit:path` places the same blob was introduced.
    pub other_locations: Vec<String>,
}

impl Provenance {
    /// The other locations of a finding standing for `versions` (first one reported):
    /// the first blob's later places, then each later blob's places, each place once.
    pub fn fold_locations(versions: &[BlobVersion]) -> Vec<String> {
        let Some((first, rest)) = versions.split_first() else {
            return Vec::new();
        };
        let mut out = first.other_locations.clone();
        let mut seen: std::collections::HashSet<String> = out.iter().cloned().collect();
        for v in rest {
            let here = format!("{}:{}", v.commit, v.path);
            for loc in std::iter::once(here).chain(v.other_locations.iter().cloned()) {
                if seen.insert(loc.clone()) {
                    out.push(loc);
                }
            }
        }
        out
    }
}

/// Which repository state a git scan covered (SARIF `versionControlProvenance`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionControl {
    /// The `origin` remote without credentials, or the work tree as a `file://` URI.
    pub repository_uri: String,
    /// The commit scanned up to (`HEAD`, the branch tip, the `B` of `A..B`).
    pub revision: Option<String>,
    /// The branch, when the scan followed one.
    pub branch: Option<String>,
}

/// One secret found by one rule at one place.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule that fired.
    pub rule: Arc<RuleInfo>,
    /// Severity as reported (the rule's, unless configuration or the secret itself, an
    /// expired JWT, changed it).
    pub severity: Severity,
    /// What the message adds about this secret (a JWT's algorithm, issuer, audience
    /// and expiry); never any part of the secret.
    pub details: Option<String>,
    /// Path relative to the scan base, `/`-separated: the file (or git path, or stdin
    /// name) the secret is in, the archive itself for an archive entry.
    pub path: String,
    /// Inside an archive, the entry's path (`dir/inner.tar.gz!file.env` for nested ones).
    pub entry: Option<String>,
    /// The decoding layers undone to find it (base64, percent…), outermost first; empty
    /// for a secret found as it is stored. The location is then the encoded span.
    pub decoded: Vec<crate::decode::Layer>,
    /// Where in the file.
    pub location: Location,
    /// The secret.
    pub secret: Secret,
    /// Stable identity of (rule, secret).
    pub fingerprint: Fingerprint,
    /// The line it sits on, secrets kept masked.
    pub context: Context,
    /// Set by history scans.
    pub provenance: Option<Provenance>,
}

impl Finding {
    /// The path reports show: `outer.zip!dir/inner.tar.gz!file.env` inside archives,
    /// the path itself elsewhere.
    pub fn report_path(&self) -> std::borrow::Cow<'_, str> {
        match &self.entry {
            None => std::borrow::Cow::Borrowed(&self.path),
            Some(e) => std::borrow::Cow::Owned(format!("{}!{e}", self.path)),
        }
    }

    /// The order every report uses, independent of thread count.
    pub fn sort_key(&self) -> (&str, Option<&str>, usize, usize, &str, &str) {
        (
            &self.path,
            self.entry.as_deref(),
            self.location.line,
            self.location.column,
            &self.rule.id,
            self.fingerprint.as_str(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_never_shows_more_than_a_third() {
        for n in 0..80 {
            let s: String = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            let secret = Secret::from_bytes(s.as_bytes());
            let p = secret.preview();
            let shown = p.chars().filter(|&c| c != '*').count();
            assert!(shown * 3 <= n, "{n}: {p}");
            assert!(p.contains('*'));
        }
        let s = Secret::from_bytes(b"ghp_abcdefghijklmnopqrstuvwxyz0123456789");
        assert_eq!(s.preview(), "ghp_********89");
        assert_eq!(format!("{s}"), "ghp_********89");
        assert_eq!(format!("{s:?}"), "Secret(ghp_********89)");
    }

    #[test]
    fn fingerprint_is_stable_and_rule_scoped() {
        let s = Secret::from_bytes(b"abc");
        let a = Fingerprint::new("r1", &s);
        assert_eq!(a, Fingerprint::new("r1", &s));
        assert_ne!(a, Fingerprint::new("r2", &s));
        assert_eq!(a.as_str().len(), 64);
        assert_eq!(Fingerprint::parse(a.as_str()), Some(a.clone()));
        assert_eq!(Fingerprint::parse("xyz"), None);
    }

    #[test]
    fn context_masks_unless_shown() {
        let c = Context {
            segments: vec![
                Segment::Text("key = ".into()),
                Segment::Secret(Secret::from_bytes(b"supersecretvalue123")),
            ],
        };
        assert!(!c.render(false).contains("supersecretvalue123"));
        assert_eq!(c.render(true), "key = supersecretvalue123");
    }
}
