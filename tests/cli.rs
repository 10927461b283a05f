//! End-to-end tests of the `plainsight` binary: exit codes, every output format (as insta
//! snapshots), SARIF schema validity, suppression, baselines, config and determinism.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

fn rule_ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn clean_tree_exits_zero_and_findings_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("a.txt", "hello world\n".into())]);
    plainsight()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 findings"));
    write_tree(dir.path(), &[("b.txt", format!("key {}\n", aws_key_id()))]);
    plainsight()
        .arg("scan")
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("aws-access-key-id"));
}

#[test]
fn errors_exit_two() {
    expect_exit_2(["scan", "/definitely/not/here"], &["no such file"]);
    expect_exit_2(["scan", "--format", "xml"], &["invalid value 'xml'"]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().as_os_str();
    expect_exit_2(
        [
            "scan".as_ref(),
            d,
            "--output".as_ref(),
            "/definitely/not/here/out.json".as_ref(),
        ],
        &["cannot write"],
    );
    let scan_with = |flag: &'static str, file: &'static str| -> [&std::ffi::OsStr; 4] {
        ["scan".as_ref(), d, flag.as_ref(), file.as_ref()]
    };
    expect_exit_2(
        scan_with("--config", "/nope.toml"),
        &["cannot read /nope.toml"],
    );
    expect_exit_2(
        scan_with("--baseline", "/nope.json"),
        &["cannot read /nope.json"],
    );
    // A baseline on a device is refused, never read forever.
    plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--baseline", "/dev/zero"])
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/dev/zero"));
}

#[test]
fn text_report_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--threads", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    insta_settings(dir.path()).bind(|| insta::assert_snapshot!("text_report", text));
}

#[test]
fn json_report_snapshot_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let (code, v) = json_scan(dir.path(), &[]);
    assert_eq!(code, 1);
    for key in ["version", "findings", "stats", "skipped"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let f = &v["findings"][0];
    for key in [
        "rule_id",
        "provider",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "fingerprint",
        "preview",
    ] {
        assert!(f.get(key).is_some(), "finding lacks {key}");
    }
    assert!(
        f.get("secret").is_none(),
        "secret must not appear without --show-secrets"
    );
    for key in [
        "files_scanned",
        "bytes_scanned",
        "skipped",
        "findings",
        "elapsed_ms",
    ] {
        assert!(v["stats"].get(key).is_some(), "stats lacks {key}");
    }
    for reason in ["binary", "too_large", "unreadable"] {
        assert!(
            v["stats"]["skipped"].get(reason).is_some(),
            "skipped lacks {reason}"
        );
    }
    assert_eq!(v["stats"]["skipped"]["binary"], 1);
    let pretty = serde_json::to_string_pretty(&v).unwrap();
    insta_settings(dir.path()).bind(|| insta::assert_snapshot!("json_report", pretty));
}

fn sarif_schema() -> jsonschema::Validator {
    let schema_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&schema_path).expect("shared SARIF schema present"),
    )
    .unwrap();
    jsonschema::options()
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid_sarif(v: &Value) {
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(v)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
}

#[test]
fn sarif_report_snapshot_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let out_file = dir.path().join("../plainsight-test-out.sarif");
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif", "--output"])
        .arg(&out_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    std::fs::remove_file(&out_file).ok();
    assert_valid_sarif(&v);
    let run = &v["runs"][0];
    assert_eq!(v["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in rules {
        for key in [
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "helpUri",
            "defaultConfiguration",
            "properties",
        ] {
            assert!(r.get(key).is_some(), "rule lacks {key}: {r}");
        }
        assert!(r["help"].get("markdown").is_some());
        let tags = r["properties"]["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"));
        assert!(r["properties"].get("security-severity").is_some());
        assert!(r["properties"].get("precision").is_some());
    }
    for res in run["results"].as_array().unwrap() {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let loc = &res["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(!loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with('/'));
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"].get(k).is_some());
        }
        assert!(res["partialFingerprints"]["primaryLocationLineHash"].is_string());
    }
    assert!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .starts_with("file:///"));
    let inv = &run["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes
        .iter()
        .any(|n| n["message"]["text"].as_str().unwrap().contains("binary")));
    let text = serde_json::to_string_pretty(&v).unwrap();
    for secret in [aws_key_id(), aws_secret(), github_token(), stripe_key()] {
        assert!(!text.contains(&secret), "SARIF leaks a secret");
    }
    insta_settings(dir.path()).bind(|| insta::assert_snapshot!("sarif_report", text));
}

#[test]
fn empty_sarif_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_valid_sarif(&serde_json::from_slice(&out.stdout).unwrap());
}

#[test]
fn secrets_appear_only_with_show_secrets() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let secrets = [aws_key_id(), aws_secret(), github_token(), stripe_key()];
    for format in ["text", "json", "sarif"] {
        let out = plainsight()
            .arg("scan")
            .arg(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "{format} leaks {s}");
        }
        let out = plainsight()
            .arg("scan")
            .arg(dir.path())
            .args(["--format", format, "--show-secrets"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        for s in &secrets {
            assert!(
                text.contains(s.as_str()),
                "{format} --show-secrets misses {s}"
            );
        }
    }
}

#[test]
fn multi_line_private_key_is_one_finding_with_its_span() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("deploy/key.pem", format!("# deploy key\n{}", rsa_key()))],
    );
    let (code, v) = json_scan(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 1, "{v}");
    assert_eq!(f[0]["rule_id"], "private-key");
    assert_eq!(f[0]["path"], "deploy/key.pem");
    assert_eq!(f[0]["line"], 3);
    assert_eq!(f[0]["end_line"], 7);
}

#[test]
fn dotfiles_are_scanned_but_not_dot_git_and_gitignore_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (".env", format!("K={}\n", aws_key_id())),
            (".git/config", format!("K={}\n", aws_key_id())),
            (".gitignore", "ignored/\n".into()),
            ("ignored/x.txt", format!("K={}\n", aws_key_id())),
        ],
    );
    let (_, v) = json_scan(dir.path(), &[]);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec![".env"]);
    let (_, v) = json_scan(dir.path(), &["--no-ignore"]);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec![".env", "ignored/x.txt"]);
}

#[test]
fn explicit_files_scan_exactly_those() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let out = plainsight()
        .current_dir(dir.path())
        .args(["scan", "src/app.py", "billing.js", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["billing.js", "src/app.py"]);
    assert_eq!(v["stats"]["files_scanned"], 2);
}

#[test]
fn too_large_files_are_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("big.txt", format!("{}\n{}", "a".repeat(2000), aws_key_id()))],
    );
    let (code, v) = json_scan(dir.path(), &["--max-file-size", "1000"]);
    assert_eq!(code, 0);
    assert_eq!(v["stats"]["skipped"]["too_large"], 1);
    assert_eq!(v["skipped"][0]["path"], "big.txt");
    assert_eq!(v["skipped"][0]["reason"], "too_large");
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--max-file-size", "1000"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("too_large 1"));
}

#[test]
fn inline_markers_suppress() {
    let dir = tempfile::tempdir().unwrap();
    let k = aws_key_id();
    write_tree(
        dir.path(),
        &[
            ("a.py", format!("x = '{k}'  # plainsight:allow\n")),
            ("b.py", format!("# gitleaks:allow\nx = '{k}'\n")),
            ("c.py", format!("x = '{k}'  # pragma: allowlist secret\n")),
            ("d.py", format!("# plainsight:allow\n\nx = '{k}'\n")),
        ],
    );
    let (_, v) = json_scan(dir.path(), &[]);
    let paths: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        vec!["d.py"],
        "a marker two lines up must not suppress"
    );
    assert_eq!(v["stats"]["suppressed"]["inline"], 3);
}

#[test]
fn ignore_file_and_baseline_suppress_by_fingerprint() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let (_, first) = json_scan(dir.path(), &[]);
    let all = first["findings"].as_array().unwrap().clone();
    assert!(all.len() >= 4);
    // Ignore the first finding by fingerprint.
    let fp = all[0]["fingerprint"].as_str().unwrap();
    std::fs::write(
        dir.path().join(".plainsightignore"),
        format!("# accepted\n{fp}  # test key\n"),
    )
    .unwrap();
    let (_, v) = json_scan(dir.path(), &[]);
    assert_eq!(v["findings"].as_array().unwrap().len(), all.len() - 1);
    assert_eq!(v["stats"]["suppressed"]["ignore_file"], 1);
    std::fs::remove_file(dir.path().join(".plainsightignore")).unwrap();
    // A baseline hides everything already reported; a new key still shows.
    let base = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(base.path(), serde_json::to_string(&first).unwrap()).unwrap();
    let (code, v) = json_scan(dir.path(), &["--baseline", base.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    write_tree(
        dir.path(),
        &[(
            "new.txt",
            format!("{}\n", stripe_key().replace("KiaE", "Zq9W")),
        )],
    );
    let (code, v) = json_scan(dir.path(), &["--baseline", base.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(rule_ids(&v), vec!["stripe-live-secret-key"]);
    // A malformed ignore file is an error naming file and line.
    std::fs::write(
        dir.path().join(".plainsightignore"),
        "\nnot-a-fingerprint\n",
    )
    .unwrap();
    expect_exit_2(
        ["scan".as_ref(), dir.path().as_os_str()],
        &[".plainsightignore:2"],
    );
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "a.py",
            format!("db_password = \"{}\"\n", ["hT9kLm2", "vQ8zXw4Rb"].concat()),
        )],
    );
    let (code, v) = json_scan(dir.path(), &[]);
    assert_eq!(rule_ids(&v), vec!["generic-password-assignment"]);
    assert_eq!(v["findings"][0]["severity"], "warning");
    assert_eq!(code, 1);
    plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--fail-on", "error"])
        .assert()
        .code(0);
    plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--fail-on", "warning"])
        .assert()
        .code(1);
}

#[test]
fn config_disables_rules_adds_rules_and_excludes_paths() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let token = ["acme_", "Zq8Xw3Vt7Lm2Kp9Rn4Bc"].concat();
    write_tree(
        dir.path(),
        &[
            ("acme.cfg", format!("token={token}\n")),
            (
                ".plainsight.toml",
                format!(
                    "disabled_rules = [\"aws-access-key-id\"]\n\n[allowlist]\npaths = [\"keys/**\"]\n\n{}",
                    acme_rule_toml(&token)
                ),
            ),
        ],
    );
    let (_, v) = json_scan(dir.path(), &[]);
    let ids = rule_ids(&v);
    assert!(ids.contains(&"acme-token".to_string()), "{ids:?}");
    assert!(!ids.contains(&"aws-access-key-id".to_string()), "{ids:?}");
    assert!(!ids.contains(&"private-key".to_string()), "{ids:?}");
    // keys/id_rsa, and the config file itself.
    assert_eq!(v["stats"]["skipped"]["excluded"], 2);
}

#[test]
fn config_errors_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".plainsight.toml"),
        "disabled_rules = []\nmax_file_sise = 10\n",
    )
    .unwrap();
    let scan = ["scan".as_ref(), dir.path().as_os_str()];
    expect_exit_2(scan, &[".plainsight.toml:2: key `max_file_sise`"]);
    std::fs::write(
        dir.path().join(".plainsight.toml"),
        "[[rules]]\nid = \"x\"\nregex = '(unclosed'\n",
    )
    .unwrap();
    expect_exit_2(scan, &[".plainsight.toml:"]);
}

#[test]
fn output_is_deterministic_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        write_tree(
            dir.path(),
            &[(
                &format!("d{}/f{i}.env", i % 7),
                format!("K{i}={}\nS={}\n", aws_key_id(), stripe_key()),
            )],
        );
    }
    let run = |threads: &str| {
        let out = plainsight()
            .arg("scan")
            .arg(dir.path())
            .args(["--format", "json", "--threads", threads])
            .output()
            .unwrap();
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["stats"]["elapsed_ms"] = Value::Null;
        v
    };
    let one = run("1");
    assert_eq!(one["findings"].as_array().unwrap().len(), 120);
    assert_eq!(one, run("2"));
    assert_eq!(one, run("8"));
}

#[test]
fn fingerprints_are_stable_across_line_moves() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("a.txt", format!("{}\n", aws_key_id()))]);
    let (_, a) = json_scan(dir.path(), &[]);
    write_tree(
        dir.path(),
        &[("a.txt", format!("\n\n\n   x = {}\n", aws_key_id()))],
    );
    let (_, b) = json_scan(dir.path(), &[]);
    assert_eq!(
        a["findings"][0]["fingerprint"],
        b["findings"][0]["fingerprint"]
    );
    assert_ne!(a["findings"][0]["line"], b["findings"][0]["line"]);
}

#[test]
fn rules_list_and_check() {
    let out = plainsight()
        .args(["rules", "list", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "aws-access-key-id"));
    let coverage =
        plainsight::rules::catalogue::Coverage::of(&plainsight::rules::builtin::load().unwrap());
    assert_eq!(coverage.rules, rules.len());
    plainsight()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("private-key"))
        .stdout(predicate::str::ends_with(format!(
            "\n\n{} rules for {} providers ({} public-identifier rules, off by default)\n",
            coverage.rules, coverage.providers, coverage.public_identifier_rules
        )));
    let markdown = plainsight()
        .args(["rules", "list", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(markdown.status.code(), Some(0));
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(markdown.starts_with(&format!(
        "{} rules for {} providers",
        coverage.rules, coverage.providers
    )));
    assert!(markdown.contains("- **ai** ("), "{markdown}");
    assert!(markdown.contains("Anthropic"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        r#"[[rules]]
id = "demo-token"
name = "Demo"
provider = "Demo"
description = "Demo."
severity = "error"
security_severity = 5.0
precision = "high"
keywords = ["demo_"]
regex = '''\b(?P<secret>demo_[a-z0-9]{16})\b'''
examples = ["demo_q8w3v7l2k9r4b6h1", "demo_SHORT"]
negative_examples = ["demo_k3m9p2x7q4w8r1t6"]
"#,
    )
    .unwrap();
    plainsight()
        .args(["rules", "check"])
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("examples[1] was not found"))
        .stdout(predicate::str::contains(
            "negative_examples[0] was reported",
        ))
        .stdout(predicate::str::contains("1 passed, 2 failed"));
}

#[test]
fn self_scan_of_the_repository_is_clean() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = plainsight();
    cmd.arg("scan").arg(root).args(["--format", "json"]);
    // target/ and fuzz/{target,corpus,artifacts} stay out through .gitignore.
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["rule_id"].as_str().unwrap()
            )
        })
        .collect();
    assert!(found.is_empty(), "self-scan findings: {found:#?}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn gitlab_secret_detection_report() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "gitlab"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, json) = json_scan(dir.path(), &[]);
    let vulns = v["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), json["findings"].as_array().unwrap().len());
    assert_eq!(v["scan"]["type"], "secret_detection");
    assert!(v["scan"]["start_time"].as_str().unwrap().len() == 19);
    let mut ids = std::collections::HashSet::new();
    for vuln in vulns {
        assert!(
            ids.insert(vuln["id"].as_str().unwrap().to_string()),
            "ids are unique"
        );
        assert!(vuln["identifiers"][0]["value"].is_string());
        assert!(vuln["location"]["file"].is_string());
        assert!(vuln["location"]["commit"]["sha"].is_string());
        assert!(["Critical", "High", "Medium", "Low", "Info"]
            .contains(&vuln["severity"].as_str().unwrap()));
    }
    assert!(v["scan"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["value"].as_str().unwrap().contains("binary")));
    let text = String::from_utf8_lossy(&out.stdout);
    for s in [aws_key_id(), aws_secret(), github_token(), stripe_key()] {
        assert!(!text.contains(&s), "gitlab report leaks a secret");
    }
}

#[test]
fn public_identifiers_claim_their_matches_silently_unless_asked_for() {
    // A Mixpanel project token under a token-named variable: the generic rule would
    // report it as a secret if the public rule did not claim it.
    let token = format!("{}{}", "b5439a148f6f4fa5", "11e3b206fc1f62c6");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("app.js", format!("const mixpanelToken = \"{token}\";\n"))],
    );
    let (code, v) = json_scan(dir.path(), &[]);
    assert_eq!(code, 0, "{v}");
    assert!(rule_ids(&v).is_empty(), "{v}");

    let config = dir.path().join("plainsight.toml");
    std::fs::write(&config, "report_public_identifiers = true\n").unwrap();
    let (code, v) = json_scan(dir.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rule_ids(&v), vec!["mixpanel-project-token"]);
    assert_eq!(v["findings"][0]["severity"], "note", "{v}");
}

#[test]
fn a_generic_finding_names_the_service_its_variable_names() {
    let key = format!("{}{}", "Wq3Zt8Lm2Xv7", "Rk9Pb4NcY6hJ");
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[("settings.py", format!("ZEROBOUNCE_API_KEY = \"{key}\"\n"))],
    );
    let (code, v) = json_scan(dir.path(), &[]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(rule_ids(&v), vec!["generic-secret-assignment"]);
    let details = v["findings"][0]["details"].as_str().unwrap_or_default();
    assert!(details.contains("service: zerobounce"), "{v}");
}

#[test]
fn stand_ins_in_tests_and_docs_are_counted_not_reported_unless_asked_for() {
    // The same guessable password in a test, a docs page and deployable config, a
    // password hash in a tutorial, and a real-format key in a test.
    let word = "fighter";
    let hash = format!(
        "{}{}",
        "$2y$10$92IXUNpkjO0rOQ5byMi.Ye4oKoEa3Ro9llC", "/.og/at2.uheWG/igi"
    );
    let gh = github_token();
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "tests/test_login.py",
                format!("login({{\"password\": \"{word}\"}})\n"),
            ),
            (
                "docs/setup.md",
                format!("    DB_USER: app\n    DB_PASSWORD: {word}\n"),
            ),
            ("config/app.py", format!("DB_PASSWORD = \"{word}\"\n")),
            (
                "docs_src/users.py",
                format!("hashed_password = \"{hash}\"\n"),
            ),
            ("tests/test_client.py", format!("TOKEN = \"{gh}\"\n")),
        ],
    );
    let (code, v) = json_scan(dir.path(), &[]);
    assert_eq!(code, 1, "{v}");
    let mut found: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap().to_string();
            (path, f["rule_id"].as_str().unwrap().to_string())
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "config/app.py".to_string(),
                "generic-password-assignment".to_string()
            ),
            (
                "tests/test_client.py".to_string(),
                "github-personal-access-token".to_string()
            ),
        ],
        "{v}"
    );
    assert_eq!(v["stats"]["suppressed"]["stand_in"], 3, "{v}");

    // The text summary says how many were withheld and how to see them.
    plainsight()
        .args(["scan", dir.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "3 stand-ins in tests or docs withheld (--stand-ins shows them)",
        ));

    // Asked for, they are notes that say why.
    let (_, v) = json_scan(dir.path(), &["--stand-ins"]);
    let notes: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "note")
        .collect();
    assert_eq!(notes.len(), 3, "{v}");
    for n in notes {
        let details = n["details"].as_str().unwrap_or_default();
        assert!(details.starts_with("stand-in:"), "{n}");
    }
    assert!(v["stats"]["suppressed"].get("stand_in").is_none(), "{v}");

    // The config key does the same.
    let config = dir.path().join("plainsight.toml");
    std::fs::write(&config, "report_stand_ins = true\n").unwrap();
    let (_, v) = json_scan(dir.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(v["findings"].as_array().unwrap().len(), 5, "{v}");
}

#[test]
fn a_variable_named_for_tests_makes_its_guessable_value_a_stand_in() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            "ci.yml",
            "env:\n  APP_POSTGRES_USER: app\n  APP_TEST_POSTGRES_PASSWORD: sentry\n  APP_POSTGRES_PASSWORD: sentry\n"
                .to_string(),
        )],
    );
    let (_, v) = json_scan(dir.path(), &[]);
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![4], "{v}");
    assert_eq!(v["stats"]["suppressed"]["stand_in"], 1, "{v}");
}

#[test]
fn stand_ins_counted_are_the_stand_ins_reported_when_asked_for() {
    // Stand-ins found raw, through decoding, and both at once (a Secret's base64 data
    // decoding to an htpasswd line; a percent-encoded URL password).
    let htpasswd = format!(
        "{}{}",
        "dXNlcjp7U0hBfVc2cGg1TW01UHo4R2dp", "VUxiUGd6RzM3bWo5Zz0="
    );
    let url = "mysql://foo:bar%25bar@localhost/baz";
    let secret = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\ntype: Opaque\ndata:\n  auth: {htpasswd}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            ("fixtures/secret.yml", secret.clone()),
            ("tests/UrlTest.php", format!("$url = '{url}';\n")),
            (
                "tests/test_login.py",
                "password = \"incorrect\"\n".to_string(),
            ),
            ("deploy/secret.yml", secret),
        ],
    );
    let (_, quiet) = json_scan(dir.path(), &[]);
    let (_, loud) = json_scan(dir.path(), &["--stand-ins"]);
    let notes = loud["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["details"]
                .as_str()
                .unwrap_or_default()
                .starts_with("stand-in:")
        })
        .count();
    let counted = quiet["stats"]["suppressed"]["stand_in"].as_u64().unwrap();
    assert!(counted >= 3, "{quiet}");
    assert_eq!(counted, notes as u64, "{quiet}\n{loud}");
    assert_eq!(
        quiet["findings"].as_array().unwrap().len() + notes,
        loud["findings"].as_array().unwrap().len(),
        "{quiet}\n{loud}"
    );
    // The Secret outside the fixtures is reported.
    assert!(
        finding_paths(&quiet).contains(&"deploy/secret.yml".to_string()),
        "{quiet}"
    );
}
