//! Moving to plainsight from gitleaks or detect-secrets, and the habits of a CLI: gitleaks
//! configs and ignore files, `import`, other tools' inline markers, baselines, config
//! discovery and `config check`, completions, man page, report schema, and the CI
//! integrations' metadata. All through the real binary; fake keys are assembled at run
//! time so the repository's self-scan stays clean.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn run_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = plainsight()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `path:line:rule` of every finding, sorted.
fn hits(v: &Value) -> Vec<String> {
    let mut h: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["rule_id"].as_str().unwrap()
            )
        })
        .collect();
    h.sort();
    h
}

/// A 24-character token for the custom gitleaks rule, `head` first.
fn token(head: &str) -> String {
    format!(
        "{head}{}",
        &["v7l2k9r4", "b6h1z5x0c2m7q8w3"].concat()[..24 - head.len()]
    )
}

const GITLEAKS_TOML: &str = r#"title = "acme gitleaks config"

[extend]
useDefault = true

[[rules]]
id = "acme-token"
description = "ACME internal token"
regex = '''(?i)acme[_-]?token\s*[:=]\s*["']?([a-z0-9]{24})["']?'''
secretGroup = 1
entropy = 3.0
keywords = ["acme"]
tags = ["internal"]

[[rules.allowlists]]
regexTarget = "line"
regexes = ['''ALLOWME''']

[[rules]]
id = "legacy-pin"
description = "Legacy PIN"
regex = '''pin_[0-9]{8}'''
path = '''\.cfg$'''

[allowlist]
description = "vendored code and examples"
paths = ['''(^|/)vendor/''']
stopwords = ["example"]

[[allowlists]]
description = "test tokens in fixtures"
targetRules = ["acme-token"]
condition = "AND"
paths = ['''^fixtures/''']
regexes = ['''^test''']

[[allowlists]]
commits = ["0123456789abcdef0123456789abcdef01234567"]
unknownThing = 1

[[allowlists]]
description = "the whole match, tested by each rule itself"
regexTarget = "match"
regexes = ['''= "m8w3''']
"#;

/// The tree the gitleaks tests scan, and the findings gitleaks gives on it.
fn gitleaks_tree(root: &Path) -> Vec<String> {
    let aws = aws_key_id();
    write_tree(
        root,
        &[
            (
                "app.env",
                format!(
                    "acme_token = \"{}\"\nacme_token = \"{}\" # ALLOWME\nAWS={aws}\n",
                    token("q8w3"),
                    token("a8w3")
                ),
            ),
            (
                "vendor/x.env",
                format!("acme_token = \"{}\"\nAWS={aws}\n", token("z9z9")),
            ),
            (
                "fixtures/a.env",
                format!(
                    "acme_token = \"{}\"\nacme_token = \"{}\"\n",
                    token("test"),
                    token("zzzz")
                ),
            ),
            (
                "other/b.env",
                format!("acme_token = \"{}\"\n", token("test")),
            ),
            (
                "notes/example.txt",
                format!("acme_token = \"{}\"\n", token("example1")),
            ),
            ("m.env", format!("acme_token = \"{}\"\n", token("m8w3"))),
            ("a.txt", ["pin", "_12345678\n"].concat()),
            ("b.cfg", ["pin", "_87654321\n"].concat()),
        ],
    );
    vec![
        "app.env:1:acme-token".into(),
        "app.env:3:aws-access-key-id".into(),
        "b.cfg:1:legacy-pin".into(),
        "fixtures/a.env:2:acme-token".into(),
        "other/b.env:1:acme-token".into(),
    ]
}

#[test]
fn gitleaks_config_gives_the_findings_gitleaks_would() {
    let dir = tempfile::tempdir().unwrap();
    let want = gitleaks_tree(dir.path());
    std::fs::write(dir.path().join(".gitleaks.toml"), GITLEAKS_TOML).unwrap();
    let (code, v, stderr) = run_json(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_eq!(hits(&v), want, "{stderr}");
    // Line allowlist, vendor path, stopword, fixtures AND: 4 allowed; a.txt is outside
    // legacy-pin's path.
    assert_eq!(v["stats"]["suppressed"]["allowlist"], 5, "{}", v["stats"]);
    assert_eq!(v["stats"]["suppressed"]["rule_path"], 1);
    assert!(
        stderr.contains(".gitleaks.toml:39: key `allowlists.unknownThing`"),
        "{stderr}"
    );
    // Without `useDefault`, only the file's rules run.
    let only = GITLEAKS_TOML.replace("useDefault = true", "useDefault = false");
    std::fs::write(dir.path().join(".gitleaks.toml"), only).unwrap();
    let (_, v, _) = run_json(dir.path(), &["."]);
    assert!(
        !hits(&v).iter().any(|h| h.contains("aws")),
        "{:?}",
        hits(&v)
    );
}

#[test]
fn gitleaks_config_is_found_by_flag_env_and_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    gitleaks_tree(root);
    let cfg = root.join("ci/leaks.toml");
    write_tree(root, &[("ci/leaks.toml", GITLEAKS_TOML.into())]);
    let custom = |v: &Value| hits(v).iter().any(|h| h.contains("acme-token"));
    // --config, detected by content though not named .gitleaks.toml.
    let (_, v, _) = run_json(root, &[".", "--config", cfg.to_str().unwrap()]);
    assert!(custom(&v));
    let (_, v, _) = run_json(root, &["."]);
    assert!(!custom(&v), "no config found yet");
    // GITLEAKS_CONFIG and GITLEAKS_CONFIG_TOML.
    for (var, value) in [
        ("GITLEAKS_CONFIG", cfg.to_str().unwrap().to_string()),
        ("GITLEAKS_CONFIG_TOML", GITLEAKS_TOML.to_string()),
    ] {
        let out = plainsight()
            .current_dir(root)
            .args(["scan", ".", "--format", "json"])
            .env(var, value)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(custom(&v), "{var}");
    }
    // The repository root's .gitleaks.toml, scanning a subdirectory.
    std::fs::write(root.join(".gitleaks.toml"), GITLEAKS_TOML).unwrap();
    // Paths are relative to the scan root, as in gitleaks: `^fixtures/` no longer
    // matches there.
    let (_, v, _) = run_json(&root.join("fixtures"), &["."]);
    let both: Vec<String> = [1, 2].map(|l| format!("a.env:{l}:acme-token")).into();
    assert_eq!(hits(&v), both);
    // A .plainsight.toml wins over it.
    std::fs::write(root.join(".plainsight.toml"), "builtin_rules = true\n").unwrap();
    let (_, v, _) = run_json(root, &["."]);
    assert!(!custom(&v));
}

#[test]
fn gitleaks_regex_that_does_not_compile_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".gitleaks.toml"),
        "[[rules]]\nid = \"broken\"\n\nregex = '''(unclosed'''\n",
    )
    .unwrap();
    expect_exit_2(
        ["scan".as_ref(), dir.path().as_os_str()],
        &[".gitleaks.toml:4: key `rules[0].regex`", "invalid regex"],
    );
    std::fs::write(
        dir.path().join(".gitleaks.toml"),
        "[[rules]]\nid = \"g\"\nregex = '''k(a)'''\nsecretGroup = 4\nkeywords = [\"k\"]\n",
    )
    .unwrap();
    expect_exit_2(
        ["scan".as_ref(), dir.path().as_os_str()],
        &[".gitleaks.toml:3: key `rules[0].regex`", "secretGroup 4"],
    );
}

#[test]
fn gitleaksignore_entries_suppress_their_findings() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let (_, all, _) = run_json(dir.path(), &["."]);
    let first = &all["findings"][0];
    let entry = format!(
        "# accepted\n{}:{}:{}\n0123456789abcdef0123456789abcdef01234567:src/app.py:github-pat:3\n",
        first["path"].as_str().unwrap(),
        first["rule_id"].as_str().unwrap(),
        first["line"]
    );
    std::fs::write(dir.path().join(".gitleaksignore"), entry).unwrap();
    let (_, v, _) = run_json(dir.path(), &["."]);
    assert_eq!(
        v["findings"].as_array().unwrap().len(),
        all["findings"].as_array().unwrap().len() - 1
    );
    assert_eq!(v["stats"]["suppressed"]["gitleaks_ignore"], 1);
    std::fs::write(dir.path().join(".gitleaksignore"), "just-a-word\n").unwrap();
    expect_exit_2(
        ["scan".as_ref(), dir.path().as_os_str()],
        &[".gitleaksignore:1"],
    );
}

#[test]
fn every_tools_inline_marker_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    let k = aws_key_id();
    let cases = [
        ("gitleaks.py", format!("x = '{k}'  # gitleaks:allow\n")),
        ("betterleaks.py", format!("# betterleaks:allow\nx = '{k}'\n")),
        ("kingfisher.py", format!("x = '{k}'  # kingfisher:ignore\n")),
        ("trufflehog.py", format!("x = '{k}'  # trufflehog:ignore\n")),
        ("pragma.py", format!("x = '{k}'  # pragma: allowlist secret\n")),
        ("nextline.py", format!("# pragma: allowlist nextline secret\nx = '{k}'\n")),
        ("sl-line.js", format!("const x = '{k}'; // secretlint-disable-line\n")),
        ("sl-next.js", format!("// secretlint-disable-next-line\nconst x = '{k}';\n")),
        (
            "sl-block.js",
            format!("/* secretlint-disable */\nconst a = 1;\nconst x = '{k}';\n/* secretlint-enable */\n"),
        ),
        // Reported: a next-line marker does not cover its own line, a block ends.
        ("sl-next-own.js", format!("const x = '{k}'; // secretlint-disable-next-line\n")),
        (
            "sl-after.js",
            format!("/* secretlint-disable */\n/* secretlint-enable */\nconst x = '{k}';\n"),
        ),
    ];
    write_tree(dir.path(), &cases);
    let (_, v, _) = run_json(dir.path(), &["."]);
    assert_eq!(finding_paths(&v), vec!["sl-after.js", "sl-next-own.js"]);
    assert_eq!(v["stats"]["suppressed"]["inline"], 9);
}

#[test]
fn import_gitleaks_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let want = gitleaks_tree(dir.path());
    // Rule paths have no .plainsight.toml form: keep this file to the rest.
    let toml = GITLEAKS_TOML.replace("path = '''\\.cfg$'''\n", "");
    std::fs::write(dir.path().join(".gitleaks.toml"), &toml).unwrap();
    let history_entry = "0123456789abcdef0123456789abcdef01234567:app.env:acme-token:2";
    std::fs::write(
        dir.path().join(".gitleaksignore"),
        format!("app.env:acme-token:1\n{history_entry}\n"),
    )
    .unwrap();
    let (_, before, _) = run_json(dir.path(), &["."]);
    let out = plainsight()
        .current_dir(dir.path())
        .args(["import", "gitleaks"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let said = String::from_utf8(out).unwrap();
    assert!(said.contains("wrote ./.plainsight.toml"), "{said}");
    assert!(
        said.contains("not converted: ") && said.contains("unknownThing"),
        "{said}"
    );
    // The entry naming a current finding became a baseline entry; the history one
    // is listed.
    assert!(said.contains("wrote ./.plainsight-baseline.json"), "{said}");
    assert!(
        said.contains(&format!("`{history_entry}` names no finding")),
        "{said}"
    );
    std::fs::remove_file(dir.path().join(".gitleaks.toml")).unwrap();
    let (_, after, stderr) = run_json(dir.path(), &["."]);
    assert_eq!(hits(&after), hits(&before), "{stderr}");
    assert!(
        !hits(&after).contains(&want[0]),
        "the .gitleaksignore entry still applies"
    );
    assert_eq!(after["stats"]["suppressed"], before["stats"]["suppressed"]);
    std::fs::remove_file(dir.path().join(".gitleaksignore")).unwrap();
    let (_, base, _) = run_json(
        dir.path(),
        &[".", "--baseline", ".plainsight-baseline.json"],
    );
    assert_eq!(hits(&base), hits(&before));
    assert_eq!(base["stats"]["suppressed"]["baseline"], 1);
    // A second import does not overwrite without --force.
    std::fs::write(dir.path().join(".gitleaks.toml"), &toml).unwrap();
    expect_exit_2(
        [
            "import".as_ref(),
            "gitleaks".as_ref(),
            dir.path().as_os_str(),
        ],
        &["exists already"],
    );
}

#[test]
fn import_detect_secrets_keeps_its_accepted_secrets_accepted() {
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    let key = aws_key_id();
    let sha1 = plainsight::baseline::sha1_hex(&key);
    let ds = serde_json::json!({
        "version": "1.5.0",
        "plugins_used": [{"name": "AWSKeyDetector"}],
        "filters_used": [{"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^vendor/"]}],
        "results": {
            "config/.env": [{"type": "AWS Access Key", "filename": "config/.env",
                              "hashed_secret": sha1, "is_verified": false, "line_number": 1}]
        },
        "generated_at": "2025-01-01T00:00:00Z"
    });
    std::fs::write(dir.path().join(".secrets.baseline"), ds.to_string()).unwrap();
    let out = plainsight()
        .args(["import", "detect-secrets"])
        .arg(dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("should_exclude_file") && said.contains("plugins_used"),
        "{said}"
    );
    let base = dir.path().join(".plainsight-baseline.json");
    let text = std::fs::read_to_string(&base).unwrap();
    assert!(text.contains(&sha1) && !text.contains(&key), "{text}");
    let (_, v, _) = run_json(dir.path(), &[".", "--baseline", base.to_str().unwrap()]);
    assert_eq!(v["stats"]["suppressed"]["baseline"], 1);
    assert!(!hits(&v).contains(&"config/.env:1:aws-access-key-id".to_string()));
    // The same key in another file is not accepted.
    write_tree(dir.path(), &[("copy.env", format!("K={key}\n"))]);
    let (_, v, _) = run_json(dir.path(), &[".", "--baseline", base.to_str().unwrap()]);
    assert!(hits(&v).contains(&"copy.env:1:aws-access-key-id".to_string()));
}

#[test]
fn baseline_create_rescan_move_copy_and_prune() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    sample_tree(root);
    let baseline = |op: &str| {
        let out = plainsight()
            .current_dir(root)
            .args(["baseline", op])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let said = baseline("create");
    assert!(
        said.contains(".plainsight-baseline.json: 5 entries"),
        "{said}"
    );
    let file = root.join(".plainsight-baseline.json");
    let first = std::fs::read_to_string(&file).unwrap();
    let doc: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(doc["version"], 1);
    let entries = doc["entries"].as_array().unwrap();
    let keys: Vec<String> = entries
        .iter()
        .map(|e| e["path"].to_string() + &e["fingerprint"].to_string())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "entries are sorted");
    assert!(entries.iter().all(|e| e.get("line").is_none()));
    assert!(!first.contains(&aws_key_id()), "never the secret");
    // Regenerating an unchanged tree is byte-identical.
    baseline("create");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);
    // Lines added above: still suppressed, the file unchanged by an update.
    let env = root.join("config/.env");
    let body = std::fs::read_to_string(&env).unwrap();
    std::fs::write(&env, format!("# moved down\n\n{body}")).unwrap();
    let (code, v, _) = run_json(root, &[".", "--baseline", ".plainsight-baseline.json"]);
    assert_eq!((code, hits(&v)), (0, Vec::<String>::new()));
    assert_eq!(v["stats"]["suppressed"]["baseline"], 5);
    // A reason written by hand survives update.
    let mut with_reason = doc.clone();
    for e in with_reason["entries"].as_array_mut().unwrap() {
        if e["path"] == "config/.env" {
            e["reason"] = "test fixture, revoked".into();
        }
    }
    std::fs::write(&file, serde_json::to_string_pretty(&with_reason).unwrap()).unwrap();
    assert!(baseline("update").contains("0 added"));
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("test fixture, revoked"));
    // The key copied into a new file is reported: the path is part of the key.
    write_tree(root, &[("copy/.env", format!("K={}\n", aws_key_id()))]);
    let (code, v, _) = run_json(root, &[".", "--baseline", ".plainsight-baseline.json"]);
    assert_eq!(
        (code, hits(&v)),
        (1, vec!["copy/.env:1:aws-access-key-id".to_string()])
    );
    // Prune drops what is gone and says how many.
    std::fs::remove_file(root.join("billing.js")).unwrap();
    std::fs::remove_dir_all(root.join("copy")).unwrap();
    let said = baseline("prune");
    assert!(
        said.contains("pruned 1 entry whose finding is gone, 4 kept"),
        "{said}"
    );
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("test fixture, revoked"));
}

#[test]
fn config_is_discovered_from_a_subdirectory_up_to_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path();
    let repo = outer.join("repo");
    sample_tree(&repo.join("sub"));
    std::fs::create_dir(repo.join(".git")).unwrap();
    let disable = "disabled_rules = [\"stripe-live-secret-key\"]\n";
    let stripe = |v: &Value| hits(v).iter().any(|h| h.contains("stripe"));
    // Above the repository root: not read.
    std::fs::write(outer.join(".plainsight.toml"), disable).unwrap();
    let (_, v, _) = run_json(&repo.join("sub"), &["."]);
    assert!(stripe(&v));
    // At the repository root: read from a subdirectory, and for a path given.
    std::fs::write(repo.join(".plainsight.toml"), disable).unwrap();
    let (_, v, _) = run_json(&repo.join("sub"), &["."]);
    assert!(!stripe(&v));
    let (_, v, _) = run_json(outer, &["repo/sub/config"]);
    assert_eq!(v["findings"].as_array().unwrap().len(), 2);
    // --config overrides.
    let empty = outer.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let (_, v, _) = run_json(
        &repo.join("sub"),
        &[".", "--config", empty.to_str().unwrap()],
    );
    assert!(stripe(&v));
}

#[test]
fn config_check_prints_the_effective_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[(
            ".plainsight.toml",
            "disabled_rules = [\"stripe-live-secret-key\"]\n\n[allowlist]\npaths = [\"vendor/**\"]\n\n[[allowlists]]\ndescription = \"docs\"\ntarget = \"line\"\nregexes = ['EXAMPLE']\n".into(),
        )],
    );
    let out = plainsight()
        .args(["config", "check"])
        .arg(dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    for needle in [
        ".plainsight.toml (plainsight format)",
        "disabled: stripe-live-secret-key",
        "excluded paths: vendor/**",
        "target line, 1 regexes",
        "— docs",
        "ok: the configuration is valid",
    ] {
        assert!(said.contains(needle), "missing `{needle}` in {said}");
    }
    std::fs::write(
        dir.path().join(".plainsight.toml"),
        "[[allowlists]]\ncondition = \"sometimes\"\n",
    )
    .unwrap();
    expect_exit_2(
        ["config".as_ref(), "check".as_ref(), dir.path().as_os_str()],
        &[".plainsight.toml:2: key `allowlists[0].condition`"],
    );
}

#[test]
fn a_custom_rules_examples_are_not_reported_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let example = ["acme_", "Zq8Xw3Vt7Lm2Kp9Rn4Bc"].concat();
    let config = acme_rule_toml(&example);
    write_tree(
        dir.path(),
        &[
            (".plainsight.toml", config),
            ("app.cfg", format!("token={example}\n")),
        ],
    );
    let (_, v, _) = run_json(dir.path(), &["."]);
    assert_eq!(hits(&v), vec!["app.cfg:1:acme-token"]);
    // The config file in use is configuration, not code: skipped, and counted.
    assert_eq!(v["stats"]["skipped"]["excluded"], 1);
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = plainsight().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("plainsight") && text.contains("baseline"),
            "{shell}"
        );
    }
    let out = plainsight().arg("man").output().unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH plainsight 1"),
        "{page}"
    );
    assert!(
        page.contains(".SH NAME") && page.contains("rules)"),
        "{page}"
    );
}

#[test]
fn version_shows_the_rule_count() {
    let out = plainsight().arg("--version").output().unwrap();
    let v = String::from_utf8(out.stdout).unwrap();
    let n = plainsight::rules::builtin::load().unwrap().len();
    assert_eq!(
        v.trim(),
        format!("plainsight {} ({n} rules)", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn report_schema_validates_json_and_every_jsonl_line() {
    let out = plainsight().args(["schema", "report"]).output().unwrap();
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = jsonschema::options()
        .build(&schema)
        .expect("schema compiles");
    let check = |v: &Value, what: &str| {
        let errors: Vec<String> = validator
            .iter_errors(v)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    };
    let dir = tempfile::tempdir().unwrap();
    sample_tree(dir.path());
    write_tree(
        dir.path(),
        &[(
            "a.py",
            format!("x = '{}'  # plainsight:allow\n", aws_key_id()),
        )],
    );
    for extra in [&[][..], &["--show-secrets"][..]] {
        let (_, v, _) = run_json(dir.path(), &[&["."][..], extra].concat());
        assert!(!v["findings"].as_array().unwrap().is_empty());
        check(&v, "json");
        let out = plainsight()
            .current_dir(dir.path())
            .args(["scan", ".", "--format", "jsonl"])
            .args(extra)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            check(&serde_json::from_str(line).unwrap(), line);
        }
    }
    // A history scan's findings carry `commit`.
    let repo = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .current_dir(repo.path())
            .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "."]);
    write_tree(repo.path(), &[("k.env", format!("K={}\n", aws_key_id()))]);
    git(&["add", "."]);
    git(&["commit", "-qm", "k"]);
    let out = plainsight()
        .args(["git", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"][0]["commit"].is_object());
    check(&v, "git json");
    // The schema is strict: an unknown key fails.
    let mut bad = v.clone();
    bad["findings"][0]["surprise"] = Value::Bool(true);
    assert!(!validator.is_valid(&bad));
}

#[test]
fn github_action_and_gitlab_template_have_the_required_shape() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let action: serde_norway::Value =
        serde_norway::from_str(&std::fs::read_to_string(root.join("action.yml")).unwrap()).unwrap();
    for key in ["name", "description", "inputs", "runs"] {
        assert!(action.get(key).is_some(), "action.yml lacks {key}");
    }
    assert_eq!(action["runs"]["using"].as_str(), Some("composite"));
    let steps = action["runs"]["steps"].as_sequence().unwrap();
    assert!(!steps.is_empty());
    for s in steps {
        if s.get("run").is_some() {
            assert!(
                s.get("shell").is_some(),
                "composite run steps need a shell: {s:?}"
            );
        }
    }
    let text = std::fs::read_to_string(root.join("action.yml")).unwrap();
    for needle in [
        "cargo install --locked",
        "--range",
        "--format sarif",
        "github/codeql-action/upload-sarif",
        "--fail-on",
    ] {
        assert!(text.contains(needle), "action.yml lacks {needle}");
    }
    assert!(action["inputs"]["fail-on"].is_mapping());
    let gitlab: serde_norway::Value = serde_norway::from_str(
        &std::fs::read_to_string(root.join("ci/gitlab/plainsight.gitlab-ci.yml")).unwrap(),
    )
    .unwrap();
    let job = &gitlab["plainsight"];
    assert!(job["script"].as_sequence().is_some_and(|s| !s.is_empty()));
    assert!(job["artifacts"]["reports"]["secret_detection"].is_string());
    let script = serde_norway::to_string(&job["script"]).unwrap();
    assert!(script.contains("--format gitlab"), "{script}");
}
