//! Rule regexes compiled on first use, and what the matcher may assume about them.
//!
//! Compiling 300+ rules' regexes costs far more than a pre-commit scan of a few files,
//! and most rules never see a file with their keywords. So loading only *parses* each
//! pattern (syntax errors still name file, line and key at load time; the built-in
//! rules' patterns are parsed once, by `build.rs`, not at each start) and the automaton
//! is built, once and thread-safely, the first time a file needs it. The rarer errors
//! found only when compiling (a Unicode class in a bytes pattern, a size limit) surface
//! in `rules check`, which compiles everything, and for config rules, which are compiled
//! at load.
//!
//! The first use also works out the rule's *keyword window*: when every match of the
//! regex provably contains one of the rule's keywords and has a bounded length, the
//! matcher may run the regex only around keyword hits instead of over the whole file.

use std::fmt;
use std::sync::OnceLock;

use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::MatchKind;
use regex_syntax::ast::Ast;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, ClassBytes, Hir, HirKind, Look, Repetition};

/// Literal sets larger than this are not enumerated when proving keyword containment.
const LITERAL_LIMIT: usize = 256;
/// Matches longer than this are not windowed (the window would rival the file).
const MAX_WINDOW_RADIUS: usize = 16 << 10;

/// A pattern validated at load time and compiled on first use.
pub struct LazyRegex {
    pattern: Box<str>,
    scope: Scope,
    compiled: OnceLock<Result<Regex, String>>,
}

/// What a regex searches, which decides how much of an automaton is worth building.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Whole texts or windows of them: kilobytes to megabytes, where a literal
    /// prefilter and a lazy DFA pay for their set-up many times over.
    Text,
    /// One candidate: a secret or a match, tens to hundreds of bytes (allowlist
    /// regexes). No literal prefilter and no eagerly built DFA: they were most of such
    /// a regex's compile time (a pre-commit check compiles a dozen) and save nothing on
    /// so short a haystack. The lazy DFA stays, since it is built as it searches:
    /// without it the backtracker ran candidate-dense text 15% slower.
    Candidate,
}

impl fmt::Debug for LazyRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyRegex").field(&self.pattern).finish()
    }
}

/// Parse `pattern` the way rule regexes are compiled (bytes, Unicode off by default).
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|e| format!("invalid regex: {e}"))
}

/// Compile a pattern the way every rule pattern is compiled: over bytes, Unicode classes
/// off by default (`\w` is ASCII; rules opt in with `(?u)`), generous size limits.
///
/// A `regex-automata` meta regex rather than `regex::bytes::Regex`, so the matcher can
/// own its search caches: the lazy DFA's caches grow with the variety of text searched,
/// and only a cache we hold can be dropped when a worker's caches outgrow their budget.
///
/// No one-pass DFA: it is built for every regex that qualifies, but only speeds up
/// finding the groups inside a match already found, which the backtracker does as fast
/// on matches as short as secrets. Without it the built-in regexes, all compiled, hold
/// 30% less memory (21 to 15 MB), and the benchmark corpus scans in the same time.
pub(crate) fn build_regex(pattern: &str) -> Result<Regex, String> {
    build_scoped(pattern, Scope::Text)
}

fn build_scoped(pattern: &str, scope: Scope) -> Result<Regex, String> {
    let config = meta::Config::new()
        .match_kind(MatchKind::LeftmostFirst)
        .utf8_empty(false)
        .nfa_size_limit(Some(32 << 20))
        .hybrid_cache_capacity(32 << 20)
        .onepass(false);
    let config = match scope {
        Scope::Text => config,
        Scope::Candidate => config.auto_prefilter(false).dfa(false),
    };
    meta::Builder::new()
        .configure(config)
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build(pattern)
        .map_err(|e| {
            let why = match (e.size_limit(), e.syntax_error()) {
                (Some(limit), _) => {
                    format!("compiled regex exceeds the size limit of {limit} bytes")
                }
                (None, Some(syntax)) => syntax.to_string(),
                (None, None) => e.to_string(),
            };
            format!("invalid regex: {why}")
        })
}

impl LazyRegex {
    /// Check `pattern`'s syntax now (the cheap first parsing stage: no translation, no
    /// automaton); returns it with its syntax tree.
    pub(crate) fn new(pattern: &str) -> Result<(Self, Ast), String> {
        let ast = super::syntax::parse_ast(pattern)?;
        Ok((LazyRegex::checked(pattern), ast))
    }

    /// A pattern whose syntax was already checked: `build.rs` checks the built-in
    /// rules' patterns with the same parser, so start-up need not parse them again.
    pub(crate) fn checked(pattern: &str) -> Self {
        LazyRegex {
            pattern: pattern.into(),
            scope: Scope::Text,
            compiled: OnceLock::new(),
        }
    }

    /// This regex, compiled for searching single candidates (secrets, matches) only.
    pub(crate) fn for_candidates(self) -> Self {
        LazyRegex {
            scope: Scope::Candidate,
            ..self
        }
    }

    /// The compiled regex; `None` only if compiling a pattern that parsed failed (a size
    /// limit), which [`LazyRegex::force`] reports as an error.
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| build_scoped(&self.pattern, self.scope))
            .as_ref()
            .ok()
    }

    /// Compile now and report failure.
    pub fn force(&self) -> Result<&Regex, String> {
        self.compiled
            .get_or_init(|| build_scoped(&self.pattern, self.scope))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The pattern.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether a match inside a span of whole lines (`text[line_start..line_end]`, line
    /// ends without their `\r`/`\n`) is also a match in the whole text, so that no
    /// match in the whole text means no match in any such span. Text anchors (`\A`, `\z`)
    /// and line-end anchors (`(?m)$` sees `\r` before a CRLF's `\n` in the whole text but
    /// a span end in the slice) can tell the slice from the text; `(?m)^` and word
    /// boundaries cannot, since a span's neighbours are line breaks.
    pub fn line_local(&self) -> bool {
        parse(&self.pattern).is_ok_and(|hir| {
            let looks = hir.properties().look_set();
            [
                Look::Start,
                Look::End,
                Look::EndLF,
                Look::EndCRLF,
                Look::StartCRLF,
            ]
            .into_iter()
            .all(|l| !looks.contains(l))
        })
    }

    /// Whether every match of this pattern is exactly one of `keywords` (up to ASCII
    /// case) and holds no line break, as in `(?i)truenas|login_with_api_key`. The keyword
    /// pass has then already found every match: a `near` pattern of this kind needs no
    /// search of its own to place the rule's windows.
    pub fn matches_only_keywords(&self, keywords: &[String]) -> bool {
        let Ok(hir) = parse(&self.pattern) else {
            return false;
        };
        let mut ex = Extractor::new();
        ex.kind(ExtractKind::Prefix);
        let seq = ex.extract(&fold_case(&hir));
        seq.literals().is_some_and(|lits| {
            !lits.is_empty()
                && lits.iter().all(|lit| {
                    lit.is_exact()
                        && !lit.as_bytes().is_empty()
                        && !lit.as_bytes().contains(&b'\n')
                        && keywords
                            .iter()
                            .any(|k| k.as_bytes().eq_ignore_ascii_case(lit.as_bytes()))
                })
        })
    }

    /// What the matcher may assume about this regex in a rule with `keywords`.
    pub fn plan(&self, keywords: &[String]) -> Plan {
        let Ok(hir) = parse(&self.pattern) else {
            return Plan::default();
        };
        Plan {
            keyword_inside: keyword_in_every_match(&hir, keywords),
            max_len: hir
                .properties()
                .maximum_len()
                .filter(|&max| max <= MAX_WINDOW_RADIUS),
            single_line: !can_match_newline(&hir),
            run: required_run(&hir).map(Box::new),
            // One the keyword pass already found adds nothing.
            literal: RequiredLiteral::of(&hir).filter(|l| {
                !(l.folded
                    && keywords
                        .iter()
                        .any(|k| k.as_bytes().eq_ignore_ascii_case(&l.bytes)))
            }),
            near_gate: false,
            near_keywords: false,
        }
    }
}

/// Facts about a rule's regex, worked out once on first use.
#[derive(Debug, Default)]
pub struct Plan {
    /// Every match contains one of the rule's keywords (ASCII case-insensitively).
    pub keyword_inside: bool,
    /// The longest a match can be, when that is at most [`MAX_WINDOW_RADIUS`] bytes.
    pub max_len: Option<usize>,
    /// No match can contain a `\n`.
    pub single_line: bool,
    /// A run of bytes every match contains: a text without one cannot match. Boxed:
    /// its byte classes take most of a kilobyte, and every rule holds a `Plan` inline,
    /// so unboxed they doubled the rule table that start-up builds and moves.
    pub run: Option<Box<RequiredRun>>,
    /// A string every match contains: a text without it cannot match.
    pub literal: Option<RequiredLiteral>,
    /// The rule's `near` pattern is [line-local](LazyRegex::line_local), so the rule's
    /// findings lie on the lines around that pattern's matches in the whole text, and a
    /// text where it matches nowhere holds none.
    pub near_gate: bool,
    /// Every match of the rule's `near` pattern is one of its keywords
    /// ([`LazyRegex::matches_only_keywords`]), so the keyword hits are its matches.
    pub near_keywords: bool,
}

impl Plan {
    /// `Some(n)` when every match holds a keyword and is at most `n` bytes long, so every
    /// match lies within `n` bytes of a keyword hit.
    pub fn keyword_radius(&self) -> Option<usize> {
        self.max_len.filter(|_| self.keyword_inside)
    }

    /// No such bound, but every match holds a keyword and no `\n`: every match lies on
    /// the line of a keyword hit.
    pub fn keyword_lines(&self) -> bool {
        self.keyword_inside && self.max_len.is_none() && self.single_line
    }
}

/// A string of at least [`MIN_LITERAL`] bytes that every match contains, perhaps in
/// either ASCII case (`password` in `…\s{1,64}password\s{1,64}(?P<secret>…)`).
///
/// A rule's keyword says where a match may be, not that one is there: `default` starts
/// the entries of `.netrc` files, and is in nearly every YAML schema and config. Looking
/// for the string a match cannot lack is one pass of a substring search, many times
/// cheaper than the regex, and in code most keyword windows lack it.
pub struct RequiredLiteral {
    /// The string, lowercase when `folded`.
    bytes: Vec<u8>,
    folded: bool,
    finder: Finder,
}

/// A substring search: `memmem` (SIMD) for one case, Aho-Corasick for either.
enum Finder {
    Exact(Box<memchr::memmem::Finder<'static>>),
    Folded(aho_corasick::AhoCorasick),
}

impl fmt::Debug for RequiredLiteral {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequiredLiteral")
            .field("bytes", &String::from_utf8_lossy(&self.bytes))
            .field("folded", &self.folded)
            .finish()
    }
}

/// Required strings shorter than this are not looked for: too common to exclude much.
const MIN_LITERAL: usize = 4;

impl RequiredLiteral {
    /// The longest string every match of `hir` contains, case-sensitive over folded
    /// when as long; none shorter than [`MIN_LITERAL`].
    fn of(hir: &Hir) -> Option<RequiredLiteral> {
        let mut found = Vec::new();
        required_literals(hir, &mut found);
        let (bytes, folded) = found
            .into_iter()
            .filter(|(b, _)| b.len() >= MIN_LITERAL)
            .max_by_key(|(b, folded)| (b.len(), !folded))?;
        let finder = if folded {
            let folded = aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build([&bytes])
                .ok()?;
            Finder::Folded(folded)
        } else {
            Finder::Exact(Box::new(memchr::memmem::Finder::new(&bytes).into_owned()))
        };
        let bytes = if folded {
            bytes.to_ascii_lowercase()
        } else {
            bytes
        };
        Some(RequiredLiteral {
            bytes,
            folded,
            finder,
        })
    }

    /// Whether `text` holds the string.
    pub fn occurs_in(&self, text: &[u8]) -> bool {
        match &self.finder {
            Finder::Exact(f) => f.find(text).is_some(),
            Finder::Folded(f) => f.is_match(text),
        }
    }

    /// Where the string occurs in `text`, as `(start, end)`, leftmost first and not
    /// overlapping.
    pub fn find_iter<'t>(
        &'t self,
        text: &'t [u8],
    ) -> Box<dyn Iterator<Item = (usize, usize)> + 't> {
        let len = self.bytes.len();
        match &self.finder {
            Finder::Exact(f) => Box::new(f.find_iter(text).map(move |s| (s, s + len))),
            Finder::Folded(f) => Box::new(f.find_iter(text).map(|m| (m.start(), m.end()))),
        }
    }

    /// The string, lowercase when matched in either case, and whether it is.
    pub fn string(&self) -> (&[u8], bool) {
        (&self.bytes, self.folded)
    }
}

/// Append to `out` strings (with whether they are matched in either ASCII case) that
/// every match of `hir` contains: the longest stretches of a concatenation that match
/// one string each, and what its required parts require.
fn required_literals(hir: &Hir, out: &mut Vec<(Vec<u8>, bool)>) {
    if let Some(piece) = fixed_string(hir) {
        out.push(piece);
        return;
    }
    match hir.kind() {
        HirKind::Capture(Capture { sub, .. }) => required_literals(sub, out),
        HirKind::Repetition(Repetition { min, sub, .. }) if *min >= 1 => {
            required_literals(sub, out);
        }
        HirKind::Concat(parts) => {
            let mut run: Option<(Vec<u8>, bool)> = None;
            for part in parts {
                match fixed_string(part) {
                    Some((bytes, folded)) => {
                        let r = run.get_or_insert_with(|| (Vec::new(), false));
                        r.0.extend_from_slice(&bytes);
                        r.1 |= folded;
                    }
                    None => {
                        out.extend(run.take());
                        required_literals(part, out);
                    }
                }
            }
            out.extend(run);
        }
        _ => {}
    }
}

/// The one string `hir` matches, up to ASCII case (and whether case is free), if it
/// matches exactly one: a literal, a class of one byte or of one letter's two cases,
/// and concatenations and groups of those. Assertions match the empty string.
fn fixed_string(hir: &Hir) -> Option<(Vec<u8>, bool)> {
    match hir.kind() {
        HirKind::Literal(lit) => Some((lit.0.to_vec(), false)),
        HirKind::Look(_) => Some((Vec::new(), false)),
        HirKind::Class(class) => {
            let bytes: Vec<u8> = match class {
                Class::Bytes(c) => {
                    let n: usize = c
                        .ranges()
                        .iter()
                        .map(|r| usize::from(r.end() - r.start()) + 1)
                        .sum();
                    if n > 2 {
                        return None;
                    }
                    c.ranges()
                        .iter()
                        .flat_map(|r| r.start()..=r.end())
                        .collect()
                }
                Class::Unicode(c) => {
                    let mut bytes = Vec::new();
                    for r in c.ranges() {
                        for ch in r.start()..=r.end() {
                            if bytes.len() == 2 || !ch.is_ascii() {
                                return None;
                            }
                            bytes.push(u8::try_from(u32::from(ch)).ok()?);
                        }
                    }
                    bytes
                }
            };
            match *bytes.as_slice() {
                [b] => Some((vec![b], false)),
                [a, b] if a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b) => {
                    Some((vec![a.to_ascii_lowercase()], true))
                }
                _ => None,
            }
        }
        HirKind::Capture(Capture { sub, .. }) => fixed_string(sub),
        HirKind::Concat(parts) => {
            let mut all = (Vec::new(), false);
            for part in parts {
                let (bytes, folded) = fixed_string(part)?;
                all.0.extend_from_slice(&bytes);
                all.1 |= folded;
            }
            Some(all)
        }
        _ => None,
    }
}

/// At least `min` consecutive bytes of one class (`[A-Za-z0-9+/]{43}`). Checking a text
/// for such a run is a table lookup per byte, several times cheaper than running the
/// regex, and most files given to a whole-text rule have none.
///
/// When the regex puts a byte outside the class right before the run (`\.` in
/// `\.[A-Za-z0-9_-]{27,38}`), the maximal run in the text starts right after such a
/// byte; likewise for the byte after it; and with both borders the maximal run is the
/// repetition itself, so it is at most `max` long. Identifier-like runs are common in code,
/// runs with such borders far less so.
pub struct RequiredRun {
    class: [bool; 256],
    min: usize,
    before: Option<[bool; 256]>,
    after: Option<[bool; 256]>,
    max: Option<usize>,
    /// The bytes of `before` when there are at most three: every run then starts right
    /// after one of them, and `memchr` finds those far faster than probing for the class.
    before_bytes: Vec<u8>,
}

impl fmt::Debug for RequiredRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequiredRun")
            .field("min", &self.min)
            .finish()
    }
}

impl RequiredRun {
    /// How unlikely such a run is in ordinary text, in bits: each byte of the run is one
    /// of `class` out of 256, so a run of `min` bytes has about `min * log2(256 / |class|)`.
    fn rarity(&self) -> f64 {
        let bits = |set: &[bool; 256]| {
            let size = set.iter().filter(|&&b| b).count().max(1);
            (256.0 / size as f64).log2()
        };
        self.min as f64 * bits(&self.class)
            + self.before.as_ref().map_or(0.0, bits)
            + self.after.as_ref().map_or(0.0, bits)
    }

    /// Whether the maximal run `text[s..e]` has the borders and length every match's
    /// run has.
    fn fits(&self, text: &[u8], s: usize, e: usize) -> bool {
        self.max.is_none_or(|max| e - s <= max)
            && self.before.as_ref().is_none_or(|before| {
                s.checked_sub(1)
                    .is_some_and(|i| before[usize::from(text[i])])
            })
            && self
                .after
                .as_ref()
                .is_none_or(|after| text.get(e).is_some_and(|&b| after[usize::from(b)]))
    }

    /// Note the `before` bytes when they are few enough to search for directly.
    fn with_border_bytes(mut self) -> Self {
        self.before_bytes = self.before.as_ref().map_or_else(Vec::new, |before| {
            (0..=255u8).filter(|&b| before[usize::from(b)]).collect()
        });
        if self.before_bytes.len() > 3 {
            self.before_bytes.clear();
        }
        self
    }

    /// Whether `text` holds such a run.
    pub fn occurs_in(&self, text: &[u8]) -> bool {
        self.next_run(text, 0).is_some()
    }

    /// The first maximal run of at least `min` class bytes (with the borders and length
    /// limit, if any) starting at or after `from`, as `(start, end)`. Probes every
    /// `min`-th byte: a run of `min` bytes must cover the probe, so a probe outside the
    /// class skips `min` bytes at once. With few `before` bytes, looks for those instead.
    pub(crate) fn next_run(&self, text: &[u8], from: usize) -> Option<(usize, usize)> {
        if !self.before_bytes.is_empty() {
            return self.next_run_after_border(text, from);
        }
        let k = self.min.max(1);
        let in_class = |i: usize| self.class[usize::from(text[i])];
        // Earliest position a run could still start at.
        let mut start = from;
        while start + k <= text.len() {
            let probe = start + k - 1;
            if !in_class(probe) {
                start = probe + 1;
                continue;
            }
            let mut s = probe;
            while s > start && in_class(s - 1) {
                s -= 1;
            }
            let mut e = probe + 1;
            while e < text.len() && in_class(e) {
                e += 1;
            }
            if e - s >= k && self.fits(text, s, e) {
                return Some((s, e));
            }
            // text[e] is outside the class (or the end): no run starts before e + 1.
            start = e + 1;
        }
        None
    }

    /// [`RequiredRun::next_run`] when every run starts right after one of the (at most
    /// three) `before_bytes`, which lie outside the class: find each such byte and measure
    /// the run behind it.
    fn next_run_after_border(&self, text: &[u8], from: usize) -> Option<(usize, usize)> {
        let find = |hay: &[u8]| match *self.before_bytes.as_slice() {
            [x] => memchr::memchr(x, hay),
            [x, y] => memchr::memchr2(x, y, hay),
            [x, y, z] => memchr::memchr3(x, y, z, hay),
            _ => None,
        };
        // A run starting at `from` has its border at `from - 1`.
        let mut at = from.saturating_sub(1);
        while let Some(i) = find(text.get(at..)?) {
            let s = at + i + 1;
            let e = text[s..]
                .iter()
                .position(|&c| !self.class[usize::from(c)])
                .map_or(text.len(), |n| s + n);
            if e - s >= self.min.max(1) && self.fits(text, s, e) {
                return Some((s, e));
            }
            // text[e] is outside the class: the next run's border is at e or later.
            at = e;
        }
        None
    }
}

/// Runs shorter than this are too common to be worth checking for.
const MIN_RUN: u32 = 8;

/// The rarest single-class run every match of `hir` must contain, if any.
fn required_run(hir: &Hir) -> Option<RequiredRun> {
    if let Some((r, class)) = class_repetition(hir) {
        return Some(RequiredRun {
            class: byte_set(class.ranges().iter().map(|r| (r.start(), r.end()))),
            min: usize::try_from(r.min).ok()?,
            before: None,
            after: None,
            max: None,
            before_bytes: Vec::new(),
        });
    }
    match hir.kind() {
        HirKind::Repetition(r) if r.min >= 1 => required_run(&r.sub),
        HirKind::Capture(c) => required_run(&c.sub),
        // The rarest run is the best filter: `[0-9]{13}` beats `[A-Za-z0-9_-]{27}`.
        HirKind::Concat(xs) => (0..xs.len())
            .filter_map(|i| {
                let mut run = required_run(&xs[i])?;
                if let Some((r, _)) = class_repetition(&xs[i]) {
                    // The run is this class repetition: its neighbours in the
                    // concatenation are its borders when they are single bytes outside
                    // its class.
                    let border = |set: Option<[bool; 256]>| {
                        set.filter(|set| (0..256).all(|b| !(set[b] && run.class[b])))
                    };
                    let before = i.checked_sub(1).and_then(|j| edge_byte(&xs[j], false));
                    let after = xs.get(i + 1).and_then(|x| edge_byte(x, true));
                    run.before = border(before);
                    run.after = border(after);
                    if run.before.is_some() && run.after.is_some() {
                        run.max = r.max.and_then(|m| usize::try_from(m).ok());
                    }
                    run = run.with_border_bytes();
                }
                Some(run)
            })
            .max_by(|a, b| a.rarity().total_cmp(&b.rarity())),
        _ => None,
    }
}

/// `hir` as a run: at least [`MIN_RUN`] bytes of one class (inside any capture groups).
fn class_repetition(hir: &Hir) -> Option<(&Repetition, &ClassBytes)> {
    match hir.kind() {
        HirKind::Capture(c) => class_repetition(&c.sub),
        HirKind::Repetition(r) if r.min >= MIN_RUN => match r.sub.kind() {
            HirKind::Class(Class::Bytes(class)) => Some((r, class)),
            _ => None,
        },
        _ => None,
    }
}

/// The set of bytes `hir` must start with (`first`) or end with, when it is one literal
/// or one byte class: the byte right after or before its neighbour in a concatenation.
fn edge_byte(hir: &Hir, first: bool) -> Option<[bool; 256]> {
    match hir.kind() {
        HirKind::Capture(c) => edge_byte(&c.sub, first),
        HirKind::Literal(lit) => {
            let b = if first { lit.0.first() } else { lit.0.last() }?;
            Some(byte_set([(*b, *b)]))
        }
        HirKind::Class(Class::Bytes(c)) => {
            Some(byte_set(c.ranges().iter().map(|r| (r.start(), r.end()))))
        }
        _ => None,
    }
}

/// A membership table of the bytes in `ranges` (inclusive).
fn byte_set(ranges: impl IntoIterator<Item = (u8, u8)>) -> [bool; 256] {
    let mut set = [false; 256];
    for (a, b) in ranges {
        for byte in a..=b {
            set[usize::from(byte)] = true;
        }
    }
    set
}

/// Whether every match of `hir` contains one of `keywords` (ASCII case-insensitively).
fn keyword_in_every_match(hir: &Hir, keywords: &[String]) -> bool {
    let keywords: Vec<Vec<u8>> = keywords
        .iter()
        .map(|k| k.to_ascii_lowercase().into_bytes())
        .filter(|k| !k.is_empty())
        .collect();
    !keywords.is_empty() && contains_keyword(&fold_case(hir), &keywords)
}

/// Whether some match of `hir` can contain a `\n` byte.
fn can_match_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(lit) => lit.0.contains(&b'\n'),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Repetition(r) => r.max != Some(0) && can_match_newline(&r.sub),
        HirKind::Capture(c) => can_match_newline(&c.sub),
        HirKind::Concat(xs) | HirKind::Alternation(xs) => xs.iter().any(can_match_newline),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// `hir` with literals lowercased and every ASCII case pair (`[sS]`, what `(?i)s` becomes)
/// replaced by its lowercase letter. Whatever `hir` matches, this matches up to ASCII
/// case, so a keyword (compared case-insensitively) in all of its literals is in all of
/// `hir`'s matches; and `(?i)secret` stays one literal instead of 64.
fn fold_case(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Literal(lit) => Hir::literal(lit.0.to_ascii_lowercase()),
        HirKind::Class(Class::Bytes(c)) => match c.ranges() {
            [upper, lower]
                if upper.start() == upper.end()
                    && lower.start() == lower.end()
                    && upper.start().is_ascii_uppercase()
                    && lower.start() == upper.start().to_ascii_lowercase() =>
            {
                Hir::literal([lower.start()])
            }
            _ => hir.clone(),
        },
        HirKind::Concat(xs) => Hir::concat(xs.iter().map(fold_case).collect()),
        HirKind::Alternation(xs) => Hir::alternation(xs.iter().map(fold_case).collect()),
        HirKind::Capture(c) => Hir::capture(Capture {
            index: c.index,
            name: c.name.clone(),
            sub: Box::new(fold_case(&c.sub)),
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(fold_case(&r.sub)),
        }),
        _ => hir.clone(),
    }
}

/// Whether every text `hir` matches contains one of `keywords` (lowercase).
fn contains_keyword(hir: &Hir, keywords: &[Vec<u8>]) -> bool {
    if literals_contain(hir, keywords, ExtractKind::Prefix)
        || literals_contain(hir, keywords, ExtractKind::Suffix)
    {
        return true;
    }
    match hir.kind() {
        // Every element of a concatenation is in every match: one containing a keyword
        // suffices. A keyword may also straddle elements (`(?i)p(?:ass|wd)` once the
        // parser has lifted the common prefix out of `pass|pwd`), so the literals that
        // each tail starts with, and each head ends with, are checked too.
        HirKind::Concat(xs) => {
            xs.iter().any(|x| contains_keyword(x, keywords))
                || (1..xs.len()).any(|i| {
                    literals_contain(
                        &Hir::concat(xs[i..].to_vec()),
                        keywords,
                        ExtractKind::Prefix,
                    ) || literals_contain(
                        &Hir::concat(xs[..i].to_vec()),
                        keywords,
                        ExtractKind::Suffix,
                    )
                })
        }
        HirKind::Alternation(xs) => xs.iter().all(|x| contains_keyword(x, keywords)),
        HirKind::Capture(c) => contains_keyword(&c.sub, keywords),
        HirKind::Repetition(r) if r.min >= 1 => contains_keyword(&r.sub, keywords),
        _ => false,
    }
}

/// Whether `hir`'s prefix (or suffix) literals are a finite set that each contain a
/// keyword: every match then starts (ends) with a keyword-bearing literal.
fn literals_contain(hir: &Hir, keywords: &[Vec<u8>], kind: ExtractKind) -> bool {
    let mut ex = Extractor::new();
    ex.kind(kind)
        .limit_class(8)
        .limit_repeat(8)
        .limit_literal_len(64)
        .limit_total(LITERAL_LIMIT);
    let seq = ex.extract(hir);
    let Some(lits) = seq.literals() else {
        return false;
    };
    !lits.is_empty()
        && lits.iter().all(|lit| {
            let lower = lit.as_bytes().to_ascii_lowercase();
            keywords
                .iter()
                .any(|k| memchr::memmem::find(&lower, k).is_some())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_regexes_match_what_text_regexes_match() {
        // Every built-in allowlist regex, compiled both ways, on every example of its
        // rule and on each example's halves: the scope changes only how it searches.
        let rules = crate::rules::builtin::load().unwrap();
        let (mut checked, mut matched) = (0, 0);
        for rule in &rules {
            let mut texts: Vec<&str> = Vec::new();
            for e in rule.examples.iter().chain(&rule.negative_examples) {
                let mid = (0..=e.len() / 2).rev().find(|&i| e.is_char_boundary(i));
                texts.push(e);
                if let Some(mid) = mid {
                    texts.extend([&e[..mid], &e[mid..]]);
                }
            }
            for re in rule.allow_secret.iter().chain(&rule.allow_match) {
                assert_eq!(re.scope, Scope::Candidate, "{}", re.as_str());
                let text = build_scoped(re.as_str(), Scope::Text).unwrap();
                let candidate = re.get().unwrap();
                for t in &texts {
                    let found = text.find(t.as_bytes());
                    assert_eq!(
                        found,
                        candidate.find(t.as_bytes()),
                        "{} on {t:?}",
                        re.as_str()
                    );
                    checked += 1;
                    matched += usize::from(found.is_some());
                }
            }
        }
        assert!(checked > 1000, "only {checked} comparisons");
        // Not only agreement on texts neither matches: 75 of 2,352 match today.
        assert!(
            matched > 50,
            "only {matched} of {checked} comparisons matched"
        );
    }

    fn radius(pattern: &str, keywords: &[&str]) -> Option<usize> {
        let (re, _) = LazyRegex::new(pattern).unwrap();
        let kws: Vec<String> = keywords.iter().map(|s| (*s).to_string()).collect();
        re.plan(&kws).keyword_radius()
    }

    fn literal(pattern: &str) -> Option<(String, bool)> {
        let (re, _) = LazyRegex::new(pattern).unwrap();
        let plan = re.plan(&[]);
        plan.literal.map(|l| {
            let (bytes, folded) = l.string();
            (String::from_utf8(bytes.to_vec()).unwrap(), folded)
        })
    }

    #[test]
    fn required_strings_are_the_longest_every_match_holds() {
        let some = |s: &str, folded| Some((s.to_string(), folded));
        // Joined across groups and assertions, not across optional or alternative parts.
        assert_eq!(
            literal(
                r"(?:\bmachine[ \t]+\S+|default)(?:\s+login\s+\S+)?\s+password\s+(?P<secret>\S{3,})"
            ),
            some("password", false)
        );
        assert_eq!(
            literal(r"(sk_live_[0-9a-z]{24})\b"),
            some("sk_live_", false)
        );
        assert_eq!(literal(r"xox(?:b|p)-[0-9]{10,}"), None);
        assert_eq!(literal(r#"(?i:api[_-]?key)=(?:['"])"#), some("key=", true));
        // Either case, folded to lowercase; a mixed run is matched in either case too.
        assert_eq!(
            literal(r"(?i:Bearer) +([A-Za-z0-9]{20})"),
            some("bearer", true)
        );
        assert_eq!(literal(r"AB(?i:cd)ef"), some("abcdef", true));
        assert_eq!(literal(r"(?:token){2}"), some("token", false));
        // Too short to be worth a search, or not required at all.
        assert_eq!(literal(r"id=(?P<secret>\w{20})"), None);
        assert_eq!(literal(r"key=(?P<secret>\w{20})"), some("key=", false));
        assert_eq!(literal(r"(?:password)?=(?P<secret>\w{20})"), None);
        assert_eq!(literal(r"(?:password|passwd)=(?P<secret>\w{20})"), None);
        // With Unicode on, `(?i)k` also holds the Kelvin sign: not one letter's cases.
        assert_eq!(literal(r"(?u)(?i:kelvin)=\w+"), some("elvin=", true));
    }

    #[test]
    fn required_strings_are_found_where_they_occur() {
        let (re, _) = LazyRegex::new(r"(?i:token)\s*=(?P<secret>\w{8})").unwrap();
        let lit = re.plan(&[]).literal.unwrap();
        assert!(lit.occurs_in(b"x TOKEN=abc"));
        assert!(!lit.occurs_in(b"x toke n=abc"));
        assert_eq!(lit.string(), (&b"token"[..], true));
        let text = b"Token tokentoken";
        assert_eq!(
            lit.find_iter(text).collect::<Vec<_>>(),
            [(0, 5), (6, 11), (11, 16)]
        );
        let (re, _) = LazyRegex::new(r"aaaa\d").unwrap();
        let lit = re.plan(&[]).literal.unwrap();
        assert!(!lit.occurs_in(b"AAAA1"));
        assert_eq!(lit.find_iter(b"aaaaaaaaa").next(), Some((0, 4)));
    }

    #[test]
    fn patterns_matching_only_keywords_are_recognised() {
        let only = |pattern: &str, keywords: &[&str]| {
            let kws: Vec<String> = keywords.iter().map(|s| (*s).to_string()).collect();
            LazyRegex::new(pattern)
                .unwrap()
                .0
                .matches_only_keywords(&kws)
        };
        let kws = ["truenas", "login_with_api_key", "/api/v2.0/"];
        assert!(only(r"(?i)login_with_api_key|truenas|/api/v2\.0/", &kws));
        // Case-sensitive alternatives are keywords too (the keyword pass ignores case).
        assert!(only(r"TrueNAS|login_with_api_key", &kws));
        // Not when an alternative is no keyword, is longer than one, or is not a literal.
        assert!(!only(r"(?i)truenas|freenas", &kws));
        assert!(!only(r"(?i)truenas-scale|truenas", &kws));
        assert!(!only(r"\bTN[0-9]{10}\b", &["tn"]));
        assert!(!only(r"(?m)^\s*truenas", &kws));
        assert!(!only(r"truenas\n", &["truenas\n"]));
    }

    #[test]
    fn required_runs_are_found_and_checked() {
        let (re, _) = LazyRegex::new(
            r"(?:^|[^A-Za-z0-9+/])(?P<value>[A-Za-z0-9+/]{43})(?:[^A-Za-z0-9+/=]|$)",
        )
        .unwrap();
        let run = re.plan(&[]).run.unwrap();
        assert_eq!(run.min, 43);
        assert!(!run.occurs_in(b"short words only, nothing 43 long"));
        let long = format!("x = {}Ab1", "Ab1/".repeat(10));
        assert!(run.occurs_in(long.as_bytes()));
        assert!(re.get().unwrap().is_match(long.as_bytes()));
        // Runs at the very start and end, and just too short ones.
        let ab = |s: &str| {
            RequiredRun {
                class: std::array::from_fn(|b| b == usize::from(b'a')),
                min: 3,
                before: None,
                after: None,
                max: None,
                before_bytes: Vec::new(),
            }
            .occurs_in(s.as_bytes())
        };
        assert!(ab("aaa") && ab("xaaa") && ab("aaax") && ab("xaxaaaxa"));
        assert!(!ab("") && !ab("aa") && !ab("aaxaa") && !ab("xaaxaaxaax"));
        // Nested in a repetition and a capture; the rarest required run wins.
        let (re, _) = LazyRegex::new(r"(?:ab[0-9]{8}){2}-(?P<s>[a-f]{12})").unwrap();
        assert_eq!(re.plan(&[]).run.unwrap().min, 12);
        let (re, _) = LazyRegex::new(r"(?P<s>[0-9]{13,17}\|[A-Za-z0-9_\-]{27,32})").unwrap();
        assert_eq!(re.plan(&[]).run.unwrap().min, 13);
        // A run's neighbours outside its class are its borders; with both, its length
        // is bounded too.
        let (re, _) = LazyRegex::new(
            r"(?P<s>[MNO][A-Za-z0-9]{23}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38})",
        )
        .unwrap();
        let run = re.plan(&[]).run.unwrap();
        assert_eq!((run.min, run.max), (27, None));
        let id = "Mabcdefghijklmnopqrstuvw.abcdef.";
        let tail = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123";
        assert!(run.occurs_in(format!("{id}{tail}").as_bytes()));
        assert!(!run.occurs_in(format!("{id}!{tail}\n_{tail}").as_bytes()));
        assert!(!run.occurs_in(tail.as_bytes()));
        assert_eq!(run.before_bytes, b".");
        let (re, _) = LazyRegex::new(r"key=(?P<s>[a-f0-9]{32})&").unwrap();
        let run = re.plan(&[]).run.unwrap();
        assert_eq!(run.max, Some(32));
        let hex = "0123456789abcdef".repeat(2);
        assert!(run.occurs_in(format!("key={hex}&").as_bytes()));
        assert!(!run.occurs_in(format!("key={hex}0&").as_bytes()));
        assert!(!run.occurs_in(format!("key={hex}!").as_bytes()));
        // Only the adjacent byte is checked (`=`), not the whole literal before it.
        assert!(run.occurs_in(format!("={hex}&").as_bytes()));
        // Neighbours that overlap the class are no borders.
        let (re, _) = LazyRegex::new(r"a(?P<s>[a-z]{20})").unwrap();
        assert!(re.plan(&[]).run.unwrap().before.is_none());
        // Unbounded but single-line matches holding a keyword: line windows.
        let (re, _) =
            LazyRegex::new(r"[a-z_]*(?i:token)[ \t]*=[ \t]*(?P<value>[^\s]{8,})").unwrap();
        let plan = re.plan(&["token".to_string()]);
        assert!(plan.keyword_radius().is_none() && plan.keyword_lines());
        let (re, _) = LazyRegex::new(r"(?i:token)\s*=\s*(?P<value>\S{8,})").unwrap();
        assert!(!re.plan(&["token".to_string()]).keyword_lines());
        // Optional or alternative runs are not required.
        let (re, _) = LazyRegex::new(r"x(?:[0-9]{20})?|y[a-z]{30}").unwrap();
        assert!(re.plan(&[]).run.is_none());
    }

    #[test]
    fn line_local_patterns_have_no_text_or_line_end_anchors() {
        let local = |p: &str| LazyRegex::new(p).unwrap().0.line_local();
        assert!(local(r"\bDO[0-9A-Z]{18}\b"));
        assert!(local(r"(?m)^\s*\[pypi\]"));
        assert!(local(r"(?i)twilio|\bAC[0-9a-f]{32}\b"));
        assert!(!local(r"^kind"));
        assert!(!local(r"Secret\z"));
        assert!(!local(r"(?m)jwt:[ \t]*$"));
    }

    #[test]
    fn compiles_on_first_use_only() {
        let (re, _) = LazyRegex::new(r"ab(?P<value>c+)").unwrap();
        assert!(re.compiled.get().is_none());
        assert!(re.get().unwrap().is_match(b"xabccc"));
        assert!(re.force().is_ok());
        assert!(LazyRegex::new("ab(c").is_err());
        let (late, _) = LazyRegex::new(r"\pL{99999}{99999}").unwrap();
        assert!(late.get().is_none() && late.force().is_err());
    }

    #[test]
    fn windows_only_when_keywords_are_inside_every_bounded_match() {
        assert_eq!(radius(r"ghp_[A-Za-z0-9]{36}", &["ghp_"]), Some(40));
        assert_eq!(radius(r"(?i)\bSK-[a-z]{4}", &["sk-"]), Some(7));
        // The keyword is in the middle, behind an optional prefix.
        assert_eq!(
            radius(
                r"[\w.-]{0,8}(?i:token|secret)\s{0,3}=\s{0,3}(?P<value>\w{8,32})",
                &["token", "secret"]
            ),
            Some(8 + 6 + 3 + 1 + 3 + 32)
        );
        // Alternation: each branch needs its own keyword.
        assert_eq!(
            radius(r"(?:AKIA|ASIA)[A-Z0-9]{16}", &["akia", "asia"]),
            Some(20)
        );
        assert_eq!(radius(r"(?:AKIA|ABCD)[A-Z0-9]{16}", &["akia"]), None);
        // A keyword split across the pieces the parser makes of an alternation with a
        // common prefix (`p` + `ass…|wd`), behind an unbounded name: line windows.
        let (re, _) = LazyRegex::new(
            r"(?i:[a-z_]*(?:passw(?:or)?d|passphrase|pwd)[a-z_]*)[ \t]*=[ \t]*(?P<v>\w{6,})",
        )
        .unwrap();
        let plan = re.plan(&["pass".to_string(), "pwd".to_string()]);
        assert!(plan.keyword_radius().is_none() && plan.keyword_lines());
        assert!(!re.plan(&["pass".to_string()]).keyword_lines());
        // Case-insensitive keywords stay one literal each (no 2^n case variants).
        assert_eq!(
            radius(
                r"(?i)(?:password|secret_access_key|credentials)\s?=\s?(?P<value>\w{8})",
                &["password", "secret_access_key", "credentials"]
            ),
            Some(17 + 1 + 1 + 1 + 8)
        );
        // Unbounded, or the keyword only nearby: never windowed.
        assert_eq!(radius(r"ghp_[A-Za-z0-9]+", &["ghp_"]), None);
        assert_eq!(radius(r"[a-f0-9]{40}", &["sha"]), None);
        assert_eq!(radius(r"(?:key)?[a-f0-9]{40}", &["key"]), None);
    }

    proptest::proptest! {
        /// Finding runs from their border bytes gives exactly the runs, in order, that
        /// probing for the class gives.
        #[test]
        fn border_search_equals_probing(
            text in proptest::collection::vec(
                proptest::sample::select(b"ab.-x\n".to_vec()), 0..200),
            min in 1usize..6,
            borders in proptest::sample::subsequence(b".-\n".to_vec(), 1..=3),
            after in proptest::bool::ANY,
            max in proptest::option::of(1usize..8),
        ) {
            let class = std::array::from_fn(|b| b == usize::from(b'a') || b == usize::from(b'b'));
            let probing = RequiredRun {
                class,
                min,
                before: Some(std::array::from_fn(|b| borders.contains(&(b as u8)))),
                after: after.then(|| std::array::from_fn(|b| b == usize::from(b'x'))),
                max,
                before_bytes: Vec::new(),
            };
            let runs = |run: &RequiredRun| {
                let mut out = Vec::new();
                let mut from = 0;
                while let Some((s, e)) = run.next_run(&text, from) {
                    out.push((s, e));
                    from = e + 1;
                }
                out
            };
            let expected = runs(&probing);
            let bordered = probing.with_border_bytes();
            let mut sorted = borders.clone();
            sorted.sort_unstable();
            proptest::prop_assert_eq!(&bordered.before_bytes, &sorted);
            proptest::prop_assert_eq!(runs(&bordered), expected);
        }
    }
}
