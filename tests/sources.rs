//! Sources through the real binary: standard input (both spellings, empty, a read
//! error), ignore rules counted inside and outside a git work tree, and the same file
//! reached through two roots.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use common::{aws_key_id, finding_paths, plainsight, write_tree};
use serde_json::Value;

fn key_line() -> String {
    format!("AWS_ACCESS_KEY_ID={}\n", aws_key_id())
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn stdin_is_read_as_dash_and_as_dev_stdin() {
    let out = plainsight()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(key_line())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(finding_paths(&v), ["<stdin>"]);
    assert_eq!(v["findings"][0]["line"], 1);
    assert_eq!(v["findings"][0]["column"], 19);
    assert_eq!(v["stats"]["files_scanned"], 1);

    let out = plainsight()
        .args([
            "scan",
            "-",
            "--stdin-name",
            "ci/job.log",
            "--format",
            "json",
        ])
        .write_stdin(key_line())
        .output()
        .unwrap();
    assert_eq!(finding_paths(&json(&out)), ["ci/job.log"]);

    // A pipe named /dev/stdin: what `... | plainsight scan /dev/stdin` gives.
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("plainsight"))
        .args(["scan", "/dev/stdin", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(key_line().as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(finding_paths(&json(&out)), ["/dev/stdin"]);
}

#[test]
fn large_stdin_is_chunked_and_limited_like_a_file() {
    // 3 MiB of text with the key near the end: scanned in chunks.
    let mut body = "filler line without secrets\n".repeat(3 << 15);
    body.push_str(&key_line());
    let lines = body.lines().count();
    let out = plainsight()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(body.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["findings"][0]["line"], lines);
    // Over the size limit: a counted skip, not a partial scan.
    let out = plainsight()
        .args([
            "scan",
            "-",
            "--format",
            "json",
            "--max-file-size",
            "1000000",
        ])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["stats"]["skipped"]["too_large"], 1);
    assert_eq!(v["skipped"][0]["path"], "<stdin>");
}

#[test]
fn empty_stdin_is_a_clean_scan_and_a_read_error_exits_2() {
    let out = plainsight()
        .args(["scan", "-", "--format", "json"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["stats"]["files_scanned"], 1);
    assert_eq!(v["stats"]["bytes_scanned"], 0);

    // Standard input that is a directory cannot be read: an error, never exit 0.
    let dir = tempfile::tempdir().unwrap();
    let out = StdCommand::new(assert_cmd::cargo::cargo_bin("plainsight"))
        .args(["scan", "-"])
        .stdin(std::fs::File::open(dir.path()).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read <stdin>"), "{stderr}");
}

fn git_init(dir: &Path) {
    let ok = StdCommand::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

fn scan(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = plainsight()
        .arg("scan")
        .arg(dir)
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v = json(&out);
    let text = String::from_utf8_lossy(
        &plainsight()
            .arg("scan")
            .arg(dir)
            .args(args)
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    (out.status.code().unwrap(), v, text)
}

#[test]
fn gitignored_files_are_counted_inside_a_work_tree_and_scanned_outside_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_tree(
        root,
        &[
            (".gitignore", ".env\nbuild/\n".to_string()),
            (".env", key_line()),
            ("build/out.txt", key_line()),
            ("build/more.txt", key_line()),
            ("src/ok.txt", "nothing\n".to_string()),
        ],
    );
    // No .git: .gitignore is not in force (as with git and ripgrep).
    let (code, v, _) = scan(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_paths(&v),
        [".env", "build/more.txt", "build/out.txt"]
    );
    assert_eq!(v["stats"]["skipped"]["ignored"], 0);

    git_init(root);
    let (code, v, text) = scan(root, &[]);
    assert_eq!(code, 0, "{v}");
    // The file and the directory (once, not entered) are counted and listed.
    assert_eq!(v["stats"]["skipped"]["ignored"], 2);
    let mut ignored: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["reason"] == "ignored")
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    ignored.sort_unstable();
    assert_eq!(ignored, [".env", "build"]);
    assert!(
        text.contains("2 paths kept out by ignore rules (--no-ignore scans them)"),
        "{text}"
    );

    let (code, v, _) = scan(root, &["--no-ignore"]);
    assert_eq!(code, 1);
    assert_eq!(finding_paths(&v).len(), 3);
    assert_eq!(v["stats"]["skipped"]["ignored"], 0);
}

#[test]
fn dot_ignore_files_apply_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (".ignore", "vendor/\n".to_string()),
            ("vendor/k.txt", key_line()),
        ],
    );
    let (code, v, _) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(v["stats"]["skipped"]["ignored"], 1);
}

#[test]
fn a_file_reached_through_two_roots_is_scanned_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    write_tree(&d, &[("sub/k.env", key_line()), ("top.env", key_line())]);
    for roots in [
        vec![d.clone(), d.clone()],
        vec![d.clone(), d.join("sub")],
        vec![d.join("sub/k.env"), d.clone()],
    ] {
        let out = plainsight()
            .arg("scan")
            .args(&roots)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let v = json(&out);
        assert_eq!(v["findings"].as_array().unwrap().len(), 2, "{roots:?}: {v}");
        assert_eq!(v["stats"]["files_scanned"], 2, "{roots:?}");
    }
}
