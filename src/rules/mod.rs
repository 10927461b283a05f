//! Rules are data: TOML files that describe one provider's credential formats, each
//! with the examples that prove it works. This module turns their [`spec`] form into
//! compiled [`Rule`]s and a [`RuleSet`] whose one prefilter serves every rule.
//!
//! Built-in rules come from `rules/*.toml`, embedded at build time ([`builtin`]); users
//! add their own through the config file. Both go through the same strict checks, so a
//! bad regex or a typo in a key is an error naming file, line and key, never a rule
//! that silently matches nothing.

pub mod builtin;
pub mod catalogue;
pub mod check;
mod globs;
mod lazy;
mod levels;
pub mod spec;
mod syntax;
mod vendor;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use globset::{Glob, GlobSet};
use regex_syntax::ast::Ast;
use serde::Serialize;
use toml::Spanned;

use crate::error::{from_toml, line_of, Error, Lines, Result, SpecLocation};
use crate::keystore::Structure;
use crate::prefilter::Prefilter;
use globs::LazyGlobs;

pub(crate) use lazy::{build_regex, parse as parse_hir};
pub use lazy::{LazyRegex, Plan, RequiredLiteral, RequiredRun};
pub use levels::{Precision, Severity};
pub use vendor::{Category, CredentialKind};

/// A checksum that a token format carries and that must hold before a match counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub tokens: the last 6 base62 characters encode the CRC32 of the 30 before.
    /// npm's `npm_` tokens use the same scheme (`npm-crc32` names it too).
    GithubCrc32,
    /// PyPI API tokens: `pypi-` + a base64url macaroon whose header must decode to
    /// version 2 and a location field naming the index (`pypi.org`).
    PypiMacaroon,
    /// JSON Web Tokens: header and payload must decode to JSON objects and the header
    /// must name its `alg`; well-known sample tokens do not pass.
    Jwt,
    /// MD5-crypt password hashes (`$1$`, `$apr1$`): a hash of a placeholder password
    /// (`test`, `password`, …) does not count, which hashing each such word with the
    /// hash's own salt decides exactly.
    Md5CryptPreimage,
    /// Kubernetes Secret `data:` values: padded standard base64, as the API requires,
    /// that decodes to something secret: not a certificate or public key, not an empty
    /// PEM envelope, not placeholder text.
    Base64Data,
}

impl Checksum {
    /// The names rule files use for each checksum.
    const NAMES: [(&'static str, Checksum); 6] = [
        ("github-crc32", Checksum::GithubCrc32),
        ("npm-crc32", Checksum::GithubCrc32),
        ("pypi-macaroon", Checksum::PypiMacaroon),
        ("jwt", Checksum::Jwt),
        ("md5-crypt-preimage", Checksum::Md5CryptPreimage),
        ("base64-data", Checksum::Base64Data),
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, checksum)| checksum)
    }
}

/// What every report needs to know about a rule; shared by all its findings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleInfo {
    /// Stable kebab-case id.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Credential issuer: the vendor the inventory groups by.
    pub provider: String,
    /// The vendor's category (`other` for a config rule's vendor no rule file names).
    pub category: Category,
    /// What the rule finds.
    pub kind: CredentialKind,
    /// Where to rotate or revoke the credential (the rule's own page, else its
    /// vendor's); none for a config rule's vendor no rule file names.
    pub rotate: Option<String>,
    /// What the credential is.
    pub description: String,
    /// Default severity.
    pub severity: Severity,
    /// GitHub `security-severity`.
    pub security_severity: f64,
    /// Precision.
    pub precision: Precision,
    /// Documentation links.
    pub references: Vec<String>,
    /// Whether this rule reports public identifiers (off unless configured).
    pub public_identifier: bool,
    /// Prefilter keywords.
    pub keywords: Vec<String>,
    /// The file the rule came from (`rules/aws.toml`, or a config file).
    pub source: String,
    /// The line of its `id` in that file.
    pub line: usize,
}

/// A rule ready to run: regexes compiled, allowlists built.
#[derive(Debug)]
pub struct Rule {
    /// Metadata shared with findings.
    pub info: Arc<RuleInfo>,
    pub(crate) regex: LazyRegex,
    pub(crate) secret_group: usize,
    /// What the matcher may assume about the regex, worked out on first use.
    pub(crate) plan: OnceLock<Plan>,
    pub(crate) entropy: Option<f64>,
    pub(crate) allow_secret: Vec<LazyRegex>,
    pub(crate) allow_match: Vec<LazyRegex>,
    pub(crate) stopwords: Vec<String>,
    pub(crate) allow_paths: Option<LazyGlobs>,
    /// Where the rule reports at all (`paths`): none means everywhere.
    pub(crate) only_paths: Option<LazyGlobs>,
    /// The binary format the rule recognises instead of running its regex.
    pub structure: Option<Structure>,
    pub(crate) near: Option<(LazyRegex, usize)>,
    pub(crate) not_near: Option<(LazyRegex, usize)>,
    pub(crate) placeholder_check: bool,
    pub(crate) checksum: Option<Checksum>,
    /// Whether the rule claims its matches without reporting them: a public-identifier
    /// rule nobody asked for. It still runs, so a generic rule cannot report the same
    /// value (a Mixpanel project token next to `token =`) as a secret.
    pub(crate) silent: bool,
    /// Texts that must produce a finding of this rule (hex-encoded bytes in a rule with
    /// a `structure`).
    pub examples: Vec<String>,
    /// Texts that must not.
    pub negative_examples: Vec<String>,
    /// The path the examples are scanned at.
    pub example_path: String,
}

/// A rule that never matches text: the regex of a rule that recognises a file by its
/// `structure` instead.
const NO_TEXT: &str = r"\b\B(?P<secret>x)";

impl Rule {
    /// The rule's id.
    pub fn id(&self) -> &str {
        &self.info.id
    }

    /// Whether the rule may report in a file at `path`: inside its `paths` if it has
    /// any, and outside its allowlisted paths.
    pub(crate) fn reports_at(&self, path: &str) -> bool {
        self.only_paths.as_ref().is_none_or(|g| g.is_match(path))
            && !self.allow_paths.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// Whether the rule has `paths` (its examples then fire only at those paths).
    pub fn has_paths(&self) -> bool {
        self.only_paths.is_some()
    }

    /// Whether the rule's matches become findings. A silent rule (a public identifier
    /// nobody asked for) still claims its matches, so no less precise rule reports them.
    pub fn reports(&self) -> bool {
        !self.silent
    }

    /// Facts about the rule's regex the matcher may rely on (see [`Plan`]).
    pub(crate) fn plan(&self) -> &Plan {
        self.plan.get_or_init(|| {
            let mut plan = self.regex.plan(&self.info.keywords);
            plan.near_gate = self.near.as_ref().is_some_and(|(re, _)| re.line_local());
            plan.near_keywords = plan.near_gate
                && self
                    .near
                    .as_ref()
                    .is_some_and(|(re, _)| re.matches_only_keywords(&self.info.keywords));
            plan
        })
    }

    /// Every regex of the rule, with the key it came from.
    fn regexes(&self) -> impl Iterator<Item = (&LazyRegex, &'static str)> {
        std::iter::once((&self.regex, "regex"))
            .chain(self.allow_secret.iter().map(|r| (r, "allowlist.regexes")))
            .chain(
                self.allow_match
                    .iter()
                    .map(|r| (r, "allowlist.match_regexes")),
            )
            .chain(self.near.iter().map(|(r, _)| (r, "near.regex")))
            .chain(self.not_near.iter().map(|(r, _)| (r, "not_near.regex")))
    }

    /// Compile every regex of the rule now (they are otherwise compiled on first use);
    /// the error names the rule's file and line and the key.
    pub fn compile_now(&self) -> Result<()> {
        for (re, key) in self.regexes() {
            re.force().map_err(|message| Error::Spec {
                at: SpecLocation {
                    file: self.info.source.clone(),
                    line: self.info.line,
                    key: format!("{}.{key}", self.info.id),
                },
                message,
            })?;
        }
        let sets = [
            (&self.only_paths, "paths"),
            (&self.allow_paths, "allowlist.paths"),
        ];
        for (set, key) in sets {
            if let Some(Err(message)) = set.as_ref().map(LazyGlobs::force) {
                return Err(self.error_at(key, message));
            }
        }
        if let Some(paths) = &self.only_paths {
            if !paths.is_match(&self.example_path) {
                let message = format!("`{}` is outside the rule's `paths`", self.example_path);
                return Err(self.error_at("example_path", message));
            }
        }
        Ok(())
    }

    /// An error at key `key` of this rule.
    fn error_at(&self, key: &str, message: String) -> Error {
        Error::Spec {
            at: SpecLocation {
                file: self.info.source.clone(),
                line: self.info.line,
                key: format!("{}.{key}", self.info.id),
            },
            message,
        }
    }
}

/// Every rule of a run plus the one prefilter over all their keywords.
#[derive(Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    prefilter: Prefilter,
    /// The `paths` of rules with no keywords, one glob set over all of them, and for
    /// each glob the rule (by index) it belongs to: such rules run on a file because of
    /// its name, not its content.
    by_path: Option<(GlobSet, Vec<usize>)>,
    /// Rules that recognise a binary format, by index.
    structural: Vec<usize>,
    /// Whether stand-ins (guessable values in tests and documentation) are reported,
    /// as notes, instead of only counted.
    report_stand_ins: bool,
}

impl RuleSet {
    /// Build a set; rule ids must be unique.
    pub fn new(rules: Vec<Rule>) -> Result<Self> {
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for r in &rules {
            if let Some(first) = seen.insert(&r.info.id, &r.info.source) {
                return Err(Error::Spec {
                    at: SpecLocation {
                        file: r.info.source.clone(),
                        line: r.info.line,
                        key: "id".into(),
                    },
                    message: format!(
                        "duplicate rule id `{}` (first defined in {first})",
                        r.info.id
                    ),
                });
            }
        }
        let keywords: Vec<&[String]> = rules.iter().map(|r| r.info.keywords.as_slice()).collect();
        let prefilter = Prefilter::new(&keywords, crate::decode::MARKS)?;
        let mut globs = Vec::new();
        let mut owners = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.info.keywords.is_empty() && r.structure.is_none() {
                for g in r.only_paths.iter().flat_map(LazyGlobs::globs) {
                    globs.push(g.clone());
                    owners.push(i);
                }
            }
        }
        let by_path = if owners.is_empty() {
            None
        } else {
            let set = globs::build(&globs).map_err(|e| Error::Spec {
                at: SpecLocation {
                    file: "rules".into(),
                    line: 0,
                    key: "paths".into(),
                },
                message: e.to_string(),
            })?;
            Some((set, owners))
        };
        let structural = (0..rules.len())
            .filter(|&i| rules[i].structure.is_some())
            .collect();
        Ok(RuleSet {
            rules,
            prefilter,
            by_path,
            structural,
            report_stand_ins: false,
        })
    }

    /// Report stand-ins as notes (`--stand-ins`, `report_stand_ins = true`) instead of
    /// only counting them.
    pub fn set_report_stand_ins(&mut self, report: bool) {
        self.report_stand_ins = report;
    }

    /// Whether stand-ins are reported (see [`RuleSet::set_report_stand_ins`]).
    pub fn reports_stand_ins(&self) -> bool {
        self.report_stand_ins
    }

    /// Add to `out` the rules (by index) that have no keywords and whose `paths` match
    /// `path`, each once and in index order; `scratch` holds the glob matches.
    pub(crate) fn path_candidates(
        &self,
        path: &str,
        scratch: &mut Vec<usize>,
        out: &mut Vec<usize>,
    ) {
        out.clear();
        let Some((set, owners)) = &self.by_path else {
            return;
        };
        set.matches_into(path, scratch);
        out.extend(scratch.iter().map(|&g| owners[g]));
        out.sort_unstable();
        out.dedup();
    }

    /// The rules that recognise a binary format, by index.
    pub(crate) fn structural(&self) -> &[usize] {
        &self.structural
    }

    /// The built-in rules, public-identifier rules silent (see [`Rule::reports`]).
    pub fn builtin() -> Result<Self> {
        let mut rules = builtin::load()?;
        silence_public_identifiers(&mut rules);
        RuleSet::new(rules)
    }

    /// All rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The prefilter over all keywords.
    pub fn prefilter(&self) -> &Prefilter {
        &self.prefilter
    }

    /// Compile every rule's regexes now instead of on first use (`rules check`).
    pub fn compile_all(&self) -> Result<()> {
        self.rules.iter().try_for_each(Rule::compile_now)
    }

    /// Look a rule up by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.info.id == id)
    }
}

/// Make every public-identifier rule silent: loaded, so it claims its matches, but not
/// reported (the default unless a config sets `report_public_identifiers`).
pub fn silence_public_identifiers(rules: &mut [Rule]) {
    for r in rules.iter_mut().filter(|r| r.info.public_identifier) {
        r.silent = true;
    }
}

/// Parse and compile every rule in one TOML text. `file` names it in errors. A rule
/// whose provider has no `[vendors]` table gets category `other` and no rotate page.
pub fn parse(file: &str, text: &str) -> Result<Vec<Rule>> {
    parse_file(file, text, VendorData::Optional)
}

/// Whether every rule must say what it finds and whose it is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum VendorData {
    /// Built-in rule files: every rule has a `kind` and a `[vendors]` table for its
    /// provider, so the inventory never shows a vendor it knows nothing about.
    Required,
    /// A team's own rule files (`rules check`) and config rules.
    Optional,
}

pub(crate) fn parse_file(file: &str, text: &str, vendor_data: VendorData) -> Result<Vec<Rule>> {
    let parsed: spec::RuleFile = toml::from_str(text).map_err(|e| from_toml(file, text, &e))?;
    compile_file(file, text, parsed, Checked::No, vendor_data)
}

/// Whether a file's patterns were already checked.
#[derive(Clone, Copy)]
pub(crate) enum Checked<'a> {
    /// Not yet: parse each pattern (a syntax error names file, line and key).
    No,
    /// By `build.rs`, which found each rule's `secret` group (these, in rule order).
    Prepared(&'a [usize]),
}

/// Compile the rules of a parsed rule file; `text` is the file, for error lines.
pub(crate) fn compile_file(
    file: &str,
    text: &str,
    parsed: spec::RuleFile,
    checked: Checked<'_>,
    vendor_data: VendorData,
) -> Result<Vec<Rule>> {
    for (name, v) in &parsed.vendors {
        if !v.get_ref().rotate.get_ref().starts_with("https://") {
            return Err(Error::Spec {
                at: SpecLocation {
                    file: file.to_string(),
                    line: line_of(text, v.get_ref().rotate.span().start),
                    key: format!("vendors.\"{name}\".rotate"),
                },
                message: "must be an https:// URL".into(),
            });
        }
    }
    let vendors = &parsed.vendors;
    let src = FileText::new(file, text);
    parsed
        .rules
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let cx = Ctx {
                file,
                text,
                index: i,
                checked: false,
            };
            let meta = vendor_meta(&cx, &spec, vendors, vendor_data)?;
            let secret_group = match checked {
                Checked::No => None,
                Checked::Prepared(groups) => groups.get(i).copied(),
            };
            compile(&src, i, spec, Examples::Required, meta, secret_group)
        })
        .collect()
}

/// A rule's category, kind and rotate page, from its own keys and its vendor's table.
struct VendorMeta {
    category: Category,
    kind: CredentialKind,
    rotate: Option<String>,
}

fn vendor_meta(
    cx: &Ctx<'_>,
    spec: &Spanned<spec::RuleSpec>,
    vendors: &std::collections::BTreeMap<String, Spanned<spec::VendorSpec>>,
    vendor_data: VendorData,
) -> Result<VendorMeta> {
    let r = spec.get_ref();
    let vendor = vendors.get(&r.provider).map(Spanned::get_ref);
    let required = vendor_data == VendorData::Required;
    if required && vendor.is_none() {
        return Err(cx.err(
            r.id.span(),
            "provider",
            format!(
                "no `[vendors.\"{}\"]` table in this file says its category and rotate page",
                r.provider
            ),
        ));
    }
    let kind = match &r.kind {
        Some(k) => *k.get_ref(),
        None if required => return Err(cx.err(r.id.span(), "kind", "every rule needs a kind")),
        None if r.public_identifier => CredentialKind::PublicIdentifier,
        None => CredentialKind::SecretKey,
    };
    if (kind == CredentialKind::PublicIdentifier) != r.public_identifier {
        let at = r.kind.as_ref().map_or(r.id.span(), Spanned::span);
        return Err(cx.err(
            at,
            "kind",
            "`public-identifier` goes with `public_identifier = true`, and only with it",
        ));
    }
    let rotate = match &r.rotate {
        Some(u) if !u.get_ref().starts_with("https://") => {
            return Err(cx.err(u.span(), "rotate", "must be an https:// URL"))
        }
        Some(u) => Some(u.get_ref().clone()),
        None => vendor.map(|v| v.rotate.get_ref().clone()),
    };
    Ok(VendorMeta {
        category: vendor.map_or(Category::Other, |v| v.category),
        kind,
        rotate,
    })
}

/// Whether a rule must carry its own examples.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Examples {
    /// Rule files: every built-in or shared rule proves itself (`rules check`).
    Required,
    /// A config's own rules (and gitleaks rules, which have no such key): examples are
    /// welcome but a team adding one pattern, or importing a gitleaks file, has none.
    Optional,
}

/// Compile rule specs that arrive inside another document (the config's `[[rules]]`).
pub(crate) fn compile_all(
    file: &str,
    text: &str,
    specs: Vec<Spanned<spec::RuleSpec>>,
) -> Result<Vec<Rule>> {
    // Few and hand-written: compile them now so every error shows at load time.
    let src = FileText::new(file, text);
    specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let cx = Ctx {
                file,
                text,
                index: i,
                checked: false,
            };
            let no_vendors = std::collections::BTreeMap::new();
            let meta = vendor_meta(&cx, &spec, &no_vendors, VendorData::Optional)?;
            let rule = compile(&src, i, spec, Examples::Optional, meta, None)?;
            rule.compile_now()?;
            Ok(rule)
        })
        .collect()
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    index: usize,
    /// The patterns' syntax was checked at build time ([`Checked::Prepared`]).
    checked: bool,
}

impl Ctx<'_> {
    fn err(&self, span: std::ops::Range<usize>, key: &str, message: impl Into<String>) -> Error {
        Error::Spec {
            at: SpecLocation {
                file: self.file.to_string(),
                line: line_of(self.text, span.start),
                key: format!("rules[{}].{key}", self.index),
            },
            message: message.into(),
        }
    }

    /// The globs of `key`, parsed now; none when there are none.
    fn globs(&self, patterns: &[Spanned<String>], key: &str) -> Result<Option<LazyGlobs>> {
        let globs = patterns
            .iter()
            .map(|g| Glob::new(g.get_ref()).map_err(|e| self.err(g.span(), key, e.to_string())))
            .collect::<Result<Vec<_>>>()?;
        Ok(LazyGlobs::new(globs))
    }

    fn regex(&self, pattern: &Spanned<String>, key: &str) -> Result<LazyRegex> {
        if self.checked {
            return Ok(LazyRegex::checked(pattern.get_ref()));
        }
        self.regex_ast(pattern, key).map(|(re, _)| re)
    }

    fn regex_ast(&self, pattern: &Spanned<String>, key: &str) -> Result<(LazyRegex, Ast)> {
        LazyRegex::new(pattern.get_ref()).map_err(|e| self.err(pattern.span(), key, e))
    }
}

/// A rule file's name and text, and its line breaks for the rules' lines.
struct FileText<'a> {
    name: &'a str,
    text: &'a str,
    lines: Lines<'a>,
}

impl<'a> FileText<'a> {
    fn new(name: &'a str, text: &'a str) -> Self {
        FileText {
            name,
            text,
            lines: Lines::new(text),
        }
    }
}

fn compile(
    src: &FileText<'_>,
    index: usize,
    spec: Spanned<spec::RuleSpec>,
    examples: Examples,
    meta: VendorMeta,
    checked_secret_group: Option<usize>,
) -> Result<Rule> {
    let table_span = spec.span();
    let spec = spec.into_inner();
    let cx = Ctx {
        file: src.name,
        text: src.text,
        index,
        checked: checked_secret_group.is_some(),
    };
    let id = spec.id.get_ref().clone();
    let valid_id = !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !valid_id {
        return Err(cx.err(
            spec.id.span(),
            "id",
            format!("`{id}` is not kebab-case (a-z, 0-9, single dashes)"),
        ));
    }
    let sev = *spec.security_severity.get_ref();
    if !(0.1..=10.0).contains(&sev) {
        return Err(cx.err(
            spec.security_severity.span(),
            "security_severity",
            "must be between 0.1 and 10",
        ));
    }
    let structure = match &spec.structure {
        None => None,
        Some(s) => Some(Structure::parse(s.get_ref()).ok_or_else(|| {
            cx.err(
                s.span(),
                "structure",
                format!(
                    "unknown structure `{}` (known: {})",
                    s.get_ref(),
                    Structure::NAMES.map(|(name, _)| name).join(", ")
                ),
            )
        })?),
    };
    let keywords = spec.keywords.get_ref();
    if keywords.iter().any(|k| k.trim().is_empty()) {
        return Err(cx.err(spec.keywords.span(), "keywords", "a keyword is empty"));
    }
    if keywords.is_empty() && structure.is_none() && spec.paths.is_empty() {
        return Err(cx.err(
            spec.keywords.span(),
            "keywords",
            "needs at least one keyword (or `paths` that say which files it runs on)",
        ));
    }
    if !keywords.is_empty() && structure.is_some() {
        return Err(cx.err(
            spec.keywords.span(),
            "keywords",
            "a rule with a `structure` reads no text: it takes no keywords",
        ));
    }
    let (regex, secret_group) = match (&spec.regex, structure) {
        (Some(re), None) => match checked_secret_group {
            Some(group) => (LazyRegex::checked(re.get_ref()), group),
            None => {
                let (regex, ast) = cx.regex_ast(re, "regex")?;
                let group = syntax::capture_index(&ast, "secret")
                    .ok_or_else(|| cx.err(re.span(), "regex", "needs a named group `secret`"))?;
                (regex, group)
            }
        },
        (None, Some(_)) => {
            let (regex, ast) =
                LazyRegex::new(NO_TEXT).map_err(|e| cx.err(table_span.clone(), "structure", e))?;
            let group = syntax::capture_index(&ast, "secret").ok_or_else(|| {
                cx.err(table_span.clone(), "regex", "needs a named group `secret`")
            })?;
            (regex, group)
        }
        (Some(re), Some(_)) => {
            return Err(cx.err(
                re.span(),
                "regex",
                "a rule with a `structure` recognises files by their bytes: it takes no regex",
            ))
        }
        (None, None) => {
            return Err(cx.err(table_span.clone(), "regex", "every rule needs a regex"))
        }
    };
    let entropy = match spec.entropy {
        Some(e) if !(0.0..=8.0).contains(e.get_ref()) => {
            return Err(cx.err(
                e.span(),
                "entropy",
                "must be between 0 and 8 bits per character",
            ))
        }
        e => e.map(Spanned::into_inner),
    };
    if examples == Examples::Required && spec.examples.get_ref().len() < 2 {
        return Err(cx.err(
            spec.examples.span(),
            "examples",
            "needs at least 2 examples",
        ));
    }
    if examples == Examples::Required && spec.negative_examples.get_ref().is_empty() {
        return Err(cx.err(
            spec.negative_examples.span(),
            "negative_examples",
            "needs at least 1 negative example",
        ));
    }
    let checksum = match &spec.checksum {
        None => None,
        Some(c) => Some(Checksum::parse(c.get_ref()).ok_or_else(|| {
            cx.err(
                c.span(),
                "checksum",
                format!(
                    "unknown checksum `{}` (known: {})",
                    c.get_ref(),
                    Checksum::NAMES.map(|(name, _)| name).join(", ")
                ),
            )
        })?),
    };
    let allow_secret = spec
        .allowlist
        .regexes
        .iter()
        .map(|p| {
            cx.regex(p, "allowlist.regexes")
                .map(LazyRegex::for_candidates)
        })
        .collect::<Result<Vec<_>>>()?;
    let allow_match = spec
        .allowlist
        .match_regexes
        .iter()
        .map(|p| {
            cx.regex(p, "allowlist.match_regexes")
                .map(LazyRegex::for_candidates)
        })
        .collect::<Result<Vec<_>>>()?;
    let allow_paths = cx.globs(&spec.allowlist.paths, "allowlist.paths")?;
    let only_paths = cx.globs(&spec.paths, "paths")?;
    // Built-in rules' example paths are checked by `rules check` and the tests
    // (`compile_now`): matching one here would build the set at every start.
    let example_path = match (&spec.example_path, &only_paths) {
        (Some(p), Some(g)) if !cx.checked && !g.is_match(p) => {
            return Err(cx.err(
                table_span,
                "example_path",
                format!("`{p}` is outside the rule's `paths`"),
            ))
        }
        (None, Some(_)) => {
            return Err(cx.err(
                table_span,
                "example_path",
                "a rule with `paths` needs an `example_path` they match",
            ))
        }
        (p, _) => p.clone().unwrap_or_else(|| "example.txt".into()),
    };
    let near = match &spec.near {
        None => None,
        Some(n) => Some((cx.regex(&n.regex, "near.regex")?, n.lines)),
    };
    let not_near = match &spec.not_near {
        None => None,
        Some(n) => Some((cx.regex(&n.regex, "not_near.regex")?, n.lines)),
    };
    let info = RuleInfo {
        id,
        name: spec.name,
        provider: spec.provider,
        category: meta.category,
        kind: meta.kind,
        rotate: meta.rotate,
        description: spec.description,
        severity: spec.severity,
        security_severity: sev,
        precision: spec.precision,
        references: spec.references,
        public_identifier: spec.public_identifier,
        keywords: spec.keywords.into_inner(),
        source: src.name.to_string(),
        line: src.lines.line(spec.id.span().start),
    };
    Ok(Rule {
        info: Arc::new(info),
        regex,
        secret_group,
        plan: OnceLock::new(),
        entropy,
        allow_secret,
        allow_match,
        stopwords: spec
            .allowlist
            .stopwords
            .iter()
            .map(|s| s.to_ascii_lowercase())
            .collect(),
        allow_paths,
        only_paths,
        structure,
        near,
        not_near,
        placeholder_check: spec.placeholder_check,
        checksum,
        silent: false,
        examples: spec.examples.into_inner(),
        negative_examples: spec.negative_examples.into_inner(),
        example_path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[rules]]
id = "demo-token"
name = "Demo token"
provider = "Demo"
description = "A demo."
severity = "error"
security_severity = 8.0
precision = "high"
keywords = ["demo_"]
regex = '''demo_(?P<secret>[a-z0-9]{16})'''
examples = ["demo_abcdef0123456789", "x = demo_0123456789abcdef"]
negative_examples = ["demo_short"]
"#;

    #[test]
    fn parses_a_good_rule() {
        let rules = parse("demo.toml", GOOD).unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].id(), "demo-token");
        assert_eq!(rules[0].info.precision, Precision::High);
    }

    fn err_of(text: &str) -> String {
        parse("demo.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = err_of(&GOOD.replace("precision = \"high\"", "precision = \"high\"\ncolour = 1"));
        assert!(e.starts_with("demo.toml:10: key `colour`"), "{e}");
        let e = err_of(&GOOD.replace("{16})", "{16}"));
        assert!(
            e.starts_with("demo.toml:11: key `rules[0].regex`: invalid regex"),
            "{e}"
        );
        let e = err_of(&GOOD.replace("8.0", "\"high\""));
        assert!(e.starts_with("demo.toml:8: key `security_severity`"), "{e}");
        let e = err_of(&GOOD.replace("(?P<secret>", "("));
        assert!(e.contains("named group `secret`"), "{e}");
        let e = err_of(&GOOD.replace("demo-token", "Demo Token"));
        assert!(e.starts_with("demo.toml:3: key `rules[0].id`"), "{e}");
        let e = err_of(&GOOD.replace("\"x = demo_0123456789abcdef\"", ""));
        assert!(e.contains("at least 2 examples"), "{e}");
        let e = err_of(&GOOD.replace(
            "precision = \"high\"",
            "precision = \"high\"\nchecksum = \"crc64\"",
        ));
        assert!(
            e.starts_with("demo.toml:10: key `rules[0].checksum`: unknown checksum `crc64` (known: github-crc32, npm-crc32, pypi-macaroon, jwt, md5-crypt-preimage, base64-data)"),
            "{e}"
        );
        for (name, _) in Checksum::NAMES {
            let rule = GOOD.replace(
                "precision = \"high\"",
                &format!("precision = \"high\"\nchecksum = \"{name}\""),
            );
            assert!(parse("demo.toml", &rule).is_ok(), "{name}");
        }
    }

    #[test]
    fn paths_structure_and_keywords_are_checked_together() {
        let kw = "keywords = [\"demo_\"]";
        // In pieces: the self-scan would read `<secret>…</…` as an XML element.
        let re = concat!("regex = '''demo_(?P<", "secret>[a-z0-9]{16})'''\n");
        let e = err_of(&GOOD.replace(kw, "keywords = []"));
        assert!(e.contains("needs at least one keyword (or `paths`"), "{e}");
        let e = err_of(&GOOD.replace(kw, "keywords = []\npaths = [\"**/.demo\"]"));
        assert!(e.contains("needs an `example_path`"), "{e}");
        let e = err_of(&GOOD.replace(
            kw,
            "keywords = []\npaths = [\"**/.demo\"]\nexample_path = \"notes.txt\"",
        ));
        assert!(
            e.contains("`notes.txt` is outside the rule's `paths`"),
            "{e}"
        );
        let by_path = parse(
            "demo.toml",
            &GOOD.replace(
                kw,
                "keywords = []\npaths = [\"**/.demo\"]\nexample_path = \"home/.demo\"",
            ),
        )
        .unwrap();
        assert!(by_path[0].reports_at("home/.demo") && by_path[0].reports_at(".demo"));
        assert!(!by_path[0].reports_at("home/demo.txt"));
        let set = RuleSet::new(by_path).unwrap();
        let (mut scratch, mut out) = (Vec::new(), Vec::new());
        set.path_candidates("x/.demo", &mut scratch, &mut out);
        assert_eq!(out, vec![0]);
        set.path_candidates("x/demo", &mut scratch, &mut out);
        assert!(out.is_empty());

        let e = err_of(&GOOD.replace(kw, "keywords = [\"demo_\"]\nstructure = \"jks\""));
        assert!(e.contains("takes no keywords"), "{e}");
        let e = err_of(&GOOD.replace(kw, "keywords = []\nstructure = \"jks\""));
        assert!(e.contains("takes no regex"), "{e}");
        let e = err_of(
            &GOOD
                .replace(kw, "keywords = []\nstructure = \"zip\"")
                .replace(re, ""),
        );
        assert!(
            e.contains("unknown structure `zip` (known: pkcs12, jks, jceks, encrypted-blob)"),
            "{e}"
        );
        let e = err_of(&GOOD.replace(re, ""));
        assert!(e.contains("every rule needs a regex"), "{e}");
        let structural = parse(
            "demo.toml",
            &GOOD
                .replace(kw, "keywords = []\nstructure = \"jks\"")
                .replace(re, ""),
        )
        .unwrap();
        assert_eq!(structural[0].structure, Some(Structure::Jks));
        let set = RuleSet::new(structural).unwrap();
        assert_eq!(set.structural(), &[0]);
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let mut a = parse("a.toml", GOOD).unwrap();
        a.extend(parse("b.toml", GOOD).unwrap());
        let e = RuleSet::new(a).unwrap_err().to_string();
        assert!(
            e.contains("duplicate rule id `demo-token`") && e.contains("a.toml"),
            "{e}"
        );
    }
}
