//! How loud a finding is and how sure its rule is: closed sets that rule files name and
//! every output prints. Their own module, free of the rest of the crate, so that
//! `build.rs` can parse the built-in rule files with these very types.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How loudly a finding is reported (SARIF `level`). Ordered: `Note < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; public identifiers and weak signals.
    Note,
    /// Probably a secret, from a generic pattern.
    Warning,
    /// A credential in a documented provider format.
    Error,
}

impl Severity {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How likely a match of the rule is a real secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// Shape alone says little; context and entropy carry the rule.
    Low,
    /// Generic but constrained.
    Medium,
    /// A distinctive format.
    High,
    /// A unique prefix or a checksum: practically never wrong.
    VeryHigh,
}

impl Precision {
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Low => "low",
            Precision::Medium => "medium",
            Precision::High => "high",
            Precision::VeryHigh => "very-high",
        }
    }
}
