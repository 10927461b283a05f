//! The rule files shipped inside the binary (embedded by `build.rs`).

use super::{parse, Rule};
use crate::error::Result;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Parse every built-in rule file, public-identifier rules included.
pub fn load() -> Result<Vec<Rule>> {
    let mut rules = Vec::new();
    for (name, text) in FILES {
        rules.extend(parse(name, text)?);
    }
    Ok(rules)
}
