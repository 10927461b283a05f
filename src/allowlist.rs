//! Allowlists over findings: gitleaks' `[[allowlists]]` model, which `.plainsight.toml`
//! speaks too, so a gitleaks configuration keeps meaning the same thing here.
//!
//! A rule's own allowlist (`[rules.allowlist]`) runs inside the matcher, which holds the
//! whole match. These run after it, on the finding: they can look at its path, its
//! commit and its line as well as its secret, and can combine criteria with `and`, which
//! the matcher's allowlists cannot. What they hide is counted (`stats.suppressed`) like
//! every other suppression, never dropped unseen.

use regex_automata::meta::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{line_of, Error, Result, SpecLocation};
use crate::finding::Finding;
use crate::rules::build_regex;

/// What an allowlist's `regexes` are tested against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// The secret (the rule's secret group).
    #[default]
    Secret,
    /// The whole regex match.
    Match,
    /// The line the secret is on.
    Line,
}

impl Target {
    /// Parse gitleaks' `regexTarget` (and plainsight's `target`), case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "secret" => Some(Target::Secret),
            "match" => Some(Target::Match),
            "line" => Some(Target::Line),
            _ => None,
        }
    }

    /// The name as written in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Secret => "secret",
            Target::Match => "match",
            Target::Line => "line",
        }
    }
}

/// How an allowlist's criteria combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Condition {
    /// Any one criterion given allows the finding (gitleaks' default).
    #[default]
    Or,
    /// Every criterion given must hold.
    And,
}

impl Condition {
    /// Parse `condition` (`OR`/`AND`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "or" => Some(Condition::Or),
            "and" => Some(Condition::And),
            _ => None,
        }
    }

    /// The name as written in config files.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Or => "or",
            Condition::And => "and",
        }
    }
}

/// One `[[allowlists]]` table of `.plainsight.toml`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistSpec {
    /// Why it exists (shown by `config check`).
    #[serde(default)]
    pub description: Option<String>,
    /// `or` (default) or `and`.
    #[serde(default)]
    pub condition: Option<Spanned<String>>,
    /// `secret` (default), `match` or `line`: what `regexes` test.
    #[serde(default)]
    pub target: Option<Spanned<String>>,
    /// Commit SHAs (or prefixes of at least 7 digits) whose findings are allowed.
    #[serde(default)]
    pub commits: Vec<String>,
    /// Regexes on the finding's path.
    #[serde(default)]
    pub path_regexes: Vec<Spanned<String>>,
    /// Regexes on the target.
    #[serde(default)]
    pub regexes: Vec<Spanned<String>>,
    /// Case-insensitive substrings of the secret.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Rule ids it applies to (default: every rule).
    #[serde(default)]
    pub rules: Vec<Spanned<String>>,
}

/// A compiled allowlist.
#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    /// Why it exists.
    pub description: Option<String>,
    /// How the criteria combine.
    pub condition: Condition,
    /// What `regexes` test.
    pub target: Target,
    /// Commits (full SHAs or prefixes) whose findings are allowed.
    pub commits: Vec<String>,
    /// Regexes on the path.
    pub paths: Vec<Regex>,
    /// Regexes on the target.
    pub regexes: Vec<Regex>,
    /// The same regexes as written, for `config check` and `import`.
    pub regex_sources: Vec<String>,
    /// The path regexes as written.
    pub path_sources: Vec<String>,
    /// Lower-cased substrings of the secret.
    pub stopwords: Vec<String>,
    /// Rule ids it applies to; empty: all.
    pub rules: Vec<String>,
    /// Where it was defined (`file:line`), for `config check`.
    pub origin: String,
    /// Set when the `match`-target regexes were handed to the rules' own allowlists
    /// (which see the whole match): this list then no longer tests them itself.
    pub regexes_in_rules: bool,
}

/// Compile a regex of a config file, naming file, line and key when it does not.
pub(crate) fn config_regex(
    file: &str,
    text: &str,
    pattern: &Spanned<String>,
    key: &str,
) -> Result<Regex> {
    build_regex(pattern.get_ref()).map_err(|message| Error::Spec {
        at: SpecLocation {
            file: file.into(),
            line: line_of(text, pattern.span().start),
            key: key.into(),
        },
        message,
    })
}

impl Allowlist {
    /// Compile a spec from `file` (whose `text` gives lines); `key` names the table in
    /// errors (`allowlists[2]`).
    pub fn compile(
        file: &str,
        text: &str,
        key: &str,
        line: usize,
        spec: AllowlistSpec,
    ) -> Result<Self> {
        let bad = |s: &Spanned<String>, sub: &str, message: String| Error::Spec {
            at: SpecLocation {
                file: file.into(),
                line: line_of(text, s.span().start),
                key: format!("{key}.{sub}"),
            },
            message,
        };
        let condition = match &spec.condition {
            None => Condition::Or,
            Some(c) => Condition::parse(c.get_ref()).ok_or_else(|| {
                bad(
                    c,
                    "condition",
                    format!("`{}` is not OR or AND", c.get_ref()),
                )
            })?,
        };
        let target = match &spec.target {
            None => Target::Secret,
            Some(t) => Target::parse(t.get_ref()).ok_or_else(|| {
                bad(
                    t,
                    "target",
                    format!("`{}` is not secret, match or line", t.get_ref()),
                )
            })?,
        };
        let compile = |list: &[Spanned<String>], sub: &str| -> Result<Vec<Regex>> {
            list.iter()
                .map(|p| config_regex(file, text, p, &format!("{key}.{sub}")))
                .collect()
        };
        Ok(Allowlist {
            description: spec.description,
            condition,
            target,
            commits: spec.commits,
            paths: compile(&spec.path_regexes, "path_regexes")?,
            regexes: compile(&spec.regexes, "regexes")?,
            regex_sources: spec.regexes.iter().map(|r| r.get_ref().clone()).collect(),
            path_sources: spec
                .path_regexes
                .iter()
                .map(|r| r.get_ref().clone())
                .collect(),
            stopwords: spec.stopwords.iter().map(|s| s.to_lowercase()).collect(),
            rules: spec.rules.into_iter().map(Spanned::into_inner).collect(),
            origin: format!("{file}:{line}"),
            regexes_in_rules: false,
        })
    }

    /// Whether this allowlist applies to findings of `rule_id`.
    pub fn targets(&self, rule_id: &str) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| r == rule_id)
    }

    /// Whether it allows (hides) `f`.
    pub fn allows(&self, f: &Finding) -> bool {
        if !self.targets(&f.rule.id) {
            return false;
        }
        let secret = f.secret.expose();
        let regexes = if self.regexes_in_rules {
            &[][..]
        } else {
            &self.regexes[..]
        };
        let checks = [
            (!self.commits.is_empty()).then(|| {
                f.provenance.as_ref().is_some_and(|p| {
                    self.commits
                        .iter()
                        .any(|c| c.len() >= 7 && p.commit.starts_with(c.as_str()))
                })
            }),
            (!self.paths.is_empty()).then(|| {
                let path = f.report_path();
                self.paths.iter().any(|r| r.is_match(path.as_bytes()))
            }),
            (!regexes.is_empty()).then(|| {
                let line;
                let haystack = match self.target {
                    Target::Secret => secret,
                    // The finding keeps its line, not its match; an `and` list with a
                    // `match` target is tested on the line (config loading says so).
                    Target::Match | Target::Line => {
                        line = f.context.render(true);
                        line.as_str()
                    }
                };
                regexes.iter().any(|r| r.is_match(haystack.as_bytes()))
            }),
            (!self.stopwords.is_empty()).then(|| {
                let lower = secret.to_lowercase();
                self.stopwords.iter().any(|w| lower.contains(w.as_str()))
            }),
        ];
        let mut given = checks.into_iter().flatten().peekable();
        match self.condition {
            Condition::Or => given.any(|ok| ok),
            Condition::And => given.peek().is_some() && given.all(|ok| ok),
        }
    }
}

/// A gitleaks rule's `path`: the rule reports only in files whose path matches.
#[derive(Clone, Debug)]
pub struct RulePath {
    /// The rule.
    pub rule: String,
    /// The path regex.
    pub regex: Regex,
    /// As written.
    pub source: String,
}

impl RulePath {
    /// Whether `f` falls outside the rule's paths (and is therefore not reported).
    pub fn excludes(&self, f: &Finding) -> bool {
        f.rule.id == self.rule && !self.regex.is_match(f.report_path().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(condition: &str, paths: &[&str], stopwords: &[&str]) -> AllowlistSpec {
        AllowlistSpec {
            condition: Some(Spanned::new(0..0, condition.into())),
            path_regexes: paths
                .iter()
                .map(|p| Spanned::new(0..0, (*p).to_string()))
                .collect(),
            stopwords: stopwords.iter().map(|s| (*s).to_string()).collect(),
            ..AllowlistSpec::default()
        }
    }

    #[test]
    fn conditions_and_targets_parse_in_any_case() {
        assert_eq!(Condition::parse("AND"), Some(Condition::And));
        assert_eq!(Target::parse("Line"), Some(Target::Line));
        assert_eq!(Target::parse("file"), None);
        let e = Allowlist::compile("c.toml", "x", "allowlists[0]", 1, spec("maybe", &[], &[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("key `allowlists[0].condition`"), "{e}");
    }

    #[test]
    fn and_needs_every_criterion_or_any() {
        let or = Allowlist::compile("c", "", "a", 1, spec("or", &["^docs/"], &["dummy"])).unwrap();
        let and =
            Allowlist::compile("c", "", "a", 1, spec("and", &["^docs/"], &["dummy"])).unwrap();
        let set = crate::matcher::test_support::demo_set();
        let m = crate::matcher::test_support::run(&set, "demo_q8w3v7l2k9r4b6h1");
        let mut f = m.findings[0].clone();
        f.path = "docs/a.md".into();
        assert!(or.allows(&f) && !and.allows(&f), "path alone");
        f.path = "src/a.rs".into();
        assert!(!or.allows(&f) && !and.allows(&f), "neither");
        let empty = Allowlist::compile("c", "", "a", 1, spec("and", &[], &[])).unwrap();
        assert!(!empty.allows(&f), "an empty list allows nothing");
    }
}
