//! Merging reports: the JSON reports of the shards of one history scan (or of repeated
//! runs of one scan) folded into the report one run over everything would have written.
//!
//! A history scan folds one secret at one path across the blob versions that carry it
//! ([`fold_versions`]); a shard sees only some of those versions, so each finding keeps
//! its versions with their place in the order of first introduction over the whole
//! history. Merging sorts every finding's versions back into that order and folds them
//! with the same function, so the result does not depend on how blobs were split.
//!
//! Reports carry no plaintext (fingerprints identify secrets): a merged finding's secret
//! is known by its preview alone ([`Secret::masked`]), which is all a report shows.
//! Reports of different versions, rule sets or repositories are refused, naming both:
//! folding them would report what no single run finds.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::decode::Layer;
use crate::finding::{
    BlobVersion, Context, Finding, Fingerprint, Location, Provenance, Secret, Segment,
    VersionControl,
};
use crate::git::Shard;
use crate::report::json::FORMAT_VERSION;
use crate::report::TOOL_VERSION;
use crate::rules::{Category, CredentialKind, Precision, RuleInfo, Severity};
use crate::scan::{CappedRule, ScanReport, ScanStats, SkippedFile};
use crate::skip::{Skip, SkipReason};

/// Reports larger than this are refused rather than read into memory.
const MAX_REPORT_BYTES: u64 = 4 << 30;

/// Why reports could not be merged. Each names the report (or both reports) at fault.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// No report was given.
    #[error("no reports to merge")]
    NoReports,
    /// A report could not be read.
    #[error("cannot read report {}", path.display())]
    Read {
        /// The report.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A report is not a JSON report of this format.
    #[error("{}:{line}:{column}: not a plainsight JSON report: {message}", path.display())]
    Parse {
        /// The report.
        path: PathBuf,
        /// Line of the problem (1-based; 0 when unknown).
        line: usize,
        /// Column of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A report's value is not one plainsight writes.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The report.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Two reports differ in something that must match.
    #[error("{} and {} {what}: {a} vs {b}", first.display(), second.display())]
    Mismatch {
        /// The first report.
        first: PathBuf,
        /// The report that differs from it.
        second: PathBuf,
        /// What differs.
        what: &'static str,
        /// The first's value.
        a: String,
        /// The second's.
        b: String,
    },
    /// Shards of the history have no report.
    #[error("shards {missing} of {count} have no report (shard reports given: {given})")]
    MissingShards {
        /// The missing shards.
        missing: String,
        /// The shard count.
        count: u32,
        /// The reports that were given.
        given: String,
    },
}

/// Result of a merge.
pub type Result<T> = std::result::Result<T, MergeError>;

/// One report as read from its JSON.
#[derive(Debug)]
pub struct LoadedReport {
    /// Where it was read from (named in errors).
    pub path: PathBuf,
    /// The plainsight version that wrote it.
    pub version: String,
    /// Its findings, stats, skips, base, repository and rule-set digest.
    pub report: ScanReport,
}

/// Read a `--format json` report written by this version of plainsight.
pub fn read_report(path: &Path) -> Result<LoadedReport> {
    let read_err = |source| MergeError::Read {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > MAX_REPORT_BYTES {
        return Err(MergeError::Invalid {
            path: path.to_path_buf(),
            message: format!("{len} bytes is larger than a report may be ({MAX_REPORT_BYTES})"),
        });
    }
    let text = std::fs::read_to_string(path).map_err(read_err)?;
    parse_report(path, &text)
}

/// Parse the text of a JSON report; `path` names it in errors.
pub fn parse_report(path: &Path, text: &str) -> Result<LoadedReport> {
    let parse_err = |e: serde_json::Error| MergeError::Parse {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    };
    let head: Head = serde_json::from_str(text).map_err(parse_err)?;
    if head.format_version != Some(FORMAT_VERSION) {
        return Err(MergeError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "report format {} is not the one this plainsight merges ({FORMAT_VERSION}); \
                 run the scan again with plainsight {TOOL_VERSION}",
                head.format_version
                    .map_or_else(|| "1 (no format_version)".to_string(), |v| v.to_string())
            ),
        });
    }
    let doc: InReport = serde_json::from_str(text).map_err(parse_err)?;
    let bad = |message: String| MergeError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    doc.into_report(path).map_err(bad)
}

/// Merge `reports` into one, as one run over everything they cover would report it.
pub fn merge(reports: Vec<LoadedReport>) -> Result<ScanReport> {
    let first = reports.first().ok_or(MergeError::NoReports)?;
    for other in &reports[1..] {
        check_same(first, other)?;
    }
    let counted = counted_reports(&reports)?;
    let mut stats = ScanStats::default();
    let mut skipped: Vec<SkippedFile> = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let (base, vcs, rule_set) = (
        first.report.base.clone(),
        first.report.vcs.clone(),
        first.report.rule_set.clone(),
    );
    for (i, loaded) in reports.into_iter().enumerate() {
        let r = loaded.report;
        findings.extend(r.findings);
        if counted.contains(&i) {
            add_stats(&mut stats, r.stats);
            skipped.extend(r.skipped);
        }
    }
    // Earliest blob version first, then report order within a blob: the order in which
    // one history scan hands findings to the fold.
    findings.sort_by(|a, b| (first_order(a), a.sort_key()).cmp(&(first_order(b), b.sort_key())));
    let mut findings = fold_versions(findings);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    skipped.sort_by(|a, b| {
        (&a.path, a.skip.reason, &a.skip.detail).cmp(&(&b.path, b.skip.reason, &b.skip.detail))
    });
    stats.capped.sort();
    stats.decode_capped.sort();
    stats.findings = findings.len() as u64;
    Ok(ScanReport {
        findings,
        stats,
        skipped,
        base,
        rule_set,
        vcs,
        shard: None,
    })
}

/// Fold findings of one secret at one path (and archive entry) across blob versions:
/// the earliest is kept and the blob versions of the others join it, each blob once.
/// `findings` arrive in order of their earliest blob version (a history scan's order).
/// Findings without provenance (directory scans) fold only with exact repeats.
pub(crate) fn fold_versions(findings: Vec<Finding>) -> Vec<Finding> {
    type Key = (String, String, Option<String>, Option<(usize, usize)>);
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut grown: HashSet<usize> = HashSet::new();
    for f in findings {
        let at = f
            .provenance
            .is_none()
            .then_some((f.location.line, f.location.column));
        let key = (
            f.fingerprint.as_str().to_string(),
            f.path.clone(),
            f.entry.clone(),
            at,
        );
        match seen.get(&key) {
            Some(&i) => {
                if let (Some(p), Some(later)) = (kept[i].provenance.as_mut(), f.provenance) {
                    for v in later.versions {
                        // The same blob again (the secret twice in one file, or a
                        // repeated run): it adds no place.
                        if !p.versions.iter().any(|have| have.order == v.order) {
                            p.versions.push(v);
                            grown.insert(i);
                        }
                    }
                }
            }
            None => {
                seen.insert(key, kept.len());
                kept.push(f);
            }
        }
    }
    for i in grown {
        if let Some(p) = kept[i].provenance.as_mut() {
            p.versions.sort_by_key(|v| v.order);
            p.other_locations = Provenance::fold_locations(&p.versions);
        }
    }
    kept
}

/// Where a finding stands in a history's order of first introduction.
fn first_order(f: &Finding) -> u64 {
    f.provenance
        .as_ref()
        .and_then(|p| p.versions.first())
        .map_or(u64::MAX, |v| v.order)
}

fn check_same(a: &LoadedReport, b: &LoadedReport) -> Result<()> {
    let mismatch = |what, x: String, y: String| MergeError::Mismatch {
        first: a.path.clone(),
        second: b.path.clone(),
        what,
        a: x,
        b: y,
    };
    let shown = |s: Option<&str>| s.unwrap_or("(none)").to_string();
    if a.version != b.version {
        return Err(mismatch(
            "were written by different plainsight versions",
            a.version.clone(),
            b.version.clone(),
        ));
    }
    let (ra, rb) = (&a.report, &b.report);
    if ra.rule_set != rb.rule_set {
        return Err(mismatch(
            "were scanned with different rule sets or options",
            shown(ra.rule_set.as_deref()),
            shown(rb.rule_set.as_deref()),
        ));
    }
    if ra.base != rb.base {
        let path = |p: &Option<PathBuf>| {
            p.as_ref()
                .map_or_else(|| "(none)".to_string(), |p| p.display().to_string())
        };
        return Err(mismatch(
            "cover different scan roots",
            path(&ra.base),
            path(&rb.base),
        ));
    }
    if ra.vcs != rb.vcs {
        let uri = |v: &Option<VersionControl>| {
            v.as_ref().map_or_else(
                || "(not a git scan)".to_string(),
                |v| format!("{} at {}", v.repository_uri, shown(v.revision.as_deref())),
            )
        };
        return Err(mismatch(
            "cover different repository states",
            uri(&ra.vcs),
            uri(&rb.vcs),
        ));
    }
    if let (Some(x), Some(y)) = (ra.shard, rb.shard) {
        if x.count() != y.count() {
            return Err(mismatch(
                "split the history into different shard counts",
                x.to_string(),
                y.to_string(),
            ));
        }
    }
    Ok(())
}

/// Which reports' stats and skips count: each part of the history once. A whole-history
/// report covers every shard; a shard reported twice (a repeated run) counts once.
fn counted_reports(reports: &[LoadedReport]) -> Result<HashSet<usize>> {
    if let Some(whole) = reports.iter().position(|r| r.report.shard.is_none()) {
        return Ok(HashSet::from([whole]));
    }
    let mut by_shard: BTreeMap<u32, usize> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        if let Some(s) = r.report.shard {
            by_shard.entry(s.index()).or_insert(i);
        }
    }
    let count = reports
        .iter()
        .find_map(|r| r.report.shard)
        .map_or(1, Shard::count);
    let missing: Vec<String> = (0..count)
        .filter(|i| !by_shard.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        let given: Vec<String> = reports
            .iter()
            .map(|r| r.path.display().to_string())
            .collect();
        return Err(MergeError::MissingShards {
            missing: missing.join(", "),
            count,
            given: given.join(", "),
        });
    }
    Ok(by_shard.into_values().collect())
}

fn add_stats(into: &mut ScanStats, s: ScanStats) {
    // Shards run side by side: the merged run took as long as the slowest.
    into.elapsed_ms = into.elapsed_ms.max(s.elapsed_ms);
    into.merge(s);
}

/// The keys checked before the rest of a report is read.
#[derive(Deserialize)]
struct Head {
    format_version: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InReport {
    format_version: u32,
    version: String,
    rule_set: Option<String>,
    base: Option<PathBuf>,
    version_control: Option<InVersionControl>,
    shard: Option<InShard>,
    rules: Vec<InRule>,
    findings: Vec<InFinding>,
    stats: InStats,
    skipped: Vec<InSkipped>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InVersionControl {
    repository_uri: String,
    revision: Option<String>,
    branch: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InShard {
    index: u32,
    count: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InRule {
    id: String,
    name: String,
    provider: String,
    category: Category,
    kind: CredentialKind,
    #[serde(default)]
    rotate: Option<String>,
    description: String,
    severity: Severity,
    security_severity: f64,
    precision: Precision,
    references: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InFinding {
    rule_id: String,
    rule_name: String,
    provider: String,
    severity: Severity,
    precision: Precision,
    path: String,
    archive_entry: Option<String>,
    #[serde(default)]
    decoded: Vec<String>,
    details: Option<String>,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    fingerprint: String,
    preview: String,
    context: String,
    secret: Option<String>,
    commit: Option<InCommit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InCommit {
    sha: String,
    author: String,
    time: i64,
    other_locations: Vec<String>,
    versions: Vec<InVersion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InVersion {
    order: u64,
    commit: String,
    path: String,
    other_locations: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InStats {
    files_scanned: u64,
    bytes_scanned: u64,
    skipped: BTreeMap<String, u64>,
    findings: u64,
    suppressed: BTreeMap<String, u64>,
    capped: Vec<String>,
    archives: u64,
    #[serde(default)]
    decode_capped: Vec<String>,
    elapsed_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InSkipped {
    path: String,
    reason: String,
    detail: String,
}

/// The suppression mechanisms a report counts (the keys of `stats.suppressed`).
const SUPPRESSIONS: [&str; 7] = [
    "inline",
    "ignore_file",
    "baseline",
    "gitleaks_ignore",
    "allowlist",
    "rule_path",
    "stand_in",
];

fn skip_reason(s: &str) -> std::result::Result<SkipReason, String> {
    SkipReason::ALL
        .iter()
        .copied()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| format!("unknown skip reason `{s}`"))
}

impl InReport {
    fn into_report(self, path: &Path) -> std::result::Result<LoadedReport, String> {
        debug_assert_eq!(self.format_version, FORMAT_VERSION);
        let rules: HashMap<String, Arc<RuleInfo>> = self
            .rules
            .into_iter()
            .map(|r| {
                let info = RuleInfo {
                    id: r.id.clone(),
                    name: r.name,
                    provider: r.provider,
                    category: r.category,
                    kind: r.kind,
                    rotate: r.rotate,
                    description: r.description,
                    severity: r.severity,
                    security_severity: r.security_severity,
                    precision: r.precision,
                    references: r.references,
                    // Rule files keep the two in step (tests/rules.rs checks it).
                    public_identifier: r.kind == CredentialKind::PublicIdentifier,
                    keywords: Vec::new(),
                    source: path.display().to_string(),
                    line: 0,
                };
                (r.id, Arc::new(info))
            })
            .collect();
        let findings = self
            .findings
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                f.into_finding(&rules)
                    .map_err(|e| format!("findings[{i}]: {e}"))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let s = self.stats;
        let mut skipped_counts = BTreeMap::new();
        for (k, v) in s.skipped {
            skipped_counts.insert(skip_reason(&k)?, v);
        }
        // A report lists every reason, zeros included; a scan's stats hold only those seen.
        skipped_counts.retain(|_, v| *v > 0);
        let mut suppressed = BTreeMap::new();
        for (k, v) in s.suppressed {
            let key = SUPPRESSIONS
                .iter()
                .find(|m| **m == k)
                .ok_or_else(|| format!("unknown suppression `{k}` in stats"))?;
            suppressed.insert(*key, v);
        }
        let capped = s
            .capped
            .into_iter()
            .map(|c| {
                c.rsplit_once(": ")
                    .map(|(path, rule)| CappedRule {
                        path: path.to_string(),
                        rule: rule.to_string(),
                    })
                    .ok_or_else(|| format!("stats.capped entry `{c}` is not `path: rule`"))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let stats = ScanStats {
            files_scanned: s.files_scanned,
            bytes_scanned: s.bytes_scanned,
            skipped: skipped_counts,
            findings: s.findings,
            suppressed,
            capped,
            archives: s.archives,
            decode_capped: s.decode_capped,
            elapsed_ms: s.elapsed_ms,
        };
        let skipped = self
            .skipped
            .into_iter()
            .map(|k| {
                Ok(SkippedFile {
                    path: k.path,
                    skip: Skip {
                        reason: skip_reason(&k.reason)?,
                        detail: k.detail,
                    },
                })
            })
            .collect::<std::result::Result<Vec<_>, String>>()?;
        let shard = self
            .shard
            .map(|s| Shard::new(s.index, s.count).map_err(|e| format!("shard: {e}")))
            .transpose()?;
        Ok(LoadedReport {
            path: path.to_path_buf(),
            version: self.version,
            report: ScanReport {
                findings,
                stats,
                skipped,
                base: self.base,
                rule_set: self.rule_set,
                vcs: self.version_control.map(|v| VersionControl {
                    repository_uri: v.repository_uri,
                    revision: v.revision,
                    branch: v.branch,
                }),
                shard,
            },
        })
    }
}

impl InFinding {
    fn into_finding(
        self,
        rules: &HashMap<String, Arc<RuleInfo>>,
    ) -> std::result::Result<Finding, String> {
        if self.secret.is_some() {
            return Err(
                "holds a plaintext secret (written with --show-secrets); merge \
                        reads only masked reports"
                    .into(),
            );
        }
        let rule = rules
            .get(&self.rule_id)
            .cloned()
            .ok_or_else(|| format!("rule `{}` is not in the report's `rules`", self.rule_id))?;
        if rule.name != self.rule_name
            || rule.provider != self.provider
            || rule.precision != self.precision
        {
            return Err(format!(
                "rule `{}` does not match the report's `rules` entry",
                self.rule_id
            ));
        }
        let fingerprint = Fingerprint::parse(&self.fingerprint)
            .ok_or_else(|| "fingerprint is not 64 hex digits".to_string())?;
        let decoded = self
            .decoded
            .iter()
            .map(|l| Layer::parse(l).ok_or_else(|| format!("unknown decoding layer `{l}`")))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // `path` is the report path: `archive!entry` inside archives.
        let path = match &self.archive_entry {
            Some(entry) => self
                .path
                .strip_suffix(entry.as_str())
                .and_then(|p| p.strip_suffix('!'))
                .map(str::to_string)
                .ok_or_else(|| "path does not end with its archive entry".to_string())?,
            None => self.path,
        };
        let provenance = self.commit.map(|c| Provenance {
            commit: c.sha,
            author: c.author,
            time: c.time,
            other_locations: c.other_locations,
            versions: c
                .versions
                .into_iter()
                .map(|v| BlobVersion {
                    order: v.order,
                    commit: v.commit,
                    path: v.path,
                    other_locations: v.other_locations,
                })
                .collect(),
        });
        if provenance.as_ref().is_some_and(|p| p.versions.is_empty()) {
            return Err("commit has no blob versions".into());
        }
        Ok(Finding {
            rule,
            severity: self.severity,
            details: self.details,
            path,
            entry: self.archive_entry,
            decoded,
            location: Location {
                line: self.line,
                column: self.column,
                end_line: self.end_line,
                end_column: self.end_column,
                offset: 0,
                len: 0,
            },
            secret: Secret::masked(&self.preview),
            fingerprint,
            context: Context {
                segments: vec![Segment::Text(self.context)],
            },
            provenance,
        })
    }
}
