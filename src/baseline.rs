//! Baselines: the findings a team has accepted, in a file it reviews and edits.
//!
//! ```json
//! {
//!   "version": 1,
//!   "entries": [
//!     {"path": "config/.env", "rule_id": "aws-access-key-id",
//!      "fingerprint": "ae50…", "reason": "rotated 2025-11, test account"}
//!   ]
//! }
//! ```
//!
//! An entry is keyed by the normalised path, the rule and a hash of the secret (the
//! finding's fingerprint, SHA-256 of rule and secret: never the secret), and holds no
//! line number: regenerating it on an unchanged tree gives the same bytes, moving lines
//! changes nothing, and the same key pasted into another file is a new finding, because
//! the path is part of the key. Entries are sorted so a diff of the file reads as what
//! changed. A `reason` is the team's; `update` keeps it.
//!
//! Entries imported from detect-secrets carry `secret_sha1` (detect-secrets stores only
//! the SHA-1 of the secret it found) and no rule id: they match a finding of any rule in
//! the same file whose secret has that SHA-1.
//!
//! `--baseline` also still takes an old `--format json` report, whose fingerprints match
//! in any file.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::error::{Error, Result};
use crate::finding::{Finding, Fingerprint};
use crate::read::read_user_file;

/// The file `plainsight baseline` writes by default.
pub const BASELINE_FILE: &str = ".plainsight-baseline.json";
/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// A baseline may be an old whole JSON report, far larger than a config file.
const BASELINE_LIMIT: u64 = 4 << 30;

/// How an entry recognises the secret.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecretHash {
    /// plainsight's fingerprint (SHA-256 of rule id and secret).
    Fingerprint(Fingerprint),
    /// Lower-case hex SHA-1 of the secret alone (detect-secrets' `hashed_secret`).
    Sha1(String),
}

/// What an entry is keyed by: no line, so moved lines change nothing.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// Normalised path (`/`-separated, no leading `./`), as reports show it.
    pub path: String,
    /// The rule; `None` for imported entries that match any rule.
    pub rule_id: Option<String>,
    /// The secret's hash.
    pub hash: SecretHash,
}

impl Key {
    /// The key of a finding (by fingerprint).
    pub fn of(f: &Finding) -> Self {
        Key {
            path: normalise(&f.report_path()),
            rule_id: Some(f.rule.id.clone()),
            hash: SecretHash::Fingerprint(f.fingerprint.clone()),
        }
    }

    /// The SHA-1 key of a finding, which imported detect-secrets entries use.
    fn sha1_of(f: &Finding) -> Self {
        Key {
            path: normalise(&f.report_path()),
            rule_id: None,
            hash: SecretHash::Sha1(sha1_hex(f.secret.expose())),
        }
    }
}

/// Hex SHA-1 of `s`, as detect-secrets computes `hashed_secret`.
pub fn sha1_hex(s: &str) -> String {
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `/`-separated, without a leading `./`, so the same file keys the same on every OS.
pub fn normalise(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    version: u32,
    #[serde(default)]
    entries: Vec<EntrySpec>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrySpec {
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rule_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    secret_sha1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

/// A loaded baseline.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// Entries with their reasons, in file order (sorted).
    entries: BTreeMap<Key, Option<String>>,
    /// Fingerprints of an old JSON report: they match in any file.
    legacy: HashSet<Fingerprint>,
    /// Whether any entry is keyed by SHA-1 (then findings' SHA-1s are computed).
    has_sha1: bool,
}

impl Baseline {
    /// A baseline accepting exactly `findings`.
    pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Self {
        let mut b = Baseline::default();
        for f in findings {
            b.entries.insert(Key::of(f), None);
        }
        b
    }

    /// Add an entry (import).
    pub fn insert(&mut self, key: Key, reason: Option<String>) {
        self.has_sha1 |= matches!(key.hash, SecretHash::Sha1(_));
        self.entries.insert(key, reason);
    }

    /// Number of entries (old-report fingerprints included).
    pub fn len(&self) -> usize {
        self.entries.len() + self.legacy.len()
    }

    /// Whether it accepts nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries and their reasons, sorted.
    pub fn entries(&self) -> impl Iterator<Item = (&Key, Option<&str>)> {
        self.entries.iter().map(|(k, r)| (k, r.as_deref()))
    }

    /// Read a baseline file, or an old `--format json` report.
    pub fn load(path: &Path) -> Result<Self> {
        let text = read_user_file(path, BASELINE_LIMIT)?;
        Self::parse(path, &text)
    }

    /// Parse either format; `path` names the file in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let bad = |message: String| Error::Baseline {
            path: path.to_path_buf(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if value.get("findings").is_some() {
            return Ok(Baseline {
                legacy: legacy_fingerprints(&value).map_err(bad)?,
                ..Baseline::default()
            });
        }
        let spec: FileSpec = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        if spec.version != FORMAT_VERSION {
            return Err(bad(format!(
                "version {} is not supported (this plainsight reads version {FORMAT_VERSION})",
                spec.version
            )));
        }
        let mut b = Baseline::default();
        for (i, e) in spec.entries.into_iter().enumerate() {
            let hash = match (e.fingerprint, e.secret_sha1) {
                (Some(fp), None) => {
                    SecretHash::Fingerprint(Fingerprint::parse(&fp).ok_or_else(|| {
                        bad(format!("entries[{i}].fingerprint is not 64 hex digits"))
                    })?)
                }
                (None, Some(h)) if h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    SecretHash::Sha1(h.to_ascii_lowercase())
                }
                (None, Some(_)) => {
                    return Err(bad(format!(
                        "entries[{i}].secret_sha1 is not 40 hex digits"
                    )))
                }
                _ => {
                    return Err(bad(format!(
                        "entries[{i}] needs exactly one of `fingerprint` and `secret_sha1`"
                    )))
                }
            };
            if matches!(hash, SecretHash::Fingerprint(_)) && e.rule_id.is_none() {
                return Err(bad(format!(
                    "entries[{i}] has a fingerprint but no `rule_id`"
                )));
            }
            b.insert(
                Key {
                    path: normalise(&e.path),
                    rule_id: e.rule_id,
                    hash,
                },
                e.reason,
            );
        }
        Ok(b)
    }

    /// The file's text: version 1, entries sorted, two-space indented, one final newline.
    pub fn to_json(&self) -> String {
        let spec = FileSpec {
            version: FORMAT_VERSION,
            entries: self
                .entries
                .iter()
                .map(|(k, reason)| {
                    let (fingerprint, secret_sha1) = match &k.hash {
                        SecretHash::Fingerprint(fp) => (Some(fp.as_str().to_string()), None),
                        SecretHash::Sha1(h) => (None, Some(h.clone())),
                    };
                    EntrySpec {
                        path: k.path.clone(),
                        rule_id: k.rule_id.clone(),
                        fingerprint,
                        secret_sha1,
                        reason: reason.clone(),
                    }
                })
                .collect(),
        };
        // Strings and integers only: serialising cannot fail.
        let mut s = serde_json::to_string_pretty(&spec).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Whether `f` is accepted.
    pub fn contains(&self, f: &Finding) -> bool {
        self.legacy.contains(&f.fingerprint)
            || self.entries.contains_key(&Key::of(f))
            || (self.has_sha1 && self.entries.contains_key(&Key::sha1_of(f)))
    }

    /// Add every finding not yet accepted, keeping existing entries and their reasons;
    /// returns how many were added.
    pub fn update<'a>(&mut self, findings: impl IntoIterator<Item = &'a Finding>) -> usize {
        let mut added = 0;
        for f in findings {
            if !self.contains(f) {
                self.entries.insert(Key::of(f), None);
                added += 1;
            }
        }
        added
    }

    /// Drop entries no finding matches any more; returns how many were dropped.
    /// Old-report fingerprints are kept (they carry no path to judge by).
    pub fn prune<'a>(&mut self, findings: impl IntoIterator<Item = &'a Finding>) -> usize {
        let mut present = HashSet::new();
        for f in findings {
            present.insert(Key::of(f));
            if self.has_sha1 {
                present.insert(Key::sha1_of(f));
            }
        }
        let before = self.entries.len();
        self.entries.retain(|k, _| present.contains(k));
        before - self.entries.len()
    }
}

/// The fingerprints of an old `--format json` report.
fn legacy_fingerprints(
    value: &serde_json::Value,
) -> std::result::Result<HashSet<Fingerprint>, String> {
    let findings = value
        .get("findings")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| "no `findings` array".to_string())?;
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.get("fingerprint")
                .and_then(serde_json::Value::as_str)
                .and_then(Fingerprint::parse)
                .ok_or_else(|| format!("findings[{i}] has no valid `fingerprint`"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise_and_sha1_matches_detect_secrets() {
        assert_eq!(normalise("./a\\b/c"), "a/b/c");
        // detect-secrets' hashed_secret of "password"
        assert_eq!(
            sha1_hex("password"),
            "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"
        );
    }

    #[test]
    fn bad_entries_are_errors() {
        let p = Path::new("b.json");
        let e = Baseline::parse(p, r#"{"version": 2, "entries": []}"#).unwrap_err();
        assert!(e.to_string().contains("version 2"), "{e}");
        let e = Baseline::parse(p, r#"{"version": 1, "entries": [{"path": "a"}]}"#).unwrap_err();
        assert!(e.to_string().contains("exactly one"), "{e}");
        let e = Baseline::parse(p, r#"{"version": 1, "entries": [], "extra": 1}"#).unwrap_err();
        assert!(e.to_string().contains("extra"), "{e}");
    }
}
