//! What the built-in rules cover, counted and grouped: the summary line under
//! `plainsight rules list` and the README's providers-by-category list. Both are computed
//! from the rules themselves, so neither can drift from what the binary detects (a test
//! holds README's copy to this output).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{Category, Rule};

/// How many rules and providers a rule list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    /// Every rule, public-identifier rules included.
    pub rules: usize,
    /// Distinct `provider` names.
    pub providers: usize,
    /// Rules that report public identifiers (off unless configured).
    pub public_identifier_rules: usize,
}

impl Coverage {
    /// Count `rules`.
    pub fn of(rules: &[Rule]) -> Self {
        let providers: BTreeSet<&str> = rules.iter().map(|r| r.info.provider.as_str()).collect();
        Coverage {
            rules: rules.len(),
            providers: providers.len(),
            public_identifier_rules: rules.iter().filter(|r| r.info.public_identifier).count(),
        }
    }
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rules for {} providers ({} public-identifier rules, off by default)",
            self.rules, self.providers, self.public_identifier_rules
        )
    }
}

/// The providers of `rules` grouped by category, as Markdown: the coverage line, then one
/// bullet per category (in [`Category::ALL`] order) listing its providers alphabetically
/// (case-insensitively), each once.
pub fn providers_markdown(rules: &[Rule]) -> String {
    let mut by_category: BTreeMap<Category, BTreeSet<(String, &str)>> = BTreeMap::new();
    for r in rules {
        let name = r.info.provider.as_str();
        by_category
            .entry(r.info.category)
            .or_default()
            .insert((name.to_lowercase(), name));
    }
    let mut out = format!("{}.\n\n", Coverage::of(rules));
    for category in Category::ALL {
        let Some(names) = by_category.get(category) else {
            continue;
        };
        let list: Vec<&str> = names.iter().map(|(_, name)| *name).collect();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "- **{category}** ({}): {}",
            list.len(),
            list.join(", ")
        );
    }
    out
}
