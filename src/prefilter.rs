//! One Aho-Corasick automaton over every rule's keywords: the cheap pass that decides
//! which rules' regexes run on a file at all.
//!
//! Most files contain none of the keywords, so most files never reach a regex. Keywords
//! are matched ASCII-case-insensitively over raw bytes (no lowercase copy of the file),
//! and each distinct keyword maps to the rules that listed it.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::error::{Error, Result};

/// The keyword automaton and its keyword → rules index.
#[derive(Debug)]
pub struct Prefilter {
    ac: AhoCorasick,
    /// For each automaton pattern, the rules (by index) that listed it.
    pattern_rules: Vec<Vec<usize>>,
    rule_count: usize,
}

/// Reusable per-thread state for [`Prefilter::candidates`].
#[derive(Debug, Default)]
pub struct Hits {
    seen_pattern: Vec<bool>,
    rule_hit: Vec<bool>,
    rules: Vec<usize>,
}

impl Hits {
    /// The rules whose keywords occurred, in ascending rule order.
    pub fn rules(&self) -> &[usize] {
        &self.rules
    }
}

impl Prefilter {
    /// Build the automaton; `keywords[i]` are rule `i`'s keywords.
    pub fn new(keywords: &[&[String]]) -> Result<Self> {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_rules: Vec<Vec<usize>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (rule, kws) in keywords.iter().enumerate() {
            for kw in kws.iter() {
                let key = kw.to_ascii_lowercase();
                let slot = *index.entry(key.clone()).or_insert_with(|| {
                    patterns.push(key);
                    pattern_rules.push(Vec::new());
                    patterns.len() - 1
                });
                if pattern_rules[slot].last() != Some(&rule) {
                    pattern_rules[slot].push(rule);
                }
            }
        }
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .or_else(|_| {
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&patterns)
            })
            .map_err(|e| Error::Scan(format!("cannot build keyword automaton: {e}")))?;
        Ok(Prefilter {
            ac,
            pattern_rules,
            rule_count: keywords.len(),
        })
    }

    /// Number of distinct keywords.
    pub fn keyword_count(&self) -> usize {
        self.pattern_rules.len()
    }

    /// Find the rules whose keywords occur in `haystack`; the result is in `hits`.
    pub fn candidates(&self, haystack: &[u8], hits: &mut Hits) {
        hits.seen_pattern.clear();
        hits.seen_pattern.resize(self.pattern_rules.len(), false);
        hits.rule_hit.clear();
        hits.rule_hit.resize(self.rule_count, false);
        hits.rules.clear();
        let mut unseen = self.pattern_rules.len();
        for m in self.ac.find_overlapping_iter(haystack) {
            let p = m.pattern().as_usize();
            if std::mem::replace(&mut hits.seen_pattern[p], true) {
                continue;
            }
            for &r in &self.pattern_rules[p] {
                if !std::mem::replace(&mut hits.rule_hit[r], true) {
                    hits.rules.push(r);
                }
            }
            unseen -= 1;
            if unseen == 0 {
                break;
            }
        }
        hits.rules.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn finds_rules_by_keyword_case_insensitively_and_overlapping() {
        let a = kw(&["sk-"]);
        let b = kw(&["sk-ant-", "anthropic"]);
        let c = kw(&["AKIA"]);
        let p = Prefilter::new(&[&a, &b, &c]).unwrap();
        assert_eq!(p.keyword_count(), 4);
        let mut hits = Hits::default();
        p.candidates(b"key = SK-ANT-api03-xyz", &mut hits);
        assert_eq!(hits.rules(), &[0, 1]);
        p.candidates(b"akiaXXXX", &mut hits);
        assert_eq!(hits.rules(), &[2]);
        p.candidates(b"nothing here", &mut hits);
        assert!(hits.rules().is_empty());
    }
}
