//! `plainsight inventory`: a tree (and a history) holding keys of several vendors gives
//! the expected vendors, kinds and counts in every format, `--vendor` narrows to one,
//! suppressions are counted, the HTML page is self-contained, and no output ever holds
//! a secret in clear.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::repo::Repo;
use common::{insta_settings as settings, inventory_tree, plainsight, write_tree};

fn tree() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let (files, secrets) = inventory_tree();
    write_tree(dir.path(), &files);
    (dir, secrets)
}

fn inventory(dir: &Path, args: &[&str]) -> String {
    let out = plainsight()
        .arg("inventory")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "inventory {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&inventory(dir, &all)).unwrap()
}

fn vendor<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("no vendor {name} in {v:#}"))
}

fn kinds(v: &serde_json::Value) -> Vec<(String, u64)> {
    v["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().unwrap().to_string(),
                k["secrets"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The vendors' names, in the inventory's order.
fn vendor_names(v: &serde_json::Value) -> Vec<&str> {
    v["vendors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect()
}

#[test]
fn the_json_inventory_has_one_row_per_vendor_with_kinds_counts_and_data_flows() {
    let (dir, _) = tree();
    let v = json(dir.path(), &[]);
    let schema: serde_json::Value =
        serde_json::from_str(plainsight::report::inventory::INVENTORY_SCHEMA).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let names = vendor_names(&v);
    for n in [
        "OpenAI",
        "Anthropic",
        "Mixpanel",
        "Segment",
        "Sentry",
        "PostHog",
        "AWS",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert_eq!(kinds(vendor(&v, "OpenAI")), [("secret-key".into(), 1)]);
    assert_eq!(kinds(vendor(&v, "AWS")), [("secret-key".into(), 2)]);
    assert_eq!(kinds(vendor(&v, "PostHog")), [("personal-token".into(), 1)]);
    let mixpanel = vendor(&v, "Mixpanel");
    assert_eq!(mixpanel["category"], "analytics-telemetry");
    assert_eq!(kinds(mixpanel), [("service-account".into(), 1)]);
    assert_eq!(mixpanel["identifiers"]["distinct"], 1);
    assert_eq!(
        mixpanel["endpoints"]["files"],
        serde_json::json!(["server/track.py", "web/analytics.js"])
    );
    assert_eq!(vendor(&v, "Segment")["identifiers"]["distinct"], 1);
    assert_eq!(vendor(&v, "PostHog")["identifiers"]["distinct"], 1);
    assert!(
        vendor(&v, "PostHog")["endpoints"]["distinct"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert_eq!(vendor(&v, "Sentry")["identifiers"]["distinct"], 1);
    assert!(
        vendor(&v, "Sentry")["endpoints"]["distinct"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(
        vendor(&v, "OpenAI")["endpoints"]["distinct"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(
        vendor(&v, "Anthropic")["endpoints"]["distinct"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let secret = &vendor(&v, "OpenAI")["secrets"][0];
    assert!(secret["rotate"].as_str().unwrap().starts_with("https://"));
    assert_eq!(v["totals"]["secrets"], 6);
    settings(dir.path()).bind(|| insta::assert_json_snapshot!("inventory_json", v));
}

#[test]
fn the_text_and_markdown_inventories_show_the_same_rows() {
    let (dir, _) = tree();
    let text = inventory(dir.path(), &[]);
    assert!(text.contains("Credentials by kind"), "{text}");
    assert!(text.contains("Data flows"), "{text}");
    let md = inventory(dir.path(), &["--format", "markdown"]);
    assert!(md.starts_with("## Third-party exposure inventory"), "{md}");
    assert!(
        md.contains("| Mixpanel | analytics-telemetry | 1 |"),
        "{md}"
    );
    settings(dir.path()).bind(|| {
        insta::assert_snapshot!("inventory_text", text);
        insta::assert_snapshot!("inventory_markdown", md);
    });
}

#[test]
fn vendor_mixpanel_lists_its_secret_its_token_and_the_files_that_send_it_data() {
    let (dir, _) = tree();
    let v = json(dir.path(), &["--vendor", "mixpanel"]);
    assert_eq!(v["vendor"], "Mixpanel");
    let names = vendor_names(&v);
    assert_eq!(names, ["Mixpanel"]);
    let m = vendor(&v, "Mixpanel");
    assert_eq!(m["secrets"][0]["rule"], "mixpanel-service-account-secret");
    assert_eq!(m["secrets"][0]["locations"][0]["path"], "config/.env");
    assert_eq!(
        m["identifiers"]["locations"][0]["rule"],
        "mixpanel-project-token"
    );
    let text = inventory(dir.path(), &["--vendor", "MIXPANEL"]);
    assert!(text.starts_with("what Mixpanel holds"), "{text}");
    for needle in [
        "server/track.py:2  mixpanel-endpoint",
        "web/analytics.js:2  mixpanel-project-token",
        "rotate: https://",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
}

#[test]
fn an_unknown_vendor_is_an_error_listing_the_known_ones() {
    let (dir, _) = tree();
    plainsight()
        .args(["inventory", "--vendor", "nosuchvendor"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("unknown vendor `nosuchvendor`"))
        .stderr(predicates::str::contains("Mixpanel"));
}

#[test]
fn no_inventory_format_holds_a_secret_in_clear() {
    let (dir, secrets) = tree();
    for format in ["text", "json", "markdown", "html"] {
        for extra in [&[][..], &["--vendor", "mixpanel"][..]] {
            let mut args = vec!["--format", format];
            args.extend_from_slice(extra);
            let out = inventory(dir.path(), &args);
            for s in &secrets {
                assert!(!out.contains(s.as_str()), "{format} {extra:?} shows {s}");
            }
        }
    }
}

#[test]
fn the_html_page_is_self_contained_with_a_table_and_a_chart() {
    let (dir, _) = tree();
    let page = inventory(dir.path(), &["--format", "html"]);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg") && page.contains("<rect") && page.contains("<table>"));
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(
        !page.contains("src="),
        "nothing is loaded: no src attributes"
    );
    assert!(!page.contains("url("), "no CSS fetches");
    assert!(!page.contains("<link"));
    // The only links are rotate pages, as plain anchors.
    for (i, _) in page.match_indices("href=") {
        let before = &page[..i];
        assert!(before.ends_with("<a "), "href outside an anchor at {i}");
    }
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("inventory.html");
    plainsight()
        .args(["inventory", "--format", "html", "--output"])
        .arg(&out)
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(out).unwrap(), page);
}

#[test]
fn suppressions_hide_entries_and_the_inventory_says_how_many() {
    let (dir, _) = tree();
    let env = dir.path().join("config/.env");
    let body = std::fs::read_to_string(&env).unwrap();
    let body = body.replacen('\n', " # plainsight:allow\n", 1);
    std::fs::write(&env, body).unwrap();
    let v = json(dir.path(), &[]);
    assert!(
        v["totals"]["suppressed"]["inline"].as_u64().unwrap() >= 1,
        "{:#}",
        v["totals"]
    );
    assert!(vendor(&v, "Mixpanel")["secrets"]
        .as_array()
        .unwrap()
        .is_empty());
    let text = inventory(dir.path(), &[]);
    assert!(text.contains("hidden by suppressions: "), "{text}");
    assert!(text.contains("(inline "), "{text}");
}

#[test]
fn scan_reports_no_endpoint_uses_and_no_public_identifiers() {
    let (dir, _) = tree();
    let out = plainsight()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap_or_default())
        .collect();
    assert!(!rules.is_empty());
    assert!(
        rules
            .iter()
            .all(|r| !r.ends_with("-endpoint") && !r.ends_with("-sdk")),
        "{rules:?}"
    );
    assert!(!rules.contains(&"mixpanel-project-token"), "{rules:?}");
}

#[test]
fn git_mode_gives_first_and_last_commit_and_whether_head_still_holds_the_key() {
    let repo = Repo::new();
    let d = repo.path.as_path();
    let (files, secrets) = inventory_tree();
    // Commit 1: the OpenAI key arrives; commit 2: the file is edited, the key kept;
    // commit 3: the key is removed. The Anthropic key stays throughout.
    let openai = &secrets[0];
    let anthropic = &secrets[1];
    repo.write("a.py", format!("OPENAI_API_KEY=\"{openai}\"\n").as_bytes());
    repo.write(
        "b.py",
        format!("ANTHROPIC_API_KEY=\"{anthropic}\"\n").as_bytes(),
    );
    repo.git(&["add", "."]);
    let first = repo.commit("add keys");
    let second = repo.add_commit(
        "a.py",
        &format!("# v2\nOPENAI_API_KEY=\"{openai}\"\n"),
        "edit",
    );
    repo.add_commit("a.py", "import os\n", "remove the key");
    let v = json(d, &["--git"]);
    assert_eq!(v["mode"], "history");
    let o = &vendor(&v, "OpenAI")["secrets"][0]["history"];
    assert_eq!(o["first_commit"]["commit"], first.as_str());
    assert_eq!(o["last_commit"]["commit"], second.as_str());
    assert_eq!(o["present_at_head"], false);
    let a = &vendor(&v, "Anthropic")["secrets"][0]["history"];
    assert_eq!(a["present_at_head"], true);
    let text = inventory(d, &["--git"]);
    assert!(
        text.contains("removed from HEAD, alive in history"),
        "{text}"
    );
    assert!(text.contains("still present at HEAD"), "{text}");
    assert!(text.contains("first 2024-01-01"), "{text}");
    for s in [openai, anthropic] {
        assert!(!text.contains(s.as_str()));
    }
    drop(files);
}
