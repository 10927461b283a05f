//! Rule regexes compiled on first use, and what the matcher may assume about them.
//!
//! Compiling 300+ rules' regexes costs far more than a pre-commit scan of a few files,
//! and most rules never see a file with their keywords. So loading only *parses* each
//! pattern (syntax errors still name file, line and key at load time) and the automaton
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

use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::ast::Ast;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Capture, Class, Hir, HirKind, Repetition};

/// Literal sets larger than this are not enumerated when proving keyword containment.
const LITERAL_LIMIT: usize = 256;
/// Matches longer than this are not windowed (the window would rival the file).
const MAX_WINDOW_RADIUS: usize = 16 << 10;

/// A pattern validated at load time and compiled on first use.
pub struct LazyRegex {
    pattern: Box<str>,
    compiled: OnceLock<Result<Regex, String>>,
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
pub(crate) fn build_regex(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(32 << 20)
        .dfa_size_limit(32 << 20)
        .build()
        .map_err(|e| format!("invalid regex: {e}"))
}

impl LazyRegex {
    /// Check `pattern`'s syntax now (the cheap first parsing stage: no translation, no
    /// automaton); returns it with its syntax tree.
    pub(crate) fn new(pattern: &str) -> Result<(Self, Ast), String> {
        let ast = regex_syntax::ast::parse::Parser::new()
            .parse(pattern)
            .map_err(|e| format!("invalid regex: {e}"))?;
        Ok((
            LazyRegex {
                pattern: pattern.into(),
                compiled: OnceLock::new(),
            },
            ast,
        ))
    }

    /// The compiled regex; `None` only if compiling a pattern that parsed failed (a size
    /// limit), which [`LazyRegex::force`] reports as an error.
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| build_regex(&self.pattern))
            .as_ref()
            .ok()
    }

    /// Compile now and report failure.
    pub fn force(&self) -> Result<&Regex, String> {
        self.compiled
            .get_or_init(|| build_regex(&self.pattern))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The pattern.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The keyword window radius of a rule with this regex and `keywords`: `Some(n)` when
    /// every match contains one of the keywords (ASCII case-insensitively) and is at most
    /// `n` bytes long, so every match lies within `n` bytes of a keyword hit.
    pub fn window_radius(&self, keywords: &[String]) -> Option<usize> {
        let hir = parse(&self.pattern).ok()?;
        let max = hir.properties().maximum_len()?;
        if max > MAX_WINDOW_RADIUS {
            return None;
        }
        let keywords: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.to_ascii_lowercase().into_bytes())
            .filter(|k| !k.is_empty())
            .collect();
        (!keywords.is_empty() && contains_keyword(&fold_case(&hir), &keywords)).then_some(max)
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
        // suffices.
        HirKind::Concat(xs) => xs.iter().any(|x| contains_keyword(x, keywords)),
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

    fn radius(pattern: &str, keywords: &[&str]) -> Option<usize> {
        let (re, _) = LazyRegex::new(pattern).unwrap();
        let kws: Vec<String> = keywords.iter().map(|s| (*s).to_string()).collect();
        re.window_radius(&kws)
    }

    #[test]
    fn compiles_on_first_use_only() {
        let (re, _) = LazyRegex::new(r"ab(?P<secret>c+)").unwrap();
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
                r"[\w.-]{0,8}(?i:token|secret)\s{0,3}=\s{0,3}(?P<secret>\w{8,32})",
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
        // Case-insensitive keywords stay one literal each (no 2^n case variants).
        assert_eq!(
            radius(
                r"(?i)(?:password|secret_access_key|credentials)\s?=\s?(?P<secret>\w{8})",
                &["password", "secret_access_key", "credentials"]
            ),
            Some(17 + 1 + 1 + 1 + 8)
        );
        // Unbounded, or the keyword only nearby: never windowed.
        assert_eq!(radius(r"ghp_[A-Za-z0-9]+", &["ghp_"]), None);
        assert_eq!(radius(r"[a-f0-9]{40}", &["sha"]), None);
        assert_eq!(radius(r"(?:key)?[a-f0-9]{40}", &["key"]), None);
    }
}
