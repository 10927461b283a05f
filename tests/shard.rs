//! `plainsight git --shard I/N` and `plainsight merge`: the shards of a history, merged,
//! give what one run over the whole history gives, in every format; reports that cannot
//! be folded together (other rules, another version, missing shards, broken JSON) are
//! refused with the files named.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::plainsight;
use common::repo::{key, Repo};
use serde_json::Value;

/// A history with what folding has to get right: one key kept through several edits
/// (one secret in many blob versions), a rename, a branch merged back, a key added and
/// removed, the same key in two files, a binary blob (a skip), and filler files so that
/// three shards each get some blobs.
fn history() -> Repo {
    let repo = Repo::new();
    repo.add_commit("README.md", "hello\n", "readme");
    let mut config = format!("[aws]\naws_access_key_id = {}\n", key(1));
    repo.add_commit("config.env", &config, "add config");
    for i in 0..6 {
        config.push_str(&format!("setting_{i} = {i}\n"));
        repo.add_commit("config.env", &config, &format!("edit {i}"));
        repo.add_commit(&format!("notes/{i}.txt"), &format!("note {i}\n"), "note");
    }
    repo.git(&["mv", "config.env", "settings.env"]);
    repo.commit("rename config");
    repo.add_commit(
        "tmp/leak.txt",
        &format!("AWS_ACCESS_KEY_ID={}\n", key(2)),
        "oops",
    );
    repo.git(&["rm", "-q", "tmp/leak.txt"]);
    repo.commit("remove the leak");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.add_commit(
        "feature.env",
        &format!("KEY={}\nOTHER={}\n", key(3), key(4)),
        "feature key",
    );
    repo.write("blob.bin", b"\0\x01\x02binary\0");
    repo.git(&["add", "blob.bin"]);
    repo.commit("binary");
    repo.git(&["checkout", "-q", "main"]);
    repo.add_commit(
        "copy.env",
        &format!("KEY={}\n", key(3)),
        "same key, other file",
    );
    config.push_str("after = merge\n");
    repo.add_commit("settings.env", &config, "edit on main");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);
    repo.add_commit(
        "feature.env",
        &format!("KEY={}\nOTHER={}\nMORE=1\n", key(3), key(4)),
        "edit after merge",
    );
    repo
}

/// Run `plainsight ARGS` in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = plainsight().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Write the JSON report of `plainsight git EXTRA` to `dir/name`.
fn report(repo: &Repo, dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let mut args = vec![
        "git",
        "--format",
        "json",
        "--output",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = run(&repo.path, &args);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    path
}

/// The three shard reports of the whole history.
fn shards(repo: &Repo, dir: &Path, extra: &[&str]) -> Vec<PathBuf> {
    (0..3)
        .map(|i| {
            let shard = format!("{i}/3");
            let mut args = vec!["--shard", shard.as_str()];
            args.extend_from_slice(extra);
            report(repo, dir, &format!("shard{i}.json"), &args)
        })
        .collect()
}

/// What cannot be equal between two runs: elapsed time (and GitLab's clock times).
fn normalise(format: &str, text: &str) -> String {
    match format {
        "json" | "sarif" | "gitlab" => {
            let mut v: Value = serde_json::from_str(text).unwrap();
            if format == "json" {
                v["stats"]["elapsed_ms"] = Value::from(0);
            }
            if format == "gitlab" {
                v["scan"]["start_time"] = Value::Null;
                v["scan"]["end_time"] = Value::Null;
            }
            serde_json::to_string_pretty(&v).unwrap()
        }
        "jsonl" => text
            .lines()
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                if v["type"] == "summary" {
                    v["stats"]["elapsed_ms"] = Value::from(0);
                }
                v.to_string()
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => {
            let at = text.rfind(" in ").unwrap();
            let end = at + text[at..].find('s').unwrap();
            format!("{} in Xs{}", &text[..at], &text[end + 1..])
        }
    }
}

fn merge_args<'a>(format: &'a str, reports: &'a [PathBuf]) -> Vec<&'a str> {
    let mut args = vec!["merge", "--format", format, "--color", "never"];
    args.extend(reports.iter().map(|p| p.to_str().unwrap()));
    args
}

#[test]
fn merged_shards_equal_the_full_run_in_every_format() {
    let repo = history();
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(&repo, dir.path(), &[]);
    let full = report(&repo, dir.path(), "full.json", &[]);

    // The split is real: findings are spread over the shards, and the key kept through
    // the edits of `config.env` is folded from versions that several shards hold.
    let shard_findings: Vec<usize> = parts
        .iter()
        .map(|p| {
            let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            v["findings"].as_array().unwrap().len()
        })
        .collect();
    assert!(
        shard_findings.iter().filter(|&&n| n > 0).count() >= 2,
        "{shard_findings:?}"
    );
    let whole: Value = serde_json::from_slice(&std::fs::read(&full).unwrap()).unwrap();
    let findings = whole["findings"].as_array().unwrap();
    let kept = findings
        .iter()
        .find(|f| f["path"] == "config.env")
        .unwrap_or_else(|| panic!("{whole:#}"));
    let versions = kept["commit"]["versions"].as_array().unwrap();
    assert!(versions.len() >= 7, "{kept:#}");
    assert!(shard_findings.iter().sum::<usize>() > findings.len());
    assert!(whole["skipped"].as_array().is_some_and(|s| !s.is_empty()));
    let schema: Value = serde_json::from_str(plainsight::report::schema::REPORT_SCHEMA).unwrap();
    let validator = jsonschema::options().build(&schema).unwrap();
    for p in parts.iter().chain([&full]) {
        let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", p.display());
    }

    for format in ["json", "sarif", "text", "jsonl", "gitlab"] {
        let (code, expected, err) =
            run(&repo.path, &["git", "--format", format, "--color", "never"]);
        assert_eq!(code, 1, "{err}");
        let (code, merged, err) = run(dir.path(), &merge_args(format, &parts));
        assert_eq!(code, 1, "{format}: {err}");
        assert_eq!(
            normalise(format, &merged),
            normalise(format, &expected),
            "{format}"
        );
    }
}

#[test]
fn merge_folds_repeated_runs_and_shards_in_any_order() {
    let repo = history();
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(&repo, dir.path(), &["--branch", "main"]);
    let full = report(&repo, dir.path(), "full.json", &["--branch", "main"]);
    let (_, expected, _) = run(dir.path(), &merge_args("json", std::slice::from_ref(&full)));
    let expected = normalise("json", &expected);
    assert_eq!(
        expected,
        normalise("json", &std::fs::read_to_string(&full).unwrap())
    );
    let again = [full.clone(), full.clone()];
    let reordered = [
        parts[2].clone(),
        parts[0].clone(),
        parts[1].clone(),
        parts[0].clone(),
    ];
    for reports in [&again[..], &reordered[..]] {
        let (code, merged, err) = run(dir.path(), &merge_args("json", reports));
        assert_eq!(code, 1, "{err}");
        assert_eq!(normalise("json", &merged), expected);
    }
    // The same fail-on policy as a scan: AWS keys are errors, so `--fail-on error`
    // still fails.
    let mut args = merge_args("json", &parts);
    args.extend(["--fail-on", "error"]);
    let (code, _, _) = run(dir.path(), &args);
    assert_eq!(code, 1);
}

#[test]
fn merge_refuses_reports_of_other_rules_or_versions_naming_both() {
    let repo = history();
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(&repo, dir.path(), &[]);
    let config = dir.path().join("strict.toml");
    std::fs::write(&config, "disabled_rules = [\"aws-access-key-id\"]\n").unwrap();
    let other = report(
        &repo,
        dir.path(),
        "other-rules.json",
        &["--shard", "1/3", "--config", config.to_str().unwrap()],
    );
    let mixed = [parts[0].clone(), other.clone(), parts[2].clone()];
    let (code, _, err) = run(dir.path(), &merge_args("json", &mixed));
    assert_eq!(code, 2);
    assert!(err.contains("different rule sets"), "{err}");
    assert!(
        err.contains("shard0.json") && err.contains("other-rules.json"),
        "{err}"
    );

    let mut v: Value = serde_json::from_slice(&std::fs::read(&parts[1]).unwrap()).unwrap();
    v["version"] = Value::from("0.0.1");
    let old = dir.path().join("old-version.json");
    std::fs::write(&old, v.to_string()).unwrap();
    let mixed = [parts[0].clone(), old, parts[2].clone()];
    let (code, _, err) = run(dir.path(), &merge_args("json", &mixed));
    assert_eq!(code, 2);
    assert!(err.contains("different plainsight versions"), "{err}");
    assert!(
        err.contains("shard0.json") && err.contains("old-version.json"),
        "{err}"
    );
}

#[test]
fn merge_names_the_report_it_cannot_read_or_use() {
    let repo = history();
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(&repo, dir.path(), &[]);
    let corrupt = dir.path().join("corrupt.json");
    let text = std::fs::read_to_string(&parts[1]).unwrap();
    std::fs::write(&corrupt, &text[..text.len() / 2]).unwrap();
    let missing = dir.path().join("missing.json");
    let legacy = dir.path().join("legacy.json");
    std::fs::write(
        &legacy,
        r#"{"version":"0.1.0","findings":[],"stats":{},"skipped":[]}"#,
    )
    .unwrap();
    for (bad, says) in [
        (&corrupt, "not a plainsight JSON report"),
        (&missing, "cannot read report"),
        (&legacy, "report format 1"),
    ] {
        let reports = [parts[0].clone(), bad.clone(), parts[2].clone()];
        let (code, out, err) = run(dir.path(), &merge_args("json", &reports));
        assert_eq!(code, 2, "{out}");
        assert!(err.contains(says), "{err}");
        assert!(
            err.contains(bad.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
    }
    // A shard without its report would merge into less than the history holds.
    let (code, _, err) = run(dir.path(), &merge_args("json", &parts[..2]));
    assert_eq!(code, 2);
    assert!(err.contains("shards 2/3 of 3 have no report"), "{err}");
}

#[test]
fn bad_shard_values_are_refused_clearly() {
    let repo = history();
    for (value, says) in [
        ("3/3", "shard index 3 is not below the shard count 3"),
        ("0/0", "the shard count must be at least 1"),
        ("a/3", "expected I/N"),
        ("1", "expected I/N"),
        ("-1/3", "expected I/N"),
    ] {
        let flag = format!("--shard={value}");
        let (code, _, err) = run(&repo.path, &["git", &flag]);
        assert_eq!(code, 2, "{value}");
        assert!(err.contains(says), "{value}: {err}");
    }
    let (code, _, err) = run(&repo.path, &["git", "--staged", "--shard", "0/2"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn one_shard_of_one_is_the_whole_history() {
    let repo = history();
    let dir = tempfile::tempdir().unwrap();
    let one = report(&repo, dir.path(), "one.json", &["--shard", "0/1"]);
    let (_, merged, _) = run(dir.path(), &merge_args("sarif", &[one]));
    let (_, expected, _) = run(&repo.path, &["git", "--format", "sarif"]);
    assert_eq!(normalise("sarif", &merged), normalise("sarif", &expected));
}
