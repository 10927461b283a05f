//! Stand-ins: guessable values where a guessable value only stands in for a credential.
//!
//! Test suites, fixtures, tutorials and documentation are full of credentials that exist
//! to be read: the password `fighter` of a test user, `mysql://foo:bar@` in a URL
//! parser's tests, the bcrypt hash of `password` in a hashing test. No value filter can tell `fighter` from a chosen
//! password on its own (people do choose words), but the setting can: a word-shaped
//! password in `tests/` or in a Markdown page stands in for one, while the same word in
//! `config/production.yml` may be the password.
//!
//! So a finding is withheld as a stand-in when both hold:
//! - its **setting** is for examples ([`Setting::of`]): a test, fixture, mock or
//!   documentation path, or a credential name that says test (`TEST_DB_PASSWORD`);
//! - its **value** is one a person typed and anyone could guess ([`guessable`]): words,
//!   a short counter, a keyboard run, `user:pass` of such words, also behind one layer of
//!   base64 (Basic credentials, Kubernetes Secret data). Only rules whose values people
//!   choose are judged this way ([`Judged::of`]): passwords, connection strings, generic
//!   and free-form header rules. Password hashes in such a setting are withheld whatever
//!   they hash: a hash grants nothing by itself, and a fixture's hash is of a fixture's
//!   password.
//!
//! Machine-made formats (provider keys with a prefix or checksum, private keys, JWTs)
//! are never judged here: a real key in a test is still a key. Withheld findings are
//! counted in the scan's totals (`stand_in`) and reported, as notes, with `--stand-ins`.

use super::generic;
use crate::rules::{Checksum, CredentialKind, Precision, Rule};

/// Where a file sits, as far as stand-ins go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    /// Code, configuration or data that may be deployed.
    Ordinary,
    /// Tests, fixtures, mocks, examples and documentation.
    Example,
}

/// Directory names (lower case) that hold tests or their data. `t` is the Perl and git
/// convention; any name starting with `test` (`testdata`, `testutil`, `testcharts`)
/// counts too.
const TEST_DIRS: [&str; 12] = [
    "t",
    "spec",
    "specs",
    "__tests__",
    "fixture",
    "fixtures",
    "__fixtures__",
    "mock",
    "mocks",
    "__mocks__",
    "stubs",
    "e2e",
];

/// Directory names (lower case) that hold documentation and worked examples.
const DOC_DIRS: [&str; 13] = [
    "doc",
    "docs",
    "docs_src",
    "documentation",
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
    "demos",
    "tutorial",
    "tutorials",
    "cookbook",
];

/// Extensions (lower case) of prose: documentation pages, not configuration.
const DOC_EXTENSIONS: [&str; 7] = ["md", "mdx", "markdown", "rst", "adoc", "asciidoc", "po"];

/// Words in a credential's name that say it is for tests. (`example` is not one: it is
/// the domain of every documented e-mail address.)
const TEST_NAME_WORDS: [&str; 5] = ["test", "testing", "dummy", "fake", "mock"];

impl Setting {
    /// The setting of the file reported at `path` (a display path: `/`- or
    /// `\`-separated, archive entries after `!`, history blobs after `commit:`).
    pub(crate) fn of(path: &str) -> Setting {
        // Once per file or history blob: no allocation.
        let (dirs, file) = path
            .rfind(['/', '\\', '!', ':'])
            .map_or(("", path), |at| (&path[..at], &path[at + 1..]));
        let is = |d: &str, names: &[&str]| names.iter().any(|n| d.eq_ignore_ascii_case(n));
        let dir_says = dirs.split(['/', '\\', '!', ':']).any(|d| {
            let b = d.as_bytes();
            b.get(..4).is_some_and(|p| p.eq_ignore_ascii_case(b"test"))
                || b.len() >= 5 && b[b.len() - 5..].eq_ignore_ascii_case(b"tests")
                || is(d, &TEST_DIRS)
                || is(d, &DOC_DIRS)
        });
        if dir_says || test_file(file) || doc_file(file) {
            Setting::Example
        } else {
            Setting::Ordinary
        }
    }
}

/// A test file by its name: `test_x.py`, `x_test.go`, `XTest.php`, `XTests.cs`,
/// `x.test.ts`, `x_spec.rb`, `x.spec.js`, `conftest.py`.
fn test_file(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    let stem_lower = stem.to_ascii_lowercase();
    stem_lower.starts_with("test_")
        || stem_lower.starts_with("test-")
        || stem_lower == "test"
        || stem_lower == "conftest"
        || ["_test", "-test", "_tests", "_spec", "-spec"]
            .iter()
            .any(|s| stem_lower.ends_with(s))
        || stem.ends_with("Test")
        || stem.ends_with("Tests")
        || stem.ends_with("Spec")
        || lower.contains(".test.")
        || lower.contains(".spec.")
}

/// A documentation page by its extension.
fn doc_file(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| DOC_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// Whether a credential name says the credential is for tests (`TEST_DB_PASSWORD`,
/// `fakeApiKey`).
pub(crate) fn name_says_test(name: &[u8]) -> bool {
    generic::name_words(name)
        .iter()
        .any(|w| TEST_NAME_WORDS.contains(&w.as_str()))
}

/// How a rule's findings are judged for stand-ins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Judged {
    /// Never: the format is machine-made.
    Never,
    /// By the value as a person would type it, or by the text its base64 stands for
    /// (Basic credentials, Secret data).
    Value,
    /// By the setting alone: password hashes.
    Hash,
}

impl Judged {
    /// How `rule`'s findings are judged; `generic` says whether it is a generic rule.
    pub(crate) fn of(rule: &Rule, generic: bool) -> Judged {
        let kind = rule.info.kind;
        if kind == CredentialKind::PasswordHash {
            return Judged::Hash;
        }
        let chosen = matches!(
            kind,
            CredentialKind::Password | CredentialKind::ConnectionString
        ) || rule.checksum == Some(Checksum::Base64Data);
        if generic || chosen || rule.info.precision == Precision::Low {
            Judged::Value
        } else {
            Judged::Never
        }
    }

    /// Whether `value`, found by a rule judged this way in `setting` (or under a name
    /// that says test), is a stand-in.
    pub(crate) fn stand_in(self, setting: Setting, named_test: bool, value: &[u8]) -> bool {
        if setting == Setting::Ordinary && !named_test {
            return false;
        }
        match self {
            Judged::Never => false,
            Judged::Hash => true,
            Judged::Value => {
                guessable(value)
                    || super::checksum::base64_text(value)
                        // An htpasswd line (`user:{SHA}…`, `user:$apr1$…`) is a hash.
                        .is_some_and(|text| holds_hash(&text) || guessable(&text))
            }
        }
    }
}

/// Whether decoded text holds a password hash after a user name: `user:{SHA}…`,
/// `user:$2y$…`.
fn holds_hash(text: &[u8]) -> bool {
    memchr::memmem::find(text, b":{SHA}").is_some()
        || memchr::memmem::find(text, b":{SSHA}").is_some()
        || memchr::memmem::find(text, b":$").is_some()
}

/// Longest value a person types as a stand-in; longer ones are generated.
const GUESSABLE_MAX: usize = 24;

/// Whether `value` reads as typed by a person and guessable: at most
/// [`GUESSABLE_MAX`] bytes of words (pronounceable runs of letters, keyboard runs),
/// short or sequential numbers and separators, in few pieces for its length. `fighter`,
/// `Forge123`, `to-be-stolen`, `Passw0rd`, `foo:bar`, `asdfqwer1234asdf` and
/// `TESTROOTCAS0` are; `7ad3773142a6692b25b8`, `aaroZmOk` and anything longer are not.
pub(crate) fn guessable(value: &[u8]) -> bool {
    let v = value.trim_ascii();
    if v.is_empty() || v.len() > GUESSABLE_MAX {
        return false;
    }
    let folded = unleet(&percent_decoded(v));
    let mut pieces = 0;
    for word in folded.split(|c| !c.is_ascii_alphanumeric()) {
        for piece in pieces_of(word) {
            let ok = if piece[0].is_ascii_digit() {
                number_like(piece)
            } else {
                word_like(piece)
            };
            if !ok {
                return false;
            }
            pieces += 1;
        }
    }
    pieces > 0 && pieces <= (v.len() / 3).max(2)
}

/// `v` with `%XX` escapes undone (`bar%2F` is `bar/` in a URL's password).
fn percent_decoded(v: &[u8]) -> Vec<u8> {
    let hex = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        let escaped = (v[i] == b'%')
            .then(|| Some(hex(*v.get(i + 1)?)? << 4 | hex(*v.get(i + 2)?)?))
            .flatten();
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(v[i]);
                i += 1;
            }
        }
    }
    out
}

/// Leetspeak letters between two letters read as the letter (`Passw0rd`, `p@ss`).
fn unleet(v: &[u8]) -> Vec<u8> {
    let mut out = v.to_vec();
    for i in 1..v.len().saturating_sub(1) {
        if v[i - 1].is_ascii_alphabetic() && v[i + 1].is_ascii_alphabetic() {
            out[i] = match v[i] {
                b'0' => b'o',
                b'1' | b'!' => b'i',
                b'3' => b'e',
                b'4' | b'@' => b'a',
                b'5' | b'$' => b's',
                b'7' => b't',
                c => c,
            };
        }
    }
    out
}

/// Split an alphanumeric word into pieces at letter/digit boundaries and camel humps
/// (`ThisIsABearer` → `This Is A Bearer`, `Forge123` → `Forge 123`).
fn pieces_of(word: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..word.len() {
        let (a, b) = (word[i - 1], word[i]);
        let class_change = a.is_ascii_digit() != b.is_ascii_digit();
        let hump = a.is_ascii_lowercase() && b.is_ascii_uppercase();
        let acronym_end = a.is_ascii_uppercase()
            && b.is_ascii_uppercase()
            && word.get(i + 1).is_some_and(u8::is_ascii_lowercase);
        if class_change || hump || acronym_end {
            out.push(&word[start..i]);
            start = i;
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// Letter pairs common in English words, one bit per second letter (`a` = bit 0) for
/// each first letter: the 395 pairs that make up at least 1 in 20,000 of the letter
/// pairs inside the words of 1,099 English documentation pages (FastAPI's `docs/en`
/// and git's `Documentation`). A typed word has at most the odd rare pair where two
/// words meet (`bobwillknow`); 16 random letters have six or so.
const COMMON_BIGRAMS: [u32; 26] = [
    0x3febdff, // a
    0x11e5b1f, // b
    0x13e5dbf, // c
    0x1be797f, // d
    0x1fffbff, // e
    0x11e693d, // f
    0x11ee9f5, // g
    0x11e7911, // h
    0x2aefd7f, // i
    0x0144415, // j
    0x01c6971, // k
    0x17edd7f, // l
    0x11cf95b, // m
    0x13efd7d, // n
    0x1feff7f, // o
    0x11eddd9, // p
    0x0100800, // q
    0x17efd7f, // r
    0x17ffdfd, // s
    0x1def9fd, // t
    0x0aef97f, // u
    0x0046111, // v
    0x0466991, // w
    0x1888115, // x
    0x05cf918, // y
    0x0000191, // z
];

/// Letter pairs of lower-case `w` that English words rarely have.
fn rare_pairs(w: &[u8]) -> usize {
    w.windows(2)
        .filter(|p| {
            let (a, b) = (p[0].wrapping_sub(b'a'), p[1].wrapping_sub(b'a'));
            a >= 26 || b >= 26 || COMMON_BIGRAMS[usize::from(a)] & (1 << b) == 0
        })
        .count()
}

/// A run of letters a person would type: short, or made of keyboard-row runs
/// (`asdfqwer`), or English-like: some vowels, no more than four consonants in a row,
/// and at most one rare letter pair per eight letters (`vzihlaquknriqlht`, a
/// generated app password, has six).
fn word_like(w: &[u8]) -> bool {
    if w.len() <= 3 {
        return true;
    }
    let lower = w.to_ascii_lowercase();
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    let vowels = lower.iter().filter(|&&c| vowel(c)).count();
    let mut run = 0;
    let mut longest = 0;
    for &c in &lower {
        run = if vowel(c) { 0 } else { run + 1 };
        longest = longest.max(run);
    }
    let english = vowels * 100 >= lower.len() * 15
        && longest <= 4
        && rare_pairs(&lower) <= (lower.len() / 8).max(1);
    english || keyboard_runs(&lower)
}

/// Whether `w` is made of runs of three or more neighbouring keys of one keyboard row.
fn keyboard_runs(w: &[u8]) -> bool {
    const ROWS: [&[u8]; 3] = [b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
    let mut i = 0;
    while i < w.len() {
        let longest = ROWS
            .iter()
            .filter_map(|row| {
                let at = row.iter().position(|&c| c == w[i])?;
                Some(
                    row[at..]
                        .iter()
                        .zip(&w[i..])
                        .take_while(|(a, b)| a == b)
                        .count(),
                )
            })
            .max()
            .unwrap_or(0);
        if longest < 3 {
            return false;
        }
        i += longest;
    }
    true
}

/// A number a person would type: up to four digits, one digit repeated, or a run up or
/// down (`123456`, `987654`).
fn number_like(d: &[u8]) -> bool {
    if d.len() <= 4 || d.iter().all(|&c| c == d[0]) {
        return true;
    }
    let steps: Vec<i16> = d
        .windows(2)
        .map(|p| i16::from(p[1]) - i16::from(p[0]))
        .collect();
    steps.iter().all(|&s| s == 1) || steps.iter().all(|&s| s == -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_directories_file_names_and_extensions() {
        for p in [
            "tests/test_tutorial/test_tutorial003.py",
            "t/lib-credential.sh",
            "pkg/registry/client_tls_test.go",
            "tests/Support/ConfigurationUrlParserTest.php",
            "src/app/login.spec.ts",
            "src/__mocks__/api.js",
            "integration/fixtures/https/dynamic_https.toml",
            "pkg/cmd/testdata/charts/common-0.0.5.tgz!common/values.yaml",
            "docs/en/docs/tutorial/security/oauth2-jwt.md",
            "docs_src/security/tutorial004.py",
            "README.md",
            "Documentation/howto/setup.adoc",
            "abc123:examples/deploy.yml",
            "scripts/templates/test_group.jinja",
            "C:\\repo\\tests\\unit.py",
        ] {
            assert_eq!(Setting::of(p), Setting::Example, "{p}");
        }
        for p in [
            "config/production.yml",
            ".env",
            "src/settings.py",
            "deploy/k8s/secret.yaml",
            "contest/app.py",
            "src/latest.rs",
            "attestation/keys.go",
            ".github/workflows/deploy.yml",
            "",
        ] {
            assert_eq!(Setting::of(p), Setting::Ordinary, "{p}");
        }
    }

    #[test]
    fn typed_words_and_counters_are_guessable() {
        for v in [
            "fighter",
            "Forge123",
            "to-be-stolen",
            "Passw0rd",
            "passw@rd",
            "foo:bar",
            "bar%25bar",
            "asdfqwer1234asdf",
            "TESTROOTCAS0",
            "ThisIsABearerToken",
            "secret-token",
            "sk-12345",
            "This is a file.\n",
            "cmdline",
            "bobwillknow",
            "postgres",
            "123456",
            "bar%2F",
            "ohsobad",
        ] {
            assert!(guessable(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn generated_values_are_not_guessable() {
        for v in [
            "7ad3773142a6692b25b8",
            "aaroZmOk",
            "xK9mP2qLr",
            "qzxjvkwpbtrm",
            "vzihlaquknriqlht",
            "AckfSECXIvnK5r28GVIWUAxmbBSjTsmF",
            "auth_asKXRhIMplM7El1JENjrotGouS1LYRdL",
            "84720561",
            "",
            "   ",
        ] {
            assert!(!guessable(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn names_that_say_test() {
        assert!(name_says_test(b"SENTRY_PYTHON_TEST_POSTGRES_PASSWORD"));
        assert!(name_says_test(b"fakeApiKey"));
        assert!(name_says_test(b"dummy-token"));
        assert!(!name_says_test(b"DB_PASSWORD"));
        assert!(!name_says_test(b"attestation_key"));
        assert!(!name_says_test(b"NetworkCredential(\"ops@example.com\""));
    }

    #[test]
    fn only_example_settings_withhold_and_only_chosen_values() {
        let g = b"fighter";
        assert!(!Judged::Value.stand_in(Setting::Ordinary, false, g));
        assert!(Judged::Value.stand_in(Setting::Ordinary, true, g));
        assert!(Judged::Value.stand_in(Setting::Example, false, g));
        assert!(!Judged::Never.stand_in(Setting::Example, true, g));
        assert!(!Judged::Value.stand_in(Setting::Example, false, b"7ad3773142a6692b25b8"));
        assert!(Judged::Hash.stand_in(Setting::Example, false, b"$2y$10$anything"));
        assert!(!Judged::Hash.stand_in(Setting::Ordinary, false, b"$2y$10$anything"));
        // `example:example` and `This is a file.` behind base64.
        assert!(Judged::Value.stand_in(Setting::Example, false, b"ZXhhbXBsZTpleGFtcGxl"));
        assert!(Judged::Value.stand_in(Setting::Example, false, b"VGhpcyBpcyBhIGZpbGUuCg=="));
        // `user:{SHA}…` behind base64 is a hash.
        assert!(Judged::Value.stand_in(
            Setting::Example,
            false,
            concat!("dXNlcjp7U0hBfVc2cGg1", "TW01UHo4R2dpVUxiUGd6RzM3bWo5Zz0=").as_bytes()
        ));
        // Random bytes behind base64 are judged as the base64 itself.
        assert!(!Judged::Value.stand_in(
            Setting::Example,
            false,
            b"UZShXHjj2XcRSL8PZjuVDRqyqJ7ThjaZ"
        ));
    }
}
