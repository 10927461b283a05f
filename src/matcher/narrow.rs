//! Search narrowing: the byte ranges of a text that a rule's regex must search so that
//! it still finds every match that can become a finding.
//!
//! Running every candidate rule's regex over the whole text would cost one pass per
//! rule. Most rules can say where their matches must lie, so each search is narrowed,
//! trying in turn:
//!
//! 1. keyword ranges: each keyword hit widened by the rule's longest match, or its
//!    whole line for single-line rules ([`keyword_ranges`]);
//! 2. near ranges: the neighbourhood (the lines within `n`) of each `near` companion
//!    match, widened the same way ([`near_ranges`]);
//! 3. literal ranges: around each occurrence of a string every match holds
//!    ([`literal_ranges`]);
//! 4. run ranges: around each run of the bytes every match must hold ([`run_ranges`]).
//!
//! Ranges that cannot hold the rule's required run or string are dropped unsearched
//! ([`drop_ranges_lacking`]). A set of ranges covering over half of the text is given
//! up for one whole-text pass, and so is a narrowing that turns out wrong (a match
//! running past a range's end): the caller then searches wider, so a wrong range costs
//! time, never a finding.

use regex_automata::meta::Regex;
use regex_automata::Input;

use super::cache::RegexRun;
use super::lines::{line_end_at, line_start_at, LineIndex};
use super::{Candidate, Matcher, Offer};
use crate::prefilter::Hits;
use crate::rules::{Plan, RequiredLiteral, RequiredRun, RuleSet};

/// Bytes past a range's end the regex may look at (`\b`, `$`): context, never matched.
const LOOKAHEAD: usize = 8;

/// Where a rule's regex must search a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// Nowhere: nothing can match (no required run, no `near` companion).
    Nothing,
    /// Only the ranges written out. With `every_match`, every match lies in one of
    /// them, so a match running past a range's end means the range was wrong. Without,
    /// only the matches that can become findings do (`near` ranges), and one running
    /// past a range's end starts beyond them.
    Ranges { every_match: bool },
    /// The whole text (no such guarantee, or ranges would cover half of it).
    Whole,
}

/// The ways a rule's search can be narrowed, tried in this order.
#[derive(Clone, Copy, PartialEq)]
enum Narrow {
    Keywords,
    Near,
    Literal,
    Runs,
}

/// Sorted, merged byte ranges of one text for a regex to search, built in order of their
/// starts. Searching many ranges costs more than one pass once they cover much of the
/// text, so a set covering more than half of it gives up.
struct Ranges<'a> {
    out: &'a mut Vec<(usize, usize)>,
    covered: usize,
    len: usize,
}

impl<'a> Ranges<'a> {
    fn new(out: &'a mut Vec<(usize, usize)>, len: usize) -> Self {
        out.clear();
        Ranges {
            out,
            covered: 0,
            len,
        }
    }

    /// Add `a..b` (clamped to the text; `a` no less than the previous range's start);
    /// false once the ranges cover more than half of the text.
    fn add(&mut self, a: usize, b: usize) -> bool {
        let b = b.min(self.len);
        match self.out.last_mut() {
            Some(last) if a <= last.1 => {
                self.covered += b.saturating_sub(last.1);
                last.1 = last.1.max(b);
            }
            _ => {
                self.covered += b - a;
                self.out.push((a, b));
            }
        }
        self.covered * 2 <= self.len
    }

    /// End of the last range, if any.
    fn end(&self) -> Option<usize> {
        self.out.last().map(|r| r.1)
    }

    /// The search these ranges make: none at all when no range was added.
    fn outcome(&self, every_match: bool) -> Search {
        if self.out.is_empty() {
            Search::Nothing
        } else {
            Search::Ranges { every_match }
        }
    }
}

/// The ranges every match of rule `ri` lies in: each keyword hit widened by the rule's
/// longest match, or to its whole line for rules whose matches are single-line. Whole
/// when there is no such guarantee or keyword positions were not all recorded.
fn keyword_ranges(
    rules: &RuleSet,
    ri: usize,
    hits: &Hits,
    text: &[u8],
    scratch: &mut Vec<(usize, usize)>,
    out: &mut Vec<(usize, usize)>,
) -> Search {
    let plan = rules.rules()[ri].plan();
    let radius = match (plan.keyword_radius(), plan.keyword_lines()) {
        (Some(r), _) => Some(r),
        (None, true) => None,
        (None, false) => return Search::Whole,
    };
    if !keyword_hits(rules, ri, hits, scratch) {
        return Search::Whole;
    }
    let mut ranges = Ranges::new(out, text.len());
    for &(s, e) in scratch.iter() {
        let fits = match radius {
            // A match holding the keyword at s..e and at most `r` long lies within
            // e - r .. s + r.
            Some(r) => ranges.add(e.saturating_sub(r), s + r),
            // Already inside the previous hit's line.
            None if ranges.end().is_some_and(|end| s < end) => continue,
            // A match without `\n` lies on the keyword's line.
            None => ranges.add(line_start_at(text, s), line_end_at(text, e)),
        };
        if !fits {
            return Search::Whole;
        }
    }
    // A rule runs only where one of its keywords occurred, so there is a range; were
    // there none, searching the whole text is the safe answer.
    match ranges.outcome(true) {
        Search::Nothing => Search::Whole,
        found => found,
    }
}

/// Rule `ri`'s keyword hits, in text order, into `out`; false when they were not all
/// recorded.
fn keyword_hits(rules: &RuleSet, ri: usize, hits: &Hits, out: &mut Vec<(usize, usize)>) -> bool {
    out.clear();
    let patterns = rules.prefilter().rule_patterns(ri);
    for &p in patterns {
        let Some(hits) = hits.positions(p) else {
            return false;
        };
        out.extend_from_slice(hits);
    }
    if patterns.len() > 1 {
        out.sort_unstable();
    }
    true
}

/// The ranges a `near` rule's matches lie in: the neighbourhood (the lines within `n`) of
/// each match of its (line-local) companion `near`, widened by the rule's longest match,
/// or just those lines when its matches are single-line.
/// The filters' `near` check (`neighbourhood_has`) accepts a secret only if a
/// companion matches in the secret's neighbourhood; such a companion match starts inside
/// a match this leftmost search reports (or is one), so the secret touches the reported
/// match's neighbourhood. Nothing when the companion matches nowhere; Whole when the
/// matches are neither bounded nor single-line. Other matches may start in a range's
/// widened end and run past it: they lie after those lines, hold no finding, and are
/// not searched for.
///
/// `companions`, when given, are every match of `near` (its keyword hits, for a pattern
/// that [matches only keywords](crate::rules::LazyRegex::matches_only_keywords)), so the
/// companion need not be searched for: a superset of the leftmost matches gives ranges
/// that hold all of the ones above.
fn near_ranges(
    near: &crate::rules::LazyRegex,
    n: usize,
    plan: &Plan,
    text: &[u8],
    companions: Option<&[(usize, usize)]>,
    out: &mut Vec<(usize, usize)>,
) -> Search {
    let Some(near) = near.get() else {
        return Search::Whole;
    };
    let widen = match (plan.max_len, plan.single_line) {
        (Some(r), _) => r,
        (None, true) => 0,
        (None, false) if near.is_match(text) => return Search::Whole,
        (None, false) => return Search::Nothing,
    };
    let len = text.len();
    let mut ranges = Ranges::new(out, len);
    // The neighbourhood of a companion at start..end, widened; false once too many.
    let mut add = |start: usize, end: usize| {
        let mut a = line_start_at(text, start);
        let mut b = line_end_at(text, end.saturating_sub(1).max(start));
        for _ in 0..n {
            if a > 0 {
                a = line_start_at(text, a - 1);
            }
            if b < len {
                b = line_end_at(text, b + 1);
            }
        }
        ranges.add(a.saturating_sub(widen), b + widen)
    };
    let fits = match companions {
        Some(hits) => hits.iter().all(|&(start, end)| add(start, end)),
        None => near.find_iter(text).all(|m| add(m.start(), m.end())),
    };
    if !fits {
        return Search::Whole;
    }
    ranges.outcome(false)
}

/// The ranges a rule whose matches each hold a run of `run`'s bytes must search: every
/// maximal run of at least `run.min` bytes, widened by the longest match on both sides (a
/// match shares at least `min` bytes with one run, so it starts at most that far before
/// the run and ends at most that far after it). Without a bound on the match, only
/// whether there is a run at all.
fn run_ranges(
    run: &RequiredRun,
    max_len: Option<usize>,
    text: &[u8],
    out: &mut Vec<(usize, usize)>,
) -> Search {
    let Some(r) = max_len else {
        out.clear();
        return if run.occurs_in(text) {
            Search::Whole
        } else {
            Search::Nothing
        };
    };
    let mut ranges = Ranges::new(out, text.len());
    let mut from = 0;
    while let Some((s, e)) = run.next_run(text, from) {
        if !ranges.add(s.saturating_sub(r), e + r) {
            return Search::Whole;
        }
        from = e + 1;
    }
    ranges.outcome(true)
}

/// The ranges a rule whose matches each hold `literal` and are at most `r` long must
/// search: each occurrence widened by `r` on both sides. Occurrences that overlap one
/// found (`aa` in `aaa`) start less than its length after it, so its range holds theirs.
fn literal_ranges(
    literal: &RequiredLiteral,
    r: usize,
    text: &[u8],
    out: &mut Vec<(usize, usize)>,
) -> Search {
    let mut ranges = Ranges::new(out, text.len());
    for (s, e) in literal.find_iter(text) {
        if !ranges.add(s.saturating_sub(r), e + r) {
            return Search::Whole;
        }
    }
    ranges.outcome(true)
}

/// Drop the ranges whose bytes lack what every match of the rule holds (`holds` says
/// whether they have it), and so cannot hold a match; returns how many went. Each range
/// is checked with the bytes a search of it reads past its end. A required string lies
/// inside the match; so does a run with borders, borders included, and a run without
/// them has at least its `min` bytes inside the match, so either shows in the range's
/// own bytes.
fn drop_ranges_lacking(
    holds: impl Fn(&[u8]) -> bool,
    text: &[u8],
    ranges: &mut Vec<(usize, usize)>,
) -> usize {
    let before = ranges.len();
    ranges.retain(|&(a, b)| holds(&text[a..(b + LOOKAHEAD).min(text.len())]));
    before - ranges.len()
}

/// Run a rule's regex inside each of `ranges` (sorted, disjoint byte ranges), offering
/// its matches. A match running past a range's end ends that range's search when the
/// ranges hold only the matches that can become findings; when they hold `every_match`,
/// such a match means the range was wrong, and so does an empty one: false, and the
/// caller drops what this offered and tries the next, wider search, ending with the whole
/// text, so a wrong range costs time, never a finding.
fn search_ranges(
    run: &mut RegexRun<'_>,
    ranges: &[(usize, usize)],
    every_match: bool,
    offer: &mut Offer<'_>,
    lines: &mut Option<LineIndex>,
    candidates: &mut Vec<Candidate>,
    capped: &mut Vec<String>,
) -> bool {
    let text = offer.text;
    let mark = candidates.len();
    for &(a, b) in ranges {
        let end = (b + LOOKAHEAD).min(text.len());
        let hay = &text[..end];
        let mut pos = a;
        while pos < b {
            let Some(m) = run.search(&Input::new(hay).span(pos..end)) else {
                break;
            };
            if m.start() >= b {
                break;
            }
            let past_end = m.end() > b || (m.end() == end && end < text.len());
            if past_end && !every_match {
                break;
            }
            if past_end || m.is_empty() {
                candidates.truncate(mark);
                offer.count = 0;
                return false;
            }
            pos = m.end();
            let Some(group) = run.group(offer.rule.secret_group) else {
                continue;
            };
            if !offer.offer(m.range(), group.range(), lines, candidates, capped) {
                return true;
            }
        }
    }
    true
}

impl Matcher<'_> {
    /// Search rule `offer.ri`'s `regex` with the narrowest search that provably finds
    /// every match: around keyword hits, on the lines near a `near` companion, around
    /// the byte runs every match needs, offering what it finds. False when none of these
    /// applies (or each turned out wrong) and the whole text must be searched.
    pub(super) fn search_narrowed(
        &mut self,
        regex: &Regex,
        offer: &mut Offer<'_>,
        lines: &mut Option<LineIndex>,
        candidates: &mut Vec<Candidate>,
        capped: &mut Vec<String>,
    ) -> bool {
        let (ri, rule, text) = (offer.ri, offer.rule, offer.text);
        let plan = rule.plan();
        let mut run = RegexRun::new(regex, ri, &mut self.caches, &mut self.cached);
        for narrow in [
            Narrow::Keywords,
            Narrow::Near,
            Narrow::Literal,
            Narrow::Runs,
        ] {
            let search = match narrow {
                Narrow::Keywords => keyword_ranges(
                    self.rules,
                    ri,
                    &self.hits,
                    text,
                    &mut self.scratch,
                    &mut self.ranges,
                ),
                Narrow::Near => match (&rule.near, plan.near_gate) {
                    (Some((near, n)), true) => {
                        let companions = plan.near_keywords
                            && keyword_hits(self.rules, ri, &self.hits, &mut self.scratch);
                        self.companion_searches += usize::from(!companions);
                        near_ranges(
                            near,
                            *n,
                            plan,
                            text,
                            companions.then_some(self.scratch.as_slice()),
                            &mut self.ranges,
                        )
                    }
                    _ => Search::Whole,
                },
                Narrow::Literal => match (&plan.literal, plan.max_len) {
                    (Some(literal), Some(r)) => literal_ranges(literal, r, text, &mut self.ranges),
                    _ => Search::Whole,
                },
                Narrow::Runs => plan.run.as_deref().map_or(Search::Whole, |run| {
                    run_ranges(run, plan.max_len, text, &mut self.ranges)
                }),
            };
            let done = match search {
                Search::Nothing => true,
                Search::Ranges { every_match } => {
                    if narrow != Narrow::Runs {
                        if let Some(required) = plan.run.as_deref() {
                            let holds = |hay: &[u8]| required.occurs_in(hay);
                            self.runless_ranges +=
                                drop_ranges_lacking(holds, text, &mut self.ranges);
                        }
                    }
                    if let (Some(required), false) = (&plan.literal, narrow == Narrow::Literal) {
                        let holds = |hay: &[u8]| required.occurs_in(hay);
                        self.literal_less += drop_ranges_lacking(holds, text, &mut self.ranges);
                    }
                    let fitted = search_ranges(
                        &mut run,
                        &self.ranges,
                        every_match,
                        offer,
                        lines,
                        candidates,
                        capped,
                    );
                    self.fallbacks += usize::from(!fitted);
                    fitted
                }
                Search::Whole => false,
            };
            if done {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        bodies, demo_set, one_rule, run, run_counted, secrets, whole_text_secrets,
    };
    use super::*;

    /// Rule `ri` searches `text` in keyword ranges and finds there the `count` secrets a
    /// whole-text search finds.
    fn keyword_ranges_find_all(set: &RuleSet, ri: usize, text: &str, count: usize) {
        let expected = whole_text_secrets(set, ri, text);
        assert_eq!(expected.len(), count);
        let mut hits = Hits::default();
        set.prefilter().candidates(text.as_bytes(), &mut hits);
        let (mut scratch, mut out) = (Vec::new(), Vec::new());
        assert_eq!(
            keyword_ranges(set, ri, &hits, text.as_bytes(), &mut scratch, &mut out),
            Search::Ranges { every_match: true }
        );
        assert_eq!(secrets(&run(set, text)), expected);
    }

    #[test]
    fn keyword_ranges_find_what_a_whole_text_search_finds() {
        let set = demo_set();
        assert_eq!(set.rules()[0].plan().keyword_radius(), Some(21));
        // Pseudo-random token bodies; tokens at the very start and end, back to back,
        // split by a newline, and far apart in filler the ranges skip.
        let mut body = bodies(7, b"abcdefghjkmnpqrstuvwxyz23456789");
        let filler = "lorem ipsum dolor sit amet, consectetur adipiscing elit\n".repeat(40);
        let mut text = format!("demo_{}", body(16));
        for i in 0..30 {
            text.push_str(&filler[..(i * 97) % filler.len()]);
            match i % 3 {
                0 => text.push_str(&format!("demo_{}demo_{}", body(16), body(16))),
                1 => text.push_str(&format!("x=demo_{}\ndemo_{}", body(16), body(16))),
                _ => text.push_str(&format!("demo_demo_{} ", body(16))),
            }
        }
        text.push_str(&format!("demo_{}", body(16)));
        keyword_ranges_find_all(&set, 0, &text, 52);
    }

    #[test]
    fn line_ranges_find_what_a_whole_text_search_finds() {
        let set = demo_set();
        let plan = set.rules()[1].plan();
        assert!(plan.keyword_radius().is_none() && plan.keyword_lines());
        let mut body = bodies(11, b"abcdefghjkmnpqrstuvwxyz23456789");
        let filler = "nothing to see on this line at all, only filler text\n".repeat(30);
        let mut text = format!("key = {}", body(20));
        for i in 0..25 {
            text.push_str(&filler[..(i * 131) % filler.len()]);
            text.push_str(&format!("\nkey = {} key = x\r\n", body(16 + i)));
            text.push_str(&format!("monkey = {}\n", body(18)));
        }
        text.push_str(&format!("tail key = {}", body(30)));
        keyword_ranges_find_all(&set, 1, &text, 52);
    }

    #[test]
    fn run_ranges_cover_every_run_and_give_up_when_dense() {
        let set = one_rule(
            "demo-run",
            "keywords = [\"x\"]\nregex = 'x(?P<secret>[a-z]{8})y'\n\
             examples = [\"xabcdefghy\", \"xqwertyuiy\"]\nnegative_examples = [\"xabcy\"]\n",
        );
        let plan = set.rules()[0].plan();
        let needed = plan.run.as_deref().unwrap();
        assert_eq!(plan.max_len, Some(10));
        let mut w = Vec::new();
        let mut text = "-".repeat(200);
        assert_eq!(
            run_ranges(needed, Some(10), text.as_bytes(), &mut w),
            Search::Nothing
        );
        // A run at the start, one of 7 (too short), and two close enough to merge.
        text.replace_range(0..9, "abcdefghi");
        text.replace_range(30..37, "abcdefg");
        text.replace_range(50..58, "abcdefgh");
        text.replace_range(62..70, "abcdefgh");
        assert_eq!(
            run_ranges(needed, Some(10), text.as_bytes(), &mut w),
            Search::Ranges { every_match: true }
        );
        assert_eq!(w, vec![(0, 19), (40, 80)]);
        // Unbounded matches: only whether a run exists.
        assert_eq!(
            run_ranges(needed, None, text.as_bytes(), &mut w),
            Search::Whole
        );
        // Ranges over half the text: search it whole.
        text.replace_range(100..108, "abcdefgh");
        text.replace_range(130..138, "abcdefgh");
        assert_eq!(
            run_ranges(needed, Some(10), text.as_bytes(), &mut w),
            Search::Whole
        );
    }

    #[test]
    fn run_ranges_find_what_a_whole_text_search_finds() {
        // A bounded token shape whose keyword is only context: no keyword range, but
        // every match holds a 24-byte run, so only the text around such runs is searched.
        let set = one_rule(
            "demo-shape",
            r#"keywords = ["shape"]
regex = '(?:^|[^A-Za-z0-9])(?P<secret>[MN][A-Za-z0-9]{5}\.[A-Za-z0-9]{24})(?:[^A-Za-z0-9]|$)'
examples = ["shape M3x9Qa.q8w3v7l2k9r4b6h1z5c8n2m4", "N7k2Pq.z5c8n2m4q8w3v7l2k9r4b6h1"]
negative_examples = ["shape M3x9Qa.q8w3v7l2"]
"#,
        );
        let plan = set.rules()[0].plan();
        assert!(plan.keyword_radius().is_none() && !plan.keyword_lines());
        assert_eq!(plan.max_len, Some(33));
        let mut body = bodies(11, b"abcdefghjkmnpqrstuvwxyzABCDEFGH23456789");
        let filler = "the shape of filler: short words, no long runs here\n".repeat(60);
        // Tokens at both ends, back to back, inside a longer run (no match: the run
        // continues), and next to runs that are too short.
        let mut text = format!("M{}.{} ", body(5), body(24));
        for i in 0..20 {
            text.push_str(&filler[..(i * 173) % filler.len()]);
            let (a, b, c, d) = (body(5), body(24), body(5), body(24));
            match i % 4 {
                0 => text.push_str(&format!("N{a}.{b} M{c}.{d}\n")),
                1 => text.push_str(&format!("x{}N{a}.{b}{}\n", body(3), body(9))),
                2 => text.push_str(&format!("'N{a}.{b}', {}\n", body(23))),
                _ => text.push_str(&format!("M{a}.{}\n", &b[..23])),
            }
        }
        text.push_str(&format!("end N{}.{}", body(5), body(24)));
        let expected = whole_text_secrets(&set, 0, &text);
        // 17 tokens; the second of each back-to-back pair loses its separator to the
        // first match, as in any leftmost search.
        assert_eq!(expected.len(), 12);
        let mut ranges = Vec::new();
        assert_eq!(
            run_ranges(
                plan.run.as_deref().unwrap(),
                plan.max_len,
                text.as_bytes(),
                &mut ranges
            ),
            Search::Ranges { every_match: true }
        );
        assert_eq!(secrets(&run(&set, &text)), expected);
    }

    /// A rule needing a `DID` + 10 digits companion within 2 lines of `key = <secret>`.
    fn near_rule(id: &str, secret: &str) -> RuleSet {
        one_rule(
            id,
            &format!(
                r#"keywords = ["key"]
regex = 'key = (?P<secret>{secret})'
examples = ["DID0123456789\nkey = Qw8rT2yU6iO0pA4sD8fG2hJ6", "key = Zx1cV5bN9mQ3wE7rT1yU5iO9 DID9876543210"]
negative_examples = ["key = Qw8rT2yU6iO0pA4sD8fG2hJ6"]
[rules.near]
regex = '\bDID[0-9]{{10}}\b'
lines = 2
"#
            ),
        )
    }

    #[test]
    fn near_rules_are_skipped_where_their_companion_appears_nowhere() {
        let set = near_rule("demo-pair", "[A-Za-z0-9]{24}");
        let plan = set.rules()[0].plan();
        assert!(plan.near_gate);
        let (near, n) = set.rules()[0].near.as_ref().unwrap();
        let secret = ["Qw8rT2yU6iO0", "pA4sD8fG2hJ6"].concat(); // not a literal: self-scan
        let alone = format!("key = {secret}\n");
        let mut w = Vec::new();
        assert_eq!(
            near_ranges(near, *n, plan, alone.as_bytes(), None, &mut w),
            Search::Nothing
        );
        assert!(run(&set, &alone).findings.is_empty());
        let far = format!("DID0123456789\n\n\n\nkey = {secret}\n");
        assert!(run(&set, &far).findings.is_empty());
        let near_by = format!("DID0123456789\n\nkey = {secret}\n");
        assert_eq!(secrets(&run(&set, &near_by)), vec![secret]);
    }

    #[test]
    fn near_ranges_find_every_secret_within_n_lines_of_a_companion() {
        // One bounded rule (ranges widened by its longest match) and one unbounded
        // single-line rule (ranges of whole lines), both needing a companion within 2 lines.
        for (id, secret, bounded) in [
            ("demo-bounded", "[A-Za-z0-9]{24}", true),
            ("demo-line", "[A-Za-z0-9]{24,}", false),
        ] {
            let set = near_rule(id, secret);
            let plan = set.rules()[0].plan();
            assert!(plan.near_gate && plan.single_line);
            assert_eq!(plan.max_len.is_some(), bounded);
            let mut body = bodies(5, b"abcdefghjkmnpqrstuvwxyzABCDEFGH23456789");
            // Key lines with 0-2 filler lines after each; companions on some key lines.
            let companions = [5, 20, 21, 69];
            let mut text = String::new();
            let mut keys = Vec::new(); // (line number in the text, secret)
            let mut near_lines = Vec::new();
            let mut at = 0usize;
            for i in 0..70 {
                let secret = body(24);
                let id = if companions.contains(&i) {
                    near_lines.push(at);
                    " DID0123456789"
                } else {
                    ""
                };
                text.push_str(&format!("key = {secret}{id}\n"));
                text.push_str(&"filler without companions\n".repeat(i % 3));
                keys.push((at, secret));
                at += 1 + i % 3;
            }
            let expected: Vec<String> = keys
                .into_iter()
                .filter(|(line, _)| near_lines.iter().any(|c: &usize| c.abs_diff(*line) <= 2))
                .map(|(_, s)| s)
                .collect();
            assert_eq!(expected.len(), 7);
            let (near, n) = set.rules()[0].near.as_ref().unwrap();
            let mut ranges = Vec::new();
            assert_eq!(
                near_ranges(near, *n, plan, text.as_bytes(), None, &mut ranges),
                Search::Ranges { every_match: false }
            );
            assert_eq!(ranges.len(), 3, "{ranges:?}"); // lines 20 and 21 share one
            let (found, companion_searches, _) = run_counted(&set, &text);
            // `DID` + digits is no keyword: the companion is searched for.
            assert_eq!(companion_searches, 1, "{id}");
            assert_eq!(secrets(&found), expected, "{id}");
        }
    }

    #[test]
    fn builtin_companions_made_of_keywords_are_not_searched_for() {
        let set = RuleSet::builtin().unwrap();
        for id in ["truenas-api-key", "database-password-hash"] {
            let rule = set.rules().iter().find(|r| r.id() == id).unwrap();
            assert!(rule.plan().near_keywords, "{id}");
        }
    }

    /// Keyword ranges whose bytes hold no run the regex needs are dropped unsearched,
    /// and what the others find is what a whole-text search finds: runs with borders
    /// (quotes) and without, one byte short, exact, one byte and six bytes long.
    #[test]
    fn ranges_without_the_required_run_are_dropped_unsearched() {
        // The group is spliced in so this file holds no XML-like `<secret>` value that
        // the repository's own self-scan would report.
        let group = format!("(?P<{}>", "secret");
        for (regex, runs) in [
            (r#"demo_key\s{0,3}=\s{0,3}"GROUP[a-z0-9]{24})""#, "bordered"),
            (r"demo_key[ =]{1,3}GROUP[a-z0-9]{24})", "unbordered"),
        ] {
            let regex = regex.replace("GROUP", &group);
            let set = one_rule(
                "demo-run",
                &format!(
                    "keywords = [\"demo_key\"]\nregex = '{regex}'\n\
                     examples = ['demo_key = \"abcdefghijklmnopqrstuvwx\"', \
                     'demo_key = \"0123456789abcdefghijklmn\"']\n\
                     negative_examples = ['demo_key = \"short\"']\n"
                ),
            );
            let plan = set.rules()[0].plan();
            assert!(
                plan.run.is_some() && plan.keyword_radius().is_some(),
                "{runs}"
            );
            let mut body = bodies(11, b"abcdefghijklmnopqrstuvwxyz0123456789");
            let filler = "lorem ipsum dolor sit amet\n".repeat(20);
            let mut text = String::new();
            for i in 0..24 {
                let len = [24, 23, 25, 30][i % 4];
                match i % 3 {
                    0 => text.push_str(&format!("demo_key = \"{}\"", body(len))),
                    1 => text.push_str(&format!("demo_key = short\ndemo_key={}", body(len))),
                    _ => text.push_str("demo_key = \"not-a-secret\""),
                }
                // Enough filler between keywords that ranges cover under half the text.
                text.push_str(&filler[..300 + (i * 53) % 200]);
            }
            let (found, _, runless_ranges) = run_counted(&set, &text);
            assert_eq!(
                secrets(&found),
                whole_text_secrets(&set, 0, &text),
                "{runs}"
            );
            assert!(!secrets(&found).is_empty(), "{runs}");
            assert!(runless_ranges > 0, "{runs}");
        }
    }

    #[test]
    fn near_patterns_made_of_keywords_are_placed_from_the_keyword_hits() {
        let rule = |near: &str| {
            one_rule(
                "demo-near-keywords",
                &format!(
                    r#"keywords = ["didco", "demo-companion"]
regex = '(?:^|\s)(?P<secret>Q[A-Za-z0-9]{{23}})'
examples = ["didco\nQw8rT2yU6iO0pA4sD8fG2hJ6", "Qz1cV5bN9mQ3wE7rT1yU5iO9 DEMO-COMPANION"]
negative_examples = ["Qw8rT2yU6iO0pA4sD8fG2hJ6"]
[rules.near]
regex = '{near}'
lines = 2
"#
                ),
            )
        };
        // A companion pattern with an alternative that is no keyword is still searched.
        assert!(
            !rule("(?i)didco|demo-companion|other").rules()[0]
                .plan()
                .near_keywords
        );
        let set = rule("(?i)didco|demo-companion");
        let plan = set.rules()[0].plan();
        assert!(plan.near_keywords && !plan.keyword_inside);
        let mut body = bodies(6, b"abcdefghjkmnpqrstuvwxyzABCDEFGH23456789");
        let mut text = String::new();
        let mut expected = Vec::new();
        for i in 0..40 {
            let secret = format!("Q{}", body(23));
            let companion = match i {
                3 => " DIDCO",
                17 => " Demo-Companion",
                18 => " didco",
                _ => "",
            };
            if [1, 2, 3, 4, 5, 15, 16, 17, 18, 19, 20].contains(&i) {
                expected.push(secret.clone());
            }
            text.push_str(&format!("{secret}{companion}\n"));
        }
        // The ranges from the keyword hits are the ones a search for the companion gives.
        let (near, n) = set.rules()[0].near.as_ref().unwrap();
        let mut hits = Hits::default();
        set.prefilter().candidates(text.as_bytes(), &mut hits);
        let mut companions = Vec::new();
        assert!(keyword_hits(&set, 0, &hits, &mut companions));
        assert_eq!(companions.len(), 3);
        let (mut searched, mut placed) = (Vec::new(), Vec::new());
        let outcome = near_ranges(near, *n, plan, text.as_bytes(), None, &mut searched);
        assert_eq!(outcome, Search::Ranges { every_match: false });
        assert_eq!(
            near_ranges(
                near,
                *n,
                plan,
                text.as_bytes(),
                Some(&companions),
                &mut placed
            ),
            outcome
        );
        assert_eq!(placed, searched);
        let (found, companion_searches, _) = run_counted(&set, &text);
        assert_eq!(companion_searches, 0);
        assert_eq!(secrets(&found), expected);
    }

    /// A rule with a common keyword (`default`, on most lines of a YAML schema) and a
    /// string every match holds (`password`): a text without the string is skipped
    /// unsearched, and one with it is searched only around its occurrences, finding
    /// what a whole-text search finds.
    #[test]
    fn required_strings_skip_texts_and_place_ranges() {
        // Entries and values made here, so this file's own lines hold no netrc entry.
        let word = "word";
        let a = bodies(7, b"abcdefghjkmnpqrstuvwxyz23456789")(12);
        let b = "Xy7dRk2vq5Wz";
        let body = format!(
            r#"keywords = ["default"]
regex = '''(?m:^)[ \t]{{0,16}}default(?:\s{{1,64}}login\s{{1,64}}\S{{1,64}})?\s{{1,64}}pass{word}\s{{1,64}}(?P<secret>\S{{3,64}})'''
examples = ['default login me pass{word} {a}', 'default pass{word} {b}']
negative_examples = ['default: true']
"#
        );
        let set = one_rule("netrc-like", &body);
        let plan = set.rules()[0].plan();
        let literal = plan.literal.as_ref().unwrap();
        assert_eq!(literal.string(), (&b"password"[..], false));
        let mut text = "  default: true\n".repeat(2000);
        let mut matcher = Matcher::new(&set, 1000);
        assert!(matcher.scan("t.yaml", text.as_bytes()).findings.is_empty());
        assert_eq!(matcher.literal_less, 1);
        text.push_str(&format!("default login me pass{word} {a}\n"));
        text.push_str(&"  default: 1\n".repeat(500));
        text.insert_str(0, &format!("default\n  pass{word} {b}\n"));
        let expected = whole_text_secrets(&set, 0, &text);
        assert_eq!(expected, [b.to_string(), a]);
        assert_eq!(secrets(&run(&set, &text)), expected);
        let mut out = Vec::new();
        let r = plan.max_len.unwrap();
        assert_eq!(
            literal_ranges(literal, r, text.as_bytes(), &mut out),
            Search::Ranges { every_match: true }
        );
        assert_eq!(out.len(), 2);
    }
}
