//! Every built-in rule proves itself: its examples are found *by that rule* through the
//! whole pipeline with every other rule present, its negative examples are not, each
//! example contains one of its keywords, and its metadata is complete.

#![allow(clippy::unwrap_used)]

use plainsight::rules::{builtin, check, RuleSet};

fn assert_no_failures(outcome: &check::Outcome) {
    let failures: Vec<String> = outcome.failures.iter().map(ToString::to_string).collect();
    assert!(
        failures.is_empty(),
        "{} failing examples:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_builtin_rule_passes_its_own_examples() {
    let all = builtin::load().expect("built-in rules parse");
    let set = RuleSet::new(all).expect("built-in rule ids are unique");
    let outcome = check::check(set).unwrap();
    assert_no_failures(&outcome);
    assert!(
        outcome.examples >= outcome.rules * 3,
        "every rule has >= 2 examples and >= 1 negative"
    );
}

/// `build.rs` parses the built-in files ahead of time; loading that form must give the
/// very rules that parsing the TOML and every pattern at run time gives.
#[test]
fn rules_prepared_at_build_time_equal_rules_parsed_at_run_time() {
    let prepared = builtin::load().unwrap();
    let parsed = builtin::load_parsed().unwrap();
    assert_eq!(prepared.len(), parsed.len());
    assert!(prepared.len() >= 100, "{} rules", prepared.len());
    for (a, b) in prepared.iter().zip(&parsed) {
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}", a.id());
    }
}

/// The default rule set walks the keyword table `build.rs` prepared instead of building
/// one at every start; so does one with a few rules disabled.
#[test]
fn the_builtin_rule_set_uses_the_prepared_keyword_table() {
    let set = RuleSet::new(builtin::load().unwrap()).unwrap();
    assert!(set.prefilter().is_prepared());
    let mut rules = builtin::load().unwrap();
    rules.retain(|r| !r.id().starts_with("aws-"));
    assert!(RuleSet::new(rules).unwrap().prefilter().is_prepared());
}

#[test]
fn every_builtin_rule_has_complete_metadata() {
    for r in builtin::load().unwrap() {
        let i = &r.info;
        assert!(
            !i.name.trim().is_empty() && !i.provider.trim().is_empty(),
            "{}",
            i.id
        );
        assert!(i.description.len() >= 20, "{}: description too short", i.id);
        assert!(!i.references.is_empty(), "{}: needs a references URL", i.id);
        for u in &i.references {
            assert!(
                u.starts_with("https://"),
                "{}: reference {u} is not an https URL",
                i.id
            );
        }
        assert!(
            r.examples.len() >= 2 && !r.negative_examples.is_empty(),
            "{}",
            i.id
        );
        if i.public_identifier {
            assert_eq!(
                i.severity,
                plainsight::Severity::Note,
                "{}: public identifiers report as notes",
                i.id
            );
        }
    }
}

#[test]
fn public_identifier_rules_are_loaded_but_silent_by_default() {
    let default = RuleSet::builtin().unwrap();
    let public: Vec<_> = default
        .rules()
        .iter()
        .filter(|r| r.info.public_identifier)
        .collect();
    assert!(
        !public.is_empty(),
        "public rules stay loaded to claim matches"
    );
    assert!(public.iter().all(|r| !r.reports()));
    assert!(default
        .rules()
        .iter()
        .filter(|r| !r.info.public_identifier)
        .all(plainsight::rules::Rule::reports));
    let all = builtin::load().unwrap();
    assert!(
        all.iter().any(|r| r.info.public_identifier),
        "some public-identifier rules exist"
    );
}

#[test]
fn the_catalogue_covers_at_least_800_rules_for_500_providers_with_ascii_keywords() {
    let all = builtin::load().unwrap();
    assert!(all.len() >= 800, "only {} built-in rules", all.len());
    let providers: std::collections::HashSet<&str> =
        all.iter().map(|r| r.info.provider.as_str()).collect();
    assert!(providers.len() >= 500, "only {} providers", providers.len());
    for r in &all {
        for kw in &r.info.keywords {
            assert!(
                kw.is_ascii(),
                "{}: keyword {kw:?} must be ASCII (matched ASCII-case-insensitively)",
                r.info.id
            );
        }
    }
}

#[test]
fn every_endpoint_rule_passes_its_own_examples_beside_every_credential_rule() {
    let mut all = builtin::load().unwrap();
    all.extend(builtin::endpoints().expect("endpoint rules parse"));
    let outcome = check::check(RuleSet::new(all).unwrap()).unwrap();
    assert_no_failures(&outcome);
}

#[test]
fn every_rule_names_its_vendor_category_kind_and_rotate_page() {
    use plainsight::rules::{Category, CredentialKind};
    let credentials = builtin::load().unwrap();
    let endpoints = builtin::endpoints().unwrap();
    let mut categories = std::collections::HashMap::new();
    for r in credentials.iter().chain(&endpoints) {
        let i = &r.info;
        assert_ne!(i.category, Category::Other, "{}: no vendor table", i.id);
        let rotate = i.rotate.as_deref().unwrap_or_default();
        assert!(
            rotate.starts_with("https://"),
            "{}: rotate {rotate:?}",
            i.id
        );
        assert_eq!(
            i.public_identifier,
            i.kind == CredentialKind::PublicIdentifier,
            "{}: public_identifier and kind public-identifier go together",
            i.id
        );
        let first = *categories.entry(i.provider.clone()).or_insert(i.category);
        assert_eq!(
            first, i.category,
            "{}: {} has two categories",
            i.id, i.provider
        );
    }
    assert!(credentials
        .iter()
        .all(|r| r.info.kind != CredentialKind::Endpoint));
    assert!(endpoints
        .iter()
        .all(|r| r.info.kind == CredentialKind::Endpoint));
    let vendors: std::collections::HashSet<&str> =
        endpoints.iter().map(|r| r.info.provider.as_str()).collect();
    assert!(
        vendors.len() >= 40,
        "endpoint rules cover {} vendors",
        vendors.len()
    );
}

/// README's "Providers" section between its markers, as `rules list --format markdown`
/// prints it.
fn readme_providers_section() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = "<!-- providers:start (plainsight rules list --format markdown) -->\n";
    let end = "<!-- providers:end -->";
    let from = readme
        .find(start)
        .expect("README has the providers start marker")
        + start.len();
    let to = readme[from..]
        .find(end)
        .expect("README has the providers end marker")
        + from;
    readme[from..to].to_string()
}

#[test]
fn readme_lists_exactly_the_builtin_providers_by_category() {
    let all = builtin::load().unwrap();
    let expected = plainsight::rules::catalogue::providers_markdown(&all);
    assert!(
        readme_providers_section() == expected,
        "README's providers list is stale: replace the section between the providers markers \
         with the output of `plainsight rules list --format markdown`"
    );
}

#[test]
fn the_providers_list_names_each_provider_once_under_its_category() {
    use plainsight::rules::catalogue::{providers_markdown, Coverage};
    let all = builtin::load().unwrap();
    let md = providers_markdown(&all);
    let coverage = Coverage::of(&all);
    assert!(md.starts_with(&format!(
        "{} rules for {} providers",
        all.len(),
        coverage.providers
    )));
    let mut listed = Vec::new();
    for line in md.lines().filter(|l| l.starts_with("- **")) {
        let (head, names) = line.split_once("): ").unwrap();
        let count: usize = head.rsplit_once(" (").unwrap().1.parse().unwrap();
        let names: Vec<&str> = names.split(", ").collect();
        assert_eq!(count, names.len(), "{line}");
        listed.extend(names);
    }
    assert_eq!(
        listed.len(),
        coverage.providers,
        "every provider listed exactly once"
    );
    for r in &all {
        let line = md
            .lines()
            .find(|l| l.starts_with(&format!("- **{}** (", r.info.category)))
            .unwrap();
        assert!(
            line.split_once("): ")
                .unwrap()
                .1
                .split(", ")
                .any(|n| n == r.info.provider),
            "{} is not listed under {}",
            r.info.provider,
            r.info.category
        );
    }
}
