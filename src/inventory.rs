//! The third-party exposure inventory: a scan's findings regrouped by the vendor that
//! issued them, to answer "which vendors hold a key to this code, and what would a
//! breach of one expose". It is a view over an ordinary [`ScanReport`] from the same
//! scanner and sources as `scan` and `git`: only the rule set differs (public
//! identifiers and the endpoint rules are added), so suppressions behave the same.
//!
//! Secrets are counted by fingerprint; public identifiers and endpoint uses are listed
//! apart, since they show where data flows rather than what must be rotated. Nothing
//! here holds plaintext: only fingerprints and [`crate::finding::Secret::preview`]s.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::finding::{Finding, Fingerprint};
use crate::rules::{Category, CredentialKind, Severity};
use crate::scan::ScanReport;

/// A place a secret or use was found.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// Report path (archive entries as `outer.zip!inner`).
    pub path: String,
    /// 1-based line.
    pub line: usize,
}

/// A commit in the life of a secret (git mode).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitRef {
    /// Full commit id.
    pub commit: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
}

/// What a history scan knows about one secret beyond its places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct History {
    /// The earliest commit that introduced it.
    pub first_commit: CommitRef,
    /// The latest commit that (re)introduced a blob holding it.
    pub last_commit: CommitRef,
    /// Whether `HEAD`'s tree still holds it; removed or not, a key alive in history
    /// still needs rotating.
    pub present_at_head: bool,
}

/// One distinct secret (one fingerprint).
#[derive(Clone, Debug, Serialize)]
pub struct SecretEntry {
    /// The rule that found it.
    pub rule: String,
    /// The rule's name.
    pub name: String,
    /// Credential kind.
    pub kind: CredentialKind,
    /// Highest severity among its findings.
    pub severity: Severity,
    /// Stable identity (rule + secret hash).
    #[serde(serialize_with = "fingerprint_hex")]
    pub fingerprint: Fingerprint,
    /// A masked preview; never the plaintext.
    pub preview: String,
    /// Every place, sorted.
    pub locations: Vec<Place>,
    /// Where to rotate or revoke it.
    pub rotate: Option<String>,
    /// Git mode only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
}

/// Per credential kind of one vendor: what `scan` would make someone rotate.
#[derive(Clone, Debug, Serialize)]
pub struct KindSummary {
    /// The kind.
    pub kind: CredentialKind,
    /// Distinct secrets (by fingerprint).
    pub secrets: usize,
    /// Places they sit.
    pub locations: usize,
    /// Distinct files.
    pub files: usize,
    /// Highest severity.
    pub max_severity: Severity,
}

/// Public identifiers or endpoint uses of one vendor: data flowing to it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Uses {
    /// Distinct values (identifiers) or distinct rule matches (endpoints).
    pub distinct: usize,
    /// Every place, sorted, with the rule that matched there.
    pub locations: Vec<UsePlace>,
    /// Distinct files.
    pub files: Vec<String>,
}

/// One use: where, and which rule matched.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UsePlace {
    /// Report path.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// The rule.
    pub rule: String,
}

/// One row per vendor.
#[derive(Clone, Debug, Serialize)]
pub struct VendorEntry {
    /// Canonical vendor name (the rules' `provider`).
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Counts per credential kind, secrets only.
    pub credentials: Vec<KindSummary>,
    /// Every distinct secret.
    pub secrets: Vec<SecretEntry>,
    /// Public identifiers (project tokens, publishable keys).
    pub identifiers: Uses,
    /// Endpoint and SDK uses.
    pub endpoints: Uses,
}

impl VendorEntry {
    /// The highest severity among its secrets, if it has any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.credentials.iter().map(|k| k.max_severity).max()
    }
}

/// Totals the inventory reports beside the vendors.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    /// Vendors listed.
    pub vendors: usize,
    /// Distinct secrets.
    pub secrets: usize,
    /// Public identifier places.
    pub identifiers: usize,
    /// Endpoint use places.
    pub endpoint_uses: usize,
    /// Files scanned.
    pub files_scanned: u64,
    /// Files skipped.
    pub files_skipped: u64,
    /// Entries hidden by suppressions (inline markers, ignore files, baselines,
    /// allowlists), by mechanism.
    pub suppressed: BTreeMap<String, u64>,
}

/// The whole inventory.
#[derive(Clone, Debug, Serialize)]
pub struct Inventory {
    /// plainsight's version.
    pub version: String,
    /// `history` for `inventory --git`, else `files`.
    pub mode: &'static str,
    /// The vendor asked for with `--vendor`, canonically spelt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// Totals.
    pub totals: Totals,
    /// Vendors, those holding secrets first (by highest severity), then by name.
    pub vendors: Vec<VendorEntry>,
}

/// What git mode adds per fingerprint: first and last commit and presence at `HEAD`.
pub type HistoryFacts = HashMap<Fingerprint, History>;

/// Group `report`'s findings by vendor. `history` comes from a git scan (see
/// [`crate::git::Repo::history_facts`]); `vendor` keeps only that vendor.
pub fn build(
    report: &ScanReport,
    history: Option<&HistoryFacts>,
    vendor: Option<&str>,
) -> Inventory {
    let mut by_vendor: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        if vendor.is_none_or(|v| f.rule.provider.eq_ignore_ascii_case(v)) {
            by_vendor.entry(&f.rule.provider).or_default().push(f);
        }
    }
    let mut vendors: Vec<VendorEntry> = by_vendor
        .into_iter()
        .map(|(name, findings)| vendor_entry(name, &findings, history))
        .collect();
    vendors.sort_by(|a, b| {
        b.max_severity()
            .cmp(&a.max_severity())
            .then_with(|| a.name.cmp(&b.name))
    });
    let totals = Totals {
        vendors: vendors.len(),
        secrets: vendors.iter().map(|v| v.secrets.len()).sum(),
        identifiers: vendors.iter().map(|v| v.identifiers.locations.len()).sum(),
        endpoint_uses: vendors.iter().map(|v| v.endpoints.locations.len()).sum(),
        files_scanned: report.stats.files_scanned,
        files_skipped: report.stats.skipped_total(),
        suppressed: report
            .stats
            .suppressed
            .iter()
            .map(|(k, v)| ((*k).to_string(), *v))
            .collect(),
    };
    Inventory {
        version: crate::report::TOOL_VERSION.to_string(),
        mode: if history.is_some() {
            "history"
        } else {
            "files"
        },
        vendor: vendor.map(|v| {
            vendors
                .first()
                .map_or_else(|| v.to_string(), |e| e.name.clone())
        }),
        totals,
        vendors,
    }
}

fn vendor_entry(name: &str, findings: &[&Finding], history: Option<&HistoryFacts>) -> VendorEntry {
    let category = findings
        .first()
        .map_or(Category::Other, |f| f.rule.category);
    let mut secrets: BTreeMap<&Fingerprint, SecretEntry> = BTreeMap::new();
    let mut identifiers = UseBuilder::default();
    let mut endpoints = UseBuilder::default();
    for f in findings {
        let place = UsePlace {
            path: f.report_path().into_owned(),
            line: f.location.line,
            rule: f.rule.id.clone(),
        };
        match f.rule.kind {
            CredentialKind::PublicIdentifier => identifiers.add(place, &f.fingerprint),
            CredentialKind::Endpoint => endpoints.add(place, &f.fingerprint),
            kind => {
                let e = secrets
                    .entry(&f.fingerprint)
                    .or_insert_with(|| SecretEntry {
                        rule: f.rule.id.clone(),
                        name: f.rule.name.clone(),
                        kind,
                        severity: f.severity,
                        fingerprint: f.fingerprint.clone(),
                        preview: f.secret.preview(),
                        locations: Vec::new(),
                        rotate: f.rule.rotate.clone(),
                        history: history.and_then(|h| h.get(&f.fingerprint).cloned()),
                    });
                e.severity = e.severity.max(f.severity);
                e.locations.push(Place {
                    path: place.path,
                    line: place.line,
                });
            }
        }
    }
    let mut secrets: Vec<SecretEntry> = secrets.into_values().collect();
    for s in &mut secrets {
        s.locations.sort();
        s.locations.dedup();
    }
    secrets.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then_with(|| a.locations.cmp(&b.locations))
    });
    let mut credentials: BTreeMap<CredentialKind, (usize, usize, BTreeSet<&str>, Severity)> =
        BTreeMap::new();
    for s in &secrets {
        let e = credentials
            .entry(s.kind)
            .or_insert((0, 0, BTreeSet::new(), s.severity));
        e.0 += 1;
        e.1 += s.locations.len();
        e.2.extend(s.locations.iter().map(|p| p.path.as_str()));
        e.3 = e.3.max(s.severity);
    }
    let credentials = credentials
        .into_iter()
        .map(|(kind, (n, locations, files, max_severity))| KindSummary {
            kind,
            secrets: n,
            locations,
            files: files.len(),
            max_severity,
        })
        .collect();
    VendorEntry {
        name: name.to_string(),
        category,
        credentials,
        secrets,
        identifiers: identifiers.finish(),
        endpoints: endpoints.finish(),
    }
}

#[derive(Default)]
struct UseBuilder {
    distinct: HashSet<Fingerprint>,
    places: Vec<UsePlace>,
}

impl UseBuilder {
    fn add(&mut self, place: UsePlace, fingerprint: &Fingerprint) {
        self.distinct.insert(fingerprint.clone());
        self.places.push(place);
    }

    fn finish(mut self) -> Uses {
        self.places.sort();
        self.places.dedup();
        let files: BTreeSet<String> = self.places.iter().map(|p| p.path.clone()).collect();
        Uses {
            distinct: self.distinct.len(),
            locations: self.places,
            files: files.into_iter().collect(),
        }
    }
}

/// Every vendor the built-in rules (credential and endpoint) know, sorted: what
/// `--vendor` accepts.
pub fn known_vendors(rules: &[crate::rules::Rule]) -> Vec<String> {
    let set: BTreeSet<&str> = rules.iter().map(|r| r.info.provider.as_str()).collect();
    set.into_iter().map(str::to_string).collect()
}

fn fingerprint_hex<S: serde::Serializer>(f: &Fingerprint, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.as_str())
}
