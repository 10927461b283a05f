//! The rule files shipped inside the binary (embedded by `build.rs`): credential rules
//! from `rules/*.toml`, and endpoint rules from `rules/endpoints/*.toml`, which only the
//! inventory loads so a scan's prefilter and matcher never see them.

use super::{parse_file, CredentialKind, Rule, VendorData};
use crate::error::{Error, Result, SpecLocation};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Parse every built-in credential rule file, public-identifier rules included.
pub fn load() -> Result<Vec<Rule>> {
    load_files(FILES, false)
}

/// Parse every built-in endpoint rule file (`kind = "endpoint"` rules only).
pub fn endpoints() -> Result<Vec<Rule>> {
    load_files(ENDPOINT_FILES, true)
}

fn load_files(files: &[(&str, &str)], endpoints: bool) -> Result<Vec<Rule>> {
    let mut rules = Vec::new();
    for (name, text) in files {
        for rule in parse_file(name, text, VendorData::Required)? {
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
