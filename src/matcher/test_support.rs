//! Rule sets and scans shared by the matcher's unit tests (and the suppression tests,
//! which need a matcher to see markers applied).

use super::{FileMatches, Matcher};
use crate::rules::RuleSet;

/// Two rules whose matches overlap: a very precise `demo_` token and a low-precision
/// `key = …` assignment that also matches `key = demo_…`.
pub(crate) fn demo_set() -> RuleSet {
    let toml = r#"
[[rules]]
id = "demo-token"
name = "Demo token"
provider = "Demo"
description = "A demo token for matcher tests."
severity = "error"
security_severity = 8.0
precision = "very-high"
keywords = ["demo_"]
regex = '(?P<secret>demo_[a-z0-9]{16})'
examples = ["demo_q8w3v7l2k9r4b6h1", "x demo_q8w3v7l2k9r4b6h2"]
negative_examples = ["demo_short"]

[[rules]]
id = "demo-generic"
name = "Demo generic"
# Not `Generic`: these tests compare narrowed searches with raw regex matches, which
# the generic detector's value judgement would thin out.
provider = "Demo"
description = "A generic assignment for matcher tests."
severity = "warning"
security_severity = 4.0
precision = "low"
keywords = ["key"]
regex = 'key = (?P<secret>[a-z0-9_]{16,})'
examples = ["key = q8w3v7l2k9r4b6h1zz", "key = q8w3v7l2k9r4b6h1yy"]
negative_examples = ["key = short"]
"#;
    RuleSet::new(crate::rules::parse("demo.toml", toml).unwrap()).unwrap()
}

/// Scan `text`; every narrowed search must have held all of its matches.
pub(crate) fn run(set: &RuleSet, text: &str) -> FileMatches {
    run_counted(set, text).0
}

/// [`run`], with how the searches went: companion searches, and ranges dropped for
/// lacking the rule's required run.
pub(crate) fn run_counted(set: &RuleSet, text: &str) -> (FileMatches, usize, usize) {
    let mut matcher = Matcher::new(set, 1000);
    let found = matcher.scan("t.txt", text.as_bytes());
    assert_eq!(matcher.fallbacks, 0, "a range missed a match's extent");
    (found, matcher.companion_searches, matcher.runless_ranges)
}

/// A rule set of one rule: `body` holds its keywords, regex, examples and more.
pub(crate) fn one_rule(id: &str, body: &str) -> RuleSet {
    let toml = format!(
        "[[rules]]\nid = \"{id}\"\nname = \"Demo\"\nprovider = \"Demo\"\n\
             description = \"A rule for matcher tests.\"\nseverity = \"error\"\n\
             security_severity = 8.0\nprecision = \"medium\"\n{body}"
    );
    RuleSet::new(crate::rules::parse("demo.toml", &toml).unwrap()).unwrap()
}

/// The secrets the matcher reports, in order.
pub(crate) fn secrets(m: &FileMatches) -> Vec<String> {
    m.findings
        .iter()
        .map(|f| f.secret.expose().to_string())
        .collect()
}

/// The `secret` groups of rule `ri`'s regex over the whole text: what any narrowed
/// search must find too.
pub(crate) fn whole_text_secrets(set: &RuleSet, ri: usize, text: &str) -> Vec<String> {
    set.rules()[ri]
        .regex
        .get()
        .unwrap()
        .captures_iter(text.as_bytes())
        .map(|c| text[c.get_group_by_name("secret").unwrap().range()].to_string())
        .collect()
}

/// Pseudo-random strings of `alphabet` (a fixed LCG, so tests are repeatable).
pub(crate) fn bodies(mut seed: u64, alphabet: &'static [u8]) -> impl FnMut(usize) -> String {
    move |n| {
        (0..n)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                char::from(alphabet[(seed >> 33) as usize % alphabet.len()])
            })
            .collect()
    }
}
