//! One Aho-Corasick automaton over every rule's keywords: the cheap pass that decides
//! which rules' regexes run on a file at all.
//!
//! Most files contain none of the keywords, so most files never reach a regex. Keywords
//! are matched ASCII-case-insensitively over raw bytes (no lowercase copy of the file),
//! and each distinct keyword maps to the rules that listed it. Where each keyword
//! occurred is kept too, so the matcher can run a rule's regex only around its keywords.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::error::{Error, Result};

/// The keyword automaton and its keyword → rules index.
#[derive(Debug)]
pub struct Prefilter {
    ac: AhoCorasick,
    /// For each automaton pattern, the rules (by index) that listed it.
    pattern_rules: Vec<Vec<usize>>,
    /// For each rule, its automaton patterns.
    rule_patterns: Vec<Vec<usize>>,
}

/// Keyword occurrences recorded per text beyond this are not kept (the text is dense
/// with keywords; the matcher then runs regexes over the whole text).
const MAX_RECORDED: usize = 1 << 18;
/// Room for this many positions per keyword is kept from one text to the next.
const KEPT_POSITIONS: usize = 1 << 10;

/// Reusable per-thread state for [`Prefilter::candidates`]. Clearing it costs what the
/// last text touched, not the number of keywords or rules.
#[derive(Debug, Default)]
pub struct Hits {
    seen_pattern: Vec<bool>,
    /// Patterns seen in the current text.
    touched: Vec<usize>,
    /// Per pattern: where it occurred (byte ranges), in text order.
    positions: Vec<Vec<(usize, usize)>>,
    recorded: usize,
    complete: bool,
    rule_hit: Vec<bool>,
    rules: Vec<usize>,
}

impl Hits {
    /// The rules whose keywords occurred, in ascending rule order.
    pub fn rules(&self) -> &[usize] {
        &self.rules
    }

    /// Where automaton pattern `p` occurred, or `None` if occurrences were not all
    /// recorded (too many) and callers must assume the keyword could be anywhere.
    pub fn positions(&self, p: usize) -> Option<&[(usize, usize)]> {
        if self.complete {
            self.positions.get(p).map(Vec::as_slice)
        } else {
            None
        }
    }

    fn reset(&mut self, patterns: usize, rules: usize) {
        for p in self.touched.drain(..) {
            self.seen_pattern[p] = false;
            let positions = &mut self.positions[p];
            positions.clear();
            // One large text's hits must not pin their memory for the rest of the scan.
            positions.shrink_to(KEPT_POSITIONS);
        }
        for r in self.rules.drain(..) {
            self.rule_hit[r] = false;
        }
        if self.seen_pattern.len() != patterns {
            self.seen_pattern = vec![false; patterns];
            self.positions = vec![Vec::new(); patterns];
        }
        if self.rule_hit.len() != rules {
            self.rule_hit = vec![false; rules];
        }
        self.recorded = 0;
        self.complete = true;
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
        let mut rule_patterns = vec![Vec::new(); keywords.len()];
        for (p, rules) in pattern_rules.iter().enumerate() {
            for &r in rules {
                rule_patterns[r].push(p);
            }
        }
        Ok(Prefilter {
            ac,
            pattern_rules,
            rule_patterns,
        })
    }

    /// Number of distinct keywords.
    pub fn keyword_count(&self) -> usize {
        self.pattern_rules.len()
    }

    /// The automaton patterns (keywords) of rule `r`.
    pub fn rule_patterns(&self, r: usize) -> &[usize] {
        self.rule_patterns.get(r).map_or(&[], Vec::as_slice)
    }

    /// Find the rules whose keywords occur in `haystack`, and where; the result is in
    /// `hits`.
    pub fn candidates(&self, haystack: &[u8], hits: &mut Hits) {
        hits.reset(self.pattern_rules.len(), self.rule_patterns.len());
        for m in self.ac.find_overlapping_iter(haystack) {
            let p = m.pattern().as_usize();
            if hits.complete {
                if hits.recorded == MAX_RECORDED {
                    hits.complete = false;
                } else {
                    hits.recorded += 1;
                    hits.positions[p].push((m.start(), m.end()));
                }
            }
            if std::mem::replace(&mut hits.seen_pattern[p], true) {
                continue;
            }
            hits.touched.push(p);
            for &r in &self.pattern_rules[p] {
                if !std::mem::replace(&mut hits.rule_hit[r], true) {
                    hits.rules.push(r);
                }
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
        assert_eq!(p.rule_patterns(1), &[1, 2]);
        p.candidates(b"nothing here", &mut hits);
        assert!(hits.rules().is_empty());
        p.candidates(b"sk-1 SK-ANT- sk-", &mut hits);
        assert_eq!(hits.rules(), &[0, 1]);
        assert_eq!(hits.positions(0), Some(&[(0, 3), (5, 8), (13, 16)][..]));
        assert_eq!(hits.positions(1), Some(&[(5, 12)][..]));
        assert_eq!(hits.positions(3), Some(&[][..]));
    }
}
