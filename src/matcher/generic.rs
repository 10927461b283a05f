//! The generic detector's judgement of a value: is this literal, assigned to something
//! whose name says "secret", a credential, and whose service is it for?
//!
//! Generic rules (provider `Generic`) match a credential-named assignment in any syntax;
//! their regexes only say *where* a value sits. Most such values in real code are not
//! credentials: test passwords (`s3cr3t`, `hunter2`), templates (`{{ token }}`),
//! redactions (`****`), identifiers (`NextPage`, `DescribeInstances`), integrity hashes,
//! request ids, paths and URLs. [`judge`] names the first reason a value is not a
//! credential, so a dropped match is explainable and each reason has its own test;
//! [`service_of`] reads the service out of the name (`STRIPE_SECRET_KEY` → `stripe`), so
//! a generic finding for one of the long tail of services without a rule of its own
//! still says whose key it is.
//!
//! Everything here is a pure function of the name and the value: deterministic, no
//! allocation beyond two short folded copies of the value, and run only on the few
//! values a generic regex matched.

use memchr::memmem;

/// The provider of the generic rules (`rules/generic.toml`).
pub(crate) const PROVIDER: &str = "Generic";

/// Whether a credential name says password (`db_pass`, `PWD`, `passphrase`), so its
/// value is judged as a chosen password even under a rule for any secret.
pub(crate) fn names_password(name: &[u8]) -> bool {
    name_words(name).iter().any(|w| {
        w.contains("passw") || w.contains("passphrase") || w == "pass" || w == "pwd" || w == "pw"
    })
}

/// What a generic rule expects the value to be: people choose passwords, so they are
/// held to a dictionary, not to an entropy floor; tokens and keys are machine-made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expect {
    Password,
    Token,
}

/// Why a value is not reported as a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// Ends in `...` or `…`: elided in documentation or a log.
    Elided,
    /// Masked: `****`, `xxxx`, `<redacted>`, `######`.
    Redacted,
    /// A template or variable reference: `${X}`, `{{ x }}`, `%(x)s`, `$x`, `@x@`, `{0}`.
    Template,
    /// A dictionary placeholder once leetspeak is folded: `s3cr3t`, `hunter2`, `passwd1`.
    Placeholder,
    /// An enum-like option word: `always`, `required`, `prompt`.
    EnumWord,
    /// An identifier: `NextPage`, `describeInstances`, `app.secret.key`, `api_token_env`.
    Identifier,
    /// A hash or id that is not a credential: an integrity hash, a commit sha under a
    /// commit name, a UUID under an id or request name.
    NotCredentialHash,
    /// A file path, directory or file name.
    Path,
    /// A URL without credentials in it.
    Url,
    /// A command-line option or an option list: `--advertise-routes=10.0.0.0/24`,
    /// `id=npm_token,src=.npmrc`.
    Option,
    /// Prose: a help text or translated message in the value's place.
    Prose,
    /// A token too regular for its length and character family.
    LowEntropy,
}

#[cfg(test)]
impl Reason {
    /// A short label for the reason, as the tests name it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Reason::Elided => "elided",
            Reason::Redacted => "redacted",
            Reason::Template => "template",
            Reason::Placeholder => "placeholder",
            Reason::EnumWord => "enum word",
            Reason::Identifier => "identifier",
            Reason::NotCredentialHash => "hash or id",
            Reason::Path => "path",
            Reason::Url => "url",
            Reason::Option => "option",
            Reason::Prose => "prose",
            Reason::LowEntropy => "low entropy",
        }
    }
}

/// Why `value`, assigned to `name`, is not a credential; `None` when it may be one.
pub(crate) fn judge(expect: Expect, name: &[u8], value: &[u8]) -> Option<Reason> {
    if value.ends_with(b"...") || value.ends_with("\u{2026}".as_bytes()) {
        return Some(Reason::Elided);
    }
    if redacted(value) {
        return Some(Reason::Redacted);
    }
    if template(value) {
        return Some(Reason::Template);
    }
    if url_without_credentials(value) {
        return Some(Reason::Url);
    }
    if path_like(value) {
        return Some(Reason::Path);
    }
    if option_like(value) {
        return Some(Reason::Option);
    }
    if prose(value) {
        return Some(Reason::Prose);
    }
    if not_credential_hash(name, value) {
        return Some(Reason::NotCredentialHash);
    }
    if placeholder(value) {
        return Some(Reason::Placeholder);
    }
    if enum_word(value) {
        return Some(Reason::EnumWord);
    }
    if identifier(expect, value) {
        return Some(Reason::Identifier);
    }
    if expect == Expect::Password && described(value) {
        return Some(Reason::Placeholder);
    }
    if expect == Expect::Token && !token_like(value) {
        return Some(Reason::LowEntropy);
    }
    None
}

/// A command-line option (`--name` or `--name=…`) or a list of `key=value` options
/// (`id=npm_token,src=.npmrc`): what a flag's value slot holds when the secret itself
/// comes from elsewhere.
fn option_like(v: &[u8]) -> bool {
    if v.starts_with(b"--") && v.get(2).is_some_and(u8::is_ascii_alphabetic) {
        return true;
    }
    let pairs: Vec<&[u8]> = v.split(|&c| c == b',').collect();
    pairs.len() >= 2
        && pairs.iter().all(|p| {
            p.iter().position(|&c| c == b'=').is_some_and(|eq| {
                eq > 0
                    && p[..eq]
                        .iter()
                        .all(|c| c.is_ascii_lowercase() || *c == b'_' || *c == b'-')
            })
        })
}

/// Four or more words separated by spaces, three of them letters only: a help text or
/// a translated message. A four-word passphrase reads the same, but in the value slot
/// of a generic rule (an XML element, a quoted string after a name) a sentence is far
/// more often a message than a password.
fn prose(v: &[u8]) -> bool {
    let words: Vec<&[u8]> = v
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .collect();
    let lettered = words
        .iter()
        .filter(|w| {
            w.iter()
                .all(|c| c.is_ascii_alphabetic() || !c.is_ascii() || matches!(c, b'.' | b','))
        })
        .count();
    words.len() >= 4 && lettered >= 3
}

/// Masks: a value made only of mask characters, or holding a redaction marker, also
/// URL-encoded (`%5BFiltered%5D` is what an SDK's scrubber leaves in a query string).
fn redacted(v: &[u8]) -> bool {
    let mask = |c: &u8| matches!(c, b'*' | b'x' | b'X' | b'#' | b'-' | b'.' | b'_' | b'?');
    if !v.is_empty() && v.iter().all(mask) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    [
        "redacted",
        "<hidden>",
        "[hidden]",
        "<masked>",
        "***",
        "xxx",
        "\u{2022}",
        "[filtered]",
        "%5bfiltered%5d",
    ]
    .iter()
    .any(|m| memmem::find(&lower, m.as_bytes()).is_some())
}

/// Template and interpolation syntax of the common languages and tools: shell and
/// Compose (`${X}`, `$X`, `$x`), Jinja/Go/Handlebars/Mustache (`{{ }}`, `{% %}`), ERB and
/// JSP (`<% %>`), Ruby and CoffeeScript (`#{}`), Python (`%(x)s`, `{0}`, `{}`), printf
/// (`%s`), Puppet/Ruby (`%{x}`), autoconf and Maven filtering (`@x@`), Windows (`%X%`),
/// Spring and Ant (`${x}`), dunder placeholders (`__X__`), and `<x>` slots.
fn template(v: &[u8]) -> bool {
    // The openers every rule's placeholder check knows, and Jinja's and Puppet's.
    const MORE: [&[u8]; 3] = [b"{%", b"%}", b"%{"];
    if super::filter::TEMPLATE_MARKERS
        .iter()
        .chain(&MORE)
        .any(|m| memmem::find(v, m).is_some())
    {
        return true;
    }
    let ident = |b: &[u8]| {
        !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
    };
    match (v.first(), v.last()) {
        // `$password`, `$DB_PASS`, `$env:TOKEN`: a variable, never a literal.
        (Some(b'$'), _) if v.len() > 1 && (v[1].is_ascii_alphabetic() || v[1] == b'_') => {
            return ident(&v[1..]) || v[1..].starts_with(b"env:");
        }
        (Some(b'%' | b'@'), Some(b'%' | b'@')) if v.len() > 2 => {
            return ident(&v[1..v.len() - 1]);
        }
        (Some(b'<'), Some(b'>')) | (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')) => {
            return true;
        }
        _ => {}
    }
    if v.len() > 4 && v.starts_with(b"__") && v.ends_with(b"__") {
        return true;
    }
    // printf directives: `%s`, `%d`, `%v` anywhere in a value with no other meaning.
    v.windows(2)
        .any(|w| w[0] == b'%' && matches!(w[1], b's' | b'd' | b'v' | b'q'))
        && v.len() <= 24
}

/// `scheme://…` with no `user:password@` in it (URLs with credentials are the URL
/// rules' to report).
fn url_without_credentials(v: &[u8]) -> bool {
    let Some(at) = memmem::find(v, b"://") else {
        return false;
    };
    let scheme_ok = at > 0
        && v[..at]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'));
    if !scheme_ok {
        return false;
    }
    let rest = &v[at + 3..];
    let authority = rest.split(|c| *c == b'/').next().unwrap_or(rest);
    !authority.contains(&b'@')
}

/// File paths and file names: rooted or relative paths, Windows drives, and names
/// ending in a common file extension.
fn path_like(v: &[u8]) -> bool {
    if matches!(v.first(), Some(b'/' | b'~' | b'\\'))
        || v.starts_with(b"./")
        || v.starts_with(b"../")
        || (v.len() > 3 && v[0].is_ascii_alphabetic() && v[1] == b':' && v[2] == b'\\')
    {
        return true;
    }
    const EXTENSIONS: [&str; 30] = [
        "pem", "crt", "cer", "der", "key", "p12", "pfx", "jks", "keystore", "json", "yaml", "yml",
        "toml", "txt", "env", "js", "ts", "py", "rb", "go", "java", "html", "xml", "conf", "cfg",
        "ini", "sh", "png", "lock", "log",
    ];
    let Some(dot) = v.iter().rposition(|c| *c == b'.') else {
        return false;
    };
    let ext = v[dot + 1..].to_ascii_lowercase();
    dot > 0 && EXTENSIONS.iter().any(|e| e.as_bytes() == ext.as_slice())
}

/// Words in a name that say the value identifies something rather than authenticates.
const ID_NAME_WORDS: [&str; 12] = [
    "id",
    "uuid",
    "guid",
    "request",
    "trace",
    "correlation",
    "tenant",
    "session",
    "nonce",
    "account",
    "org",
    "project",
];

/// Words in a name that say the value is a commit or a content hash.
const HASH_NAME_WORDS: [&str; 9] = [
    "commit", "sha", "rev", "revision", "hash", "digest", "checksum", "etag", "ref",
];

/// Hashes and ids that are not credentials: Subresource/npm integrity hashes
/// (`sha512-…`), a 40- or 64-hex digest under a commit or hash name, a UUID under an id
/// or request name.
fn not_credential_hash(name: &[u8], v: &[u8]) -> bool {
    let lower = v.to_ascii_lowercase();
    if ["sha1-", "sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|p| lower.starts_with(p.as_bytes()))
    {
        return true;
    }
    let words = name_words(name);
    let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    let hex = v.iter().all(u8::is_ascii_hexdigit);
    if hex && matches!(v.len(), 40 | 64) && has(&HASH_NAME_WORDS) {
        return true;
    }
    uuid(v) && has(&ID_NAME_WORDS)
}

/// `8-4-4-4-12` hex.
fn uuid(v: &[u8]) -> bool {
    v.len() == 36
        && v.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Words people type as stand-ins for a credential, after folding leetspeak and case.
/// A value is a placeholder when it is one of these (optionally followed by up to four
/// digits and one `!`), or when it contains one of the longer ones.
const PLACEHOLDERS: [&str; 64] = [
    "password",
    "passwd",
    "passw",
    "pass",
    "pwd",
    "secret",
    "secrets",
    "changeme",
    "changeit",
    "hunter",
    "letmein",
    "admin",
    "administrator",
    "root",
    "qwerty",
    "welcome",
    "default",
    "test",
    "tester",
    "testing",
    "foobar",
    "foo",
    "bar",
    "baz",
    "example",
    "sample",
    "dummy",
    "fake",
    "mysecret",
    "mypassword",
    "mypass",
    "supersecret",
    "topsecret",
    "opensesame",
    "secretkey",
    "apikey",
    "token",
    "mytoken",
    "guest",
    "user",
    "username",
    "login",
    "demo",
    "temp",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "trustno",
    "abc",
    "abcd",
    "xyz",
    "none",
    "null",
    "empty",
    "blank",
    "sesame",
    "passphrase",
    "pa",
    "value",
    "swordfish",
    "hello",
    "credential",
    "credentials",
];

/// Placeholder words long and odd enough that containing one marks the whole value.
const PLACEHOLDER_PARTS: [&str; 14] = [
    "password",
    "passwd",
    "secret",
    "changeme",
    "changeit",
    "example",
    "placeholder",
    "dummy",
    "sample",
    "qwerty",
    "letmein",
    "hunter",
    "sesame",
    "notreal",
];

/// Fold leetspeak and case so `S3cr3t`, `p@ssw0rd` and `$ecret` read as the words they
/// spell; non-letters that are not leet are dropped.
fn fold(v: &[u8]) -> Vec<u8> {
    v.iter()
        .filter_map(|c| match c.to_ascii_lowercase() {
            b'0' => Some(b'o'),
            b'1' | b'!' | b'|' => Some(b'i'),
            b'3' => Some(b'e'),
            b'4' | b'@' => Some(b'a'),
            b'5' | b'$' => Some(b's'),
            b'7' | b'+' => Some(b't'),
            c if c.is_ascii_lowercase() => Some(c),
            _ => None,
        })
        .collect()
}

fn placeholder(v: &[u8]) -> bool {
    dictionary_word(v) || super::looks_like_placeholder(v)
}

/// A password someone typed as a stand-in: a [`PLACEHOLDERS`] word with a short counter,
/// or a value holding a [`PLACEHOLDER_PARTS`] word.
pub(crate) fn dictionary_word(v: &[u8]) -> bool {
    // Whole word plus a short counter: `passwd1`, `secret123`, `hunter2`, `admin!`.
    let mut core = v;
    if let Some((b'!', rest)) = core.split_last() {
        core = rest;
    }
    let digits = core.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    if digits <= 4 {
        let word = core[..core.len() - digits].to_ascii_lowercase();
        let folded = fold(&word);
        if !word.is_empty()
            && PLACEHOLDERS
                .iter()
                .any(|p| p.as_bytes() == word.as_slice() || p.as_bytes() == folded.as_slice())
        {
            return true;
        }
    }
    let folded = fold(v);
    let lower: Vec<u8> = v
        .iter()
        .map(u8::to_ascii_lowercase)
        .filter(u8::is_ascii_lowercase)
        .collect();
    PLACEHOLDER_PARTS.iter().any(|p| {
        memmem::find(&folded, p.as_bytes()).is_some()
            || memmem::find(&lower, p.as_bytes()).is_some()
    })
}

/// A value that describes a password instead of being one: two or more words of letters
/// joined by `-` or `_`, one of them a placeholder (`store-pass`, `invalid-credentials`,
/// `passwd-on-proxy`). A chosen passphrase of words (`kettle_drum42`,
/// `correct-horse-battery-staple`) names no placeholder word.
fn described(v: &[u8]) -> bool {
    let words: Vec<&[u8]> = v.split(|&c| c == b'-' || c == b'_').collect();
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.iter().all(u8::is_ascii_alphabetic))
        && words.iter().any(|w| {
            let lower = w.to_ascii_lowercase();
            PLACEHOLDERS
                .iter()
                .any(|p| p.as_bytes() == lower.as_slice())
        })
}

/// Option values that configure how a credential is handled, not credentials.
const ENUM_WORDS: [&str; 43] = [
    "always",
    "never",
    "auto",
    "automatic",
    "required",
    "optional",
    "prompt",
    "disabled",
    "enabled",
    "disable",
    "enable",
    "true",
    "false",
    "yes",
    "no",
    "null",
    "nil",
    "none",
    "off",
    "on",
    "ask",
    "env",
    "file",
    "keyring",
    "plain",
    "plaintext",
    "hidden",
    "masked",
    "md5",
    "trust",
    "peer",
    "ident",
    "basic",
    "bearer",
    "digest",
    "oauth",
    "string",
    "text",
    "unset",
    "inherit",
    "hashed",
    "encrypted",
    "confirmed",
];

/// One option word, or a `|`-joined list of them: a validation rule such as
/// `required|confirmed` or a cast (`hashed`) under a `password` key.
fn enum_word(v: &[u8]) -> bool {
    let one = |w: &[u8]| {
        let lower = w.to_ascii_lowercase();
        ENUM_WORDS.iter().any(|e| e.as_bytes() == lower.as_slice())
            || (lower.starts_with(b"scram-sha-") && w.len() <= 16)
    };
    one(v) || (v.contains(&b'|') && v.split(|&c| c == b'|').all(one))
}

/// Identifiers: PascalCase or camelCase words (`NextPage`, `DescribeInstances`,
/// `getToken`), dotted names (`app.secret.key`), snake- or kebab-case words
/// (`api_token_env`, `my-secret-name`), ALL_CAPS constant names. Tokens are never made
/// of words alone; passwords may be a single word, so only compound identifiers count
/// for them.
fn identifier(expect: Expect, v: &[u8]) -> bool {
    let letters = |w: &[u8]| !w.is_empty() && w.iter().all(u8::is_ascii_alphabetic);
    // Dotted names may carry digits and underscores in each part (`v1.users.read_token`).
    let dotted = v.contains(&b'.')
        && v.split(|c| *c == b'.').all(|p| {
            !p.is_empty()
                && p[0].is_ascii_alphabetic()
                && p.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        });
    if dotted {
        return true;
    }
    let parts: Vec<&[u8]> = v.split(|c| matches!(c, b'_' | b'-' | b':')).collect();
    // A generated name of words and counters: `default-ingress-rule-0-path-0-retry`.
    let counter = |p: &&[u8]| !p.is_empty() && p.len() <= 3 && p.iter().all(u8::is_ascii_digit);
    let lower_word = |p: &&[u8]| p.len() >= 2 && p.iter().all(u8::is_ascii_lowercase);
    if expect == Expect::Token
        && parts.len() >= 4
        && parts.iter().all(|p| lower_word(p) || counter(p))
        && parts.iter().filter(|p| lower_word(p)).count() >= 3
    {
        return true;
    }
    let words_only = parts.iter().all(|p| letters(p));
    if !words_only {
        return false;
    }
    let humps = v
        .windows(2)
        .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
        .count();
    match expect {
        // A token of letters only: a word, a compound word or an identifier.
        Expect::Token => true,
        Expect::Password => {
            let underscored = parts.len() > 1 && v.contains(&b'_');
            let upper = v.iter().all(|c| !c.is_ascii_lowercase());
            underscored || humps >= 1 && hump_words(v) || upper && parts.len() > 1
        }
    }
}

/// Whether every camel hump of `v` is a pronounceable word part (has a vowel and at
/// least two letters), as in `NextPage` but not in a typed `xK9mQpLr`.
fn hump_words(v: &[u8]) -> bool {
    let mut start = 0;
    let mut ok = true;
    for i in 1..=v.len() {
        if i == v.len() || (v[i].is_ascii_uppercase() && v[i - 1].is_ascii_lowercase()) {
            let w = &v[start..i];
            ok &= w.len() >= 2
                && w.iter().any(|c| {
                    matches!(
                        c.to_ascii_lowercase(),
                        b'a' | b'e' | b'i' | b'o' | b'u' | b'y'
                    )
                });
            start = i;
        }
    }
    ok
}

/// Character families of machine-made tokens and the entropy each needs for its
/// length: hex is 4 bits a character at best, so its floor is lower; a base62/base64
/// value should mix letters with digits (or upper and lower case over 20 characters).
fn token_like(v: &[u8]) -> bool {
    let e = super::shannon_entropy(v);
    let digits = v.iter().any(u8::is_ascii_digit);
    let upper = v.iter().any(u8::is_ascii_uppercase);
    let lower = v.iter().any(u8::is_ascii_lowercase);
    let hex = v.iter().all(u8::is_ascii_hexdigit);
    #[allow(clippy::cast_precision_loss)]
    let len = v.len() as f64;
    // The most a value of this length can score, so short values are not held to a
    // floor they cannot reach.
    let cap = len.log2();
    if hex {
        return digits && (upper || lower) && e >= 3.0_f64.min(cap - 0.5);
    }
    let mixed = digits && (upper || lower) || upper && lower && v.len() >= 20;
    mixed && e >= 3.2_f64.min(cap - 0.6)
}

/// Split a credential name into lower-case words: on `_ - . : / [ ] ' "` and spaces,
/// and at camel humps (`mailchimpApiKey` → `mailchimp api key`).
pub(crate) fn name_words(name: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for &c in name {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(char::from(c.to_ascii_lowercase()));
        } else {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Words of a credential name that say what kind of credential or where it is set,
/// not whose it is.
const NOT_SERVICE: [&str; 78] = [
    "api",
    "key",
    "keys",
    "token",
    "tokens",
    "secret",
    "secrets",
    "access",
    "auth",
    "client",
    "private",
    "password",
    "passwd",
    "pass",
    "pwd",
    "credential",
    "credentials",
    "creds",
    "app",
    "application",
    "account",
    "bearer",
    "oauth",
    "oauth2",
    "value",
    "the",
    "my",
    "your",
    "export",
    "env",
    "config",
    "cfg",
    "settings",
    "setting",
    "const",
    "var",
    "let",
    "react",
    "vite",
    "next",
    "public",
    "nuxt",
    "gatsby",
    "expo",
    "dev",
    "prod",
    "production",
    "staging",
    "test",
    "live",
    "default",
    "user",
    "service",
    "server",
    "webhook",
    "signing",
    "encryption",
    "master",
    "admin",
    "personal",
    "project",
    "org",
    "bot",
    "sdk",
    "rest",
    "http",
    "data",
    "set",
    "get",
    "new",
    "local",
    "global",
    "this",
    "self",
    "passphrase",
    "id",
    "session",
    "refresh",
];

/// The service a credential name carries (`STRIPE_SECRET_KEY` → `stripe`,
/// `mailchimpApiKey` → `mailchimp`, `setOpenWeatherApiKey` → `openweather`), when it
/// has a word that is not a credential word.
pub(crate) fn service_of(name: &[u8]) -> Option<String> {
    let words: Vec<String> = name_words(name)
        .into_iter()
        .filter(|w| !NOT_SERVICE.contains(&w.as_str()) && w.len() >= 2)
        .filter(|w| !w.bytes().all(|c| c.is_ascii_digit()))
        .collect();
    let joined = words.concat();
    (joined.len() >= 3 && joined.len() <= 40).then_some(joined)
}

/// How far before a match the name in front of its value may start: a narrowed search
/// can begin inside a long name (`REACT_APP_ZEROBOUNCE_API_KEY`).
pub(crate) const NAME_REACH: usize = 64;

/// The credential name in front of a generic match's value: the last run of name
/// characters before the assignment that precedes the value (`db.password`, `API_KEY`,
/// `setApiKey`).
pub(crate) fn name_before(before: &[u8]) -> std::ops::Range<usize> {
    let name_char = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.');
    let end = before.iter().rposition(name_char).map_or(0, |i| i + 1);
    let start = before[..end]
        .iter()
        .rposition(|c| !name_char(c))
        .map_or(0, |i| i + 1);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(expect: Expect, name: &str, value: &str) -> Option<&'static str> {
        judge(expect, name.as_bytes(), value.as_bytes()).map(Reason::as_str)
    }

    #[test]
    fn each_kind_of_non_credential_is_dropped_for_its_reason() {
        use Expect::{Password as P, Token as T};
        for (expect, name, value, reason) in [
            (T, "api_key", "sk-abc123...", "elided"),
            (T, "token", "ghp_1234\u{2026}", "elided"),
            (T, "token", "********************", "redacted"),
            (P, "password", "xxxxxxxx", "redacted"),
            (P, "password", "<redacted>", "redacted"),
            (P, "password", "######", "redacted"),
            (T, "token", "%5BFiltered%5D", "redacted"),
            (P, "password", "[Filtered]", "redacted"),
            (T, "api_key", "${API_KEY}", "template"),
            (T, "token", "{{ .Values.token }}", "template"),
            (P, "password", "%(db_password)s", "template"),
            (P, "password", "$password", "template"),
            (P, "password", "$DB_PASS", "template"),
            (P, "password", "#{db_pass}", "template"),
            (P, "password", "@DB_PASSWORD@", "template"),
            (P, "password", "%DB_PASSWORD%", "template"),
            (P, "password", "<%= ENV['PW'] %>", "template"),
            (P, "password", "{% raw %}", "template"),
            (P, "password", "<password>", "template"),
            (P, "password", "{0}", "template"),
            (P, "password", "__DB_PASSWORD__", "template"),
            (P, "password", "%{hiera_pw}", "template"),
            (P, "password", "hashed", "enum word"),
            (P, "password", "required|confirmed", "enum word"),
            (P, "password", "store-pass", "placeholder"),
            (P, "password", "invalid-credentials", "placeholder"),
            (P, "password", "passwd-on-proxy", "placeholder"),
            (P, "password", "hello123", "placeholder"),
            (T, "token_url", "https://gitlab.com/oauth/token", "url"),
            (T, "authkey", "--advertise-routes=172.31.42.0/24", "option"),
            (T, "secret", "--from-file", "option"),
            (T, "secret", "id=npm_token,src=.npmrc", "option"),
            (P, "token", "Alias of -a for --user.", "prose"),
            (T, "token", "cúntóir tástála simple-ipc seol [] []", "prose"),
            (T, "secret", "default-rule-0-path-0-retry", "identifier"),
            (T, "secret_file", "/run/secrets/app", "path"),
            (P, "password_dir", "./tests/passwords", "path"),
            (T, "client_secret", "client_secret.json", "path"),
            (
                T,
                "integrity",
                "sha512-Xq3mJ9bZ2kLw8nVp4rTt6yHc0dFg1sA5eR7uI",
                "hash or id",
            ),
            (
                T,
                "commit_sha_token",
                "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
                "hash or id",
            ),
            (
                T,
                "request_token_id",
                "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
                "hash or id",
            ),
            (P, "password", "s3cr3t", "placeholder"),
            (P, "password", "hunter2", "placeholder"),
            (P, "password", "changeme", "placeholder"),
            (P, "password", "passwd1", "placeholder"),
            (P, "password", "P@ssw0rd", "placeholder"),
            (P, "password", "super$ecret", "placeholder"),
            (P, "password", "secret123", "placeholder"),
            (P, "password", "admin!", "placeholder"),
            (P, "password", "thisismypassword", "placeholder"),
            (P, "password", "Sesame", "placeholder"),
            (P, "password", "swordfish", "placeholder"),
            (P, "password", "always", "enum word"),
            (P, "password", "required", "enum word"),
            (P, "password_mode", "prompt", "enum word"),
            (T, "NextPageToken", "NextPage", "identifier"),
            (T, "secret", "DescribeInstances", "identifier"),
            (T, "token", "getAccessToken", "identifier"),
            (T, "secret", "app.auth.signing_key", "identifier"),
            (T, "token", "api_token_env", "identifier"),
            (P, "password", "open_sesame", "placeholder"),
            (P, "password", "db_password_env", "placeholder"),
            (P, "password", "ResetPassword", "placeholder"),
            (P, "password", "mongoDatabase", "identifier"),
            (P, "password", "SMTP_RELAY_PW", "placeholder"),
            (P, "password", "ServerName", "identifier"),
            (T, "token", "abcdefghijklmnopqrst", "placeholder"),
            (T, "api_key", "4071839265017384", "low entropy"),
        ] {
            assert_eq!(why(expect, name, value), Some(reason), "{name} = {value}");
        }
    }

    #[test]
    fn credential_shaped_values_are_kept() {
        use Expect::{Password as P, Token as T};
        // Assembled from pieces so no whole key-shaped literal sits in the source.
        let hexkey = format!("{}{}", "48dffeaabe5e6aa1", "45b630eccd5bf92f");
        let base62 = format!("{}{}", "9XGDyUUVcvYz", "Uls89umGvxaa");
        let uuid_key = format!("{}{}", "cbb73cc2-4fb0-4fa2-", "b34c-7c661510a38a");
        let slack_like = format!("{}{}", "nEs0miGnhxBSjKxgz41Tq0w5", "Oo6T8snqMkIQxhFb=");
        let dashed = format!("{}{}", "-Xq3mJ9bZ2kLw8nV", "p4rTt6yHc0dFg");
        let kebab_hex = format!("{}{}", "k8s-prod-7f3a-", "9c2e-41d8");
        for (expect, name, value) in [
            (T, "client_secret", hexkey.as_str()),
            (T, "apiKey", base62.as_str()),
            (T, "user_auth", slack_like.as_str()),
            (T, "api_token", uuid_key.as_str()),
            (P, "db_password", "hT9#kLm2!vQ8zXw4"),
            (P, "password", "tr0mb0ne$ky"),
            (P, "password", "Pass123!@#"),
            (P, "password", "mabel7731"),
            (P, "password", "goodspec"),
            (P, "password", "kettle_drum42"),
            (P, "password", "Lc43twCFJ3"),
            (P, "password", "blooberry"),
            (P, "password", "correct-horse-battery-staple"),
            (P, "password", "Wr8Kq2-Zx7Mv4"),
            (P, "password", "required|Tq8Lw2Rv7Tb5"),
            (P, "password", "correct horse battery"),
            (T, "token", dashed.as_str()),
            (T, "secret", kebab_hex.as_str()),
        ] {
            assert_eq!(why(expect, name, value), None, "{name} = {value}");
        }
    }

    #[test]
    fn the_service_is_read_out_of_the_credential_name() {
        for (name, service) in [
            ("STRIPE_SECRET_KEY", Some("stripe")),
            ("mailchimpApiKey", Some("mailchimp")),
            ("REACT_APP_OPENWEATHER_API_KEY", Some("openweather")),
            ("setSendbirdApiToken", Some("sendbird")),
            ("export ZEROBOUNCE_API_KEY", Some("zerobounce")),
            ("deepl.auth.key", Some("deepl")),
            ("api_key", None),
            ("client_secret", None),
            ("SECRET_KEY", None),
            ("accessToken", None),
        ] {
            assert_eq!(service_of(name.as_bytes()).as_deref(), service, "{name}");
        }
    }

    #[test]
    fn the_name_is_the_last_name_before_the_operator() {
        for (before, name) in [
            ("const apiKey = '", "apiKey"),
            ("  \"db.password\": \"", "db.password"),
            ("client.setApiKey(\"", "client.setApiKey"),
            ("- POSTGRES_PASSWORD=", "POSTGRES_PASSWORD"),
            ("", ""),
        ] {
            assert_eq!(
                &before.as_bytes()[name_before(before.as_bytes())],
                name.as_bytes(),
                "{before}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn judging_never_panics(name in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
                                value in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let _ = judge(Expect::Token, &name, &value);
            let _ = judge(Expect::Password, &name, &value);
            let _ = service_of(&name);
            let _ = name_before(&name);
        }
    }
}
