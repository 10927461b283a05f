//! Runs the candidate rules' regexes over one text and turns matches into findings.
//!
//! A raw regex match is only a candidate. Before it becomes a [`Finding`] it must pass the
//! rule's entropy floor, the placeholder heuristics, the allowlists, the `near` context
//! and the format's checksum; it is then de-duplicated against overlapping matches of more
//! precise rules and checked for inline suppression markers. Line and column are computed
//! only for survivors, from a line index built on demand.

use std::ops::Range;
use std::sync::Arc;

use memchr::{memchr2_iter, memmem};
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_automata::util::iter::Searcher;
use regex_automata::{Input, Match};

use crate::finding::{Context, Finding, Fingerprint, Location, Secret, Segment};
use crate::prefilter::Hits;
use crate::read::{char_count, Window};
use crate::rules::{Checksum, Plan, RequiredRun, Rule, RuleSet, Severity};

/// Comments that silence a finding on their line or the line below.
pub const ALLOW_MARKERS: [&str; 3] = [
    "plainsight:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// The context line is cut to this many bytes on each side of the secret.
const CONTEXT_RADIUS: usize = 80;

/// What matching one text produced.
#[derive(Debug, Default)]
pub struct FileMatches {
    /// Findings, in text order.
    pub findings: Vec<Finding>,
    /// Matches silenced by an inline marker.
    pub suppressed: usize,
    /// Rules that hit the per-file cap (their further matches were not reported).
    pub capped_rules: Vec<String>,
}

/// How much memory one matcher's regex search caches may hold before they are dropped.
/// The lazy DFAs add states for every new kind of text they see, and each rule that
/// searches gets its own cache, so without a bound a worker's caches grow with the size
/// and variety of the corpus (a text dense with keywords, such as a rule file with its
/// examples, made 480 caches holding 37 MB); rebuilding the states a scan actually
/// needs costs far less than the memory they would pin.
const CACHE_BUDGET: usize = 4 << 20;

/// Per-thread matcher: holds the reusable prefilter state, window buffers and the rule
/// regexes' search caches.
#[derive(Debug)]
pub struct Matcher<'r> {
    rules: &'r RuleSet,
    hits: Hits,
    /// Reused buffer of one rule's keyword windows.
    windows: Vec<(usize, usize)>,
    /// Reused buffer of one rule's keyword hits, in text order.
    scratch: Vec<(usize, usize)>,
    max_per_rule: usize,
    severities: &'r [Severity],
    /// Per rule: its regex's search state, once the rule has searched in this thread.
    caches: Vec<Option<SearchState>>,
    /// The rules with a cache, so the budget check does not walk every rule.
    cached: Vec<usize>,
    /// What the caches hold, in bytes, as measured after each rule's search.
    held: usize,
    /// [`CACHE_BUDGET`] (tests shrink it).
    cache_budget: usize,
    /// Narrowed searches that found a match reaching a window's edge and were redone
    /// wider. Window construction rules that out, so tests assert it stays 0: otherwise
    /// a wrong window would pass them through the fallback unnoticed.
    fallbacks: usize,
    /// Near windows placed by searching for the companion rather than from keyword hits
    /// (tests check that companions made of keywords are not searched for).
    companion_searches: usize,
    /// Keyword or near windows dropped unsearched for lacking the rule's required run.
    runless_windows: usize,
}

/// One rule regex's reusable search state in one thread.
#[derive(Debug)]
struct SearchState {
    /// The lazy DFAs' states and the other engines' scratch space.
    cache: meta::Cache,
    /// Capture slots of the latest match.
    caps: Captures,
    /// `cache`'s size when last measured, as counted in [`Matcher::held`].
    measured: usize,
}

struct Candidate {
    rule: usize,
    secret: Range<usize>,
}

/// Bytes past a window's end the regex may look at (`\b`, `$`): context, never matched.
const LOOKAHEAD: usize = 8;

/// One rule's raw matches on their way to becoming candidates in one text.
struct Offer<'a> {
    rule: &'a Rule,
    ri: usize,
    text: &'a [u8],
    /// Whether a secret starting at this offset is this text's to report (a window of a
    /// large file sees its neighbours' bytes too); only those count toward the cap.
    owns: &'a dyn Fn(usize) -> bool,
    max: usize,
    count: usize,
}

impl Offer<'_> {
    /// Filter one raw match (whole match and secret group); false once the rule hit its
    /// per-file cap and no more matches are wanted.
    fn offer(
        &mut self,
        whole: Range<usize>,
        group: Range<usize>,
        lines: &mut Option<LineIndex>,
        candidates: &mut Vec<Candidate>,
        capped: &mut Vec<String>,
    ) -> bool {
        let text = self.text;
        let span = trim_span(text, group);
        if span.is_empty()
            || !accept(self.rule, &text[span.clone()], &text[whole])
            || !near_ok(self.rule, text, &span, lines)
        {
            return true;
        }
        if (self.owns)(span.start) {
            if self.count == self.max {
                capped.push(self.rule.info.id.clone());
                return false;
            }
            self.count += 1;
        }
        candidates.push(Candidate {
            rule: self.ri,
            secret: span,
        });
        true
    }
}

/// Where a rule's regex must search a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// Nowhere: nothing can match (no required run, no `near` companion).
    Nothing,
    /// Only the windows written out. With `every_match`, every match lies in one of
    /// them, so a match running past a window's end means the window was wrong. Without,
    /// only the matches that can become findings do (`near` windows), and one running
    /// past a window's end starts beyond them.
    Windows { every_match: bool },
    /// The whole text (no such guarantee, or windows would cover half of it).
    Whole,
}

/// The ways a rule's search can be narrowed, tried in this order.
#[derive(Clone, Copy, PartialEq)]
enum Narrow {
    Keywords,
    Near,
    Runs,
}

/// Sorted, merged byte ranges of one text for a regex to search, built in order of their
/// starts. Searching many windows costs more than one pass once they cover much of the
/// text, so a set covering more than half of it gives up.
struct Windows<'a> {
    out: &'a mut Vec<(usize, usize)>,
    covered: usize,
    len: usize,
}

impl<'a> Windows<'a> {
    fn new(out: &'a mut Vec<(usize, usize)>, len: usize) -> Self {
        out.clear();
        Windows {
            out,
            covered: 0,
            len,
        }
    }

    /// Add `a..b` (clamped to the text; `a` no less than the previous window's start);
    /// false once the windows cover more than half of the text.
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

    /// End of the last window, if any.
    fn end(&self) -> Option<usize> {
        self.out.last().map(|w| w.1)
    }

    fn outcome(&self, every_match: bool) -> Search {
        if self.out.is_empty() {
            Search::Nothing
        } else {
            Search::Windows { every_match }
        }
    }
}

/// Start of the `\n`-line holding byte `pos`. Window edges use `\n` lines only, not
/// [`LineIndex`]'s (which a lone `\r` also ends): a `\n`-line holds whole `LineIndex`
/// lines, so windows built from them are never narrower, and a match that cannot hold a
/// `\n` lies within one of them.
fn line_start_at(text: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &text[..pos]).map_or(0, |i| i + 1)
}

/// End of the line holding byte `pos` (its `\n`, or the end of the text).
fn line_end_at(text: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i)
}

/// The windows every match of rule `ri` lies in: each keyword hit widened by the rule's
/// longest match, or to its whole line for rules whose matches are single-line. Whole
/// when there is no such guarantee or keyword positions were not all recorded.
fn keyword_windows(
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
    let mut windows = Windows::new(out, text.len());
    for &(s, e) in scratch.iter() {
        let fits = match radius {
            // A match holding the keyword at s..e and at most `r` long lies within
            // e - r .. s + r.
            Some(r) => windows.add(e.saturating_sub(r), s + r),
            // Already inside the previous hit's line.
            None if windows.end().is_some_and(|end| s < end) => continue,
            // A match without `\n` lies on the keyword's line.
            None => windows.add(line_start_at(text, s), line_end_at(text, e)),
        };
        if !fits {
            return Search::Whole;
        }
    }
    // A rule runs only where one of its keywords occurred, so there is a window; were
    // there none, searching the whole text is the safe answer.
    match windows.outcome(true) {
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

/// The windows a `near` rule's matches lie in: the lines within `n` of each match of its
/// (line-local) companion `near`, widened by the rule's longest match, or just those lines
/// when its matches are single-line. [`window_has`] accepts a secret only if a companion
/// matches within `n` lines of it; such a companion match starts inside a match this
/// leftmost search reports (or is one), so the secret touches the reported match's lines
/// ± `n`. Nothing when the companion matches nowhere; Whole when the matches are neither
/// bounded nor single-line. Other matches may start in a window's widened end and run
/// past it: they lie after those lines, hold no finding, and are not searched for.
///
/// `companions`, when given, are every match of `near` (its keyword hits, for a pattern
/// that [matches only keywords](crate::rules::LazyRegex::matches_only_keywords)), so the
/// companion need not be searched for: a superset of the leftmost matches gives windows
/// that hold all of the ones above.
fn near_windows(
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
    let mut windows = Windows::new(out, len);
    // The lines within `n` of a companion at start..end, widened; false once too many.
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
        windows.add(a.saturating_sub(widen), b + widen)
    };
    let fits = match companions {
        Some(hits) => hits.iter().all(|&(start, end)| add(start, end)),
        None => near.find_iter(text).all(|m| add(m.start(), m.end())),
    };
    if !fits {
        return Search::Whole;
    }
    windows.outcome(false)
}

/// The windows a rule whose matches each hold a run of `run`'s bytes must search: every
/// maximal run of at least `run.min` bytes, widened by the longest match on both sides (a
/// match shares at least `min` bytes with one run, so it starts at most that far before
/// the run and ends at most that far after it). Without a bound on the match, only
/// whether there is a run at all.
fn run_windows(
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
    let mut windows = Windows::new(out, text.len());
    let mut from = 0;
    while let Some((s, e)) = run.next_run(text, from) {
        if !windows.add(s.saturating_sub(r), e + r) {
            return Search::Whole;
        }
        from = e + 1;
    }
    windows.outcome(true)
}

/// One rule's regex with this thread's search cache and capture slots, made on the
/// rule's first search in the thread (a rule whose narrowed search finds nothing to
/// search needs none).
struct RegexRun<'a> {
    regex: &'a Regex,
    ri: usize,
    state: &'a mut Option<SearchState>,
    /// The matcher's list of rules holding a cache.
    cached: &'a mut Vec<usize>,
}

impl RegexRun<'_> {
    /// The leftmost match in `input`'s span, its groups kept for [`RegexRun::group`].
    fn search(&mut self, input: &Input<'_>) -> Option<Match> {
        let (regex, ri, cached) = (self.regex, self.ri, &mut *self.cached);
        let state = self.state.get_or_insert_with(|| {
            cached.push(ri);
            SearchState {
                cache: regex.create_cache(),
                caps: regex.create_captures(),
                measured: 0,
            }
        });
        regex.search_captures_with(&mut state.cache, input, &mut state.caps);
        state.caps.get_match()
    }

    /// Group `index` of the latest match.
    fn group(&self, index: usize) -> Option<regex_automata::Span> {
        self.state.as_ref()?.caps.get_group(index)
    }
}

/// Drop the windows that do not hold `required`, the run every match of the rule holds,
/// and so cannot hold a match; returns how many went. Each window is checked with the
/// bytes a search of it reads past its end. A run with borders lies inside the match,
/// borders included, and a run without them has at least its `min` bytes inside the
/// match, so the run shows in the window's own bytes.
fn drop_runless_windows(
    required: &RequiredRun,
    text: &[u8],
    windows: &mut Vec<(usize, usize)>,
) -> usize {
    let before = windows.len();
    windows.retain(|&(a, b)| required.occurs_in(&text[a..(b + LOOKAHEAD).min(text.len())]));
    before - windows.len()
}

/// Run a rule's regex inside each of `windows` (sorted, disjoint byte ranges), offering
/// its matches. A match running past a window's end ends that window's search when the
/// windows hold only the matches that can become findings; when they hold `every_match`,
/// such a match means the window was wrong, and so does an empty one: false, and the
/// caller drops what this offered and tries the next, wider search, ending with the whole
/// text, so a wrong window costs time, never a finding.
fn search_windows(
    run: &mut RegexRun<'_>,
    windows: &[(usize, usize)],
    every_match: bool,
    offer: &mut Offer<'_>,
    lines: &mut Option<LineIndex>,
    candidates: &mut Vec<Candidate>,
    capped: &mut Vec<String>,
) -> bool {
    let text = offer.text;
    let mark = candidates.len();
    for &(a, b) in windows {
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

impl<'r> Matcher<'r> {
    /// A matcher over `rules` that reports at most `max_per_rule` findings per rule and
    /// file; `severities[i]` is the severity rule `i`'s findings get (one per rule).
    pub fn new(rules: &'r RuleSet, max_per_rule: usize, severities: &'r [Severity]) -> Self {
        Matcher {
            rules,
            hits: Hits::default(),
            windows: Vec::new(),
            scratch: Vec::new(),
            max_per_rule: max_per_rule.max(1),
            severities,
            caches: std::iter::repeat_with(|| None)
                .take(rules.rules().len())
                .collect(),
            cached: Vec::new(),
            held: 0,
            cache_budget: CACHE_BUDGET,
            fallbacks: 0,
            companion_searches: 0,
            runless_windows: 0,
        }
    }

    /// Count what rule `ri`'s search cache grew by in its latest search, and drop every
    /// cache once together they hold more than [`CACHE_BUDGET`] bytes. Measuring after
    /// each rule, not each text, bounds them within a text dense with keywords too.
    fn keep_caches_in_budget(&mut self, ri: usize) {
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

    /// Find every secret in `text`, which is reported at `path`.
    pub fn scan(&mut self, path: &str, text: &[u8]) -> FileMatches {
        self.scan_owned(path, text, &|_| true)
    }

    /// Find the secrets one window of a large file answers for: those starting in its
    /// owned part, which alone count toward the per-rule cap and the suppressions. The
    /// overlap around it is context (keywords, `near` companions, markers, precedence
    /// between overlapping rules), since the neighbouring windows report its secrets.
    /// Locations are in the whole file.
    pub fn scan_window(&mut self, path: &str, window: &Window<'_>) -> FileMatches {
        let mut found = self.scan_owned(path, window.text, &|offset| window.owns(offset));
        for f in &mut found.findings {
            f.location = window.absolute(f.location);
        }
        found
    }

    fn scan_owned(&mut self, path: &str, text: &[u8], owns: &dyn Fn(usize) -> bool) -> FileMatches {
        self.rules.prefilter().candidates(text, &mut self.hits);
        let mut out = FileMatches::default();
        if self.hits.rules().is_empty() {
            return out;
        }
        let mut lines: Option<LineIndex> = None;
        let mut candidates = Vec::new();
        for k in 0..self.hits.rules().len() {
            let ri = self.hits.rules()[k];
            let rule = &self.rules.rules()[ri];
            if rule.allow_paths.as_ref().is_some_and(|g| g.is_match(path)) {
                continue;
            }
            let Some(regex) = rule.regex.get() else {
                continue;
            };
            let mut offer = Offer {
                rule,
                ri,
                text,
                owns,
                max: self.max_per_rule,
                count: 0,
            };
            let plan = rule.plan();
            // The narrowest search that provably finds every match: around keyword hits,
            // on the lines near a `near` companion, around the byte runs every match
            // needs; the whole text only when none of these applies.
            let mut whole_text = true;
            let mut run = RegexRun {
                regex,
                ri,
                state: &mut self.caches[ri],
                cached: &mut self.cached,
            };
            for narrow in [Narrow::Keywords, Narrow::Near, Narrow::Runs] {
                let search = match narrow {
                    Narrow::Keywords => keyword_windows(
                        self.rules,
                        ri,
                        &self.hits,
                        text,
                        &mut self.scratch,
                        &mut self.windows,
                    ),
                    Narrow::Near => match (&rule.near, plan.near_gate) {
                        (Some((near, n)), true) => {
                            let companions = plan.near_keywords
                                && keyword_hits(self.rules, ri, &self.hits, &mut self.scratch);
                            self.companion_searches += usize::from(!companions);
                            near_windows(
                                near,
                                *n,
                                plan,
                                text,
                                companions.then_some(self.scratch.as_slice()),
                                &mut self.windows,
                            )
                        }
                        _ => Search::Whole,
                    },
                    Narrow::Runs => plan.run.as_ref().map_or(Search::Whole, |run| {
                        run_windows(run, plan.max_len, text, &mut self.windows)
                    }),
                };
                let done = match search {
                    Search::Nothing => true,
                    Search::Windows { every_match } => {
                        if narrow != Narrow::Runs {
                            if let Some(required) = &plan.run {
                                self.runless_windows +=
                                    drop_runless_windows(required, text, &mut self.windows);
                            }
                        }
                        let fitted = search_windows(
                            &mut run,
                            &self.windows,
                            every_match,
                            &mut offer,
                            &mut lines,
                            &mut candidates,
                            &mut out.capped_rules,
                        );
                        self.fallbacks += usize::from(!fitted);
                        fitted
                    }
                    Search::Whole => false,
                };
                if done {
                    whole_text = false;
                    break;
                }
            }
            if whole_text {
                let mut searcher = Searcher::new(Input::new(text));
                while let Some(whole) = searcher.advance(|input| Ok(run.search(input))) {
                    let Some(group) = run.group(rule.secret_group) else {
                        continue;
                    };
                    if !offer.offer(
                        whole.range(),
                        group.range(),
                        &mut lines,
                        &mut candidates,
                        &mut out.capped_rules,
                    ) {
                        break;
                    }
                }
            }
            self.keep_caches_in_budget(ri);
        }
        if candidates.is_empty() {
            return out;
        }
        let kept = dedupe(self.rules, candidates);
        let lines = lines.get_or_insert_with(|| LineIndex::new(text));
        let all_spans: Vec<Range<usize>> = kept.iter().map(|c| c.secret.clone()).collect();
        let markers = marker_spans(text);
        for c in kept.iter().filter(|c| owns(c.secret.start)) {
            let rule = &self.rules.rules()[c.rule];
            let location = lines.location(text, c.secret.clone());
            if suppressed(text, lines, location.line, &markers) {
                out.suppressed += 1;
                continue;
            }
            let secret = Secret::from_bytes(&text[c.secret.clone()]);
            out.findings.push(Finding {
                rule: Arc::clone(&rule.info),
                severity: self
                    .severities
                    .get(c.rule)
                    .copied()
                    .unwrap_or(rule.info.severity),
                path: path.to_string(),
                location,
                fingerprint: Fingerprint::new(&rule.info.id, &secret),
                context: context(text, lines, &c.secret, &all_spans),
                secret,
                provenance: None,
            });
        }
        out
    }
}

/// Trim ASCII whitespace off both ends of a secret span (multi-line bodies end in `\n`).
fn trim_span(text: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.start < r.end && text[r.start].is_ascii_whitespace() {
        r.start += 1;
    }
    while r.end > r.start && text[r.end - 1].is_ascii_whitespace() {
        r.end -= 1;
    }
    r
}

/// The per-match filters that need only the secret and the match.
fn accept(rule: &Rule, secret: &[u8], whole: &[u8]) -> bool {
    if rule
        .entropy
        .is_some_and(|min| shannon_entropy(secret) < min)
    {
        return false;
    }
    if rule.placeholder_check && looks_like_placeholder(secret) {
        return false;
    }
    if !rule.stopwords.is_empty() {
        let lower = secret.to_ascii_lowercase();
        if rule
            .stopwords
            .iter()
            .any(|w| memmem::find(&lower, w.as_bytes()).is_some())
        {
            return false;
        }
    }
    if rule
        .allow_secret
        .iter()
        .any(|re| re.get().is_some_and(|re| re.is_match(secret)))
        || rule
            .allow_match
            .iter()
            .any(|re| re.get().is_some_and(|re| re.is_match(whole)))
    {
        return false;
    }
    match rule.checksum {
        None => true,
        Some(Checksum::GithubCrc32) => github_checksum_ok(secret),
        Some(Checksum::PypiMacaroon) => pypi_macaroon_ok(secret),
    }
}

/// The `near` rule: the companion pattern must occur within N lines of the secret; the
/// `not_near` rule: its pattern must not.
fn near_ok(rule: &Rule, text: &[u8], span: &Range<usize>, lines: &mut Option<LineIndex>) -> bool {
    if let Some((re, n)) = &rule.not_near {
        if window_has(re, *n, text, span, lines) {
            return false;
        }
    }
    match &rule.near {
        None => true,
        Some((re, n)) => window_has(re, *n, text, span, lines),
    }
}

/// Whether `re` matches within `n` lines of `span`.
fn window_has(
    re: &crate::rules::LazyRegex,
    n: usize,
    text: &[u8],
    span: &Range<usize>,
    lines: &mut Option<LineIndex>,
) -> bool {
    let lines = lines.get_or_insert_with(|| LineIndex::new(text));
    let first = lines.line_of(span.start).saturating_sub(n).max(1);
    let last = lines.line_of(span.end.saturating_sub(1)) + n;
    let window = lines.line_start(first)..lines.line_end(text, last);
    re.get().is_some_and(|re| re.is_match(&text[window]))
}

/// Keep one finding per overlapping region: the most precise rule wins, then the
/// earlier-loaded rule; non-overlapping matches of different rules all stay.
fn dedupe(rules: &RuleSet, mut c: Vec<Candidate>) -> Vec<Candidate> {
    let rank = |x: &Candidate| {
        let info = &rules.rules()[x.rule].info;
        (std::cmp::Reverse(info.precision), x.rule, x.secret.start)
    };
    c.sort_by_key(rank);
    let mut kept: Vec<Candidate> = Vec::with_capacity(c.len());
    for cand in c {
        let overlaps = kept
            .iter()
            .any(|k| k.secret.start < cand.secret.end && cand.secret.start < k.secret.end);
        if !overlaps {
            kept.push(cand);
        }
    }
    kept.sort_by_key(|x| (x.secret.start, x.rule));
    kept
}

/// Every allow marker in `text`, as sorted byte spans: found in one pass per text, so
/// checking many findings on one very long line does not search that line again each
/// time (which made a 25 MB single-line file with many keys quadratic).
fn marker_spans(text: &[u8]) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = ALLOW_MARKERS
        .iter()
        .flat_map(|m| memmem::find_iter(text, m.as_bytes()).map(move |i| i..i + m.len()))
        .collect();
    spans.sort_by_key(|r| r.start);
    spans
}

/// Whether an allow marker lies on `line` or the line before it.
fn suppressed(text: &[u8], lines: &LineIndex, line: usize, markers: &[Range<usize>]) -> bool {
    let from = lines.line_start(line.saturating_sub(1).max(1));
    let to = lines.line_end(text, line);
    let first = markers.partition_point(|r| r.start < from);
    markers[first..]
        .iter()
        .take_while(|r| r.start < to)
        .any(|r| r.end <= to)
}

/// The secret's first line, trimmed around it, with every secret on it kept masked.
fn context(text: &[u8], lines: &LineIndex, secret: &Range<usize>, all: &[Range<usize>]) -> Context {
    let line = lines.line_of(secret.start);
    let line_start = lines.line_start(line);
    let line_end = lines.line_end(text, line);
    let from = floor_char(
        text,
        secret.start.saturating_sub(CONTEXT_RADIUS).max(line_start),
    );
    let to = ceil_char(
        text,
        (secret.end.min(line_end) + CONTEXT_RADIUS).min(line_end),
    );
    let mut segments = Vec::new();
    if from > line_start {
        segments.push(Segment::Text("…".into()));
    }
    let mut on_line: Vec<&Range<usize>> = all
        .iter()
        .filter(|r| r.start < to && r.end > from)
        .collect();
    on_line.sort_by_key(|r| r.start);
    let mut pos = from;
    for r in on_line {
        let (s, e) = (r.start.max(pos), r.end.min(to));
        if s >= e {
            continue;
        }
        if s > pos {
            segments.push(Segment::Text(
                String::from_utf8_lossy(&text[pos..s]).into_owned(),
            ));
        }
        segments.push(Segment::Secret(Secret::from_bytes(&text[s..e])));
        pos = e;
    }
    if pos < to {
        segments.push(Segment::Text(
            String::from_utf8_lossy(&text[pos..to]).into_owned(),
        ));
    }
    if to < line_end {
        segments.push(Segment::Text("…".into()));
    }
    Context { segments }
}

fn floor_char(text: &[u8], mut i: usize) -> usize {
    while i > 0 && i < text.len() && (text[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

fn ceil_char(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && (text[i] & 0xC0) == 0x80 {
        i += 1;
    }
    i
}

/// Line starts of a text; `\n`, `\r\n` and a lone `\r` each end a line.
///
/// Columns are counted from a cursor left by the previous lookup when it sits earlier
/// on the same line, so locating many findings on one very long line (a minified
/// bundle, a 200 MB single-line file) costs one pass over the line, not one per finding.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// (byte offset, characters from its line's start to it) of the last column lookup.
    cursor: std::cell::Cell<(usize, usize)>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: &[u8]) -> Self {
        let mut starts = vec![0];
        for i in memchr2_iter(b'\n', b'\r', text) {
            if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(i + 1);
        }
        LineIndex {
            starts,
            cursor: std::cell::Cell::new((0, 0)),
        }
    }

    /// 0-based character column of byte `pos`, which lies on 1-based `line`.
    fn column_of(&self, text: &[u8], line: usize, pos: usize) -> usize {
        let start = self.line_start(line);
        let (at, chars) = self.cursor.get();
        let col = if at >= start && at <= pos {
            chars + char_count(&text[at..pos])
        } else {
            char_count(&text[start..pos])
        };
        self.cursor.set((pos, col));
        col
    }

    /// 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// Byte offset where 1-based `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.clamp(1, self.starts.len()) - 1]
    }

    /// Byte offset where 1-based `line`'s content ends (before its terminator).
    pub fn line_end(&self, text: &[u8], line: usize) -> usize {
        let mut end = if line >= self.starts.len() {
            text.len()
        } else {
            self.starts[line]
        };
        while end > self.line_start(line) && matches!(text[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        end
    }

    /// The 1-based, end-exclusive location of byte range `r`; columns count characters.
    pub fn location(&self, text: &[u8], r: Range<usize>) -> Location {
        let line = self.line_of(r.start);
        let end_line = self.line_of(r.end.saturating_sub(1).max(r.start));
        Location {
            line,
            column: self.column_of(text, line, r.start) + 1,
            end_line,
            end_column: self.column_of(text, end_line, r.end) + 1,
            offset: r.start,
            len: r.len(),
        }
    }
}

/// Shannon entropy in bits per byte.
pub fn shannon_entropy(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in data {
        counts[usize::from(b)] += 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that mark a value as documentation, a template or a placeholder. Matched
/// case-insensitively anywhere in the secret, so each is long or odd enough not to occur
/// by chance in a random token (no "test": Stripe's sk_test_ keys are real).
const PLACEHOLDER_WORDS: [&str; 31] = [
    "xxxx",
    "****",
    "....",
    "\u{2026}",
    "\u{2022}\u{2022}",
    "changeme",
    "change_me",
    "change-me",
    "changethis",
    "placeholder",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpassword",
    "<your",
    "&lt;",
    "redacted",
    "dummy",
    "replace_me",
    "replaceme",
    "example",
    "sample_",
    "insert_",
    "insert-",
    "enter_your",
    "enter-your",
    "put_your",
    "lorem",
    "notreal",
];

/// Template and interpolation openers: `${VAR}`, `{{ var }}`, `%(var)s`, `#{var}`,
/// `<%= var %>`, `$(cmd)`.
const TEMPLATE_MARKERS: [&[u8]; 7] = [b"${", b"{{", b"}}", b"%(", b"#{", b"<%", b"$("];

/// Heuristics that recognise placeholders, templates and filler rather than keys:
/// `xxxx`, `<your-key>`, `${VAR}`, `{{ var }}`, `#{var}`, `%VAR%`, `changeme`,
/// `example`, an ALL_CAPS constant name (`YOUR_API_KEY`), a run of six repeated or
/// sequential characters (`aaaaaa`, `123456`, `abcdef`), the same run at every other
/// position (`a1b2c3d4e5f6`), or a short unit repeated over the whole value
/// (`abcdabcdabcd`, `1234-1234-1234-`).
pub fn looks_like_placeholder(secret: &[u8]) -> bool {
    let lower = secret.to_ascii_lowercase();
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| memmem::find(&lower, w.as_bytes()).is_some())
        || TEMPLATE_MARKERS
            .iter()
            .any(|m| memmem::find(secret, m).is_some())
    {
        return true;
    }
    if wrapped(secret) || is_variable_reference(secret) || is_constant_name(secret) {
        return true;
    }
    has_run(secret, 1, 6) || has_run(secret, 2, 6) || is_periodic(secret)
}

/// `<…>`, `[…]`, `{…}` or `(…)` around the whole value: a slot to fill in.
fn wrapped(s: &[u8]) -> bool {
    matches!(
        (s.first(), s.last()),
        (Some(b'<'), Some(b'>'))
            | (Some(b'['), Some(b']'))
            | (Some(b'{'), Some(b'}'))
            | (Some(b'('), Some(b')'))
    )
}

/// `$VAR`, `%VAR%` or `@VAR@`: a shell, Windows or autoconf variable, not a value.
fn is_variable_reference(s: &[u8]) -> bool {
    let name = |b: &[u8]| {
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_uppercase() || *c == b'_' || c.is_ascii_digit())
    };
    match (s.first(), s.last()) {
        (Some(b'$'), _) => name(&s[1..]),
        (Some(b'%'), Some(b'%')) | (Some(b'@'), Some(b'@')) if s.len() > 2 => {
            name(&s[1..s.len() - 1])
        }
        _ => false,
    }
}

/// An ALL_CAPS constant or environment-variable name such as `YOUR_API_KEY` or
/// `NEXUS-GPT4-API-KEY`: two or more `_`/`-`-joined words of at most 12 upper-case
/// letters (a word may carry one digit), at least half of them digit-free, the first
/// starting with a letter. Random upper-case key groups (`NRAK-7JCF597RJ…`) are longer
/// or denser in digits.
fn is_constant_name(s: &[u8]) -> bool {
    let words: Vec<&[u8]> = s.split(|b| *b == b'_' || *b == b'-').collect();
    let word_ok = |w: &&[u8]| {
        !w.is_empty()
            && w.len() <= 12
            && w.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && w.iter().filter(|c| c.is_ascii_digit()).count() <= 1
    };
    words.len() >= 2
        && words.iter().all(word_ok)
        && words[0][0].is_ascii_uppercase()
        && words
            .iter()
            .filter(|w| w.iter().all(u8::is_ascii_uppercase))
            .count()
            * 2
            >= words.len()
}

/// A run of `len` characters, `stride` apart, that are all equal or each one more (or
/// one less) than the previous: `aaaaaa`, `123456`, `fedcba` (stride 1), `a1b2c3d4e5f6`
/// (stride 2). Only alphanumerics count as a sequence.
fn has_run(s: &[u8], stride: usize, len: usize) -> bool {
    for phase in 0..stride {
        let (mut same, mut up, mut down) = (1, 1, 1);
        let mut prev: Option<u8> = None;
        for &c in s.iter().skip(phase).step_by(stride) {
            if let Some(p) = prev {
                same = if c == p && stride == 1 { same + 1 } else { 1 };
                up = if p.is_ascii_alphanumeric() && c == p.wrapping_add(1) {
                    up + 1
                } else {
                    1
                };
                down = if p.is_ascii_alphanumeric() && c == p.wrapping_sub(1) {
                    down + 1
                } else {
                    1
                };
                if same >= len || up >= len || down >= len {
                    return true;
                }
            }
            prev = Some(c);
        }
    }
    false
}

/// A unit of 2 to 8 characters repeated at least three times over a stretch of 12 or
/// more characters (`abcdabcdabcd`, `GFPYYSJZGFPYYSJZ…`, `1234-1234-1234-`): typed
/// filler, never random output.
fn is_periodic(s: &[u8]) -> bool {
    for period in 2..=8 {
        let need = (period * 3).max(12);
        if s.len() < need {
            continue;
        }
        let mut streak = 0;
        for i in period..s.len() {
            if s[i] == s[i - period] {
                streak += 1;
                if streak + period >= need {
                    return true;
                }
            } else {
                streak = 0;
            }
        }
    }
    false
}

/// GitHub's token checksum: `prefix_` + 30 random base62 characters + 6 base62
/// characters encoding the CRC32 of those 30.
pub fn github_checksum_ok(token: &[u8]) -> bool {
    let body = match token.iter().rposition(|&b| b == b'_') {
        Some(i) => &token[i + 1..],
        None => token,
    };
    if body.len() != 36 {
        return false;
    }
    let (random, check) = body.split_at(30);
    base62_6(crc32(random)).as_bytes() == check
}

fn base62_6(mut n: u32) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

/// PyPI API tokens are `pypi-` + a base64url-encoded v2 macaroon. Its binary form opens
/// with the version byte 2, then field type 1 (location) with a one-byte length and the
/// index's host name (`pypi.org`, `test.pypi.org`), then field type 2 (identifier). Only
/// the first 60 characters are decoded: enough for the header, whatever the token's size.
pub fn pypi_macaroon_ok(token: &[u8]) -> bool {
    let Some(body) = token.strip_prefix(b"pypi-") else {
        return false;
    };
    let head = base64url_decode(&body[..body.len().min(60) / 4 * 4]);
    let [2, 1, len, rest @ ..] = head.as_slice() else {
        return false;
    };
    let len = usize::from(*len);
    let Some(host) = rest.get(..len) else {
        return false;
    };
    len >= 4
        && host.contains(&b'.')
        && host
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && rest.get(len) == Some(&2)
}

/// Decode unpadded base64url (or standard base64); stops at the first other byte.
fn base64url_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => break,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xFF).unwrap_or_default());
        }
    }
    out
}

/// CRC-32 (IEEE 802.3), bitwise: tokens are short.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Build a GitHub-style token with a valid checksum (for tests and fixtures).
pub fn github_token_with_checksum(prefix: &str, random30: &str) -> String {
    format!("{prefix}{random30}{}", base62_6(crc32(random30.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_macaroon_header_decodes() {
        // "\x02\x01\x08pypi.org\x02..." and "\x02\x01\x0dtest.pypi.org\x02...", base64url.
        let real = format!(
            "pypi-{}{}",
            "AgEIcHlwaS5vcmcCJDkwNzYwNzU1", "LWMwOTUtNGNkOC1iYjQzLTU3OWNhZjI1NDQ1MwACJXsi"
        );
        assert!(pypi_macaroon_ok(real.as_bytes()));
        let test = format!(
            "pypi-{}{}",
            "AgENdGVzdC5weXBpLm9yZwIlZDFh", "ZjgyMTItMDBhNC00YjJjLWE3NDEtOGYxZjM5ZDNkMjE0AA"
        );
        assert!(pypi_macaroon_ok(test.as_bytes()));
        let wrong_version = format!(
            "pypi-{}{}",
            "AwEIcHlwaS5vcmcCJDkwNzYwNzU1", "LWMwOTUtNGNkOC1iYjQz"
        );
        assert!(!pypi_macaroon_ok(wrong_version.as_bytes()));
        assert!(!pypi_macaroon_ok(b"pypi-Zm9vYmFyYmF6cXV4cXV1eGZvb2Jhcg"));
        assert!(!pypi_macaroon_ok(b"pypi-"));
        assert!(!pypi_macaroon_ok(b"npm_AgEIcHlwaS5vcmcCJDkwNzYwNzU1"));
    }

    #[test]
    fn npm_tokens_share_the_github_checksum() {
        let good = github_token_with_checksum("npm_", "Tq8Lw2Rv7Tb5Kc9Mz4Hp1Jd6Gs0Ya3");
        assert!(github_checksum_ok(good.as_bytes()));
        let mut bad = good.into_bytes();
        let last = bad.len() - 1;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(!github_checksum_ok(&bad));
    }

    fn demo_set() -> RuleSet {
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
provider = "Generic"
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
    fn run(set: &RuleSet, text: &str) -> FileMatches {
        run_counted(set, text).0
    }

    /// [`run`], with how the searches went: companion searches, and windows dropped for
    /// lacking the rule's required run.
    fn run_counted(set: &RuleSet, text: &str) -> (FileMatches, usize, usize) {
        let sev: Vec<Severity> = set.rules().iter().map(|r| r.info.severity).collect();
        let mut matcher = Matcher::new(set, 1000, &sev);
        let found = matcher.scan("t.txt", text.as_bytes());
        assert_eq!(matcher.fallbacks, 0, "a window missed a match's extent");
        (found, matcher.companion_searches, matcher.runless_windows)
    }

    /// Caches dropped for the budget are rebuilt on demand: a matcher that drops them
    /// before every text finds what one that keeps them finds.
    #[test]
    fn search_caches_over_budget_are_dropped_without_losing_findings() {
        let set = RuleSet::builtin().unwrap();
        let sev: Vec<Severity> = set.rules().iter().map(|r| r.info.severity).collect();
        let mut keeps = Matcher::new(&set, 100, &sev);
        keeps.cache_budget = usize::MAX;
        let mut drops = Matcher::new(&set, 100, &sev);
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
        let sev: Vec<Severity> = set.rules().iter().map(|r| r.info.severity).collect();
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
        let mut unbounded = Matcher::new(&set, 100, &sev);
        unbounded.cache_budget = usize::MAX;
        let all = unbounded.scan("f", text.as_bytes());
        let mut bounded = Matcher::new(&set, 100, &sev);
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

    /// A rule set of one rule: `body` holds its keywords, regex, examples and more.
    fn one_rule(id: &str, body: &str) -> RuleSet {
        let toml = format!(
            "[[rules]]\nid = \"{id}\"\nname = \"Demo\"\nprovider = \"Demo\"\n\
             description = \"A rule for matcher tests.\"\nseverity = \"error\"\n\
             security_severity = 8.0\nprecision = \"medium\"\n{body}"
        );
        RuleSet::new(crate::rules::parse("demo.toml", &toml).unwrap()).unwrap()
    }

    /// The secrets the matcher reports, in order.
    fn secrets(m: &FileMatches) -> Vec<String> {
        m.findings
            .iter()
            .map(|f| f.secret.expose().to_string())
            .collect()
    }

    /// The `secret` groups of rule `ri`'s regex over the whole text: what any narrowed
    /// search must find too.
    fn whole_text_secrets(set: &RuleSet, ri: usize, text: &str) -> Vec<String> {
        set.rules()[ri]
            .regex
            .get()
            .unwrap()
            .captures_iter(text.as_bytes())
            .map(|c| text[c.get_group_by_name("secret").unwrap().range()].to_string())
            .collect()
    }

    /// Rule `ri` searches `text` in keyword windows and finds there the `count` secrets a
    /// whole-text search finds.
    fn keyword_windows_find_all(set: &RuleSet, ri: usize, text: &str, count: usize) {
        let expected = whole_text_secrets(set, ri, text);
        assert_eq!(expected.len(), count);
        let mut hits = Hits::default();
        set.prefilter().candidates(text.as_bytes(), &mut hits);
        let (mut scratch, mut out) = (Vec::new(), Vec::new());
        assert_eq!(
            keyword_windows(set, ri, &hits, text.as_bytes(), &mut scratch, &mut out),
            Search::Windows { every_match: true }
        );
        assert_eq!(secrets(&run(set, text)), expected);
    }

    /// Pseudo-random strings of `alphabet` (a fixed LCG, so tests are repeatable).
    fn bodies(mut seed: u64, alphabet: &'static [u8]) -> impl FnMut(usize) -> String {
        move |n| {
            (0..n)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    char::from(alphabet[(seed >> 33) as usize % alphabet.len()])
                })
                .collect()
        }
    }

    #[test]
    fn keyword_windows_find_what_a_whole_text_search_finds() {
        let set = demo_set();
        assert_eq!(set.rules()[0].plan().keyword_radius(), Some(21));
        // Pseudo-random token bodies; tokens at the very start and end, back to back,
        // split by a newline, and far apart in filler the windows skip.
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
        keyword_windows_find_all(&set, 0, &text, 52);
    }

    #[test]
    fn line_windows_find_what_a_whole_text_search_finds() {
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
        keyword_windows_find_all(&set, 1, &text, 52);
    }

    #[test]
    fn run_windows_cover_every_run_and_give_up_when_dense() {
        let set = one_rule(
            "demo-run",
            "keywords = [\"x\"]\nregex = 'x(?P<secret>[a-z]{8})y'\n\
             examples = [\"xabcdefghy\", \"xqwertyuiy\"]\nnegative_examples = [\"xabcy\"]\n",
        );
        let plan = set.rules()[0].plan();
        let needed = plan.run.as_ref().unwrap();
        assert_eq!(plan.max_len, Some(10));
        let mut w = Vec::new();
        let mut text = "-".repeat(200);
        assert_eq!(
            run_windows(needed, Some(10), text.as_bytes(), &mut w),
            Search::Nothing
        );
        // A run at the start, one of 7 (too short), and two close enough to merge.
        text.replace_range(0..9, "abcdefghi");
        text.replace_range(30..37, "abcdefg");
        text.replace_range(50..58, "abcdefgh");
        text.replace_range(62..70, "abcdefgh");
        assert_eq!(
            run_windows(needed, Some(10), text.as_bytes(), &mut w),
            Search::Windows { every_match: true }
        );
        assert_eq!(w, vec![(0, 19), (40, 80)]);
        // Unbounded matches: only whether a run exists.
        assert_eq!(
            run_windows(needed, None, text.as_bytes(), &mut w),
            Search::Whole
        );
        // Windows over half the text: search it whole.
        text.replace_range(100..108, "abcdefgh");
        text.replace_range(130..138, "abcdefgh");
        assert_eq!(
            run_windows(needed, Some(10), text.as_bytes(), &mut w),
            Search::Whole
        );
    }

    #[test]
    fn run_windows_find_what_a_whole_text_search_finds() {
        // A bounded token shape whose keyword is only context: no keyword window, but
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
        let mut windows = Vec::new();
        assert_eq!(
            run_windows(
                plan.run.as_ref().unwrap(),
                plan.max_len,
                text.as_bytes(),
                &mut windows
            ),
            Search::Windows { every_match: true }
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
            near_windows(near, *n, plan, alone.as_bytes(), None, &mut w),
            Search::Nothing
        );
        assert!(run(&set, &alone).findings.is_empty());
        let far = format!("DID0123456789\n\n\n\nkey = {secret}\n");
        assert!(run(&set, &far).findings.is_empty());
        let near_by = format!("DID0123456789\n\nkey = {secret}\n");
        assert_eq!(secrets(&run(&set, &near_by)), vec![secret]);
    }

    #[test]
    fn near_windows_find_every_secret_within_n_lines_of_a_companion() {
        // One bounded rule (windows widened by its longest match) and one unbounded
        // single-line rule (windows of whole lines), both needing a companion within 2 lines.
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
            let mut windows = Vec::new();
            assert_eq!(
                near_windows(near, *n, plan, text.as_bytes(), None, &mut windows),
                Search::Windows { every_match: false }
            );
            assert_eq!(windows.len(), 3, "{windows:?}"); // lines 20 and 21 share one
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

    /// Keyword windows whose bytes hold no run the regex needs are dropped unsearched,
    /// and what the others find is what a whole-text search finds: runs with borders
    /// (quotes) and without, one byte short, exact, one byte and six bytes long.
    #[test]
    fn windows_without_the_required_run_are_dropped_unsearched() {
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
                // Enough filler between keywords that windows cover under half the text.
                text.push_str(&filler[..300 + (i * 53) % 200]);
            }
            let (found, _, runless_windows) = run_counted(&set, &text);
            assert_eq!(
                secrets(&found),
                whole_text_secrets(&set, 0, &text),
                "{runs}"
            );
            assert!(!secrets(&found).is_empty(), "{runs}");
            assert!(runless_windows > 0, "{runs}");
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
        // The windows from the keyword hits are the ones a search for the companion gives.
        let (near, n) = set.rules()[0].near.as_ref().unwrap();
        let mut hits = Hits::default();
        set.prefilter().candidates(text.as_bytes(), &mut hits);
        let mut companions = Vec::new();
        assert!(keyword_hits(&set, 0, &hits, &mut companions));
        assert_eq!(companions.len(), 3);
        let (mut searched, mut placed) = (Vec::new(), Vec::new());
        let outcome = near_windows(near, *n, plan, text.as_bytes(), None, &mut searched);
        assert_eq!(outcome, Search::Windows { every_match: false });
        assert_eq!(
            near_windows(
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

    #[test]
    fn precise_rule_wins_overlap_and_both_secrets_stay_masked_in_context() {
        let set = demo_set();
        let m = run(
            &set,
            "key = demo_q8w3v7l2k9r4b6h1 and demo_k3m9p2x7q4w8r1t6\n",
        );
        let ids: Vec<&str> = m.findings.iter().map(|f| f.rule.id.as_str()).collect();
        assert_eq!(ids, vec!["demo-token", "demo-token"]);
        for f in &m.findings {
            let line = f.context.render(false);
            assert!(
                !line.contains("q8w3v7l2k9r4b6h1") && !line.contains("k3m9p2x7q4w8r1t6"),
                "{line}"
            );
            assert!(f.context.render(true).contains("demo_k3m9p2x7q4w8r1t6"));
        }
    }

    #[test]
    fn inline_markers_suppress_same_and_next_line_only() {
        let set = demo_set();
        assert_eq!(
            run(&set, "demo_q8w3v7l2k9r4b6h1 # plainsight:allow").suppressed,
            1
        );
        let m = run(&set, "# gitleaks:allow\ndemo_q8w3v7l2k9r4b6h1");
        assert_eq!((m.findings.len(), m.suppressed), (0, 1));
        let m = run(&set, "# pragma: allowlist secret\n\ndemo_q8w3v7l2k9r4b6h1");
        assert_eq!((m.findings.len(), m.suppressed), (1, 0));
    }

    #[test]
    fn findings_per_rule_are_capped_and_reported() {
        let set = demo_set();
        let sev: Vec<Severity> = set.rules().iter().map(|r| r.info.severity).collect();
        let text: String = (0..50)
            .map(|i| format!("demo_q8w3v7l2k9r4{i:04}\n"))
            .collect();
        let m = Matcher::new(&set, 10, &sev).scan("t.txt", text.as_bytes());
        assert_eq!(m.findings.len(), 10);
        assert_eq!(m.capped_rules, vec!["demo-token".to_string()]);
    }

    #[test]
    fn line_index_handles_lf_crlf_and_cr() {
        let t = b"a\nbb\r\nccc\rdddd";
        let li = LineIndex::new(t);
        assert_eq!(li.line_of(0), 1);
        assert_eq!(li.line_of(2), 2);
        assert_eq!(li.line_of(6), 3);
        assert_eq!(li.line_of(10), 4);
        assert_eq!(li.line_end(t, 2), 4);
        let loc = li.location(t, 10..14);
        assert_eq!(
            (loc.line, loc.column, loc.end_line, loc.end_column),
            (4, 1, 4, 5)
        );
    }

    #[test]
    fn columns_count_characters() {
        let t = "é = secret".as_bytes();
        let li = LineIndex::new(t);
        let loc = li.location(t, 5..11);
        assert_eq!((loc.column, loc.end_column), (5, 11));
    }

    #[test]
    fn entropy_and_placeholders() {
        assert!(shannon_entropy(b"aaaa") < 0.01);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-9);
        for p in [
            "xxxxxxxxxxxx",
            "${API_KEY}",
            "{{ token }}",
            "<your-api-key>",
            "changeme123",
            "aaaaaaaaK",
            "key123456",
            "$SECRET_KEY",
            "%DB_PASSWORD%",
            "#{datastore['PASS']}",
            "<%= ENV['KEY'] %>",
            "$(cat /run/secrets/key)",
            "[PASSWORD]",
            "{clientSecret}",
            "YOUR_API_KEY",
            "NEXUS-GPT4-API-KEY",
            "&lt;YOURPASSWROD&gt;",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "a1b2c3d4e5f6g7h8i9j0",
            "GFPYYSJZGFPYYSJZGFPYYSJZ",
            "xoxp-1234-1234-1234-4ddbc191d40ee098",
            "abcabcabcabc",
            "x-access-token:\u{2026}",
        ] {
            assert!(looks_like_placeholder(p.as_bytes()), "{p}");
        }
        // Key-shaped values are assembled at runtime so the self-scan stays clean.
        for s in [
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzz",
            "Zq3xT9pLm2Vw8Rk4",
            concat!("sk_", "test_", "4eC39HqLyjWDarjtT1zdp7dc"),
            "AKIA_NOT_CONSTANT_mixed",
            "8f3c1a2e9b7d4c6a0e5f1b3d7a9c2e4f",
            "P@ssw0rd$1",
            concat!("dckr_", "pat_", "hc8VxYclixyTr2rDFsa2rqzkP3Y"),
            concat!("NR", "AK-", "7JCF597RJ492YP6MZWST3HWRNY2"),
        ] {
            assert!(!looks_like_placeholder(s.as_bytes()), "{s}");
        }
    }

    #[test]
    fn github_checksum_round_trips() {
        let t = github_token_with_checksum("ghp_", "Zq3xT9pLm2Vw8Rk4Yb7Nc1Hd6Jf5Gs");
        assert_eq!(t.len(), 40);
        assert!(github_checksum_ok(t.as_bytes()));
        let mut bad = t.into_bytes();
        bad[10] ^= 1;
        assert!(!github_checksum_ok(&bad));
    }
}
