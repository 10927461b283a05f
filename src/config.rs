//! `.plainsight.toml`: the per-repository configuration.
//!
//! ```toml
//! disabled_rules = ["generic-password-assignment"]
//! max_file_size = 10_000_000
//! report_public_identifiers = false   # true: also report publishable keys, as notes
//!
//! [allowlist]
//! paths = ["vendor/**", "**/testdata/**"]
//!
//! [[rules]]                           # extra rules, same format as rules/*.toml
//! id = "acme-internal-token"
//! ...
//! ```
//!
//! Parsed strictly: an unknown key, a wrong type or a disabled rule id that does not exist
//! is an error naming the file, line and key, because a typo here would otherwise silently
//! turn detection off.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{from_toml, line_of, Error, Result, SpecLocation};
use crate::rules::{self, spec::RuleSpec, Rule, RuleSet, Severity};

/// The config file name looked for in the scan root.
pub const CONFIG_FILE: &str = ".plainsight.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSpec {
    #[serde(default)]
    disabled_rules: Vec<Spanned<String>>,
    #[serde(default)]
    max_file_size: Option<u64>,
    #[serde(default)]
    report_public_identifiers: bool,
    #[serde(default)]
    allowlist: AllowlistSpec,
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowlistSpec {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
}

/// A loaded, validated configuration.
#[derive(Debug, Default)]
pub struct Config {
    /// Where it came from (for messages), if from a file.
    pub file: Option<String>,
    /// Rule ids to turn off.
    pub disabled_rules: Vec<String>,
    /// Files larger than this are skipped.
    pub max_file_size: Option<u64>,
    /// Run public-identifier rules too, reporting at `note`.
    pub report_public_identifiers: bool,
    /// Relative path globs never read.
    pub allow_paths: Vec<String>,
    /// Extra rules.
    pub rules: Vec<Rule>,
    disabled_at: Vec<(String, usize)>,
}

impl Config {
    /// Read and validate a config file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::read::read_user_file(path, crate::read::SMALL_FILE_LIMIT)?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// Parse config text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let spec: ConfigSpec = toml::from_str(text).map_err(|e| from_toml(file, text, &e))?;
        for g in &spec.allowlist.paths {
            if let Err(e) = globset::Glob::new(g.get_ref()) {
                return Err(Error::Spec {
                    at: SpecLocation {
                        file: file.into(),
                        line: line_of(text, g.span().start),
                        key: "allowlist.paths".into(),
                    },
                    message: e.to_string(),
                });
            }
        }
        Ok(Config {
            file: Some(file.to_string()),
            disabled_at: spec
                .disabled_rules
                .iter()
                .map(|d| (d.get_ref().clone(), line_of(text, d.span().start)))
                .collect(),
            disabled_rules: spec
                .disabled_rules
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            max_file_size: spec.max_file_size,
            report_public_identifiers: spec.report_public_identifiers,
            allow_paths: spec
                .allowlist
                .paths
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            rules: rules::compile_all(file, text, spec.rules)?,
        })
    }

    /// The rule set this config asks for on top of `builtin`, with each rule's severity.
    /// The config's own rules move into the set.
    pub fn rule_set(&mut self, builtin: Vec<Rule>) -> Result<RuleSet> {
        let mut all = builtin;
        all.append(&mut self.rules);
        for (id, line) in &self.disabled_at {
            if !all.iter().any(|r| &r.info.id == id) {
                return Err(Error::Spec {
                    at: SpecLocation {
                        file: self.file.clone().unwrap_or_default(),
                        line: *line,
                        key: "disabled_rules".into(),
                    },
                    message: format!("no rule has the id `{id}` (see `plainsight rules list`)"),
                });
            }
        }
        let public = self.report_public_identifiers;
        all.retain(|r| {
            !self.disabled_rules.contains(&r.info.id) && (public || !r.info.public_identifier)
        });
        // Public identifiers, when asked for, are notes: they are not secrets.
        for r in all.iter_mut().filter(|r| r.info.public_identifier) {
            std::sync::Arc::make_mut(&mut r.info).severity = Severity::Note;
        }
        RuleSet::new(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_wrong_types_name_line_and_key() {
        let e = Config::parse("c.toml", "disabled_rules = []\nmax_file_sise = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2: key `max_file_sise`"), "{e}");
        let e = Config::parse("c.toml", "\nmax_file_size = \"big\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2: key `max_file_size`"), "{e}");
        let e = Config::parse("c.toml", "[allowlist]\npaths = [\"a/{b\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2: key `allowlist.paths`"), "{e}");
    }

    #[test]
    fn disabled_rule_must_exist() {
        let mut c = Config::parse("c.toml", "\n\ndisabled_rules = [\"no-such-rule\"]\n").unwrap();
        let e = c.rule_set(Vec::new()).unwrap_err().to_string();
        assert!(e.starts_with("c.toml:3: key `disabled_rules`"), "{e}");
    }
}
