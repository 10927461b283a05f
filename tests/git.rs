//! `plainsight git` (history and `--staged`) and `plainsight install-hook`, driven
//! through the real binary over repositories built with the `git` CLI at test time.
//!
//! Fake keys are assembled at run time so that plainsight's scan of its own tree stays
//! clean.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::repo::{key, Repo};
use serde_json::Value;

fn plainsight() -> Command {
    let mut c = Command::cargo_bin("plainsight").unwrap();
    c.env_remove("NO_COLOR");
    c
}

/// Run `plainsight git ARGS --format json --show-secrets` in `repo`.
fn scan_json(repo: &Repo, args: &[&str]) -> (i32, Value) {
    let out = plainsight()
        .current_dir(&repo.path)
        .arg("git")
        .args(args)
        .args(["--format", "json", "--show-secrets"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().unwrap()
}

fn secrets(v: &Value) -> Vec<String> {
    let mut s: Vec<String> = findings(v)
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    s.sort();
    s
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn deleted_key_is_found_with_the_commit_that_introduced_it() {
    let repo = Repo::new();
    repo.add_commit("README.md", "hello\n", "readme");
    let intro = repo.add_commit(
        "config/settings.ini",
        &format!("[aws]\naws_access_key_id = {}\n", key(1)),
        "add settings",
    );
    let intro_time = repo.time();
    repo.add_commit("other.txt", "unrelated\n", "other");
    repo.git(&["rm", "-q", "config/settings.ini"]);
    repo.commit("remove the key");

    let (code, v) = scan_json(&repo, &[]);
    assert_eq!(code, 1);
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["path"], "config/settings.ini");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["secret"], key(1));
    assert_eq!(f[0]["commit"]["sha"], intro);
    assert_eq!(f[0]["commit"]["author"], "Alice Author");
    assert_eq!(f[0]["commit"]["time"], intro_time);

    // The text report names the commit too; the secret stays masked.
    let out = plainsight()
        .current_dir(&repo.path)
        .arg("git")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("commit {}", &intro[..12])), "{text}");
    assert!(!text.contains(&key(1)), "{text}");
}

#[test]
fn the_same_blob_on_three_branches_is_scanned_once_and_reported_once() {
    let repo = Repo::new();
    repo.add_commit("README.md", "base\n", "base");
    let body = format!("AWS_ACCESS_KEY_ID={}\n", key(2));
    let mut shas = Vec::new();
    for (i, branch) in ["one", "two", "three"].iter().enumerate() {
        repo.git(&["checkout", "-q", "-b", branch, "main"]);
        repo.write(
            &format!("{branch}.txt"),
            format!("branch {branch}\n").as_bytes(),
        );
        // The same content: on the third branch at another path as well.
        repo.write("deploy/.env", body.as_bytes());
        if i == 2 {
            repo.write("copy/.env", body.as_bytes());
        }
        repo.git(&["add", "-A"]);
        shas.push(repo.commit(&format!("on {branch}")));
    }
    repo.git(&["checkout", "-q", "main"]);

    let (code, v) = scan_json(&repo, &["--all"]);
    assert_eq!(code, 1);
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["path"], "deploy/.env");
    assert_eq!(f[0]["commit"]["sha"], shas[0]);
    let others: Vec<String> = f[0]["commit"]["other_locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sorted(others),
        sorted(vec![
            format!("{}:deploy/.env", shas[1]),
            format!("{}:deploy/.env", shas[2]),
            format!("{}:copy/.env", shas[2]),
        ])
    );
    // Distinct blobs: README, one.txt, two.txt, three.txt and the .env content once.
    assert_eq!(v["stats"]["files_scanned"], 5, "{v:#}");

    // SARIF carries the same: other locations in the result's properties.
    let out = plainsight()
        .current_dir(&repo.path)
        .args(["git", "--format", "sarif"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["properties"]["commit"], shas[0]);
    assert_eq!(
        results[0]["properties"]["otherLocations"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn a_renamed_file_keeps_its_first_commit_and_lists_the_new_path() {
    let repo = Repo::new();
    let intro = repo.add_commit("old/name.cfg", &format!("key={}\n", key(3)), "add");
    repo.git(&["mv", "old/name.cfg", "new-name.cfg"]);
    let moved = repo.commit("rename");

    let (_, v) = scan_json(&repo, &[]);
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{v:#}");
    assert_eq!(f[0]["path"], "old/name.cfg");
    assert_eq!(f[0]["commit"]["sha"], intro);
    assert_eq!(
        f[0]["commit"]["other_locations"],
        serde_json::json!([format!("{moved}:new-name.cfg")])
    );

    // Staged: a pure rename adds no line, so nothing is reported…
    repo.git(&["mv", "new-name.cfg", "renamed-again.cfg"]);
    let (code, v) = scan_json(&repo, &["--staged"]);
    assert_eq!((code, findings(&v).len()), (0, 0), "{v:#}");
    // …and a rename with an edit reports only the edit.
    repo.write(
        "renamed-again.cfg",
        format!("key={}\nother={}\n", key(3), key(4)).as_bytes(),
    );
    repo.git(&["add", "renamed-again.cfg"]);
    let (code, v) = scan_json(&repo, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), vec![key(4)], "{v:#}");
}

#[test]
fn merge_commits_introduce_only_what_they_change() {
    let repo = Repo::new();
    repo.add_commit("README.md", "base\n", "base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    let feature = repo.add_commit("feature.env", &format!("K={}\n", key(5)), "feature key");
    repo.git(&["checkout", "-q", "main"]);
    repo.add_commit("main.txt", "main work\n", "main work");
    // A merge that also adds content of its own (an "evil merge").
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "feature"]);
    repo.write("merge-only.env", format!("M={}\n", key(6)).as_bytes());
    repo.git(&["add", "merge-only.env"]);
    let merge = repo.commit("merge feature");
    assert_eq!(
        repo.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split(' ')
            .count(),
        3
    );

    let (_, v) = scan_json(&repo, &["--branch", "main"]);
    let f = findings(&v);
    assert_eq!(f.len(), 2, "{v:#}");
    let by_path = |p: &str| f.iter().find(|x| x["path"] == p).unwrap().clone();
    assert_eq!(by_path("feature.env")["commit"]["sha"], feature);
    assert_eq!(
        by_path("feature.env")["commit"]["other_locations"],
        serde_json::json!([])
    );
    assert_eq!(by_path("merge-only.env")["commit"]["sha"], merge);
}

#[test]
fn binary_blobs_are_skipped_and_counted() {
    let repo = Repo::new();
    let mut bin = vec![0u8, 1, 2, 0, 0xff];
    bin.extend_from_slice(format!("\0{}\0", key(7)).as_bytes());
    repo.write("image.bin", &bin);
    repo.write("notes.txt", b"nothing here\n");
    repo.git(&["add", "."]);
    repo.commit("binary");

    let (code, v) = scan_json(&repo, &[]);
    assert_eq!(code, 0, "{v:#}");
    assert!(findings(&v).is_empty());
    assert_eq!(v["stats"]["skipped"]["binary"], 1);
    assert_eq!(v["stats"]["files_scanned"], 1);
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0]["path"].as_str().unwrap().ends_with(":image.bin"));

    // The staged mode counts binaries the same way.
    repo.write("more.bin", &bin[1..]);
    repo.git(&["add", "more.bin"]);
    let (code, v) = scan_json(&repo, &["--staged"]);
    assert_eq!(code, 0);
    assert_eq!(v["stats"]["skipped"]["binary"], 1);
}

#[test]
fn staged_on_the_first_commit_compares_with_the_empty_tree() {
    let repo = Repo::new();
    repo.write("app/.env", format!("\nSECRET_ID={}\n", key(8)).as_bytes());
    repo.write("clean.txt", b"hello\n");
    repo.git(&["add", "."]);
    let (code, v) = scan_json(&repo, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), vec![key(8)]);
    assert_eq!(findings(&v)[0]["line"], 2);
    assert!(findings(&v)[0].get("commit").is_none());
    assert_eq!(v["stats"]["files_scanned"], 2);
}

#[test]
fn staged_reads_the_index_not_the_working_tree() {
    let repo = Repo::new();
    repo.add_commit("settings.py", "DEBUG = True\n", "settings");
    // Stage a key, then remove it from the working file and add another, unstaged.
    repo.write(
        "settings.py",
        format!("DEBUG = True\nAWS_KEY = '{}'\n", key(9)).as_bytes(),
    );
    repo.git(&["add", "settings.py"]);
    repo.write(
        "settings.py",
        format!("DEBUG = True\nOTHER = '{}'\n", key(10)).as_bytes(),
    );
    // An untracked file with a key is not part of the commit either.
    repo.write("untracked.env", format!("X={}\n", key(11)).as_bytes());

    let (code, v) = scan_json(&repo, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), vec![key(9)], "{v:#}");
    assert_eq!(findings(&v)[0]["line"], 2);
}

#[test]
fn staged_reports_new_files_and_only_added_lines_of_modified_ones() {
    let repo = Repo::new();
    repo.add_commit("legacy.cfg", &format!("old_key={}\n", key(12)), "legacy");
    // A new staged file with a key.
    repo.write(
        "src/new_module.rs",
        format!("const K: &str = \"{}\";\n", key(13)).as_bytes(),
    );
    // A modified file whose existing key was committed before: only the added line
    // is the staged change, and it is clean.
    repo.write(
        "legacy.cfg",
        format!("# a comment\nold_key={}\nname=demo\n", key(12)).as_bytes(),
    );
    repo.git(&["add", "."]);
    let (code, v) = scan_json(&repo, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), vec![key(13)], "{v:#}");
    assert_eq!(findings(&v)[0]["path"], "src/new_module.rs");
    assert_eq!(v["stats"]["files_scanned"], 2);
}

#[test]
fn staged_ignores_deleted_files() {
    let repo = Repo::new();
    repo.add_commit("keys.env", &format!("K={}\n", key(14)), "keys");
    repo.add_commit("keep.txt", "keep\n", "keep");
    repo.git(&["rm", "-q", "keys.env"]);
    let (code, v) = scan_json(&repo, &["--staged"]);
    assert_eq!(code, 0, "{v:#}");
    assert!(findings(&v).is_empty());
    assert_eq!(v["stats"]["files_scanned"], 0);
    // Nothing staged at all is a clean pass too.
    repo.commit("delete");
    let (code, _) = scan_json(&repo, &["--staged"]);
    assert_eq!(code, 0);
}

#[test]
fn ranges_since_commit_and_branch_select_commits() {
    let repo = Repo::new();
    let c1 = repo.add_commit("a.env", &format!("A={}\n", key(15)), "one");
    let c2 = repo.add_commit("b.env", &format!("B={}\n", key(16)), "two");
    let c3 = repo.add_commit("c.env", &format!("C={}\n", key(17)), "three");
    repo.git(&["checkout", "-q", "-b", "side", &c1]);
    repo.add_commit("side.env", &format!("S={}\n", key(18)), "side");
    repo.git(&["checkout", "-q", "main"]);

    let (_, v) = scan_json(&repo, &["--range", &format!("{c1}..{c3}")]);
    assert_eq!(secrets(&v), sorted(vec![key(16), key(17)]));
    let (_, v) = scan_json(&repo, &["--range", "main~1..main"]);
    assert_eq!(secrets(&v), vec![key(17)]);
    assert_eq!(findings(&v)[0]["commit"]["sha"], c3);
    let (_, v) = scan_json(&repo, &["--since-commit", &c2, "--branch", "main"]);
    assert_eq!(secrets(&v), vec![key(17)]);
    let (_, v) = scan_json(&repo, &["--branch", "main"]);
    assert_eq!(secrets(&v), sorted(vec![key(15), key(16), key(17)]));
    // Default: every ref, so the side branch too.
    let (_, v) = scan_json(&repo, &[]);
    assert_eq!(
        secrets(&v),
        sorted(vec![key(15), key(16), key(17), key(18)])
    );
    // Since c2 on all refs: the side branch forked before c2, so its commit counts.
    let (_, v) = scan_json(&repo, &["--since-commit", &c2]);
    assert_eq!(secrets(&v), sorted(vec![key(17), key(18)]));
}

#[test]
fn git_errors_exit_two_with_a_message() {
    let not_repo = tempfile::tempdir().unwrap();
    let out = plainsight()
        .args(["git"])
        .arg(not_repo.path())
        .env("GIT_CEILING_DIRECTORIES", not_repo.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git repository"));

    let out = plainsight()
        .args(["git", "--staged"])
        .arg(not_repo.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let repo = Repo::new();
    repo.add_commit("a.txt", "a\n", "one");
    for args in [
        vec!["--branch", "no-such-branch"],
        vec!["--range", "nope..main"],
        vec!["--range", "main"],
        vec!["--since-commit", "0123456789abcdef0123456789abcdef01234567"],
    ] {
        let out = plainsight()
            .current_dir(&repo.path)
            .arg("git")
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad revision"), "{args:?}: {err}");
    }
    // A missing object is an error, never an empty pass (in a repository that is not a
    // partial clone: there, blobs are promised, not lost).
    let blob = repo.git(&["rev-parse", "HEAD:a.txt"]);
    let loose = repo
        .path
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(loose).unwrap();
    let out = plainsight()
        .current_dir(&repo.path)
        .arg("git")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&blob));
}

#[test]
fn sarif_for_history_has_commit_properties_and_version_control_provenance() {
    let repo = Repo::new();
    let tok = ["ghp", "_", "abcdefghijklmnopqrstuvwxyz0123456789"].concat();
    repo.git(&[
        "remote",
        "add",
        "origin",
        &format!("https://x-access-token:{tok}@example.com/acme/app.git"),
    ]);
    let sha = repo.add_commit("deploy/prod.env", &format!("K={}\n", key(19)), "prod");
    let out = plainsight()
        .current_dir(&repo.path)
        .args(["git", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let raw = String::from_utf8(out.stdout).unwrap();
    assert!(!raw.contains(&tok), "credentials of the remote leaked");
    let s: Value = serde_json::from_str(&raw).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    if let Ok(schema) = std::fs::read_to_string(&schema_path) {
        let schema: Value = serde_json::from_str(&schema).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&s).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    let run = &s["runs"][0];
    let vcp = &run["versionControlProvenance"][0];
    assert_eq!(vcp["repositoryUri"], "https://example.com/acme/app.git");
    assert_eq!(vcp["revisionId"], sha);
    assert_eq!(vcp["branch"], "main");
    let result = &run["results"][0];
    assert_eq!(result["properties"]["commit"], sha);
    assert_eq!(result["properties"]["author"], "Alice Author");
    let loc = &result["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "deploy/prod.env");
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");
}

#[test]
fn install_hook_writes_refuses_and_force_overwrites() {
    let repo = Repo::new();
    repo.add_commit("README.md", "hi\n", "init");
    let hook = repo.path.join(".git/hooks/pre-commit");
    let _ = std::fs::remove_file(&hook);

    let out = plainsight()
        .current_dir(&repo.path)
        .arg("install-hook")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed"));
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.contains("git --staged"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111);
    }

    // The hook blocks a commit that stages a key, and the finding is printed.
    repo.write("leak.env", format!("K={}\n", key(20)).as_bytes());
    repo.git(&["add", "leak.env"]);
    let out = repo
        .cmd()
        .args(["commit", "-q", "-m", "leak"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "the commit went through");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.contains("leak.env:1:3"), "{printed}");
    assert!(printed.contains("aws-access-key-id"), "{printed}");
    repo.git(&["rm", "-q", "--cached", "leak.env"]);
    // A clean commit passes.
    repo.write("ok.txt", b"fine\n");
    repo.git(&["add", "ok.txt"]);
    repo.commit("clean");
    // `git commit -a` stages into a temporary index named by GIT_INDEX_FILE: still caught.
    repo.write("ok.txt", format!("fine\nK={}\n", key(24)).as_bytes());
    let out = repo
        .cmd()
        .args(["commit", "-q", "-a", "-m", "sneaky"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "git commit -a went through");
    // git sends a hook's output to stderr.
    assert!(String::from_utf8_lossy(&out.stderr).contains("ok.txt:2:3"));
    repo.git(&["checkout", "-q", "--", "ok.txt"]);

    // A second install refuses and leaves the hook alone.
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let out = plainsight()
        .current_dir(&repo.path)
        .arg("install-hook")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );

    let out = plainsight()
        .current_dir(&repo.path)
        .args(["install-hook", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("replaced"));
    assert!(std::fs::read_to_string(&hook)
        .unwrap()
        .contains("git --staged"));
}

#[test]
fn scan_with_explicit_files_scans_exactly_those() {
    // What the pre-commit framework does with `pass_filenames: true`.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("ignored")).unwrap();
    std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    std::fs::write(root.join("a.env"), format!("A={}\n", key(21))).unwrap();
    std::fs::write(root.join("b.env"), format!("B={}\n", key(22))).unwrap();
    std::fs::write(root.join("ignored/c.env"), format!("C={}\n", key(23))).unwrap();
    std::fs::write(root.join("clean.txt"), "nothing\n").unwrap();
    let out = plainsight()
        .current_dir(root)
        .args([
            "scan",
            "a.env",
            "ignored/c.env",
            "clean.txt",
            "--format",
            "json",
            "--show-secrets",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(secrets(&v), sorted(vec![key(21), key(23)]));
    assert_eq!(v["stats"]["files_scanned"], 3);
}

#[test]
fn git_takes_the_scan_flags_baseline_fail_on_output_and_size_limit() {
    let repo = Repo::new();
    repo.add_commit("a.env", &format!("A={}\n", key(25)), "one");
    let big = format!("B={}\n{}", key(26), "x".repeat(4096));
    repo.add_commit("big.env", &big, "two");

    // --max-file-size: the big blob is skipped and counted, not scanned.
    let (code, v) = scan_json(&repo, &["--max-file-size", "1000"]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), vec![key(25)]);
    assert_eq!(v["stats"]["skipped"]["too_large"], 1);

    // --output writes the report; --baseline then silences what it lists.
    let out_dir = tempfile::tempdir().unwrap();
    let baseline = out_dir.path().join("baseline.json");
    let out = plainsight()
        .current_dir(&repo.path)
        .args(["git", "--format", "json", "--output"])
        .arg(&baseline)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let saved: Value = serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    assert_eq!(findings(&saved).len(), 2);
    let out = plainsight()
        .current_dir(&repo.path)
        .args(["git", "--baseline"])
        .arg(&baseline)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // A new key after the baseline fails the run, also with --fail-on error.
    repo.add_commit("c.env", &format!("C={}\n", key(27)), "three");
    let out = plainsight()
        .current_dir(&repo.path)
        .args(["git", "--fail-on", "error", "--baseline"])
        .arg(&baseline)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let unwritable = repo.path.join("no/such/dir/out.json");
    let out = plainsight()
        .current_dir(&repo.path)
        .args(["git", "--output"])
        .arg(&unwritable)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The index's checksum is not verified (git verifies it only in `git fsck`), so a
/// damaged index must still be caught: a truncated one fails to decode, and an entry
/// whose object id was garbled names an object that is not there. Neither crashes or
/// passes as clean: both exit 2 and say what could not be read.
#[test]
fn staged_with_a_damaged_index_is_an_error() {
    let repo = Repo::new();
    repo.add_commit("a.txt", "hello\n", "a");
    repo.write("b.txt", format!("X={}\n", key(21)).as_bytes());
    repo.git(&["add", "b.txt"]);
    let index = repo.path.join(".git/index");
    let whole = std::fs::read(&index).unwrap();
    // `git --staged` over the index as it now is: must exit 2; returns stderr.
    let failure = || {
        let out = plainsight()
            .current_dir(&repo.path)
            .args(["git", "--staged"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };

    std::fs::write(&index, &whole[..whole.len() / 2]).unwrap();
    let err = failure();
    assert!(err.contains("reading the index"), "{err}");

    // Entries are sorted by path: `b.txt` is the second. Its object id starts 40 bytes
    // into the entry, which follows a.txt's 62 + 5 (+ padding to 8) bytes.
    let mut garbled = whole.clone();
    let second = 12 + 72;
    assert_eq!(&garbled[second + 62..second + 67], b"b.txt");
    for b in &mut garbled[second + 40..second + 60] {
        *b ^= 0x5a;
    }
    std::fs::write(&index, &garbled).unwrap();
    let err = failure();
    assert!(
        err.contains("reading staged blob of b.txt") && err.contains("could not be found"),
        "{err}"
    );
}

/// A partial clone leaves blobs out until they are fetched. A history scan must not
/// give up on the whole history for one of them, nor pass it over in silence: the
/// missing blob is counted and listed as `missing`, the rest is scanned, and the exit
/// status follows the findings. (Outside a partial clone a missing blob is damage and
/// an error: `git_errors_exit_two_with_a_message`.)
#[test]
fn a_blob_a_partial_clone_lacks_is_skipped_as_missing_and_the_rest_is_scanned() {
    let repo = Repo::new();
    repo.add_commit(
        "left-out.txt",
        "a blob a partial clone left out\n",
        "left out",
    );
    repo.add_commit(
        "keys.ini",
        &format!("aws_access_key_id = {}\n", key(31)),
        "key",
    );
    let missing = repo.git(&["rev-parse", "HEAD~1:left-out.txt"]);
    let missing = missing.trim();
    let loose = repo
        .path
        .join(".git/objects")
        .join(&missing[..2])
        .join(&missing[2..]);
    std::fs::remove_file(&loose).unwrap();
    repo.git(&["config", "extensions.partialClone", "origin"]);

    let (code, v) = scan_json(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(secrets(&v), [key(31)]);
    assert_eq!(v["stats"]["skipped"]["missing"], 1, "{v:#}");
    let skipped = v["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0]["reason"], "missing");
    assert!(
        skipped[0]["path"]
            .as_str()
            .unwrap()
            .ends_with(":left-out.txt"),
        "{skipped:?}"
    );
}
