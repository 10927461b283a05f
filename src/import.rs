//! `plainsight import`: another tool's configuration and baseline, converted once into
//! `.plainsight.toml` and a plainsight baseline, with a list of what could not be
//! converted and why, so nothing is lost without the user knowing.
//!
//! - gitleaks: `.gitleaks.toml` is translated as a scan would translate it
//!   ([`crate::gitleaks`]) and written in plainsight's format, so the imported file gives
//!   the findings the gitleaks file gave. `.gitleaksignore` entries name a place, not a
//!   secret: the CLI scans the tree and each entry that names a current finding becomes
//!   a baseline entry for that finding's secret
//!   ([`gitleaks_ignore_into_baseline`]); the rest (history entries, stale lines) are
//!   listed, and plainsight keeps honouring the file itself.
//! - detect-secrets: `.secrets.baseline` stores the SHA-1 of each secret, never the
//!   secret, so each result becomes a baseline entry keyed by that SHA-1 and its file
//!   ([`crate::baseline::SecretHash::Sha1`]): it matches a finding of any rule whose
//!   secret has that SHA-1 in that file. Line numbers are dropped (baselines have none).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::allowlist::Allowlist;
use crate::baseline::{normalise, Baseline, Key, SecretHash, BASELINE_FILE};
use crate::config::CONFIG_FILE;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::gitleaks::{self, IgnoreEntry, IgnoreList, GITLEAKS_FILE, GITLEAKS_IGNORE_FILE};
use crate::read::{read_user_file, SMALL_FILE_LIMIT};
use crate::rules;

/// detect-secrets' baseline file.
pub const DETECT_SECRETS_FILE: &str = ".secrets.baseline";
/// A detect-secrets baseline lists every accepted secret of a repository: it may be far
/// larger than a config file.
const DETECT_SECRETS_LIMIT: u64 = 1 << 30;

/// What an import did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// What was not converted, each with why.
    pub not_converted: Vec<String>,
}

/// A TOML string literal (escaped as TOML wants).
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Convert `dir/.gitleaks.toml` into `dir/.plainsight.toml`.
pub fn gitleaks(dir: &Path, force: bool) -> Result<Outcome> {
    let src = dir.join(GITLEAKS_FILE);
    let text = read_user_file(&src, SMALL_FILE_LIMIT)?;
    let file = src.display().to_string();
    let t = gitleaks::translate(&file, &text)?;
    let mut out = Outcome::default();
    for w in &t.warnings {
        out.not_converted.push(w.to_string());
    }
    let builtin_ids: Vec<String> = rules::builtin::load()?
        .iter()
        .map(|r| r.info.id.clone())
        .collect();
    let mut toml = format!(
        "# Imported from {GITLEAKS_FILE} by `plainsight import gitleaks`.\n\
         builtin_rules = {}\n",
        t.use_default
    );
    let (disabled, unknown): (Vec<_>, Vec<_>) = t
        .disabled
        .iter()
        .partition(|(id, _)| builtin_ids.contains(id));
    for (id, line) in unknown {
        out.not_converted.push(format!(
            "{file}:{line}: key `extend.disabledRules`: `{id}` is a gitleaks rule id; plainsight has no rule of that id (see `plainsight rules list`)"
        ));
    }
    if !disabled.is_empty() {
        let ids: Vec<String> = disabled.iter().map(|(id, _)| id.clone()).collect();
        let _ = writeln!(toml, "disabled_rules = {}", list(&ids));
    }
    for a in &t.allowlists {
        write_allowlist(&mut toml, a);
    }
    for r in &t.rule_paths {
        out.not_converted.push(format!(
            "rule `{}`: its `path = {}` has no .plainsight.toml equivalent (it reports everywhere once imported; keep {GITLEAKS_FILE} to restrict it)",
            r.rule,
            quote(&r.source)
        ));
    }
    for spec in &t.rules {
        let r = spec.get_ref();
        let _ = write!(
            toml,
            "\n[[rules]]\nid = {}\nname = {}\nprovider = {}\ndescription = {}\n\
             severity = \"error\"\nsecurity_severity = 7.0\nprecision = \"medium\"\n\
             keywords = {}\nregex = {}\n",
            quote(r.id.get_ref()),
            quote(&r.name),
            quote(&r.provider),
            quote(&r.description),
            list(r.keywords.get_ref()),
            quote(r.regex.as_ref().map_or("", |re| re.get_ref().as_str())),
        );
        if let Some(e) = &r.entropy {
            let _ = writeln!(toml, "entropy = {:?}", e.get_ref());
        }
        toml.push_str(
            "placeholder_check = false\n\
             # gitleaks rules carry no examples; add some and run `plainsight rules check`.\n\
             examples = []\nnegative_examples = []\n",
        );
    }
    // What was written must load, or the import would leave a broken config behind.
    crate::config::Config::parse(CONFIG_FILE, &toml)?;
    let dest = dir.join(CONFIG_FILE);
    write_new(&dest, &toml, force)?;
    out.written.push(dest);
    Ok(out)
}

fn write_allowlist(toml: &mut String, a: &Allowlist) {
    toml.push_str("\n[[allowlists]]\n");
    if let Some(d) = &a.description {
        let _ = writeln!(toml, "description = {}", quote(d));
    }
    let _ = writeln!(
        toml,
        "condition = \"{}\"\ntarget = \"{}\"",
        a.condition.as_str(),
        a.target.as_str()
    );
    for (key, items) in [
        ("commits", &a.commits),
        ("path_regexes", &a.path_sources),
        ("regexes", &a.regex_sources),
        ("stopwords", &a.stopwords),
        ("rules", &a.rules),
    ] {
        if !items.is_empty() {
            let _ = writeln!(toml, "{key} = {}", list(items));
        }
    }
}

/// Write `text` to `dest`, refusing to replace an existing file unless `force`.
fn write_new(dest: &Path, text: &str, force: bool) -> Result<()> {
    if dest.exists() && !force {
        return Err(Error::Import {
            path: dest.to_path_buf(),
            message: "exists already (pass --force to replace it)".into(),
        });
    }
    std::fs::write(dest, text).map_err(|e| Error::Import {
        path: dest.to_path_buf(),
        message: format!("cannot write: {e}"),
    })
}

#[derive(Deserialize)]
struct DetectSecretsFile {
    #[serde(default)]
    results: BTreeMap<String, Vec<DetectSecretsResult>>,
    #[serde(default)]
    plugins_used: Vec<serde_json::Value>,
    #[serde(default)]
    filters_used: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct DetectSecretsResult {
    #[serde(rename = "type")]
    kind: String,
    hashed_secret: String,
    #[serde(default)]
    is_secret: Option<bool>,
}

/// detect-secrets' own filters, which plainsight's rules and placeholder checks cover.
const DEFAULT_FILTERS: &str = "detect_secrets.filters.";

/// Convert `dir/.secrets.baseline` into entries of `dir/.plainsight-baseline.json`
/// (merged into an existing baseline, whose entries and reasons stay).
pub fn detect_secrets(dir: &Path) -> Result<Outcome> {
    let src = dir.join(DETECT_SECRETS_FILE);
    let text = read_user_file(&src, DETECT_SECRETS_LIMIT)?;
    let spec: DetectSecretsFile = serde_json::from_str(&text).map_err(|e| Error::Import {
        path: src.clone(),
        message: format!("not a detect-secrets baseline: {e}"),
    })?;
    let dest = dir.join(BASELINE_FILE);
    let mut baseline = if dest.exists() {
        Baseline::load(&dest)?
    } else {
        Baseline::default()
    };
    let mut out = Outcome::default();
    for (path, results) in spec.results {
        for r in results {
            let h = r.hashed_secret.to_ascii_lowercase();
            if h.len() != 40 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                out.not_converted.push(format!(
                    "{path}: a `{}` result's hashed_secret is not a SHA-1",
                    r.kind
                ));
                continue;
            }
            let audited = match r.is_secret {
                Some(true) => ", audited as a real secret",
                Some(false) => ", audited as a false positive",
                None => "",
            };
            baseline.insert(
                Key {
                    path: normalise(&path),
                    rule_id: None,
                    hash: SecretHash::Sha1(h),
                },
                Some(format!(
                    "imported from detect-secrets ({}{audited})",
                    r.kind
                )),
            );
        }
    }
    for f in &spec.filters_used {
        let path = f
            .get("path")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?");
        if !path.starts_with(DEFAULT_FILTERS) {
            out.not_converted.push(format!(
                "filter `{path}`: custom detect-secrets filters have no plainsight equivalent (an exclusion is `[allowlist] paths` in {CONFIG_FILE})"
            ));
        } else if path.ends_with("should_exclude_file")
            || path.ends_with("should_exclude_line")
            || path.ends_with("should_exclude_secret")
        {
            out.not_converted.push(format!(
                "filter `{path}` ({}): write it as `[allowlist] paths` or `[[allowlists]]` in {CONFIG_FILE}",
                f.get("pattern").map(ToString::to_string).unwrap_or_default()
            ));
        }
    }
    if !spec.plugins_used.is_empty() {
        out.not_converted.push(format!(
            "plugins_used ({} plugins): detect-secrets' detectors are not rules plainsight can run; its built-in rules are used instead",
            spec.plugins_used.len()
        ));
    }
    std::fs::write(&dest, baseline.to_json()).map_err(|e| Error::Import {
        path: dest.clone(),
        message: format!("cannot write: {e}"),
    })?;
    out.written.push(dest);
    Ok(out)
}

/// Turn `.gitleaksignore` entries into baseline entries: an entry names a place (path,
/// rule, line), a baseline entry the secret found there, so each entry is looked up among
/// `findings` (a scan of the same tree, without the ignore file applied). Returns the
/// entries no finding matched (history entries, or ones already stale), which stay
/// honoured from `.gitleaksignore` itself.
pub fn gitleaks_ignore_into_baseline<'a>(
    ignore: &'a IgnoreList,
    findings: &[Finding],
    baseline: &mut Baseline,
) -> Vec<&'a IgnoreEntry> {
    let mut unmatched: Vec<&IgnoreEntry> = Vec::new();
    for entry in &ignore.entries {
        let mut found = false;
        for f in findings.iter().filter(|f| entry.matches(f)) {
            found = true;
            baseline.insert(
                Key::of(f),
                Some(format!(
                    "imported from {GITLEAKS_IGNORE_FILE} ({}:{}:{})",
                    entry.path, entry.rule, entry.line
                )),
            );
        }
        if !found {
            unmatched.push(entry);
        }
    }
    unmatched.sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    unmatched
}
