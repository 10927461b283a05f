//! gitleaks compatibility: `.gitleaks.toml` read as plainsight configuration, and
//! `.gitleaksignore` as a suppression list, so a team moves over without rewriting
//! either.
//!
//! gitleaks' model maps onto plainsight's with few seams:
//! - a `[[rules]]` table becomes a plainsight rule: its `secretGroup` (or, without one,
//!   its first group, or the whole match) becomes the named group `secret`; without
//!   `keywords`, keywords are derived from the literal prefixes of the regex, since
//!   plainsight runs a rule only where a keyword occurs; a rule `path` restricts where it
//!   reports ([`RulePath`]);
//! - `[allowlist]`, `[[allowlists]]` and per-rule allowlists become [`Allowlist`]s, which
//!   keep gitleaks' `condition`, `regexTarget` and `targetRules`;
//! - `[extend] useDefault = true` means plainsight's built-in rules; without it only the
//!   file's rules run, as in gitleaks.
//!
//! Anything plainsight cannot honour is a [`Warning`] naming file, line and key, never
//! dropped silently; a regex that does not compile is an error. Regexes are Go RE2
//! syntax, which the `regex` crate's syntax covers (`(?i)`, classes, `\b`, repetition);
//! a pattern outside it fails with its file, line and key.

use std::collections::HashSet;
use std::path::Path;

use regex_syntax::ast::{Ast, GroupKind};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::Deserialize;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::allowlist::{config_regex, Allowlist, AllowlistSpec, Condition, RulePath, Target};
use crate::error::{from_toml, line_of, Error, Result, SpecLocation, Warning};
use crate::finding::Finding;
use crate::read::{read_user_file, SMALL_FILE_LIMIT};
use crate::rules::spec::{self, RuleSpec};
use crate::rules::{parse_hir, Precision, Severity};

/// gitleaks' config file name, looked for in the repository root.
pub const GITLEAKS_FILE: &str = ".gitleaks.toml";
/// gitleaks' ignore file, looked for in the scan root.
pub const GITLEAKS_IGNORE_FILE: &str = ".gitleaksignore";
/// The environment variable naming a gitleaks config file.
pub const ENV_CONFIG: &str = "GITLEAKS_CONFIG";
/// The environment variable holding a gitleaks config's text.
pub const ENV_CONFIG_TOML: &str = "GITLEAKS_CONFIG_TOML";

/// A gitleaks config, translated: what [`crate::config::Config`] is built from.
#[derive(Debug, Default)]
pub struct Translated {
    /// `[extend] useDefault`: run plainsight's built-in rules too.
    pub use_default: bool,
    /// `[extend] disabledRules`, with their lines.
    pub disabled: Vec<(String, usize)>,
    /// The file's rules, as plainsight rule specs (spans point into the file).
    pub rules: Vec<Spanned<RuleSpec>>,
    /// Rule `path`s.
    pub rule_paths: Vec<RulePath>,
    /// Every allowlist: global ones, then each rule's (targeting that rule).
    pub allowlists: Vec<Allowlist>,
    /// What could not be honoured.
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlFile {
    #[serde(default)]
    extend: Option<GlExtend>,
    #[serde(default)]
    rules: Vec<Spanned<GlRule>>,
    #[serde(default)]
    allowlist: Option<Spanned<GlAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<GlAllowlist>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlExtend {
    #[serde(default)]
    use_default: bool,
    #[serde(default)]
    path: Option<Spanned<String>>,
    #[serde(default)]
    url: Option<Spanned<String>>,
    #[serde(default)]
    disabled_rules: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlRule {
    id: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    regex: Option<Spanned<String>>,
    #[serde(default)]
    secret_group: Option<Spanned<u32>>,
    #[serde(default)]
    entropy: Option<Spanned<f64>>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    path: Option<Spanned<String>>,
    #[serde(default)]
    allowlist: Option<Spanned<GlAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<GlAllowlist>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlAllowlist {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    condition: Option<Spanned<String>>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    regex_target: Option<Spanned<String>>,
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    target_rules: Vec<Spanned<String>>,
}

/// Keys plainsight reads, per table kind; `title`, `description`, `minVersion` and
/// `tags` are metadata that changes no finding, so they are accepted as read.
const TOP_KEYS: &[&str] = &[
    "title",
    "description",
    "minVersion",
    "extend",
    "rules",
    "allowlist",
    "allowlists",
];
const EXTEND_KEYS: &[&str] = &["useDefault", "path", "url", "disabledRules"];
const RULE_KEYS: &[&str] = &[
    "id",
    "description",
    "regex",
    "secretGroup",
    "entropy",
    "keywords",
    "path",
    "tags",
    "allowlist",
    "allowlists",
];
const ALLOWLIST_KEYS: &[&str] = &[
    "description",
    "condition",
    "commits",
    "paths",
    "regexTarget",
    "regexes",
    "stopwords",
    "targetRules",
];

/// Whether `text` (from `file`) is a gitleaks config rather than a plainsight one:
/// judged by its name, then by keys only gitleaks has (`[extend]`, `title`, camelCase
/// allowlist keys, rules without plainsight's required `name`).
pub fn looks_like_gitleaks(file: &str, text: &str) -> bool {
    let name = Path::new(file)
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.contains("gitleaks") {
        return true;
    }
    let Ok(doc) = text.parse::<toml::Table>() else {
        return false;
    };
    if doc.contains_key("extend") || doc.contains_key("title") {
        return true;
    }
    let camel = |t: &toml::Table| {
        ["regexTarget", "targetRules", "secretGroup"]
            .iter()
            .any(|k| t.contains_key(*k))
    };
    let tables = |v: Option<&toml::Value>| -> Vec<toml::Table> {
        match v {
            Some(toml::Value::Table(t)) => vec![t.clone()],
            Some(toml::Value::Array(a)) => a.iter().filter_map(|x| x.as_table().cloned()).collect(),
            _ => Vec::new(),
        }
    };
    let rules = tables(doc.get("rules"));
    rules.iter().any(|r| camel(r) || !r.contains_key("name"))
        || tables(doc.get("allowlists")).iter().any(camel)
        || tables(doc.get("allowlist"))
            .iter()
            .any(|a| camel(a) || a.contains_key("regexes") || a.contains_key("commits"))
}

/// Translate gitleaks config text; `file` names it in messages.
pub fn translate(file: &str, text: &str) -> Result<Translated> {
    let mut out = Translated::default();
    let doc = DeTable::parse(text).map_err(|e| from_toml(file, text, &e))?;
    unknown_keys(file, text, doc.get_ref(), &mut out.warnings);
    let spec: GlFile = toml::from_str(text).map_err(|e| from_toml(file, text, &e))?;
    let warn = |out: &mut Translated, span: std::ops::Range<usize>, key: &str, message: String| {
        out.warnings.push(Warning {
            at: SpecLocation {
                file: file.into(),
                line: line_of(text, span.start),
                key: key.into(),
            },
            message,
        });
    };
    if let Some(ext) = spec.extend {
        out.use_default = ext.use_default;
        for (v, key) in [(&ext.path, "extend.path"), (&ext.url, "extend.url")] {
            if let Some(v) = v {
                warn(
                    &mut out,
                    v.span(),
                    key,
                    format!(
                        "extending `{}` is not supported: only this file's rules{} run",
                        v.get_ref(),
                        if ext.use_default {
                            " and plainsight's built-in ones"
                        } else {
                            ""
                        }
                    ),
                );
            }
        }
        out.disabled = ext
            .disabled_rules
            .iter()
            .map(|d| (d.get_ref().clone(), line_of(text, d.span().start)))
            .collect();
    }
    let globals = spec.allowlist.into_iter().chain(spec.allowlists);
    for (i, a) in globals.enumerate() {
        let list = allowlist(file, text, &format!("allowlists[{i}]"), a, None, &mut out)?;
        out.allowlists.push(list);
    }
    for (i, rule) in spec.rules.into_iter().enumerate() {
        let span = rule.span();
        let rule = rule.into_inner();
        let key = format!("rules[{i}]");
        let id = rule.id.get_ref().clone();
        for (j, a) in rule
            .allowlist
            .into_iter()
            .chain(rule.allowlists)
            .enumerate()
        {
            let k = format!("{key}.allowlists[{j}]");
            let list = allowlist(file, text, &k, a, Some(&id), &mut out)?;
            out.allowlists.push(list);
        }
        let Some(regex) = rule.regex else {
            let at = rule.path.as_ref().map_or(span.clone(), Spanned::span);
            warn(
                &mut out,
                at,
                &format!("{key}.path"),
                format!("rule `{id}` has no regex: plainsight reports secrets, not files by name, so it does not run"),
            );
            continue;
        };
        let pattern = secret_pattern(
            &go_regex(regex.get_ref()),
            rule.secret_group.as_ref().map(|g| *g.get_ref()),
        )
        .map_err(|message| Error::Spec {
            at: SpecLocation {
                file: file.into(),
                line: line_of(text, regex.span().start),
                key: format!("{key}.regex"),
            },
            message,
        })?;
        let keywords = if rule.keywords.is_empty() {
            match derive_keywords(&pattern) {
                Some(k) => k,
                None => {
                    warn(
                        &mut out,
                        regex.span(),
                        &format!("{key}.keywords"),
                        format!("rule `{id}` has no keywords and none can be derived from its regex: plainsight runs a rule only where a keyword occurs, so it does not run (add `keywords`)"),
                    );
                    continue;
                }
            }
        } else {
            rule.keywords.iter().map(|k| k.to_lowercase()).collect()
        };
        if let Some(path) = &rule.path {
            out.rule_paths.push(RulePath {
                rule: id.clone(),
                regex: config_regex(file, text, &go_spanned(path), &format!("{key}.path"))?,
                source: path.get_ref().clone(),
            });
        }
        let description = rule.description.unwrap_or_else(|| id.clone());
        out.rules.push(Spanned::new(
            span.clone(),
            RuleSpec {
                id: rule.id,
                name: description.clone(),
                provider: "gitleaks config".into(),
                kind: None,
                rotate: None,
                description,
                severity: Severity::Error,
                security_severity: Spanned::new(span.clone(), 7.0),
                precision: Precision::Medium,
                keywords: Spanned::new(regex.span(), keywords),
                regex: Some(Spanned::new(regex.span(), pattern)),
                structure: None,
                paths: Vec::new(),
                example_path: None,
                entropy: rule.entropy,
                allowlist: spec::AllowlistSpec::default(),
                near: None,
                not_near: None,
                // gitleaks reports placeholders too; its allowlists decide.
                placeholder_check: false,
                checksum: None,
                public_identifier: false,
                references: Vec::new(),
                examples: Spanned::new(span.clone(), Vec::new()),
                negative_examples: Spanned::new(span, Vec::new()),
            },
        ));
    }
    Ok(out)
}

/// Translate one gitleaks allowlist; `rule` is set for a rule's own.
fn allowlist(
    file: &str,
    text: &str,
    key: &str,
    a: Spanned<GlAllowlist>,
    rule: Option<&str>,
    out: &mut Translated,
) -> Result<Allowlist> {
    let line = line_of(text, a.span().start);
    let a = a.into_inner();
    let mut rules = a.target_rules;
    if let Some(r) = rule {
        rules = vec![Spanned::new(0..0, r.to_string())];
    }
    let spec = AllowlistSpec {
        description: a.description,
        condition: a.condition,
        target: a.regex_target,
        commits: a.commits,
        path_regexes: a.paths.iter().map(go_spanned).collect(),
        regexes: a.regexes.iter().map(go_spanned).collect(),
        stopwords: a.stopwords,
        rules,
    };
    let list = Allowlist::compile(file, text, key, line, spec)
        .map_err(|e| rename_keys(e, &[("path_regexes", "paths"), ("target", "regexTarget")]))?;
    if list.condition == Condition::And && list.target == Target::Match && !list.regexes.is_empty()
    {
        out.warnings.push(Warning {
            at: SpecLocation {
                file: file.into(),
                line,
                key: format!("{key}.regexTarget"),
            },
            message: "with condition AND, `match` regexes are tested on the finding's line (a superset of the match)".into(),
        });
    }
    Ok(list)
}

/// Spell keys of a translated table back the way the gitleaks file writes them.
fn rename_keys(e: Error, pairs: &[(&str, &str)]) -> Error {
    match e {
        Error::Spec { mut at, message } => {
            for (ours, theirs) in pairs {
                if at.key.ends_with(ours) {
                    at.key = format!("{}{theirs}", &at.key[..at.key.len() - ours.len()]);
                }
            }
            Error::Spec { at, message }
        }
        e => e,
    }
}

/// Warn about every key of the document plainsight does not know.
fn unknown_keys(file: &str, text: &str, doc: &DeTable<'_>, warnings: &mut Vec<Warning>) {
    let mut check = |table: &DeTable<'_>, known: &[&str], prefix: &str| {
        for (k, _) in table.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                warnings.push(Warning {
                    at: SpecLocation {
                        file: file.into(),
                        line: line_of(text, k.span().start),
                        key: format!("{prefix}{}", k.get_ref()),
                    },
                    message: "not a gitleaks key plainsight knows: ignored".into(),
                });
            }
        }
    };
    check(doc, TOP_KEYS, "");
    fn tables<'a>(v: Option<&Spanned<DeValue<'a>>>) -> Vec<DeTable<'a>> {
        match v.map(Spanned::get_ref) {
            Some(DeValue::Table(t)) => vec![t.clone()],
            Some(DeValue::Array(a)) => a
                .iter()
                .filter_map(|x| match x.get_ref() {
                    DeValue::Table(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
    for t in tables(doc.get("extend")) {
        check(&t, EXTEND_KEYS, "extend.");
    }
    for name in ["allowlist", "allowlists"] {
        for t in tables(doc.get(name)) {
            check(&t, ALLOWLIST_KEYS, &format!("{name}."));
        }
    }
    for (i, r) in tables(doc.get("rules")).iter().enumerate() {
        check(r, RULE_KEYS, &format!("rules[{i}]."));
        for name in ["allowlist", "allowlists"] {
            for t in tables(r.get(name)) {
                check(&t, ALLOWLIST_KEYS, &format!("rules[{i}].{name}."));
            }
        }
    }
}

/// Translate the RE2 (Go) syntax that Rust's regex syntax lacks or reads differently:
/// `\Q…\E` literal runs become escaped text, and a pattern using Unicode classes
/// (`\pL`, `\p{Greek}`) gets `(?u)`, since plainsight's patterns are ASCII unless asked
/// (which is also what RE2's `\w`, `\d`, `\s` and `\b` are). Everything else — `(?i)`,
/// `(?s)`, `(?U)`, classes, repetition, `\z` — means the same in both.
pub fn go_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find("\\Q") {
        // An escaped backslash before `Q` (`\\Q`) is not a quote.
        let backslashes = rest[..i].chars().rev().take_while(|&c| c == '\\').count();
        if backslashes % 2 == 1 {
            out.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i]);
        let quoted = &rest[i + 2..];
        let (lit, after) = quoted.split_once("\\E").unwrap_or((quoted, ""));
        out.push_str(&regex_syntax::escape(lit));
        rest = after;
    }
    out.push_str(rest);
    if out.contains("\\p") || out.contains("\\P") {
        out.insert_str(0, "(?u)");
    }
    out
}

fn go_spanned(s: &Spanned<String>) -> Spanned<String> {
    Spanned::new(s.span(), go_regex(s.get_ref()))
}

/// Rewrite a gitleaks regex so that the group gitleaks reports is named `secret`: group
/// `group` when given, else the first capture group, else the whole match.
pub fn secret_pattern(pattern: &str, group: Option<u32>) -> std::result::Result<String, String> {
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("invalid regex: {e}"))?;
    let mut groups = Vec::new();
    collect_groups(&ast, &mut groups);
    groups.sort_by_key(|g| g.0);
    let want = match group {
        Some(0) => None,
        Some(n) => Some(n),
        None => groups.first().map(|g| g.0),
    };
    let Some(want) = want else {
        return Ok(format!("(?P<secret>{pattern})"));
    };
    let Some((_, open, name)) = groups.iter().find(|g| g.0 == want).cloned() else {
        return Err(format!(
            "secretGroup {want} does not exist: the regex has {} capture groups",
            groups.len()
        ));
    };
    Ok(match name {
        Some(range) if &pattern[range.clone()] == "secret" => pattern.to_string(),
        Some(range) => format!("{}secret{}", &pattern[..range.start], &pattern[range.end..]),
        None => format!("{}?P<secret>{}", &pattern[..=open], &pattern[open + 1..]),
    })
}

/// Capture groups as (index, offset of `(`, span of the name if named).
fn collect_groups(ast: &Ast, out: &mut Vec<(u32, usize, Option<std::ops::Range<usize>>)>) {
    match ast {
        Ast::Group(g) => {
            match &g.kind {
                GroupKind::CaptureIndex(i) => out.push((*i, g.span.start.offset, None)),
                GroupKind::CaptureName { name, .. } => out.push((
                    name.index,
                    g.span.start.offset,
                    Some(name.span.start.offset..name.span.end.offset),
                )),
                GroupKind::NonCapturing(_) => {}
            }
            collect_groups(&g.ast, out);
        }
        Ast::Repetition(r) => collect_groups(&r.ast, out),
        Ast::Concat(c) => c.asts.iter().for_each(|a| collect_groups(a, out)),
        Ast::Alternation(a) => a.asts.iter().for_each(|x| collect_groups(x, out)),
        _ => {}
    }
}

/// Keywords every match starts with (lower-cased literal prefixes of at least three
/// bytes), for a gitleaks rule that lists none.
pub fn derive_keywords(pattern: &str) -> Option<Vec<String>> {
    let hir = parse_hir(pattern).ok()?;
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix).limit_total(64);
    let seq = ex.extract(&hir);
    let lits = seq.literals()?;
    let mut out: Vec<String> = Vec::new();
    for lit in lits {
        let word = String::from_utf8_lossy(lit.as_bytes()).to_lowercase();
        if word.trim().len() < 3 {
            return None;
        }
        if !out.contains(&word) {
            out.push(word);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// One `.gitleaksignore` entry: gitleaks' finding fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IgnoreEntry {
    /// The commit (history scans' fingerprints start with it).
    pub commit: Option<String>,
    /// The path as gitleaks reports it.
    pub path: String,
    /// The rule id.
    pub rule: String,
    /// The finding's start line.
    pub line: usize,
}

impl IgnoreEntry {
    /// Parse `commit:path:rule:line` or `path:rule:line` (paths may hold `:`; the commit
    /// is recognised as 7 to 40 hex digits).
    pub fn parse(s: &str) -> Option<Self> {
        let (rest, line) = s.rsplit_once(':')?;
        let line: usize = line.trim().parse().ok()?;
        let (rest, rule) = rest.rsplit_once(':')?;
        let (commit, path) = match rest.split_once(':') {
            Some((c, p))
                if (7..=40).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                (Some(c.to_ascii_lowercase()), p)
            }
            _ => (None, rest),
        };
        (!path.is_empty() && !rule.is_empty()).then(|| IgnoreEntry {
            commit,
            path: path.to_string(),
            rule: rule.to_string(),
            line,
        })
    }

    /// Whether it names `f`. An entry without a commit matches the path, rule and line
    /// in any scan; one with a commit only that commit's finding.
    pub fn matches(&self, f: &Finding) -> bool {
        f.location.line == self.line
            && f.rule.id == self.rule
            && f.report_path() == self.path
            && self.commit.as_ref().is_none_or(|c| {
                f.provenance
                    .as_ref()
                    .is_some_and(|p| p.commit.starts_with(c.as_str()))
            })
    }
}

impl std::fmt::Display for IgnoreEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(c) = &self.commit {
            write!(f, "{c}:")?;
        }
        write!(f, "{}:{}:{}", self.path, self.rule, self.line)
    }
}

/// A parsed `.gitleaksignore`.
#[derive(Clone, Debug, Default)]
pub struct IgnoreList {
    /// The entries.
    pub entries: HashSet<IgnoreEntry>,
}

impl IgnoreList {
    /// Read `.gitleaksignore`; a line that is not a fingerprint is an error naming it.
    pub fn load(path: &Path) -> Result<Self> {
        let text = read_user_file(path, SMALL_FILE_LIMIT)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parse the file's text; `#` starts a comment line.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let mut entries = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = IgnoreEntry::parse(line).ok_or_else(|| Error::Spec {
                at: SpecLocation {
                    file: file.into(),
                    line: i + 1,
                    key: "fingerprint".into(),
                },
                message: format!(
                    "`{line}` is not a gitleaks fingerprint (commit:path:rule:line or path:rule:line)"
                ),
            })?;
            entries.insert(entry);
        }
        Ok(IgnoreList { entries })
    }

    /// Whether an entry names `f`.
    pub fn matches(&self, f: &Finding) -> bool {
        !self.entries.is_empty() && self.entries.iter().any(|e| e.matches(f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reported_group_becomes_secret() {
        assert_eq!(secret_pattern("ab(c)", None).unwrap(), "ab(?P<secret>c)");
        assert_eq!(
            secret_pattern("(a)(?:x)(b)", Some(2)).unwrap(),
            "(a)(?:x)(?P<secret>b)"
        );
        assert_eq!(
            secret_pattern("(?P<key>a)", Some(1)).unwrap(),
            "(?P<secret>a)"
        );
        assert_eq!(
            secret_pattern("(?i)abc", None).unwrap(),
            "(?P<secret>(?i)abc)"
        );
        assert!(secret_pattern("(a)", Some(3))
            .unwrap_err()
            .contains("secretGroup 3"));
    }

    #[test]
    fn go_syntax_is_translated() {
        assert_eq!(go_regex(r"a\Q.*+\Eb"), r"a\.\*\+b");
        assert_eq!(go_regex(r"\\Q"), r"\\Q");
        assert_eq!(go_regex(r"\p{Greek}+"), r"(?u)\p{Greek}+");
        assert_eq!(go_regex(r"(?i)key=\w+"), r"(?i)key=\w+");
        let (re, _) = crate::rules::LazyRegex::new(&go_regex(r"x\pL")).unwrap();
        assert!(re.force().is_ok());
    }

    #[test]
    fn keywords_come_from_literal_prefixes() {
        assert_eq!(
            derive_keywords("(?i)acme_[a-z]{8}").unwrap(),
            vec!["acme_".to_string()]
        );
        assert_eq!(derive_keywords("[a-z]{40}"), None);
    }

    #[test]
    fn gitleaksignore_entries_parse() {
        let e =
            IgnoreEntry::parse("0123456789abcdef0123456789abcdef01234567:a/b:c.env:aws:3").unwrap();
        assert_eq!(
            e.commit.as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(
            (e.path.as_str(), e.rule.as_str(), e.line),
            ("a/b:c.env", "aws", 3)
        );
        let e = IgnoreEntry::parse("src/x.py:generic-api-key:12").unwrap();
        assert_eq!(e.commit, None);
        assert_eq!(e.path, "src/x.py");
        assert!(IgnoreEntry::parse("nonsense").is_none());
    }

    #[test]
    fn unknown_keys_are_warnings_with_lines() {
        let t = translate(
            "g.toml",
            "title = \"x\"\nfoo = 1\n[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z]{4}'''\nvalidate = true\n",
        )
        .unwrap();
        let w: Vec<String> = t.warnings.iter().map(ToString::to_string).collect();
        assert!(
            w.iter().any(|w| w.starts_with("g.toml:2: key `foo`")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|w| w.starts_with("g.toml:6: key `rules[0].validate`")),
            "{w:?}"
        );
        assert_eq!(t.rules.len(), 1);
    }
}
