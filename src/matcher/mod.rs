//! Runs the candidate rules' regexes over one text and turns matches into findings.
//!
//! One scan of a text goes:
//!
//! 1. The prefilter ([`crate::prefilter`]) finds the rules whose keywords occur, and
//!    where.
//! 2. Each such rule's regex searches only the byte ranges that can hold its matches
//!    (`narrow`), or the whole text when nothing narrows it, with this thread's
//!    search cache for the regex (`cache`).
//! 3. A raw match is only a candidate: it must pass the rule's filters (`filter`):
//!    entropy floor, placeholder heuristics, stopwords, allowlists, the format's
//!    checksum (`checksum`) and the `near` / `not_near` patterns in the secret's
//!    neighbourhood (the lines within `n` of it). Each rule stops at its per-file cap.
//!    Generic rules' values (provider `Generic`) must also pass the generic detector's
//!    judgement (`generic`): no template, placeholder, identifier, path, or hash that
//!    is not a credential; their findings name the service the variable name carries.
//! 4. Candidates are de-duplicated: where matches overlap, the more precise rule wins.
//! 5. Survivors silenced by an inline marker ([`crate::suppress`]) are counted, not
//!    reported; the rest get their line, column and masked context line (`lines`),
//!    computed only now, from a line index built on demand. Stand-ins (`stand_in`:
//!    guessable values and password hashes in tests and docs) claimed their match in
//!    step 4 like any candidate and come back apart, to be counted unless asked for.
//!
//! Three words name three things here: a *range* is a span of bytes a regex searches;
//! a *neighbourhood* is the lines within `n` of a secret that a `near` check looks at;
//! a *chunk* is a piece of a large text ([`crate::read::Chunk`]), which
//! [`Matcher::scan_chunk`] scans with its neighbours' bytes as context.

mod cache;
mod checksum;
mod filter;
mod generic;
mod lines;
mod narrow;
mod preimage;
mod stand_in;
#[cfg(test)]
pub(crate) mod test_support;

use std::ops::Range;
use std::sync::Arc;

use regex_automata::util::iter::Searcher;
use regex_automata::Input;

pub use self::checksum::{
    crc32, github_checksum_ok, github_token_with_checksum, jwt_claims, pypi_macaroon_ok, JwtClaims,
};
pub use self::filter::{looks_like_placeholder, shannon_entropy};
pub(crate) use self::lines::context;
pub use self::lines::LineIndex;
pub use crate::suppress::ALLOW_MARKERS;

use self::cache::{RegexRun, SearchState, CACHE_BUDGET};
use self::filter::{accept, near_ok, trim_span};
use self::stand_in::{Judged, Setting};
use crate::finding::{Finding, Fingerprint, Secret};
use crate::prefilter::Hits;
use crate::read::Chunk;
use crate::rules::{Precision, Rule, RuleSet};
use crate::suppress::{marker_spans, suppressed};

/// What a reported stand-in's finding says of itself.
pub const STAND_IN_DETAILS: &str =
    "stand-in: a guessable value in a test, fixture or documentation file";

/// What matching one text produced.
#[derive(Debug, Default)]
pub struct FileMatches {
    /// Findings, in text order.
    pub findings: Vec<Finding>,
    /// Matches silenced by an inline marker.
    pub suppressed: usize,
    /// Guessable values in tests and documentation, withheld (see `stand_in`): built
    /// like findings, so a caller can count them as it counts findings.
    pub stand_ins: Vec<Finding>,
    /// Rules that hit the per-file cap (their further matches were not reported).
    pub capped_rules: Vec<String>,
}

/// Per-thread matcher: holds the reusable prefilter state, range buffers and the rule
/// regexes' search caches.
#[derive(Debug)]
pub struct Matcher<'r> {
    rules: &'r RuleSet,
    hits: Hits,
    /// Reused buffer of one rule's search ranges.
    ranges: Vec<(usize, usize)>,
    /// Reused buffer of one rule's keyword hits, in text order.
    scratch: Vec<(usize, usize)>,
    max_per_rule: usize,
    /// Per rule: its regex's search state, once the rule has searched in this thread.
    /// Boxed: a state is over a kilobyte, and the one slot per rule that every
    /// matcher (one per worker) starts with, unboxed, wrote 1.7 MB of `None`s at each
    /// start: 1,340 of the 2,900 page faults of a scan of an empty directory.
    caches: Vec<Option<Box<SearchState>>>,
    /// The rules with a cache, so the budget check does not walk every rule.
    cached: Vec<usize>,
    /// What the caches hold, in bytes, as measured after each rule's search.
    held: usize,
    /// [`CACHE_BUDGET`] (tests shrink it).
    cache_budget: usize,
    /// Narrowed searches that found a match reaching a range's edge and were redone
    /// wider. Range construction rules that out, so tests assert it stays 0: otherwise
    /// a wrong range would pass them through the fallback unnoticed.
    fallbacks: usize,
    /// Near ranges placed by searching for the companion rather than from keyword hits
    /// (tests check that companions made of keywords are not searched for).
    companion_searches: usize,
    /// Keyword or near ranges dropped unsearched for lacking the rule's required run.
    runless_ranges: usize,
    /// Texts a candidate rule skipped for lacking its required string, and ranges
    /// dropped for lacking it (tests read these).
    literal_less: usize,
    /// Per rule: whether it looks for armoured private keys (keyword `private key`, or
    /// PuTTY's `putty-user-key-file`),
    /// worked out once so asking after each text costs no string comparisons.
    armoured: Vec<bool>,
    /// Per rule: whether it is precise enough to report from decoded text (the decoding
    /// stage undoes see-through layers only around such rules' keywords).
    precise: Vec<bool>,
    /// The rules a file's name alone makes candidates (no keywords, `paths` matching).
    by_path: Vec<usize>,
    /// Reused glob matches behind `by_path`.
    glob_scratch: Vec<usize>,
    /// The path `by_path` was worked out for: a file's chunks and its decoded text are
    /// scanned under one path, and its globs are matched once.
    by_path_for: Option<String>,
    /// Per rule: whether it is a generic rule, whose values the generic detector judges
    /// (`generic::judge`) and whose findings name the service (`generic::service_of`).
    generic: Vec<bool>,
    /// Per rule: how its findings are judged for stand-ins.
    judged: Vec<Judged>,
    /// The setting of the path `by_path_for` names.
    setting: Setting,
}

/// A match that passed the filters: rule `rule`'s secret at byte range `secret`, still
/// to be de-duplicated against the other rules' matches.
struct Candidate {
    rule: usize,
    secret: Range<usize>,
    /// A generic rule's credential name (`STRIPE_API_KEY`), which names the service.
    name: Option<Range<usize>>,
    /// A guessable value in a test or documentation setting: it claims its match but
    /// is withheld unless stand-ins are asked for.
    stand_in: bool,
}

/// One rule's raw matches on their way to becoming candidates in one text.
struct Offer<'a> {
    rule: &'a Rule,
    ri: usize,
    text: &'a [u8],
    /// Whether a secret starting at this offset is this text's to report (a chunk of a
    /// large file sees its neighbours' bytes too); only those count toward the cap.
    owns: &'a dyn Fn(usize) -> bool,
    max: usize,
    count: usize,
    /// Whether the rule is generic (see [`Matcher`]'s `generic`).
    generic: bool,
    /// How the rule's findings are judged for stand-ins, and the text's setting.
    judged: Judged,
    setting: Setting,
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
        if span.is_empty() || !accept(self.rule, &text[span.clone()], &text[whole.clone()]) {
            return true;
        }
        let name = if self.generic {
            // From before the match's start: a narrowed search may begin inside the name.
            let from = whole
                .start
                .min(span.start)
                .saturating_sub(generic::NAME_REACH);
            let at = generic::name_before(&text[from..span.start]);
            let name = &text[from + at.start..from + at.end];
            let expect = if self.rule.info.kind == crate::rules::CredentialKind::Password
                || generic::names_password(name)
            {
                generic::Expect::Password
            } else {
                generic::Expect::Token
            };
            if generic::judge(expect, name, &text[span.clone()]).is_some() {
                return true;
            }
            Some(from + at.start..from + at.end)
        } else {
            None
        };
        if !near_ok(self.rule, text, &span, lines) {
            return true;
        }
        let named_test = name
            .as_ref()
            .is_some_and(|n| stand_in::name_says_test(&text[n.clone()]));
        let stand_in = self
            .judged
            .stand_in(self.setting, named_test, &text[span.clone()]);
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
            name,
            stand_in,
        });
        true
    }
}

impl<'r> Matcher<'r> {
    /// A matcher over `rules` that reports at most `max_per_rule` findings per rule and
    /// file.
    pub fn new(rules: &'r RuleSet, max_per_rule: usize) -> Self {
        Matcher {
            rules,
            hits: Hits::default(),
            ranges: Vec::new(),
            scratch: Vec::new(),
            max_per_rule: max_per_rule.max(1),
            caches: std::iter::repeat_with(|| None)
                .take(rules.rules().len())
                .collect(),
            cached: Vec::new(),
            held: 0,
            cache_budget: CACHE_BUDGET,
            fallbacks: 0,
            companion_searches: 0,
            runless_ranges: 0,
            literal_less: 0,
            armoured: rules
                .rules()
                .iter()
                .map(|r| {
                    r.info
                        .keywords
                        .iter()
                        .any(|k| k == "private key" || k == "putty-user-key-file")
                })
                .collect(),
            precise: rules
                .rules()
                .iter()
                .map(|r| r.info.precision >= Precision::High)
                .collect(),
            by_path: Vec::new(),
            glob_scratch: Vec::new(),
            by_path_for: None,
            generic: rules
                .rules()
                .iter()
                .map(|r| r.info.provider == generic::PROVIDER)
                .collect(),
            judged: rules
                .rules()
                .iter()
                .map(|r| Judged::of(r, r.info.provider == generic::PROVIDER))
                .collect(),
            setting: Setting::Ordinary,
        }
    }

    /// Whether the latest text's keyword pass made a private-key rule a candidate: the
    /// decoding stage looks for prefixed armour only then.
    pub fn saw_armour(&self) -> bool {
        self.hits.rules().iter().any(|&ri| self.armoured[ri])
    }

    /// Where the latest text's keywords of rules that may report from decoded text
    /// start, ascending, into `out`; false (and `out` meaningless) when the keyword pass
    /// could not record every occurrence.
    pub fn precise_keywords(&self, out: &mut Vec<usize>) -> bool {
        let prefilter = self.rules.prefilter();
        let patterns = self
            .hits
            .rules()
            .iter()
            .filter(|&&ri| self.precise[ri])
            .flat_map(|&ri| prefilter.rule_patterns(ri).iter().copied());
        self.starts_of(patterns, out)
    }

    /// Where the latest text's mark `i` (see [`crate::prefilter::Prefilter::new`])
    /// occurred, as byte ranges in text order; `None` when the keyword pass could not
    /// record every occurrence.
    pub fn mark_positions(&self, i: usize) -> Option<&[(usize, usize)]> {
        self.hits.positions(self.rules.prefilter().mark_pattern(i)?)
    }

    /// Where the latest text's marks `marks` start, ascending, into `out`; false (and
    /// `out` meaningless) when the keyword pass could not record every occurrence.
    pub fn mark_starts(&self, marks: std::ops::Range<usize>, out: &mut Vec<usize>) -> bool {
        let prefilter = self.rules.prefilter();
        // A rule set built without these marks cannot say where they are.
        if !marks.clone().all(|i| prefilter.mark_pattern(i).is_some()) {
            return false;
        }
        self.starts_of(marks.filter_map(|i| prefilter.mark_pattern(i)), out)
    }

    /// Where the latest text's automaton `patterns` start, ascending and once each, into
    /// `out`; false (and `out` meaningless) when occurrences were not all recorded.
    fn starts_of(&self, patterns: impl Iterator<Item = usize>, out: &mut Vec<usize>) -> bool {
        out.clear();
        for p in patterns {
            let Some(at) = self.hits.positions(p) else {
                return false;
            };
            out.extend(at.iter().map(|&(start, _)| start));
        }
        out.sort_unstable();
        out.dedup();
        true
    }

    /// Find every secret in `text`, which is reported at `path`.
    pub fn scan(&mut self, path: &str, text: &[u8]) -> FileMatches {
        self.scan_owned(path, text, &|_| true)
    }

    /// Find the secrets one chunk of a large file answers for: those starting in its
    /// owned part, which alone count toward the per-rule cap and the suppressions. The
    /// overlap around it is context (keywords, `near` companions, markers, precedence
    /// between overlapping rules), since the neighbouring chunks report its secrets.
    /// Locations are in the whole file.
    pub fn scan_chunk(&mut self, path: &str, chunk: &Chunk<'_>) -> FileMatches {
        let mut found = self.scan_owned(path, chunk.text, &|offset| chunk.owns(offset));
        for f in found.findings.iter_mut().chain(&mut found.stand_ins) {
            f.location = chunk.absolute(f.location);
        }
        found
    }

    /// Find the secrets in `text` that start where `owns` says: the shared body of
    /// [`Matcher::scan`] (which owns every offset) and [`Matcher::scan_chunk`].
    fn scan_owned(&mut self, path: &str, text: &[u8], owns: &dyn Fn(usize) -> bool) -> FileMatches {
        // A copy of the reference, so a rule borrowed from it leaves `self` free.
        let rules = self.rules;
        rules.prefilter().candidates(text, &mut self.hits);
        if self.by_path_for.as_deref() != Some(path) {
            rules.path_candidates(path, &mut self.glob_scratch, &mut self.by_path);
            path.clone_into(self.by_path_for.get_or_insert_with(String::new));
            self.setting = Setting::of(path);
        }
        let mut out = FileMatches::default();
        let by_keyword = self.hits.rules().len();
        if by_keyword == 0 && self.by_path.is_empty() {
            return out;
        }
        let mut lines: Option<LineIndex> = None;
        let mut candidates = Vec::new();
        for k in 0..by_keyword + self.by_path.len() {
            // A rule run by path has no keyword hits to narrow its search to.
            let ri = if k < by_keyword {
                self.hits.rules()[k]
            } else {
                self.by_path[k - by_keyword]
            };
            let rule = &rules.rules()[ri];
            if !rule.reports_at(path) {
                continue;
            }
            // Before the regex is compiled: a rule whose keywords are common may never
            // need it.
            if rule
                .plan()
                .literal
                .as_ref()
                .is_some_and(|l| !l.occurs_in(text))
            {
                self.literal_less += 1;
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
                generic: self.generic[ri],
                judged: self.judged[ri],
                setting: self.setting,
            };
            let narrowed = k < by_keyword
                && self.search_narrowed(
                    regex,
                    &mut offer,
                    &mut lines,
                    &mut candidates,
                    &mut out.capped_rules,
                );
            if !narrowed {
                let mut run = RegexRun::new(regex, ri, &mut self.caches, &mut self.cached);
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
            if !rule.reports() {
                continue;
            }
            let location = lines.location(text, c.secret.clone());
            if suppressed(text, lines, location.line, &markers)
                || armour_suppressed(text, lines, location.line, &markers)
            {
                out.suppressed += 1;
                continue;
            }
            let secret = Secret::from_bytes(&text[c.secret.clone()]);
            let (mut severity, mut details) = describe(rule, &text[c.secret.clone()]);
            if let Some(service) = c.name.clone().and_then(|n| generic::service_of(&text[n])) {
                details = Some(format!("service: {service} (from the variable name)"));
            }
            if c.stand_in {
                severity = crate::rules::Severity::Note;
                details = Some(STAND_IN_DETAILS.to_string());
            }
            let into = if c.stand_in && !self.rules.reports_stand_ins() {
                &mut out.stand_ins
            } else {
                &mut out.findings
            };
            into.push(Finding {
                rule: Arc::clone(&rule.info),
                severity,
                details,
                path: path.to_string(),
                entry: None,
                decoded: Vec::new(),
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

/// Keep one finding per overlapping region: the most precise rule wins, then the
/// earlier-loaded rule; non-overlapping matches of different rules all stay.
/// Whether a marker on or above the `-----BEGIN` line right before `line` silences a
/// secret there: a PEM body starts a line below its armour, and a marker above the
/// block is meant for the whole block.
fn armour_suppressed(
    text: &[u8],
    lines: &LineIndex,
    line: usize,
    markers: &crate::suppress::Markers,
) -> bool {
    if line < 2 {
        return false;
    }
    let above = lines.line_start(line - 1)..lines.line_end(text, line - 1);
    memchr::memmem::find(&text[above], b"-----BEGIN ").is_some()
        && suppressed(text, lines, line - 1, markers)
}

/// A finding's severity and the details its message adds: a JWT says what its claims
/// are, and one that cannot be used any more (expired, `alg: none`) is a note.
fn describe(rule: &Rule, secret: &[u8]) -> (crate::rules::Severity, Option<String>) {
    if rule.checksum != Some(crate::rules::Checksum::Jwt) {
        return (rule.info.severity, None);
    }
    let Some(claims) = jwt_claims(secret) else {
        return (rule.info.severity, None);
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let severity = if claims.spent(now) {
        crate::rules::Severity::Note
    } else {
        rule.info.severity
    };
    (severity, Some(format!("JWT: {}", claims.describe(now))))
}

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

#[cfg(test)]
mod tests {
    use super::test_support::{demo_set, run};
    use super::*;

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
    fn findings_per_rule_are_capped_and_reported() {
        let set = demo_set();
        let text: String = (0..50)
            .map(|i| format!("demo_q8w3v7l2k9r4{i:04}\n"))
            .collect();
        let m = Matcher::new(&set, 10).scan("t.txt", text.as_bytes());
        assert_eq!(m.findings.len(), 10);
        assert_eq!(m.capped_rules, vec!["demo-token".to_string()]);
    }
}
