//! Each thread's regex search caches, and the memory budget that bounds them.
//!
//! A rule's regex keeps its lazy DFA states and capture slots in a cache that one
//! thread reuses from text to text, so a rule pays for building them once rather than
//! on every search. The caches are made on a rule's first search and dropped together
//! when they outgrow [`CACHE_BUDGET`]; a dropped cache is rebuilt on the next search,
//! so the budget costs time, never a finding.

use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::{Input, Match};

use super::Matcher;

/// How much memory one matcher's regex search caches may hold before they are dropped.
/// The lazy DFAs add states for every new kind of text they see, and each rule that
/// searches gets its own cache, so without a bound a worker's caches grow with the size
/// and variety of the corpus (a text dense with keywords, such as a rule file with its
/// examples, made 480 caches holding 37 MB); rebuilding the states a scan actually
/// needs costs far less than the memory they would pin.
pub(super) const CACHE_BUDGET: usize = 4 << 20;

/// One rule regex's reusable search state in one thread.
#[derive(Debug)]
pub(super) struct SearchState {
    /// The lazy DFAs' states and the other engines' scratch space.
    cache: meta::Cache,
    /// Capture slots of the latest match.
    caps: Captures,
    /// `cache`'s size when last measured, as counted in [`Matcher::held`].
    measured: usize,
}

/// One rule's regex with this thread's search cache and capture slots, made on the
/// rule's first search in the thread (a rule whose narrowed search finds nothing to
/// search needs none).
pub(super) struct RegexRun<'a> {
    regex: &'a Regex,
    ri: usize,
    state: &'a mut Option<Box<SearchState>>,
    /// The matcher's list of rules holding a cache.
    cached: &'a mut Vec<usize>,
}

impl<'a> RegexRun<'a> {
    /// Rule `ri`'s `regex`, searching with its state in `caches` (made on first search
    /// and then listed in `cached`).
    pub(super) fn new(
        regex: &'a Regex,
        ri: usize,
        caches: &'a mut [Option<Box<SearchState>>],
        cached: &'a mut Vec<usize>,
    ) -> Self {
        RegexRun {
            regex,
            ri,
            state: &mut caches[ri],
            cached,
        }
    }

    /// The leftmost match in `input`'s span, its groups kept for [`RegexRun::group`].
    pub(super) fn search(&mut self, input: &Input<'_>) -> Option<Match> {
        let (regex, ri, cached) = (self.regex, self.ri, &mut *self.cached);
        let state = self.state.get_or_insert_with(|| {
            cached.push(ri);
            Box::new(SearchState {
                cache: regex.create_cache(),
                caps: regex.create_captures(),
                measured: 0,
            })
        });
        regex.search_captures_with(&mut state.cache, input, &mut state.caps);
        state.caps.get_match()
    }

    /// Group `index` of the latest match.
    pub(super) fn group(&self, index: usize) -> Option<regex_automata::Span> {
        self.state.as_ref()?.caps.get_group(index)
    }
}

impl Matcher<'_> {
    /// Count what rule `ri`'s search cache grew by in its latest search, and drop every
    /// cache once together they hold more than [`CACHE_BUDGET`] bytes. Measuring after
    /// each rule, not each text, bounds them within a text dense with keywords too.
    pub(super) fn keep_caches_in_budget(&mut self, ri: usize) {
        let Some(state) = self.caches[ri].as_mut() else {
            return;
        };
        let now = state.cache.memory_usage();
        self.held = self.held.saturating_sub(state.measured) + now;
        state.measured = now;
        if self.held > self.cache_budget {
            for ri in self.cached.drain(..) {
                self.caches[ri] = None;
            }
            self.held = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::secrets;
    use super::*;
    use crate::rules::RuleSet;

    /// Caches dropped for the budget are rebuilt on demand: a matcher that drops them
    /// before every text finds what one that keeps them finds.
    #[test]
    fn search_caches_over_budget_are_dropped_without_losing_findings() {
        let set = RuleSet::builtin().unwrap();
        let mut keeps = Matcher::new(&set, 100);
        keeps.cache_budget = usize::MAX;
        let mut drops = Matcher::new(&set, 100);
        drops.cache_budget = 0;
        for rule in set.rules() {
            for example in &rule.examples {
                let kept = keeps.scan("f", example.as_bytes());
                let dropped = drops.scan("f", example.as_bytes());
                assert_eq!(secrets(&kept), secrets(&dropped), "{example}");
                assert_eq!((keeps.fallbacks, drops.fallbacks), (0, 0), "{example}");
                // Each rule's cache went as soon as its search was done, unless it
                // held nothing (a regex that needs no lazy DFA).
                assert_eq!(drops.held, 0);
                assert!(drops.cached.iter().all(|&ri| drops.caches[ri]
                    .as_ref()
                    .is_some_and(|s| s.cache.memory_usage() == 0)));
            }
        }
        assert!(keeps.cached.len() > 100, "{}", keeps.cached.len());
    }

    /// One text with every rule's examples makes every rule search it: the caches stay
    /// within the budget all the same, and the budget counts what they really hold.
    #[test]
    fn search_caches_stay_in_budget_within_one_text() {
        let set = RuleSet::builtin().unwrap();
        let text: String = set
            .rules()
            .iter()
            .flat_map(|r| &r.examples)
            .map(|e| format!("{e}\n"))
            .collect();
        let held = |m: &Matcher<'_>| -> usize {
            m.cached
                .iter()
                .filter_map(|&ri| m.caches[ri].as_ref())
                .map(|s| s.cache.memory_usage())
                .sum()
        };
        let mut unbounded = Matcher::new(&set, 100);
        unbounded.cache_budget = usize::MAX;
        let all = unbounded.scan("f", text.as_bytes());
        let mut bounded = Matcher::new(&set, 100);
        bounded.cache_budget = 1 << 20;
        assert_eq!(secrets(&bounded.scan("f", text.as_bytes())), secrets(&all));
        assert!(
            held(&unbounded) > 4 * bounded.cache_budget,
            "{}",
            held(&unbounded)
        );
        assert_eq!(held(&unbounded), unbounded.held);
        assert_eq!(held(&bounded), bounded.held);
        assert!(bounded.held <= bounded.cache_budget, "{}", bounded.held);
    }
}
