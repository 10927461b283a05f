//! The filters a raw regex match must pass to become a candidate finding.
//!
//! A regex says only that a string has a secret's shape. Each filter removes one kind of
//! look-alike, in this order: a low-entropy or placeholder value (`xxxx`, `${VAR}`,
//! `YOUR_API_KEY`), a stopword, an allowlisted secret or match, a format checksum that
//! does not hold ([`super::checksum`]), and last, as the only one that needs the
//! [`LineIndex`], a `near` companion missing from (or a `not_near` pattern present in)
//! the secret's neighbourhood: the lines within `n` of it.

use std::ops::Range;

use memchr::memmem;

use super::checksum::{base64_data_ok, github_checksum_ok, jwt_claims, pypi_macaroon_ok};
use super::lines::LineIndex;
use super::preimage::md5_crypt_of_placeholder;
use crate::rules::{Checksum, Rule};

/// Trim ASCII whitespace off both ends of a secret span (multi-line bodies end in `\n`).
pub(super) fn trim_span(text: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.start < r.end && text[r.start].is_ascii_whitespace() {
        r.start += 1;
    }
    while r.end > r.start && text[r.end - 1].is_ascii_whitespace() {
        r.end -= 1;
    }
    r
}

/// The per-match filters that need only the secret and the match.
pub(super) fn accept(rule: &Rule, secret: &[u8], whole: &[u8]) -> bool {
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
        Some(Checksum::Jwt) => jwt_claims(secret).is_some(),
        Some(Checksum::Md5CryptPreimage) => !md5_crypt_of_placeholder(secret),
        Some(Checksum::Base64Data) => base64_data_ok(secret),
    }
}

/// The `near` rule: the companion pattern must occur within N lines of the secret; the
/// `not_near` rule: its pattern must not.
pub(super) fn near_ok(
    rule: &Rule,
    text: &[u8],
    span: &Range<usize>,
    lines: &mut Option<LineIndex>,
) -> bool {
    if let Some((re, n)) = &rule.not_near {
        if neighbourhood_has(re, *n, text, span, lines) {
            return false;
        }
    }
    match &rule.near {
        None => true,
        Some((re, n)) => neighbourhood_has(re, *n, text, span, lines),
    }
}

/// Bytes a neighbourhood reaches past the secret, per line of `n` (and one more for the
/// secret's own line): "near" means near on a line of megabytes too, where a whole-line
/// neighbourhood would pair a chance prefix with every run on the line.
const NEAR_BYTES_PER_LINE: usize = 256;

/// Whether `re` matches in the neighbourhood of `span`: the lines within `n` of it, and
/// at most `(n + 1) * NEAR_BYTES_PER_LINE` bytes either side of it.
fn neighbourhood_has(
    re: &crate::rules::LazyRegex,
    n: usize,
    text: &[u8],
    span: &Range<usize>,
    lines: &mut Option<LineIndex>,
) -> bool {
    let lines = lines.get_or_insert_with(|| LineIndex::new(text));
    let first = lines.line_of(span.start).saturating_sub(n).max(1);
    let last = lines.line_of(span.end.saturating_sub(1)) + n;
    let reach = (n + 1) * NEAR_BYTES_PER_LINE;
    let start = lines
        .line_start(first)
        .max(span.start.saturating_sub(reach));
    let end = lines.line_end(text, last).min(span.end + reach).max(start);
    re.get().is_some_and(|re| re.is_match(&text[start..end]))
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
pub(super) const TEMPLATE_MARKERS: [&[u8]; 7] = [b"${", b"{{", b"}}", b"%(", b"#{", b"<%", b"$("];

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
