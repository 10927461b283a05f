//! The rule file format as written on disk: plain serde types, parsed strictly.
//!
//! These types mirror the TOML one to one and keep spans (`Spanned`) on every field
//! that a later check can reject, so an error can name the file, line and key. They are
//! turned into compiled [`crate::rules::Rule`]s by [`crate::rules::compile`]; nothing
//! scans with a spec directly.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Category, CredentialKind, Precision, Severity};

/// One rule file: `[vendors."Name"]` tables, then any number of `[[rules]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Who holds the file's credentials, keyed by the name rules give as `provider`:
    /// written once per vendor rather than repeated on each of its rules.
    #[serde(default)]
    pub vendors: BTreeMap<String, Spanned<VendorSpec>>,
    /// The rules, in file order.
    #[serde(default)]
    pub rules: Vec<Spanned<RuleSpec>>,
}

/// One `[[rules]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable kebab-case id, never reused (`openai-project-key`).
    pub id: Spanned<String>,
    /// Human name (`OpenAI project API key`).
    pub name: String,
    /// Who issues the credential (`OpenAI`): the vendor, whose `[vendors."OpenAI"]`
    /// table in the same file says its category and where to rotate.
    pub provider: String,
    /// What the credential is (`secret-key`, `public-identifier`, `endpoint`…); required
    /// in rule files, `secret-key` (or `public-identifier`) by default in a config.
    #[serde(default)]
    pub kind: Option<Spanned<CredentialKind>>,
    /// Where to rotate or revoke this credential, when not the vendor's page.
    #[serde(default)]
    pub rotate: Option<Spanned<String>>,
    /// What the credential grants and why it matters.
    pub description: String,
    /// SARIF level of a finding.
    pub severity: Severity,
    /// GitHub's `security-severity`, 0.1 to 10.
    pub security_severity: Spanned<f64>,
    /// How sure a match is a real secret.
    pub precision: Precision,
    /// Literal strings, matched ASCII-case-insensitively, at least one of which occurs in
    /// every text the regex can match: the prefilter runs the regex only where one does.
    pub keywords: Spanned<Vec<String>>,
    /// The pattern; the named group `secret` is the credential itself. Required, except
    /// in a rule that recognises a file by its `structure` instead.
    #[serde(default)]
    pub regex: Option<Spanned<String>>,
    /// A binary file format the rule recognises by its bytes rather than by a regex
    /// (`pkcs12`, `jks`, `jceks`, `encrypted-blob`): keystores hold private keys but are
    /// binary, which the text pipeline would otherwise skip. See [`crate::keystore`].
    #[serde(default)]
    pub structure: Option<Spanned<String>>,
    /// Path globs a file must match for the rule to report in it: credential files known
    /// by name (`**/.pgpass`), whose lines mean nothing in any other file. A rule with
    /// paths may have no keywords; it then runs on every file its paths match.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// The path the rule's examples are scanned at (`example.txt` when not set); a rule
    /// with `paths` needs one they match.
    #[serde(default)]
    pub example_path: Option<String>,
    /// Minimum Shannon entropy of the secret, bits per character.
    #[serde(default)]
    pub entropy: Option<Spanned<f64>>,
    /// Matches that look right but are known not to be secrets.
    #[serde(default)]
    pub allowlist: AllowlistSpec,
    /// Another pattern that must occur within a few lines for the match to count (a bare
    /// 40-character AWS secret means nothing without an access key id near it).
    #[serde(default)]
    pub near: Option<NearSpec>,
    /// A pattern whose presence within a few lines means the match is something else (a
    /// Google API key inside a Firebase web config is a public identifier).
    #[serde(default)]
    pub not_near: Option<NearSpec>,
    /// Set to false for formats whose real values can look like placeholders.
    #[serde(default = "yes")]
    pub placeholder_check: bool,
    /// A checksum the format carries, checked before reporting.
    #[serde(default)]
    pub checksum: Option<Spanned<String>>,
    /// Public identifiers (publishable keys, project tokens) are not secrets: such rules
    /// run only when the config sets `report_public_identifiers`, and report as `note`.
    #[serde(default)]
    pub public_identifier: bool,
    /// Provider documentation of the format.
    #[serde(default)]
    pub references: Vec<String>,
    /// Texts that must each produce a finding of this rule.
    pub examples: Spanned<Vec<String>>,
    /// Texts that must not.
    pub negative_examples: Spanned<Vec<String>>,
}

fn yes() -> bool {
    true
}

/// `[rules.allowlist]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistSpec {
    /// Regexes tested against the secret.
    #[serde(default)]
    pub regexes: Vec<Spanned<String>>,
    /// Regexes tested against the whole match.
    #[serde(default)]
    pub match_regexes: Vec<Spanned<String>>,
    /// Substrings (case-insensitive) that mark a secret as a placeholder.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Path globs where this rule does not report.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
}

/// `[rules.near]` / `[rules.not_near]`: a pattern required (or forbidden) within `lines`
/// lines of the match.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearSpec {
    /// The companion pattern.
    pub regex: Spanned<String>,
    /// How many lines above or below the match it may be.
    #[serde(default = "three")]
    pub lines: usize,
}

fn three() -> usize {
    3
}

/// `[vendors."Name"]`: what the inventory says about one vendor.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorSpec {
    /// What the vendor does for the code that holds its credentials.
    pub category: Category,
    /// The vendor's documentation page for rotating or revoking its credentials.
    pub rotate: Spanned<String>,
}
