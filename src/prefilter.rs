//! One Aho-Corasick automaton over every rule's keywords: the cheap pass that decides
//! which rules' regexes run on a file at all.
//!
//! Most files contain none of the keywords, so most files never reach a regex. Keywords
//! are matched ASCII-case-insensitively over raw bytes (no lowercase copy of the file),
//! and each distinct keyword maps to the rules that listed it. Where each keyword
//! occurred is kept too, so the matcher can run a rule's regex only around its keywords.
//!
//! The automaton is walked by hand rather than through `find_overlapping_iter`: one
//! walk of a DFA is bound by the latency of each transition's load, which depends on
//! the one before. Splitting a text into [`LANES`] stretches and stepping one state per
//! stretch in the same loop lets the CPU overlap those loads, which makes the pass
//! about twice as fast without any `unsafe` or CPU-specific code.

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa::contiguous, Anchored, MatchKind};

use crate::error::{Error, Result};

/// The keyword automaton and its keyword → rules index.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Keywords,
    /// For each automaton pattern, the rules (by index) that listed it.
    pattern_rules: Vec<Vec<usize>>,
    /// For each automaton pattern, its length in bytes.
    lengths: Vec<usize>,
    /// For each rule, its automaton patterns.
    rule_patterns: Vec<Vec<usize>>,
}

/// The keyword automaton: a DFA, or where the keywords are too many for one, the
/// smaller and slower contiguous NFA.
#[derive(Debug)]
enum Keywords {
    Dfa(dfa::DFA),
    Nfa(contiguous::NFA),
}

/// Stretches of a text walked at once; see the module docs. On the benchmark machine
/// two lanes were a third slower than four, and eight (too many states and cursors to
/// keep in registers) were as slow as two.
const LANES: usize = 4;
/// Texts shorter than this many bytes per lane are walked in one stretch: splitting
/// them saves less than the lanes' overlap costs.
const MIN_LANE: usize = 1 << 10;

/// Keyword occurrences recorded per text beyond this (or beyond a [`LANES`]th of it in
/// one lane) are not kept: the text is dense with keywords, and the matcher then runs
/// regexes over the whole text.
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
    complete: bool,
    rule_hit: Vec<bool>,
    rules: Vec<usize>,
    /// Per lane of the walk: (pattern, end) of each occurrence, in text order.
    lanes: [Vec<(usize, usize)>; LANES],
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
        for lane in &mut self.lanes {
            lane.clear();
            lane.shrink_to(KEPT_POSITIONS);
        }
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
        // No prefilter inside the automaton: with hundreds of keywords it would not
        // narrow anything, and it would make the start state special.
        let automaton = dfa::DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .map(Keywords::Dfa)
            .or_else(|_| {
                contiguous::NFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&patterns)
                    .map(Keywords::Nfa)
            })
            .map_err(|e| Error::Scan(format!("cannot build keyword automaton: {e}")))?;
        let mut rule_patterns = vec![Vec::new(); keywords.len()];
        for (p, rules) in pattern_rules.iter().enumerate() {
            for &r in rules {
                rule_patterns[r].push(p);
            }
        }
        Ok(Prefilter {
            automaton,
            lengths: patterns.iter().map(String::len).collect(),
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
        let Hits {
            seen_pattern: seen,
            touched,
            lanes,
            ..
        } = hits;
        let mut full = false;
        let mut found = |lane: usize, p: usize, end: usize| {
            if lanes[lane].len() < MAX_RECORDED / LANES {
                lanes[lane].push((p, end));
            } else {
                // Positions are incomplete now, so only which keywords occurred counts.
                full = true;
                if !std::mem::replace(&mut seen[p], true) {
                    touched.push(p);
                }
            }
        };
        match &self.automaton {
            Keywords::Dfa(a) => find_all(a, haystack, &mut found),
            Keywords::Nfa(a) => find_all(a, haystack, &mut found),
        }
        hits.complete = !full;
        for &(p, end) in hits.lanes.iter().flatten() {
            if hits.complete {
                hits.positions[p].push((end - self.lengths[p], end));
            }
            if !std::mem::replace(&mut hits.seen_pattern[p], true) {
                hits.touched.push(p);
            }
        }
        for &p in &hits.touched {
            for &r in &self.pattern_rules[p] {
                if !std::mem::replace(&mut hits.rule_hit[r], true) {
                    hits.rules.push(r);
                }
            }
        }
        hits.rules.sort_unstable();
    }
}

/// Walk automaton `a` over `text` and report each keyword occurrence as
/// `found(lane, pattern, end)`, in text order within each lane (by end, then in the
/// automaton's order, as `find_overlapping_iter` would): lane after lane, that is the
/// whole text's order.
///
/// Lane `k` owns ends in `k * chunk + 1 ..= (k + 1) * chunk` (the last lane also the
/// remainder). It starts `warm` bytes before that, from the start state: by then its
/// state is the one a walk from the text's start would have, because a state only
/// remembers the last `max_pattern_len` bytes at most.
fn find_all<A: Automaton>(a: &A, text: &[u8], found: &mut impl FnMut(usize, usize, usize)) {
    let Ok(start) = a.start_state(Anchored::No) else {
        return;
    };
    let warm = a.max_pattern_len().saturating_sub(1);
    let chunk = text.len() / LANES;
    let mut report = |lane: usize, sid, end| {
        if a.is_match(sid) {
            for i in 0..a.match_len(sid) {
                found(lane, a.match_pattern(sid, i).as_usize(), end);
            }
        }
    };
    if chunk < MIN_LANE.max(warm) {
        let mut s = start;
        for (i, &b) in text.iter().enumerate() {
            s = a.next_state(Anchored::No, s, b);
            if a.is_special(s) {
                report(0, s, i + 1);
            }
        }
        return;
    }
    let span = chunk + warm;
    // Lane 0 has no warm-up; it reads `warm` bytes past its stretch to keep the lanes
    // in step, and reports nothing there.
    let from = |k: usize| if k == 0 { 0 } else { k * chunk - warm };
    let (x0, x1, x2, x3) = (
        &text[from(0)..][..span],
        &text[from(1)..][..span],
        &text[from(2)..][..span],
        &text[from(3)..][..span],
    );
    let (mut s0, mut s1, mut s2, mut s3) = (start, start, start, start);
    for (i, (((&b0, &b1), &b2), &b3)) in x0.iter().zip(x1).zip(x2).zip(x3).enumerate() {
        s0 = a.next_state(Anchored::No, s0, b0);
        s1 = a.next_state(Anchored::No, s1, b1);
        s2 = a.next_state(Anchored::No, s2, b2);
        s3 = a.next_state(Anchored::No, s3, b3);
        if a.is_special(s0) | a.is_special(s1) | a.is_special(s2) | a.is_special(s3) {
            if i < chunk {
                report(0, s0, i + 1);
            }
            if i >= warm {
                report(1, s1, from(1) + i + 1);
                report(2, s2, from(2) + i + 1);
                report(3, s3, from(3) + i + 1);
            }
        }
    }
    for (i, &b) in text.iter().enumerate().skip(from(3) + span) {
        s3 = a.next_state(Anchored::No, s3, b);
        if a.is_special(s3) {
            report(3, s3, i + 1);
        }
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

    /// Every (pattern, end) that `find_all` puts in the lanes, in lane order.
    fn lanes_of<A: Automaton>(a: &A, text: &[u8]) -> Vec<(usize, usize)> {
        let mut lanes: [Vec<(usize, usize)>; LANES] = Default::default();
        find_all(a, text, &mut |lane, p, end| lanes[lane].push((p, end)));
        lanes.concat()
    }

    /// What the lanes must hold: the crate's own overlapping search, in its order.
    fn overlapping(keywords: &[Vec<u8>], text: &[u8]) -> Vec<(usize, usize)> {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(keywords)
            .unwrap()
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.end()))
            .collect()
    }

    #[test]
    fn lanes_split_long_texts_and_find_keywords_across_their_seams() {
        let keywords = vec![b"needle".to_vec(), b"dle".to_vec()];
        let dfa = dfa::DFA::builder()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .unwrap();
        let len = LANES * MIN_LANE * 3 + 5;
        let chunk = len / LANES;
        // At each seam between stretches one keyword straddles it and one lies well
        // inside the stretch before; the last keyword ends in the remainder past the
        // last full stretch, which only the tail of the walk reads.
        let mut text = vec![b'.'; len];
        for k in 1..LANES {
            text[k * chunk - 3..][..6].copy_from_slice(b"NEEDLE");
            text[k * chunk - 100..][..6].copy_from_slice(b"needle");
        }
        text[len - 6..].copy_from_slice(b"needle");
        let found = lanes_of(&dfa, &text);
        assert_eq!(found.len(), 2 * (2 * (LANES - 1) + 1));
        assert_eq!(found, overlapping(&keywords, &text));
    }

    #[test]
    fn keyword_dense_texts_give_up_positions_but_not_rules() {
        let p = Prefilter::new(&[&kw(&["ab"]), &kw(&["zz"]), &kw(&["q"])]).unwrap();
        let mut hits = Hits::default();
        // More occurrences of `ab` than one lane keeps, then `zz` once, past them.
        let mut text = b"ab".repeat(MAX_RECORDED);
        text.extend_from_slice(b"zz");
        p.candidates(&text, &mut hits);
        assert_eq!(hits.rules(), &[0, 1]);
        assert_eq!(hits.positions(0), None);
        // The next text starts afresh.
        p.candidates(b"q ab", &mut hits);
        assert_eq!(hits.rules(), &[0, 2]);
        assert_eq!(hits.positions(0), Some(&[(2, 4)][..]));
        assert_eq!(hits.positions(1), Some(&[][..]));
    }

    proptest::proptest! {
        /// Both automata, walked in lanes, find exactly the occurrences the crate's
        /// overlapping search finds, in the same order, for texts short and long.
        #[test]
        fn lanes_equal_overlapping_search(
            keywords in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(b"abAB-".to_vec()), 1..7),
                1..6),
            text in proptest::collection::vec(
                proptest::sample::select(b"abAB-.".to_vec()), 0..(LANES * MIN_LANE * 2 + 300)),
        ) {
            let expected = overlapping(&keywords, &text);
            let dfa = dfa::DFA::builder().ascii_case_insensitive(true).build(&keywords).unwrap();
            proptest::prop_assert_eq!(&lanes_of(&dfa, &text), &expected);
            let nfa = contiguous::NFA::builder()
                .ascii_case_insensitive(true)
                .build(&keywords)
                .unwrap();
            proptest::prop_assert_eq!(&lanes_of(&nfa, &text), &expected);
        }
    }
}
