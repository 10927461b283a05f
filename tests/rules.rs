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
fn the_catalogue_covers_at_least_300_rules_and_ids_are_kebab_case() {
    let all = builtin::load().unwrap();
    assert!(all.len() >= 300, "only {} built-in rules", all.len());
    let providers: std::collections::HashSet<&str> =
        all.iter().map(|r| r.info.provider.as_str()).collect();
    assert!(providers.len() >= 150, "only {} providers", providers.len());
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
