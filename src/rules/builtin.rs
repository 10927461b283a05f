//! The rule files shipped inside the binary (embedded by `build.rs`): credential rules
//! from `rules/*.toml`, and endpoint rules from `rules/endpoints/*.toml`, which only the
//! inventory loads so a scan's prefilter and matcher never see them.
//!
//! `build.rs` also parses each file and writes code that builds the parsed form
//! ([`Prepared`]), so loading runs only the checks that need no TOML or regex parsing;
//! a file that did not parse at build time is parsed here and its error reported.

use std::collections::BTreeMap;

use toml::Spanned;

use super::spec;
use super::{compile_file, parse_file, Category, CredentialKind, Precision, Rule, Severity};
use super::{Checked, VendorData};
use crate::error::{Error, Result, SpecLocation};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// One rule file as `build.rs` parsed it.
pub(super) struct Prepared {
    file: spec::RuleFile,
    /// Per rule, the capture index of its `secret` group; every pattern of the file
    /// passed the syntax check.
    secret_groups: Vec<usize>,
}

/// Load every built-in credential rule file, public-identifier rules included.
pub fn load() -> Result<Vec<Rule>> {
    load_files(FILES, FILES_PREPARED, FILES_RULES, false)
}

/// Load every built-in endpoint rule file (`kind = "endpoint"` rules only).
pub fn endpoints() -> Result<Vec<Rule>> {
    load_files(
        ENDPOINT_FILES,
        ENDPOINT_FILES_PREPARED,
        ENDPOINT_FILES_RULES,
        true,
    )
}

/// Load the built-in rule files by parsing their TOML and regex syntax at run time, as
/// a user's rule files are: what [`load`] must equal.
#[doc(hidden)]
pub fn load_parsed() -> Result<Vec<Rule>> {
    load_files(FILES, &[], FILES_RULES, false)
}

fn load_files(
    files: &[(&str, &str)],
    prepared: &[Option<fn() -> Prepared>],
    count: usize,
    endpoints: bool,
) -> Result<Vec<Rule>> {
    // Sized up front: grown by doubling, the table (a thousand rules of half a kilobyte)
    // was copied a dozen times and held twice its size.
    let mut rules = Vec::with_capacity(count);
    for (i, (name, text)) in files.iter().enumerate() {
        let file_rules = match prepared.get(i).copied().flatten() {
            Some(build) => {
                let Prepared {
                    file,
                    secret_groups,
                } = build();
                let checked = Checked::Prepared(&secret_groups);
                compile_file(name, text, file, checked, VendorData::Required)?
            }
            None => parse_file(name, text, VendorData::Required)?,
        };
        for rule in file_rules {
            if (rule.info.kind == CredentialKind::Endpoint) != endpoints {
                return Err(Error::Spec {
                    at: SpecLocation {
                        file: (*name).to_string(),
                        line: rule.info.line,
                        key: format!("{}.kind", rule.info.id),
                    },
                    message: "endpoint rules live in rules/endpoints/, and only they do".into(),
                });
            }
            rules.push(rule);
        }
    }
    Ok(rules)
}
