//! `.plainsight.toml`: the per-repository configuration.
//!
//! ```toml
//! disabled_rules = ["generic-password-assignment"]
//! max_file_size = 10_000_000
//! report_public_identifiers = false   # true: also report publishable keys, as notes
//! report_stand_ins = false            # true: also report guessable values in tests and docs
//!
//! builtin_rules = true                # false: only the rules below
//!
//! [allowlist]
//! paths = ["vendor/**", "**/testdata/**"]
//!
//! [[allowlists]]                      # gitleaks' model: see crate::allowlist
//! target = "line"
//! regexes = ['EXAMPLE']
//!
//! [[rules]]                           # extra rules, same format as rules/*.toml
//! id = "acme-internal-token"
//! ...
//! ```
//!
//! Parsed strictly: an unknown key, a wrong type or a disabled rule id that does not exist
//! is an error naming the file, line and key, because a typo here would otherwise silently
//! turn detection off.
//!
//! Found by walking up from the scanned path to the repository root (the directory
//! holding `.git`; the filesystem root outside a repository), so scanning a subdirectory
//! keeps the repository's settings. Without one, a gitleaks configuration is read where
//! gitleaks would find it ([`crate::gitleaks`]).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::allowlist::{Allowlist, AllowlistSpec, RulePath, Target};
use crate::error::{from_toml, line_of, Error, Result, SpecLocation, Warning};
use crate::gitleaks;
use crate::rules::{self, spec::RuleSpec, LazyRegex, Rule, RuleSet, Severity};

/// The config file name looked for from the scanned path up to the repository root.
pub const CONFIG_FILE: &str = ".plainsight.toml";

/// Which tool's format a config file is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConfigFormat {
    /// `.plainsight.toml`.
    #[default]
    Plainsight,
    /// `.gitleaks.toml`, translated.
    Gitleaks,
}

/// Where the effective configuration comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file, with its format.
    File(PathBuf, ConfigFormat),
    /// gitleaks config text from `GITLEAKS_CONFIG_TOML`.
    GitleaksEnv(String),
    /// None: built-in defaults.
    Defaults,
}

impl ConfigSource {
    /// Find the configuration for a scan of `start` (a file or directory): the nearest
    /// `.plainsight.toml` from `start` up to the repository root, else gitleaks' places
    /// (`GITLEAKS_CONFIG`, `GITLEAKS_CONFIG_TOML`, `.gitleaks.toml` in `start` or the
    /// repository root), else the defaults.
    pub fn discover(start: &Path) -> Self {
        let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        let dir = if start.is_dir() {
            start.clone()
        } else {
            start
                .parent()
                .map_or_else(|| start.clone(), Path::to_path_buf)
        };
        let mut repo_root = None;
        for d in dir.ancestors() {
            let candidate = d.join(CONFIG_FILE);
            if candidate.is_file() {
                return ConfigSource::File(candidate, ConfigFormat::Plainsight);
            }
            if d.join(".git").exists() {
                repo_root = Some(d.to_path_buf());
                break;
            }
        }
        if let Some(p) = std::env::var_os(gitleaks::ENV_CONFIG).filter(|p| !p.is_empty()) {
            return ConfigSource::File(PathBuf::from(p), ConfigFormat::Gitleaks);
        }
        if let Some(t) = std::env::var_os(gitleaks::ENV_CONFIG_TOML).filter(|t| !t.is_empty()) {
            return ConfigSource::GitleaksEnv(t.to_string_lossy().into_owned());
        }
        for d in std::iter::once(dir).chain(repo_root) {
            let candidate = d.join(gitleaks::GITLEAKS_FILE);
            if candidate.is_file() {
                return ConfigSource::File(candidate, ConfigFormat::Gitleaks);
            }
        }
        ConfigSource::Defaults
    }

    /// Load the configuration it names.
    pub fn load(&self) -> Result<Config> {
        match self {
            ConfigSource::File(path, ConfigFormat::Gitleaks) => {
                let text = crate::read::read_user_file(path, crate::read::SMALL_FILE_LIMIT)?;
                Config::from_gitleaks(&path.display().to_string(), &text)
            }
            ConfigSource::File(path, ConfigFormat::Plainsight) => Config::load(path),
            ConfigSource::GitleaksEnv(text) => {
                Config::from_gitleaks(gitleaks::ENV_CONFIG_TOML, text)
            }
            ConfigSource::Defaults => Ok(Config::default()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigSpec {
    #[serde(default)]
    disabled_rules: Vec<Spanned<String>>,
    #[serde(default)]
    max_file_size: Option<u64>,
    #[serde(default)]
    report_public_identifiers: bool,
    #[serde(default)]
    report_stand_ins: bool,
    #[serde(default = "yes")]
    builtin_rules: bool,
    #[serde(default)]
    allowlist: PathsSpec,
    #[serde(default)]
    allowlists: Vec<Spanned<AllowlistSpec>>,
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathsSpec {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
}

/// A loaded, validated configuration.
#[derive(Debug)]
pub struct Config {
    /// Where it came from (for messages), if from a file.
    pub file: Option<String>,
    /// The format it was written in.
    pub format: ConfigFormat,
    /// Run plainsight's built-in rules (gitleaks: `[extend] useDefault`).
    pub builtin_rules: bool,
    /// Allowlists applied to findings.
    pub allowlists: Vec<Allowlist>,
    /// gitleaks rule paths.
    pub rule_paths: Vec<RulePath>,
    /// What could not be honoured; the CLI prints them.
    pub warnings: Vec<Warning>,

    /// Rule ids to turn off.
    pub disabled_rules: Vec<String>,
    /// Files larger than this are skipped.
    pub max_file_size: Option<u64>,
    /// Run public-identifier rules too, reporting at `note`.
    pub report_public_identifiers: bool,
    /// Report stand-ins (guessable values in tests and documentation) as notes instead
    /// of only counting them.
    pub report_stand_ins: bool,
    /// Relative path globs never read.
    pub allow_paths: Vec<String>,
    /// Extra rules.
    pub rules: Vec<Rule>,
    disabled_at: Vec<(String, usize)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            file: None,
            format: ConfigFormat::Plainsight,
            builtin_rules: true,
            allowlists: Vec::new(),
            rule_paths: Vec::new(),
            warnings: Vec::new(),
            disabled_rules: Vec::new(),
            max_file_size: None,
            report_public_identifiers: false,
            report_stand_ins: false,
            allow_paths: Vec::new(),
            rules: Vec::new(),
            disabled_at: Vec::new(),
        }
    }
}

impl Config {
    /// Translate a gitleaks config; `file` names it in messages.
    pub fn from_gitleaks(file: &str, text: &str) -> Result<Self> {
        let t = gitleaks::translate(file, text)?;
        let rules = rules::compile_all(file, text, t.rules)?;
        Ok(Config {
            file: Some(file.to_string()),
            format: ConfigFormat::Gitleaks,
            builtin_rules: t.use_default,
            allowlists: t.allowlists,
            rule_paths: t.rule_paths,
            warnings: t.warnings,
            disabled_rules: t.disabled.iter().map(|(id, _)| id.clone()).collect(),
            disabled_at: t.disabled,
            rules,
            ..Config::default()
        })
    }

    /// Read and validate a config file, in either format (told apart by name and keys).
    pub fn load(path: &Path) -> Result<Self> {
        let text = crate::read::read_user_file(path, crate::read::SMALL_FILE_LIMIT)?;
        let file = path.display().to_string();
        if gitleaks::looks_like_gitleaks(&file, &text) {
            Config::from_gitleaks(&file, &text)
        } else {
            Config::parse(&file, &text)
        }
    }

    /// Parse config text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self> {
        let spec: ConfigSpec = toml::from_str(text).map_err(|e| from_toml(file, text, &e))?;
        for g in &spec.allowlist.paths {
            if let Err(e) = globset::Glob::new(g.get_ref()) {
                return Err(Error::Spec {
                    at: SpecLocation {
                        file: file.into(),
                        line: line_of(text, g.span().start),
                        key: "allowlist.paths".into(),
                    },
                    message: e.to_string(),
                });
            }
        }
        let allowlists = spec
            .allowlists
            .into_iter()
            .enumerate()
            .map(|(i, a)| {
                let line = line_of(text, a.span().start);
                Allowlist::compile(
                    file,
                    text,
                    &format!("allowlists[{i}]"),
                    line,
                    a.into_inner(),
                )
            })
            .collect::<Result<Vec<_>>>()?;
        let rules = rules::compile_all(file, text, spec.rules)?;
        Ok(Config {
            file: Some(file.to_string()),
            format: ConfigFormat::Plainsight,
            builtin_rules: spec.builtin_rules,
            allowlists,
            rule_paths: Vec::new(),
            warnings: Vec::new(),
            disabled_at: spec
                .disabled_rules
                .iter()
                .map(|d| (d.get_ref().clone(), line_of(text, d.span().start)))
                .collect(),
            disabled_rules: spec
                .disabled_rules
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            max_file_size: spec.max_file_size,
            report_public_identifiers: spec.report_public_identifiers,
            report_stand_ins: spec.report_stand_ins,
            allow_paths: spec
                .allowlist
                .paths
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            rules,
        })
    }

    /// The rule set this config asks for on top of `builtin`, with each rule's severity.
    /// The config's own rules move into the set.
    pub fn rule_set(&mut self, builtin: Vec<Rule>) -> Result<RuleSet> {
        let mut all = if self.builtin_rules {
            builtin
        } else {
            Vec::new()
        };
        all.append(&mut self.rules);
        for (id, line) in &self.disabled_at {
            if !all.iter().any(|r| &r.info.id == id) {
                let at = SpecLocation {
                    file: self.file.clone().unwrap_or_default(),
                    line: *line,
                    key: match self.format {
                        ConfigFormat::Plainsight => "disabled_rules".into(),
                        ConfigFormat::Gitleaks => "extend.disabledRules".into(),
                    },
                };
                let message = format!("no rule has the id `{id}` (see `plainsight rules list`)");
                match self.format {
                    ConfigFormat::Plainsight => return Err(Error::Spec { at, message }),
                    // gitleaks' default rules have ids of their own: nothing to disable.
                    ConfigFormat::Gitleaks => self.warnings.push(Warning { at, message }),
                }
            }
        }
        self.hand_match_regexes_to_rules(&mut all)?;
        all.retain(|r| !self.disabled_rules.contains(&r.info.id));
        // Public identifiers, when asked for, are notes: they are not secrets. Otherwise
        // they stay loaded but silent, so they still claim their matches.
        for r in all.iter_mut().filter(|r| r.info.public_identifier) {
            std::sync::Arc::make_mut(&mut r.info).severity = Severity::Note;
        }
        if !self.report_public_identifiers {
            crate::rules::silence_public_identifiers(&mut all);
        }
        let mut set = RuleSet::new(all)?;
        set.set_report_stand_ins(self.report_stand_ins);
        Ok(set)
    }

    /// An `or` allowlist's `match` regexes need the whole match, which only the matcher
    /// holds: they join the targeted rules' own `match_regexes`, which mean the same.
    fn hand_match_regexes_to_rules(&mut self, rules: &mut [Rule]) -> Result<()> {
        for a in &mut self.allowlists {
            if a.target != Target::Match
                || a.regexes.is_empty()
                || a.condition != crate::allowlist::Condition::Or
            {
                continue;
            }
            for r in rules.iter_mut().filter(|r| a.targets(&r.info.id)) {
                for src in &a.regex_sources {
                    // Compiled once already when the allowlist loaded: this cannot fail
                    // on a pattern that reached here, but says where if it does.
                    let (re, _) = LazyRegex::new(src).map_err(|message| Error::Spec {
                        at: SpecLocation {
                            file: a.origin.clone(),
                            line: 0,
                            key: "allowlists.regexes".into(),
                        },
                        message,
                    })?;
                    r.allow_match.push(re.for_candidates());
                }
            }
            a.regexes_in_rules = true;
        }
        Ok(())
    }

    /// What `config check` prints: the file, the rules added and disabled, exclusions and
    /// allowlists, and what could not be honoured.
    pub fn describe(&self, set: &RuleSet) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let format = match self.format {
            ConfigFormat::Plainsight => "plainsight",
            ConfigFormat::Gitleaks => "gitleaks",
        };
        let _ = match &self.file {
            Some(f) => writeln!(s, "config: {f} ({format} format)"),
            None => writeln!(s, "config: none (built-in defaults)"),
        };
        let custom: Vec<&Rule> = set
            .rules()
            .iter()
            .filter(|r| Some(&r.info.source) == self.file.as_ref())
            .collect();
        let _ = writeln!(
            s,
            "rules: {} in effect ({} built-in{}, {} from the config)",
            set.rules().len(),
            set.rules().len() - custom.len(),
            if self.builtin_rules {
                ""
            } else {
                ": built-in rules off"
            },
            custom.len()
        );
        for r in &custom {
            let _ = writeln!(
                s,
                "  added: {} ({}:{})",
                r.info.id, r.info.source, r.info.line
            );
        }
        for id in &self.disabled_rules {
            let _ = writeln!(s, "  disabled: {id}");
        }
        if let Some(max) = self.max_file_size {
            let _ = writeln!(s, "max_file_size: {max}");
        }
        for p in &self.allow_paths {
            let _ = writeln!(s, "excluded paths: {p}");
        }
        for r in &self.rule_paths {
            let _ = writeln!(s, "rule {} only in paths matching {}", r.rule, r.source);
        }
        for a in &self.allowlists {
            let _ = writeln!(
                s,
                "allowlist ({}): condition {}, target {}, {} regexes, {} path regexes, {} stopwords, {} commits, rules: {}{}",
                a.origin,
                a.condition.as_str(),
                a.target.as_str(),
                a.regex_sources.len(),
                a.path_sources.len(),
                a.stopwords.len(),
                a.commits.len(),
                if a.rules.is_empty() { "all".to_string() } else { a.rules.join(", ") },
                a.description.as_deref().map(|d| format!(" — {d}")).unwrap_or_default()
            );
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_wrong_types_name_line_and_key() {
        let e = Config::parse("c.toml", "disabled_rules = []\nmax_file_sise = 3\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2: key `max_file_sise`"), "{e}");
        let e = Config::parse("c.toml", "\nmax_file_size = \"big\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2: key `max_file_size`"), "{e}");
        let e = Config::parse("c.toml", "[allowlist]\npaths = [\"a/{b\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2: key `allowlist.paths`"), "{e}");
    }

    #[test]
    fn disabled_rule_must_exist() {
        let mut c = Config::parse("c.toml", "\n\ndisabled_rules = [\"no-such-rule\"]\n").unwrap();
        let e = c.rule_set(Vec::new()).unwrap_err().to_string();
        assert!(e.starts_with("c.toml:3: key `disabled_rules`"), "{e}");
    }
}
