//! The rule-file and `.plainsight.toml` parsers over arbitrary text: every input either
//! parses or is an error naming file, line and key; nothing panics, and compiling what
//! parses into a rule set (prefilter included) does not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight::{Config, RuleSet};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(rules) = plainsight::rules::parse("fuzz.toml", &text) {
        let _ = RuleSet::new(rules);
    }
    match Config::parse(".plainsight.toml", &text) {
        Ok(mut config) => {
            let _ = config.rule_set(Vec::new());
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty());
        }
    }
});
