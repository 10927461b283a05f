//! One Aho-Corasick automaton over every rule's keywords: the cheap pass that decides
//! which rules' regexes run on a file at all.
//!
//! Most files contain none of the keywords, so most files never reach a regex. Keywords
//! are matched ASCII-case-insensitively over raw bytes (no lowercase copy of the file),
//! and each distinct keyword maps to the rules that listed it. Where each keyword
//! occurred is kept too, so the matcher can run a rule's regex only around its keywords.
//!
//! The automaton is walked by hand rather than through `find_overlapping_iter`, for two
//! reasons, both measured on the benchmark corpus:
//! - One walk of a DFA is bound by the latency of each transition's load, which depends
//!   on the one before. Splitting a text into [`LANES`] stretches and stepping one state
//!   per stretch in the same loop lets the CPU overlap those loads: the pass took half
//!   the time, with no `unsafe` or CPU-specific code.
//! - The crate's DFA gives `a` and `A` separate columns, and its table (1.8 MB for the
//!   built-in keywords of the time) did not fit in a core's L2 cache. [`Table`] gives
//!   both cases one column and every byte no keyword holds another single one: 0.8 MB
//!   then, and the walk took another quarter less time.
//!
//! The default rule set's table is built by `build.rs` and read from the binary (see
//! [`table`]); other rule sets build theirs at start-up.

use aho_corasick::automaton::Automaton;
use aho_corasick::automaton::StateID;
use aho_corasick::nfa::{contiguous, noncontiguous};
use aho_corasick::{Anchored, MatchKind};

use crate::error::{Error, Result};

mod table;

use table::{Table, TableView};

/// The built-in keywords' table, written by `build.rs` with [`Table::new`] and
/// [`TableView::to_rust`]: `PATTERNS` in pattern order, `SORTED` the same indices in
/// the order of their patterns, and `TABLE`.
mod prepared {
    use super::TableView;
    include!(concat!(env!("OUT_DIR"), "/prefilter_table.rs"));
}

/// The keyword automaton and its keyword → rules index.
#[derive(Debug)]
pub struct Prefilter {
    automaton: Keywords,
    /// For each automaton pattern, the rules (by index) that listed it.
    pattern_rules: Lists,
    /// For each automaton pattern, its length in bytes.
    lengths: Vec<usize>,
    /// For each rule, its automaton patterns.
    rule_patterns: Lists,
    /// For each mark (see [`Prefilter::new`]), its automaton pattern.
    marks: Vec<usize>,
}

/// The keyword automaton: the dense table prepared at build time, one built now, or
/// where the keywords are too many for one, the crate's smaller and slower contiguous
/// NFA.
#[derive(Debug)]
enum Keywords {
    Prepared(TableView<'static>),
    Table(Table),
    Nfa(contiguous::NFA),
}

/// The largest [`Table`] built, in transitions (4 bytes each): 64 MiB. The built-in
/// keywords need about 0.2 M.
const MAX_TABLE: usize = 16 << 20;

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
/// Room for this many occurrences (16 bytes each) is kept from one text to the next,
/// in each lane and in the grouped positions; a denser text's room is given back.
const KEPT_POSITIONS: usize = 1 << 14;

/// Reusable per-thread state for [`Prefilter::candidates`]. Clearing it costs what the
/// last text touched, not the number of keywords or rules.
#[derive(Debug, Default)]
pub struct Hits {
    /// Patterns seen in the current text.
    touched: Vec<usize>,
    /// Per pattern: while counting, `(0, count)` (a pattern is seen once its count is
    /// not 0); then its occurrences' range in `positions`.
    ranges: Vec<(usize, usize)>,
    /// Where each keyword occurred (byte ranges), grouped by pattern, in text order
    /// within each group. One buffer for all patterns, so the memory kept between
    /// texts does not grow with the number of keywords seen over a scan.
    positions: Vec<(usize, usize)>,
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
        if !self.complete {
            return None;
        }
        let &(from, to) = self.ranges.get(p)?;
        self.positions.get(from..to)
    }

    fn reset(&mut self, patterns: usize, rules: usize) {
        for p in self.touched.drain(..) {
            self.ranges[p] = (0, 0);
        }
        for r in self.rules.drain(..) {
            self.rule_hit[r] = false;
        }
        if self.ranges.len() != patterns {
            self.ranges = vec![(0, 0); patterns];
        }
        if self.rule_hit.len() != rules {
            self.rule_hit = vec![false; rules];
        }
        // One dense text's occurrences must not pin their memory for the whole scan.
        for buf in self.lanes.iter_mut().chain([&mut self.positions]) {
            buf.clear();
            buf.shrink_to(KEPT_POSITIONS);
        }
        self.complete = true;
    }
}

impl Prefilter {
    /// Build the automaton; `keywords[i]` are rule `i`'s keywords. `marks` are strings
    /// that no rule is run for but a later stage wants located (decoding's triggers,
    /// [`crate::decode::MARKS`]): found in the same pass, they cost no pass of their own.
    pub fn new(keywords: &[&[String]], marks: &[&str]) -> Result<Self> {
        Prefilter::with_table_limit(keywords, marks, MAX_TABLE)
    }

    /// [`Prefilter::new`], with a dense table only up to `max_table` transitions.
    fn with_table_limit(keywords: &[&[String]], marks: &[&str], max_table: usize) -> Result<Self> {
        if keywords.iter().copied().flatten().any(String::is_empty) {
            return Err(Error::Scan("a rule has an empty keyword".into()));
        }
        if marks.iter().any(|m| m.is_empty()) {
            return Err(Error::Scan("a prefilter mark is empty".into()));
        }
        let (automaton, lengths, numbered) = match prepared_numbering(keywords, marks) {
            Some(numbered) if prepared::TABLE.trans.len() <= max_table => {
                let lengths: Vec<usize> = prepared::PATTERNS.iter().map(|p| p.len()).collect();
                (Keywords::Prepared(prepared::TABLE), lengths, numbered)
            }
            _ => {
                let fold = |s: &str| s.to_ascii_lowercase();
                let keywords: Vec<Vec<String>> = keywords
                    .iter()
                    .map(|kws| kws.iter().map(|k| fold(k)).collect())
                    .collect();
                let marks: Vec<String> = marks.iter().map(|m| fold(m)).collect();
                let (patterns, numbered) = fresh_numbering(&keywords, &marks);
                let automaton = Keywords::new(&patterns, max_table)
                    .map_err(|e| Error::Scan(format!("cannot build keyword automaton: {e}")))?;
                (
                    automaton,
                    patterns.iter().map(|p| p.len()).collect(),
                    numbered,
                )
            }
        };
        let Numbered { rules, marks } = numbered;
        // Each rule's patterns, ascending and each once.
        let mut rule_patterns = Lists::default();
        let mut sorted = Vec::new();
        for patterns in rules.iter() {
            sorted.clear();
            sorted.extend_from_slice(patterns);
            sorted.sort_unstable();
            sorted.dedup();
            rule_patterns.push(sorted.iter().copied());
        }
        // Each pattern's rules, in rule order: counted, then placed.
        let mut counts = vec![0; lengths.len()];
        for &p in &rule_patterns.items {
            counts[p] += 1;
        }
        let mut pattern_rules = Lists::with_counts(&counts);
        let mut next = pattern_rules.starts.clone();
        for (rule, patterns) in rule_patterns.iter().enumerate() {
            for &p in patterns {
                pattern_rules.items[next[p]] = rule;
                next[p] += 1;
            }
        }
        Ok(Prefilter {
            automaton,
            lengths,
            pattern_rules,
            rule_patterns,
            marks,
        })
    }

    /// Whether the automaton is the table prepared at build time.
    pub fn is_prepared(&self) -> bool {
        matches!(self.automaton, Keywords::Prepared(_))
    }

    /// The automaton pattern of mark `i` (the `i`th of [`Prefilter::new`]'s `marks`),
    /// to look up in [`Hits::positions`].
    pub fn mark_pattern(&self, i: usize) -> Option<usize> {
        self.marks.get(i).copied()
    }

    /// Number of distinct keywords and marks.
    pub fn keyword_count(&self) -> usize {
        self.pattern_rules.len()
    }

    /// The automaton patterns (keywords) of rule `r`.
    pub fn rule_patterns(&self, r: usize) -> &[usize] {
        self.rule_patterns.get(r)
    }

    /// Find the rules whose keywords occur in `haystack`, and where; the result is in
    /// `hits`.
    pub fn candidates(&self, haystack: &[u8], hits: &mut Hits) {
        hits.reset(self.pattern_rules.len(), self.rule_patterns.len());
        let Hits {
            touched,
            ranges,
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
                count(ranges, touched, p);
            }
        };
        match &self.automaton {
            Keywords::Prepared(a) => find_all(a, haystack, &mut found),
            Keywords::Table(a) => find_all(&a.view(), haystack, &mut found),
            Keywords::Nfa(a) => find_all(a, haystack, &mut found),
        }
        hits.complete = !full;
        for &(p, _) in hits.lanes.iter().flatten() {
            count(&mut hits.ranges, &mut hits.touched, p);
        }
        if hits.complete {
            // Group the occurrences by pattern (a counting sort: the lanes are in text
            // order, so each group is too).
            let mut at = 0;
            for &p in &hits.touched {
                let count = hits.ranges[p].1;
                hits.ranges[p] = (at, at);
                at += count;
            }
            hits.positions.resize(at, (0, 0));
            for &(p, end) in hits.lanes.iter().flatten() {
                let next = &mut hits.ranges[p].1;
                hits.positions[*next] = (end - self.lengths[p], end);
                *next += 1;
            }
        }
        for &p in &hits.touched {
            for &r in self.pattern_rules.get(p) {
                if !std::mem::replace(&mut hits.rule_hit[r], true) {
                    hits.rules.push(r);
                }
            }
        }
        hits.rules.sort_unstable();
    }
}

/// Each rule's keywords and each mark as automaton patterns.
struct Numbered {
    rules: Lists,
    marks: Vec<usize>,
}

/// Lists of indices stored end to end, list `i` at `items[starts[i]..starts[i + 1]]`:
/// the thousands of short lists a rule set has (each rule's keywords, each keyword's
/// rules) in two allocations instead of one each, which start-up spent a fifth of its
/// instructions on.
#[derive(Debug)]
struct Lists {
    starts: Vec<usize>,
    items: Vec<usize>,
}

impl Default for Lists {
    fn default() -> Self {
        Lists {
            starts: vec![0],
            items: Vec::new(),
        }
    }
}

impl Lists {
    /// Lists of the given lengths, zero-filled, to be filled in place.
    fn with_counts(counts: &[usize]) -> Self {
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut at = 0;
        starts.push(at);
        for &c in counts {
            at += c;
            starts.push(at);
        }
        Lists {
            starts,
            items: vec![0; at],
        }
    }

    /// Append a list.
    fn push(&mut self, items: impl IntoIterator<Item = usize>) {
        self.items.extend(items);
        self.starts.push(self.items.len());
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// List `i`; empty past the end.
    fn get(&self, i: usize) -> &[usize] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&from), Some(&to)) => self.items.get(from..to).unwrap_or(&[]),
            _ => &[],
        }
    }

    fn iter(&self) -> impl Iterator<Item = &[usize]> {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// `keywords` and `marks` numbered as the prepared table numbers them (which holds them
/// folded to lowercase), if it holds every one and they use most of it: a much smaller
/// rule set (a config with its own rules only) walks a table of its own faster, and
/// builds it in no time.
fn prepared_numbering(keywords: &[&[String]], marks: &[&str]) -> Option<Numbered> {
    let mut folded = String::new();
    let mut id = |k: &str| {
        let k = if k.bytes().any(|b| b.is_ascii_uppercase()) {
            folded.clear();
            folded.push_str(k);
            folded.make_ascii_lowercase();
            folded.as_str()
        } else {
            k
        };
        let i = prepared::SORTED
            .binary_search_by_key(&k, |&(p, _)| p)
            .ok()?;
        prepared::SORTED.get(i).map(|&(_, id)| id as usize)
    };
    let mut rules = Lists::default();
    for kws in keywords {
        for k in kws.iter() {
            rules.items.push(id(k)?);
        }
        rules.starts.push(rules.items.len());
    }
    let marks = marks.iter().map(|m| id(m)).collect::<Option<Vec<_>>>()?;
    let mut used = vec![false; prepared::PATTERNS.len()];
    for &p in rules.items.iter().chain(&marks) {
        used[p] = true;
    }
    let used = used.iter().filter(|&&u| u).count();
    (used * 4 >= prepared::PATTERNS.len() * 3).then_some(Numbered { rules, marks })
}

/// `keywords` and `marks` (folded to lowercase) numbered in order of first use, and
/// the distinct patterns in that order.
fn fresh_numbering<'a>(
    keywords: &'a [Vec<String>],
    marks: &'a [String],
) -> (Vec<&'a str>, Numbered) {
    let mut patterns: Vec<&str> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut id = |k: &'a String| {
        *index.entry(k.as_str()).or_insert_with(|| {
            patterns.push(k.as_str());
            patterns.len() - 1
        })
    };
    let mut rules = Lists::default();
    for kws in keywords {
        rules.push(kws.iter().map(&mut id));
    }
    let marks = marks.iter().map(&mut id).collect();
    (patterns, Numbered { rules, marks })
}

/// Count one occurrence of pattern `p`, noting it as seen the first time.
fn count(ranges: &mut [(usize, usize)], touched: &mut Vec<usize>, p: usize) {
    if ranges[p].1 == 0 {
        touched.push(p);
    }
    ranges[p].1 += 1;
}

impl Keywords {
    fn new(
        patterns: &[&str],
        max_table: usize,
    ) -> std::result::Result<Self, aho_corasick::BuildError> {
        if let Some(table) = Table::new(patterns, max_table) {
            return Ok(Keywords::Table(table));
        }
        // No prefilter inside the automata: with hundreds of keywords it would not
        // narrow anything.
        let nfa = noncontiguous::NFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(patterns)?;
        contiguous::Builder::new()
            .prefilter(false)
            .build_from_noncontiguous(&nfa)
            .map(Keywords::Nfa)
    }
}

/// What [`find_all`] needs of an automaton.
trait Walk {
    type State: Copy;
    fn start(&self) -> Option<Self::State>;
    fn next(&self, s: Self::State, byte: u8) -> Self::State;
    /// True for states where a keyword ends; the walk asks for every byte.
    fn is_match(&self, s: Self::State) -> bool;
    /// The keywords ending in match state `s`, in the automaton's order.
    fn matches(&self, s: Self::State, found: impl FnMut(usize));
    fn max_len(&self) -> usize;
}

impl Walk for TableView<'_> {
    type State = u32;

    fn start(&self) -> Option<u32> {
        Some(self.start)
    }

    #[inline(always)]
    fn next(&self, s: u32, byte: u8) -> u32 {
        let at = s + u32::from(self.classes[usize::from(byte)]);
        self.trans[at as usize]
    }

    #[inline(always)]
    fn is_match(&self, s: u32) -> bool {
        s >= self.first_match
    }

    fn matches(&self, s: u32, found: impl FnMut(usize)) {
        let i = ((s - self.first_match) / self.stride) as usize;
        if let Some(&(from, to)) = self.match_ranges.get(i) {
            self.matched[from..to].iter().copied().for_each(found);
        }
    }

    fn max_len(&self) -> usize {
        self.max_len
    }
}

impl Walk for contiguous::NFA {
    type State = StateID;

    fn start(&self) -> Option<StateID> {
        self.start_state(Anchored::No).ok()
    }

    #[inline(always)]
    fn next(&self, s: StateID, byte: u8) -> StateID {
        self.next_state(Anchored::No, s, byte)
    }

    #[inline(always)]
    fn is_match(&self, s: StateID) -> bool {
        self.is_special(s) && Automaton::is_match(self, s)
    }

    fn matches(&self, s: StateID, found: impl FnMut(usize)) {
        (0..self.match_len(s))
            .map(|i| self.match_pattern(s, i).as_usize())
            .for_each(found);
    }

    fn max_len(&self) -> usize {
        self.max_pattern_len()
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
fn find_all<A: Walk>(a: &A, text: &[u8], found: &mut impl FnMut(usize, usize, usize)) {
    let Some(start) = a.start() else {
        return;
    };
    let warm = a.max_len().saturating_sub(1);
    let chunk = text.len() / LANES;
    let mut report = |lane: usize, s, end| a.matches(s, |p| found(lane, p, end));
    if chunk < MIN_LANE.max(warm) {
        let mut s = start;
        for (i, &b) in text.iter().enumerate() {
            s = a.next(s, b);
            if a.is_match(s) {
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
        s0 = a.next(s0, b0);
        s1 = a.next(s1, b1);
        s2 = a.next(s2, b2);
        s3 = a.next(s3, b3);
        if a.is_match(s0) | a.is_match(s1) | a.is_match(s2) | a.is_match(s3) {
            if i < chunk && a.is_match(s0) {
                report(0, s0, i + 1);
            }
            if i >= warm {
                for (lane, s) in [(1, s1), (2, s2), (3, s3)] {
                    if a.is_match(s) {
                        report(lane, s, from(lane) + i + 1);
                    }
                }
            }
        }
    }
    for (i, &b) in text.iter().enumerate().skip(from(3) + span) {
        s3 = a.next(s3, b);
        if a.is_match(s3) {
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
        let table = Prefilter::new(&[&a, &b, &c], &[]).unwrap();
        assert!(matches!(table.automaton, Keywords::Table(_)));
        // Keywords too many for a table get the crate's NFA, with the same results.
        let nfa = Prefilter::with_table_limit(&[&a, &b, &c], &[], 10).unwrap();
        assert!(matches!(nfa.automaton, Keywords::Nfa(_)));
        for p in [table, nfa] {
            finds_rules_in(&p);
        }
        assert!(Prefilter::new(&[&kw(&["sk-", ""])], &[]).is_err());
        // No rules at all (a configuration can disable every one): nothing is a candidate.
        let none = Prefilter::new(&[], &[]).unwrap();
        let mut hits = Hits::default();
        none.candidates(&b"sk-ant- akia ".repeat(2000), &mut hits);
        assert!(hits.rules().is_empty());
    }

    /// The table `build.rs` wrote is the one [`Table::new`] builds from its patterns,
    /// and its numbering serves the rule sets it was made for, not small ones.
    #[test]
    fn the_prepared_table_is_the_table_of_its_patterns() {
        let built = Table::new(prepared::PATTERNS, MAX_TABLE).unwrap();
        assert_eq!(built.view(), prepared::TABLE);
        let mut sorted: Vec<&str> = prepared::SORTED.iter().map(|&(p, _)| p).collect();
        sorted.dedup();
        assert_eq!(sorted.len(), prepared::PATTERNS.len());
        for &(p, id) in prepared::SORTED {
            assert_eq!(prepared::PATTERNS[id as usize], p);
        }
        // Every pattern as one rule's keyword, upper case, marks aside: the prepared
        // table serves; the first four alone do not.
        let all: Vec<String> = prepared::PATTERNS
            .iter()
            .map(|p| p.to_uppercase())
            .collect();
        let p = Prefilter::new(&[&all], &[]).unwrap();
        assert!(p.is_prepared());
        assert_eq!(p.rule_patterns(0).len(), prepared::PATTERNS.len());
        let few = Prefilter::new(&[&all[..4]], &[]).unwrap();
        assert!(!few.is_prepared());
        assert!(!Prefilter::with_table_limit(&[&all], &[], 10)
            .unwrap()
            .is_prepared());
        // Both find the same rules and positions.
        let text = format!("x {} y {}", all[0], prepared::PATTERNS[2]);
        let (mut a, mut b) = (Hits::default(), Hits::default());
        p.candidates(text.as_bytes(), &mut a);
        few.candidates(text.as_bytes(), &mut b);
        assert_eq!(a.rules(), b.rules());
        assert_eq!(a.rules(), &[0]);
        assert_eq!(a.positions(0), b.positions(0));
        assert!(a.positions(0).is_some_and(|p| !p.is_empty()));
    }

    #[test]
    fn marks_are_located_in_the_same_pass_and_run_no_rule() {
        // A mark may also be a rule's keyword: one pattern serves both.
        let p = Prefilter::new(&[&kw(&["token"]), &kw(&["%3a"])], &["\\u", "%3A"]).unwrap();
        let (u, colon) = (p.mark_pattern(0).unwrap(), p.mark_pattern(1).unwrap());
        assert_eq!(p.mark_pattern(2), None);
        assert_eq!(colon, p.rule_patterns(1)[0]);
        let mut hits = Hits::default();
        p.candidates(br#"s = "\u0067hp" \U00"#, &mut hits);
        assert!(hits.rules().is_empty());
        assert_eq!(hits.positions(u), Some(&[(5, 7), (15, 17)][..]));
        p.candidates(b"t=token%3Aghp", &mut hits);
        assert_eq!(hits.rules(), &[0, 1]);
        assert_eq!(hits.positions(colon), Some(&[(7, 10)][..]));
        assert!(Prefilter::new(&[], &[""]).is_err());
    }

    fn finds_rules_in(p: &Prefilter) {
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
    fn lanes_of<A: Walk>(a: &A, text: &[u8]) -> Vec<(usize, usize)> {
        let mut lanes: [Vec<(usize, usize)>; LANES] = Default::default();
        find_all(a, text, &mut |lane, p, end| lanes[lane].push((p, end)));
        lanes.concat()
    }

    fn table(keywords: &[Vec<u8>]) -> Table {
        Table::new(keywords, MAX_TABLE).unwrap()
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
        let table = table(&keywords);
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
        let found = lanes_of(&table.view(), &text);
        assert_eq!(found.len(), 2 * (2 * (LANES - 1) + 1));
        assert_eq!(found, overlapping(&keywords, &text));
    }

    #[test]
    fn keyword_dense_texts_give_up_positions_but_not_rules() {
        let p = Prefilter::new(&[&kw(&["ab"]), &kw(&["zz"]), &kw(&["q"])], &[]).unwrap();
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
            proptest::prop_assert_eq!(&lanes_of(&table(&keywords).view(), &text), &expected);
            let nfa = contiguous::NFA::builder()
                .ascii_case_insensitive(true)
                .build(&keywords)
                .unwrap();
            proptest::prop_assert_eq!(&lanes_of(&nfa, &text), &expected);
        }
    }
}
