//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other code hosts.
//!
//! One run; the driver lists every rule that fired with its help, precision and
//! `security-severity`; each result has one location relative to `%SRCROOT%`, a redacted
//! snippet, and a `primaryLocationLineHash` derived from the content fingerprint (not the
//! line number) so a moved secret is the same alert. Files that were not scanned become
//! `toolExecutionNotifications`, so a code host shows what the scan could not see.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run,
    Sarif, Tool, ToolComponent, VersionControlDetails,
};

use super::{ReportOptions, TOOL_NAME, TOOL_URI, TOOL_VERSION};
use crate::finding::{Finding, VersionControl};
use crate::rules::{RuleInfo, Severity};
use crate::scan::ScanReport;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// Write the SARIF log.
pub fn write(report: &ScanReport, opts: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    write_with_vcs(report, opts, None, out)
}

/// Write the SARIF log of a git scan: the run also carries `versionControlProvenance`.
pub fn write_with_vcs(
    report: &ScanReport,
    opts: ReportOptions,
    vcs: Option<&VersionControl>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut log = build(report, opts);
    if let Some(v) = vcs {
        for run in &mut log.runs {
            run.version_control_provenance = Some(vec![version_control(v)]);
        }
    }
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
    writeln!(out)
}

/// The repository, revision and branch a git scan covered; result locations are
/// relative to `%SRCROOT%`, which this maps to the repository root.
fn version_control(v: &VersionControl) -> VersionControlDetails {
    let mut d = VersionControlDetails::builder()
        .repository_uri(v.repository_uri.as_str())
        .mapped_to(ArtifactLocation::builder().uri_base_id(SRCROOT).build())
        .build();
    d.revision_id.clone_from(&v.revision);
    d.branch.clone_from(&v.branch);
    d
}

/// Build the SARIF log for a report.
pub fn build(report: &ScanReport, opts: ReportOptions) -> Sarif {
    // Rules that fired, in id order; a result points at its rule by index.
    let mut fired: BTreeMap<&str, &RuleInfo> = BTreeMap::new();
    for f in &report.findings {
        fired.entry(&f.rule.id).or_insert(&f.rule);
    }
    let index: BTreeMap<&str, usize> = fired.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<ReportingDescriptor> = fired.values().map(|r| descriptor(r)).collect();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule.id.as_str()).copied().unwrap_or(0), opts))
        .collect();
    let driver = ToolComponent::builder()
        .name(TOOL_NAME)
        .version(TOOL_VERSION)
        .semantic_version(TOOL_VERSION)
        .information_uri(TOOL_URI)
        .rules(rules)
        .build();
    let mut notifications: Vec<Notification> = report
        .skipped
        .iter()
        .map(|k| {
            let loc = Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact(&k.path))
                        .build(),
                )
                .build();
            Notification::builder()
                .level(json!(
                    if k.skip.reason == crate::skip::SkipReason::Excluded {
                        "note"
                    } else {
                        "warning"
                    }
                ))
                .message(text(&format!(
                    "Not scanned ({}): {}.",
                    k.skip.reason.as_str(),
                    k.skip.detail
                )))
                .descriptor(
                    ReportingDescriptorReference::builder()
                        .id(format!("skipped/{}", k.skip.reason.as_str()))
                        .build(),
                )
                .locations(vec![loc])
                .build()
        })
        .collect();
    // A rule that hit its per-file cap: the findings past it are not in `results`.
    notifications.extend(report.stats.capped.iter().map(|capped| {
        let (path, rule) = (capped.path.as_str(), capped.rule.as_str());
        Notification::builder()
            .level(json!("warning"))
            .message(text(&format!(
                "Rule {rule} found more matches in this file than the per-file cap; \
                 the rest are not reported."
            )))
            .descriptor(ReportingDescriptorReference::builder().id("capped").build())
            .locations(vec![Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(artifact(path))
                        .build(),
                )
                .build()])
            .build()
    }));
    let s = &report.stats;
    let mut stats = BTreeMap::new();
    stats.insert("filesScanned".to_string(), json!(s.files_scanned));
    stats.insert("bytesScanned".to_string(), json!(s.bytes_scanned));
    stats.insert(
        "skipped".to_string(),
        json!(s
            .skipped
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect::<BTreeMap<_, _>>()),
    );
    stats.insert("suppressed".to_string(), json!(s.suppressed));
    let invocation = Invocation::builder()
        .execution_successful(true)
        .tool_execution_notifications(notifications)
        .properties(PropertyBag::builder().additional_properties(stats).build())
        .build();
    let mut base_ids = BTreeMap::new();
    let base_uri = report.base.as_ref().map_or_else(
        || {
            std::env::current_dir()
                .map(|d| dir_uri(&d))
                .unwrap_or_default()
        },
        |b| dir_uri(b),
    );
    if !base_uri.is_empty() {
        base_ids.insert(
            SRCROOT.to_string(),
            ArtifactLocation::builder().uri(base_uri).build(),
        );
    }
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .original_uri_base_ids(base_ids)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    Sarif::builder()
        .schema(SCHEMA)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn text(s: &str) -> Message {
    Message::builder().text(s).build()
}

fn level(sev: Severity) -> ResultLevel {
    match sev {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Note => ResultLevel::Note,
    }
}

fn descriptor(r: &RuleInfo) -> ReportingDescriptor {
    let refs_md: String = r.references.iter().map(|u| format!("\n- <{u}>")).collect();
    let rotate = r
        .rotate
        .as_deref()
        .map(|u| format!(" Rotate or revoke: {u}"))
        .unwrap_or_default();
    let help_text = format!(
        "{} Vendor: {} ({}); credential kind: {}. Treat a leaked {} credential as compromised: \
         revoke or rotate it with {}, check its use in the provider's logs, then remove it from \
         the code and its history. If this is not a secret, add `plainsight:allow` on the line \
         or its fingerprint to .plainsightignore.{rotate}",
        r.description, r.provider, r.category, r.kind, r.provider, r.provider
    );
    let rotate_md = r
        .rotate
        .as_deref()
        .map(|u| format!(" (<{u}>)"))
        .unwrap_or_default();
    let help_md = format!(
        "**{}** ({}, {}; {})\n\n{}\n\n1. Revoke or rotate the credential with {}{rotate_md}.\n2. Review its use in the \
         provider's audit logs.\n3. Remove it from the code and from git history.\n\nNot a \
         secret? Add `plainsight:allow` to the line, or the finding's fingerprint to \
         `.plainsightignore`.{}",
        r.name,
        r.provider,
        r.category,
        r.kind,
        r.description,
        r.provider,
        if refs_md.is_empty() { String::new() } else { format!("\n\nReferences:{refs_md}") }
    );
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        json!(format!("{:.1}", r.security_severity)),
    );
    props.insert("precision".to_string(), json!(r.precision.as_str()));
    props.insert("provider".to_string(), json!(r.provider));
    props.insert("category".to_string(), json!(r.category.as_str()));
    props.insert("kind".to_string(), json!(r.kind.as_str()));
    if let Some(u) = &r.rotate {
        props.insert("rotate".to_string(), json!(u));
    }
    let mut d = ReportingDescriptor::builder()
        .id(&r.id)
        .name(pascal(&r.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(sentence(&r.name))
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(sentence(&r.description))
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(r.severity.as_str()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec![
                    "security".to_string(),
                    "secret".to_string(),
                    format!("provider/{}", r.provider),
                ])
                .additional_properties(props)
                .build(),
        )
        .build();
    d.help_uri = r.references.first().cloned();
    d
}

fn result(f: &Finding, rule_index: usize, opts: ReportOptions) -> SarifResult {
    let shown = if opts.show_secrets {
        f.secret.expose().to_string()
    } else {
        f.secret.preview()
    };
    let loc = &f.location;
    let region = Region::builder()
        .start_line(to_i64(loc.line))
        .start_column(to_i64(loc.column))
        .end_line(to_i64(loc.end_line))
        .end_column(to_i64(loc.end_column))
        .snippet(
            ArtifactContent::builder()
                .text(f.context.render(opts.show_secrets))
                .build(),
        )
        .build();
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact(&f.path))
        .region(region)
        .build();
    let mut partial = BTreeMap::new();
    partial.insert(
        "primaryLocationLineHash".to_string(),
        format!("{}:1", &f.fingerprint.as_str()[..16]),
    );
    let mut full = BTreeMap::new();
    full.insert(
        "plainsight/v1".to_string(),
        f.fingerprint.as_str().to_string(),
    );
    let mut props = BTreeMap::new();
    props.insert("provider".to_string(), json!(f.rule.provider));
    props.insert("precision".to_string(), json!(f.rule.precision.as_str()));
    if let Some(p) = &f.provenance {
        props.insert("commit".to_string(), json!(p.commit));
        props.insert("author".to_string(), json!(p.author));
        props.insert("authorTime".to_string(), json!(p.time));
        props.insert("otherLocations".to_string(), json!(p.other_locations));
    }
    // Code hosts can only show files of the repository: the location is the archive,
    // and the entry inside it is named here and in the message.
    if let Some(entry) = &f.entry {
        props.insert("archiveEntry".to_string(), json!(entry));
    }
    if !f.decoded.is_empty() {
        let layers: Vec<&str> = f.decoded.iter().map(|l| l.as_str()).collect();
        props.insert("decoded".to_string(), json!(layers));
    }
    SarifResult::builder()
        .rule_id(&f.rule.id)
        .rule_index(to_i64(rule_index))
        .level(level(f.severity))
        .message(text(&{
            let mut m = match &f.entry {
                None => format!("{} found: {shown}.", f.rule.name),
                Some(entry) => format!("{} found in archive entry {entry}: {shown}.", f.rule.name),
            };
            if let Some(d) = &f.details {
                m.push(' ');
                m.push_str(d);
                m.push('.');
            }
            m
        }))
        .locations(vec![Location::builder()
            .physical_location(physical)
            .build()])
        .partial_fingerprints(partial)
        .fingerprints(full)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build()
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An artifact location: relative paths against `%SRCROOT%`, absolute ones as file URIs.
fn artifact(path: &str) -> ArtifactLocation {
    if path.starts_with('/') {
        ArtifactLocation::builder()
            .uri(format!("file://{}", percent_encode(path)))
            .build()
    } else {
        ArtifactLocation::builder()
            .uri(percent_encode(path))
            .uri_base_id(SRCROOT)
            .build()
    }
}

fn dir_uri(dir: &std::path::Path) -> String {
    let mut s = percent_encode(&dir.to_string_lossy());
    if !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{s}")
}

/// Percent-encode a path for a URI reference, keeping `/` and unreserved characters.
pub fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `aws-access-key-id` → `AwsAccessKeyId` (SARIF rule names are identifiers).
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// Ensure text ends with a period (SARIF messages are sentences).
fn sentence(s: &str) -> String {
    let t = s.trim();
    if t.ends_with('.') || t.ends_with('!') || t.ends_with('?') {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(pascal("aws-access-key-id"), "AwsAccessKeyId");
        assert_eq!(percent_encode("a b/ü.txt"), "a%20b/%C3%BC.txt");
        assert_eq!(sentence("A key"), "A key.");
    }
}
