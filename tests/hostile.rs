//! Hostile input, driven through the real binary: broken encodings, odd line endings,
//! special files, symlinks, permissions, odd names, deep trees, broken configs, closed
//! pipes. Every case must end calmly, with every file not scanned counted and reported.
//!
//! Fake keys are assembled at run time so plainsight's scan of its own tree stays clean.

#![allow(clippy::unwrap_used)]
// Peak-RSS figures are printed for the record (`cargo test -- --nocapture`).
#![allow(clippy::print_stderr)]

mod common;
mod hostile_support;

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command as StdCommand;
use std::time::Duration;

use common::{aws_key_id, expect_exit_2, plainsight, skipped_paths, write_tree};
use hostile_support::custom_rule;
use serde_json::Value;

/// Run `scan --format json` over `dir` with `extra` args: (exit code, report, stderr).
fn scan_json(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = plainsight()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}); stderr: {stderr}"));
    (out.status.code().unwrap_or(-1), v, stderr)
}

fn findings(v: &Value) -> &Vec<Value> {
    v["findings"].as_array().expect("findings")
}

fn skipped(v: &Value, reason: &str) -> u64 {
    v["stats"]["skipped"][reason].as_u64().expect("skip count")
}

/// (path, line, column, end_line, end_column) of every finding of `rule`.
fn places(v: &Value, rule: &str) -> Vec<(String, u64, u64, u64, u64)> {
    findings(v)
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["end_line"].as_u64().unwrap(),
                f["end_column"].as_u64().unwrap(),
            )
        })
        .collect()
}

const AWS: &str = "aws-access-key-id";

#[test]
fn binary_nul_and_invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let key = aws_key_id();
    let mut bin = b"\x7fELF\x02\x01\x01\0\0\0\0\0".to_vec();
    bin.extend_from_slice(format!(" id={key} ").as_bytes());
    std::fs::write(dir.path().join("prog.bin"), &bin).unwrap();
    // A NUL beyond the first 8 KiB does not make a file binary.
    let mut late_nul = vec![b'a'; 9000];
    late_nul.extend_from_slice(b"\0\0\n");
    late_nul.extend_from_slice(format!("id = {key}\n").as_bytes());
    std::fs::write(dir.path().join("late-nul.txt"), &late_nul).unwrap();
    // Invalid UTF-8 all around the key: scanned as bytes.
    let mut bad = b"\xc3(\xa0\xa1\xff junk\n\x80\x80 ".to_vec();
    bad.extend_from_slice(format!("id={key}").as_bytes());
    bad.extend_from_slice(b" \xf0\x28\x8c\xbc\n");
    std::fs::write(dir.path().join("bad-utf8.cfg"), &bad).unwrap();
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(skipped(&v, "binary"), 1);
    assert_eq!(skipped_paths(&v, "binary"), ["prog.bin"]);
    let mut got = places(&v, AWS);
    got.sort();
    assert_eq!(
        got,
        [
            ("bad-utf8.cfg".to_string(), 2, 7, 2, 27),
            ("late-nul.txt".to_string(), 2, 6, 2, 26)
        ]
    );
}

fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut v = Vec::new();
    if bom {
        v.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for u in s.encode_utf16() {
        v.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    v
}

#[test]
fn utf16_with_and_without_bom_is_decoded_with_right_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "first line\r\nsecond é line\r\n\tkey = {}\r\nlast\r\n",
        aws_key_id()
    );
    for (name, be, bom) in [
        ("le-bom.txt", false, true),
        ("le.txt", false, false),
        ("be-bom.txt", true, true),
        ("be.txt", true, false),
    ] {
        std::fs::write(dir.path().join(name), utf16(&text, be, bom)).unwrap();
    }
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(skipped(&v, "binary"), 0);
    let mut got = places(&v, AWS);
    got.sort();
    let want: Vec<_> = ["be-bom.txt", "be.txt", "le-bom.txt", "le.txt"]
        .iter()
        .map(|n| (n.to_string(), 3, 8, 3, 28))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn crlf_and_cr_line_endings_give_right_lines_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let key = aws_key_id();
    write_tree(
        dir.path(),
        &[
            ("crlf.txt", format!("one\r\ntwo\r\n\r\n  é = {key}\r\n")),
            ("cr.txt", format!("one\rtwo\r\r  é = {key}\r")),
            ("mixed.txt", format!("one\ntwo\r\n\r  é = {key}")),
        ],
    );
    let (_, v, _) = scan_json(dir.path(), &[]);
    let mut got = places(&v, AWS);
    got.sort();
    assert_eq!(
        got,
        [
            ("cr.txt".to_string(), 4, 7, 4, 27),
            ("crlf.txt".to_string(), 4, 7, 4, 27),
            ("mixed.txt".to_string(), 4, 7, 4, 27),
        ]
    );
}

#[test]
fn sparse_file_over_the_limit_is_skipped_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let f = std::fs::File::create(dir.path().join("huge.img")).unwrap();
    f.set_len(64 << 30).unwrap(); // 64 GiB of holes
    drop(f);
    write_tree(dir.path(), &[("a.env", format!("k={}\n", aws_key_id()))]);
    let start = std::time::Instant::now();
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "it read the file"
    );
    assert_eq!(code, 1);
    assert_eq!(skipped(&v, "too_large"), 1);
    assert_eq!(skipped_paths(&v, "too_large"), ["huge.img"]);
    assert_eq!(v["stats"]["files_scanned"], 1);
}

fn mkfifo(p: &Path) {
    let ok = StdCommand::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo");
}

#[test]
fn fifo_socket_and_device_are_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe"));
    let _sock = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
    // A character device (like /dev/zero: reading it would never end).
    let ok = StdCommand::new("mknod")
        .arg(dir.path().join("zero"))
        .args(["c", "1", "5"])
        .status()
        .unwrap()
        .success();
    assert!(ok, "mknod (tests run as root)");
    write_tree(dir.path(), &[("a.env", format!("k={}\n", aws_key_id()))]);
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(skipped(&v, "special"), 3);
    assert_eq!(skipped_paths(&v, "special"), ["pipe", "sock", "zero"]);
    // The same, named explicitly as roots and followed through symlinks.
    std::os::unix::fs::symlink(dir.path().join("pipe"), dir.path().join("to-pipe")).unwrap();
    let (_, v, _) = scan_json(dir.path(), &["--follow"]);
    assert_eq!(skipped(&v, "special"), 4);
    // A FIFO named on the command line is the user's stream: it is read, not skipped.
    let pipe = dir.path().join("pipe");
    let key = aws_key_id();
    let writer = {
        let (pipe, key) = (pipe.clone(), key.clone());
        std::thread::spawn(move || std::fs::write(pipe, format!("k={key}\n")))
    };
    let out = plainsight()
        .arg("scan")
        .arg(&pipe)
        .args(["--format", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(out.status.code(), Some(1), "{:?}", out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(skipped(&v, "special"), 0);
    // A device named on the command line is read too, but never past the size limit.
    let out = plainsight()
        .arg("scan")
        .arg(dir.path().join("zero"))
        .args(["--format", "json", "--max-file-size", "100000"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{:?}", out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(skipped(&v, "too_large") + skipped(&v, "binary"), 1, "{v}");
}

#[test]
fn symlinks_are_not_followed_by_default_and_loops_are_reported() {
    let outside = tempfile::tempdir().unwrap();
    write_tree(
        outside.path(),
        &[("o.env", format!("k={}\n", aws_key_id()))],
    );
    let dir = tempfile::tempdir().unwrap();
    write_tree(dir.path(), &[("sub/plain.txt", "nothing\n".to_string())]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("out-dir")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("o.env"), dir.path().join("out.env")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/loop")).unwrap();
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(skipped(&v, "symlink"), 3);
    assert_eq!(
        skipped_paths(&v, "symlink"),
        ["out-dir", "out.env", "sub/loop"]
    );
    let (code, v, _) = scan_json(dir.path(), &["--follow"]);
    assert_eq!(code, 1);
    let mut got: Vec<String> = places(&v, AWS).into_iter().map(|p| p.0).collect();
    got.sort();
    assert_eq!(got, ["out-dir/o.env", "out.env"]);
    assert_eq!(skipped(&v, "walk_error"), 1, "{v}");
    assert_eq!(skipped_paths(&v, "walk_error"), ["sub/loop"]);
}

/// Run the binary as `nobody` (tests run as root, which reads everything).
fn as_nobody(args: &[&std::ffi::OsStr]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("plainsight");
    StdCommand::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin)
        .args(args)
        .output()
        .expect("setpriv")
}

#[test]
fn unreadable_file_and_directory_are_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let key = aws_key_id();
    write_tree(
        dir.path(),
        &[
            ("ok.env", format!("k={key}\n")),
            ("secret.env", format!("k={key}\n")),
            ("locked/inner.env", format!("k={key}\n")),
        ],
    );
    let chmod = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    chmod(dir.path(), 0o755);
    chmod(&dir.path().join("ok.env"), 0o644);
    chmod(&dir.path().join("secret.env"), 0o000);
    chmod(&dir.path().join("locked"), 0o000);
    let out = as_nobody(&[
        "scan".as_ref(),
        dir.path().as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    chmod(&dir.path().join("locked"), 0o755);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(skipped(&v, "unreadable"), 2, "{v}");
    assert_eq!(skipped_paths(&v, "unreadable"), ["locked", "secret.env"]);
    assert_eq!(places(&v, AWS).len(), 1);
    // Nothing found but something unreadable: the text summary says so.
    std::fs::remove_file(dir.path().join("ok.env")).unwrap();
    chmod(&dir.path().join("locked"), 0o000);
    let out = as_nobody(&["scan".as_ref(), dir.path().as_os_str()]);
    chmod(&dir.path().join("locked"), 0o755);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(text.contains("skipped 2 (unreadable 2)"), "{text}");
}

#[test]
fn vanished_and_truncated_files_at_the_library_level() {
    use plainsight::read::{Reader, SkipReason};
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone.txt");
    let mut r = Reader::default();
    let err = r.scan_file(&gone, 1 << 20, |_| {}).unwrap_err();
    assert_eq!(err.reason, SkipReason::Vanished);
    // A FIFO where the walk saw a regular file: opened without blocking, then refused.
    let swapped = dir.path().join("swapped");
    mkfifo(&swapped);
    let err = r
        .scan_file(&swapped, 1 << 20, |_| panic!("must not scan"))
        .unwrap_err();
    assert_eq!(err.reason, SkipReason::Special);
    // Truncated while being read in windows: what is left is scanned, nothing breaks.
    let p = dir.path().join("shrinking.txt");
    std::fs::write(&p, "line\n".repeat(20_000)).unwrap();
    let mut windows = 0;
    let read = r
        .scan_file_with(&p, 1 << 30, 1024, 4096, 512, |w| {
            windows += 1;
            assert!(w.text.iter().all(|&b| b == b'l' || b"ine\n".contains(&b)));
            if windows == 2 {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(&p)
                    .unwrap()
                    .set_len(10_000)
                    .unwrap();
            }
        })
        .unwrap();
    assert_eq!(read.bytes, 10_000);
    assert_eq!(read.chunks, 3);
    // Grown between stat and read in whole mode: the read stops at --max-file-size.
    let p2 = dir.path().join("growing.txt");
    std::fs::write(&p2, "x".repeat(100)).unwrap();
    let err = r
        .scan_file(&p2, 50, |_| panic!("must not scan"))
        .unwrap_err();
    assert_eq!(err.reason, SkipReason::TooLarge);
}

#[test]
fn files_vanishing_during_a_scan_are_counted_not_fatal() {
    use plainsight::{Progress, RuleSet, ScanOptions, Scanner};
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2000 {
        std::fs::write(dir.path().join(format!("f{i}.txt")), "x = 1\n").unwrap();
    }
    let scanner = Scanner::new(RuleSet::builtin().unwrap(), ScanOptions::default()).unwrap();
    let root = dir.path().to_path_buf();
    let report = std::thread::scope(|s| {
        s.spawn(|| {
            for i in (0..2000).rev() {
                let _ = std::fs::remove_file(root.join(format!("f{i}.txt")));
            }
        });
        scanner
            .scan_paths(std::slice::from_ref(&root), &Progress::default())
            .unwrap()
    });
    // The race decides how many vanish (the deterministic case is
    // `vanished_and_truncated_files_at_the_library_level` above); whatever it decides, the scan
    // finishes and every file is scanned, vanished or never walked.
    let st = &report.stats;
    let vanished = st.skipped.values().sum::<u64>();
    assert!(st.files_scanned + vanished <= 2000);
    assert!(report.skipped.iter().all(|k| k.path.starts_with('f')));
    // A file gone between the walk and the read is `vanished`, nothing else.
    assert!(
        st.skipped
            .keys()
            .all(|r| *r == plainsight::read::SkipReason::Vanished),
        "{:?}",
        st.skipped
    );
}

#[test]
fn non_utf8_file_names_are_scanned_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"bad-\xff\xfe-name.env");
    std::fs::write(dir.path().join(name), format!("k={}\n", aws_key_id())).unwrap();
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(places(&v, AWS)[0].0, "bad-\u{fffd}\u{fffd}-name.env");
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.contains("bad-%EF%BF%BD%EF%BF%BD-name.env"), "{s}");
}

#[test]
fn a_thousand_deep_directory_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = dir.path().to_path_buf();
    for _ in 0..1000 {
        p.push("d");
    }
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("deep.env"), format!("k={}\n", aws_key_id())).unwrap();
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let found = places(&v, AWS);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, format!("{}deep.env", "d/".repeat(1000)));
}

#[test]
fn two_hundred_thousand_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    for d in 0..200 {
        let sub = dir.path().join(format!("d{d}"));
        std::fs::create_dir(&sub).unwrap();
        for f in 0..1000 {
            std::fs::File::create(sub.join(format!("f{f}"))).unwrap();
        }
    }
    write_tree(
        dir.path(),
        &[("d7/key.env", format!("k={}\n", aws_key_id()))],
    );
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("plainsight"));
    cmd.arg("scan").arg(dir.path()).args(["--format", "json"]);
    let (code, stdout, stderr, rss_kib) = hostile_support::run_measured(&mut cmd);
    assert_eq!(code, Some(1), "{stderr}");
    let v: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(v["stats"]["files_scanned"], 200_001);
    assert_eq!(places(&v, AWS).len(), 1);
    // Memory does not grow with the number of files (the walk feeds a bounded channel).
    eprintln!("200,000 files: peak RSS {} MiB", rss_kib / 1024);
    assert!(rss_kib < 200 * 1024, "peak RSS {rss_kib} KiB");
}

#[test]
fn malformed_configs_and_rule_files_exit_two_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rule = custom_rule("hostile-test-token");
    let cases: Vec<(&str, String, Vec<String>)> = vec![
        (
            "syntax.toml",
            "disabled_rules = [\n\"a\"\nmax_file_size = 3\n".into(),
            vec![":3: key".into()],
        ),
        (
            "unknown.toml",
            "max_file_size = 3\ncolour = \"red\"\n".into(),
            vec![":2: key `colour`".into()],
        ),
        (
            "type.toml",
            "\n\nmax_file_size = \"big\"\n".into(),
            vec![":3: key `max_file_size`".into()],
        ),
        (
            "regex.toml",
            format!("\n{}", rule.replace("{20,60})", "{20,60}")),
            vec![":11: key `rules[0].regex`".into(), "invalid regex".into()],
        ),
        (
            "rule-unknown.toml",
            rule.replace("precision =", "colour = 1\nprecision ="),
            vec![":8: key `colour`".into()],
        ),
        (
            "rule-type.toml",
            rule.replace("5.0", "\"high\""),
            vec![":7: key `security_severity`".into()],
        ),
        (
            "dup.toml",
            format!("{rule}\n{rule}"),
            vec![
                ":16: key `id`".into(),
                "duplicate rule id `hostile-test-token`".into(),
            ],
        ),
        (
            "dup-builtin.toml",
            format!("\n\n{}", custom_rule("aws-access-key-id")),
            vec![
                ":4: key `id`".into(),
                "duplicate rule id `aws-access-key-id`".into(),
            ],
        ),
    ];
    for (name, body, needles) in &cases {
        let p = d.join(name);
        std::fs::write(&p, body).unwrap();
        let mut n: Vec<&str> = needles.iter().map(String::as_str).collect();
        n.push(name);
        expect_exit_2(
            [
                "scan".as_ref(),
                d.as_os_str(),
                "--config".as_ref(),
                p.as_os_str(),
            ],
            &n,
        );
        // The default config file in the scan root, too.
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join(".plainsight.toml"), body).unwrap();
        let mut n: Vec<&str> = needles.iter().map(String::as_str).collect();
        n.push(".plainsight.toml");
        expect_exit_2(["scan".as_ref(), root.path().as_os_str()], &n);
    }
    // Rule files given to `rules check`: bad regex, and a duplicate id across files.
    let a = d.join("a.toml");
    let b = d.join("b.toml");
    std::fs::write(&a, &rule).unwrap();
    std::fs::write(&b, format!("# another\n\n{rule}")).unwrap();
    expect_exit_2(
        [
            "rules".as_ref(),
            "check".as_ref(),
            a.as_os_str(),
            b.as_os_str(),
        ],
        &[
            "b.toml:4: key `id`",
            "duplicate rule id `hostile-test-token`",
            "a.toml",
        ],
    );
    std::fs::write(&b, rule.replace("(?P<secret>", "(?P<secret")).unwrap();
    expect_exit_2(
        ["rules".as_ref(), "check".as_ref(), b.as_os_str()],
        &["b.toml:10: key `rules[0].regex`", "invalid regex"],
    );
}

#[test]
fn closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let key = aws_key_id();
    let body: String = (0..900).map(|i| format!("k{i} = {key}\n")).collect();
    for i in 0..20 {
        write_tree(dir.path(), &[(&format!("f{i}.env"), body.clone())]);
    }
    let bin = assert_cmd::cargo::cargo_bin("plainsight");
    let status = tempfile::NamedTempFile::new().unwrap();
    for format in ["text", "json", "sarif", "jsonl"] {
        let script = format!(
            "'{}' scan '{}' --format {format} | head -1 >/dev/null; echo \"${{PIPESTATUS[0]}}\" > '{}'",
            bin.display(),
            dir.path().display(),
            status.path().display()
        );
        let out = StdCommand::new("bash")
            .args(["-c", &script])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{format}: {stderr}");
        let code = std::fs::read_to_string(status.path()).unwrap();
        // Findings were found (1); the reader leaving is not an error (not 2, no signal).
        assert_eq!(code.trim(), "1", "{format}");
    }
}

#[test]
fn unwritable_output_is_exit_two_before_scanning() {
    let dir = tempfile::tempdir().unwrap();
    // The scan root holds a FIFO named as a file: if scanning started it would be
    // reported, and nothing is written anywhere.
    write_tree(dir.path(), &[("a.env", format!("k={}\n", aws_key_id()))]);
    let target = dir.path().join("a.env").join("report.json"); // under a file: ENOTDIR
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--output"])
        .arg(&target)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(!stderr.contains("scanned"), "scan ran: {stderr}");
    assert!(out.stdout.is_empty());
    // A directory as output, and (as nobody) a read-only place.
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .arg("--output")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let ro = dir.path().join("report.json");
    let out = as_nobody(&[
        "scan".as_ref(),
        dir.path().as_os_str(),
        "--output".as_ref(),
        ro.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
}

#[test]
fn every_skip_reason_shows_in_json_text_sarif_and_verbose() {
    let dir = tempfile::tempdir().unwrap();
    // The config sits above the scanned tree, found by walking up to the repository
    // root: the config file in use would itself count as excluded inside the tree.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(
        dir.path().join(".plainsight.toml"),
        "[allowlist]\npaths = [\"vendor/**\"]\n",
    )
    .unwrap();
    let tree = dir.path().join("tree");
    let d = tree.as_path();
    let key = aws_key_id();
    write_tree(
        d,
        &[
            ("ok.env", format!("k={key}\n")),
            ("big.log", "y".repeat(5000)),
            ("vendor/lib.env", format!("k={key}\n")),
        ],
    );
    std::fs::write(d.join("blob.bin"), b"\0\x01\x02\0binary").unwrap();
    mkfifo(&d.join("fifo"));
    std::os::unix::fs::symlink("ok.env", d.join("link.env")).unwrap();
    let want = [
        ("binary", "blob.bin"),
        ("excluded", "vendor/lib.env"),
        ("special", "fifo"),
        ("symlink", "link.env"),
        ("too_large", "big.log"),
    ];
    let (code, v, _) = scan_json(d, &["--max-file-size", "4096"]);
    assert_eq!(code, 1);
    for (reason, path) in want {
        assert_eq!(skipped(&v, reason), 1, "{reason}");
        assert_eq!(skipped_paths(&v, reason), [path]);
    }
    let text = |extra: &[&str]| {
        let out = plainsight()
            .arg("scan")
            .arg(d)
            .args(["--max-file-size", "4096"])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let plain = text(&[]);
    assert!(
        plain.contains("skipped 5 (binary 1, too_large 1, special 1, symlink 1, excluded 1)"),
        "{plain}"
    );
    assert!(plain.contains("--verbose lists skipped files"));
    let verbose = text(&["--verbose"]);
    for (reason, path) in want {
        assert!(
            verbose.contains(&format!("skipped ({reason}): {path}")),
            "{verbose}"
        );
    }
    let sarif: Value = serde_json::from_str(&text(&["--format", "sarif"])).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    for (reason, path) in want {
        assert!(
            notes
                .iter()
                .any(|n| n["descriptor"]["id"] == format!("skipped/{reason}")
                    && n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == path),
            "{reason} {path}: {notes:?}"
        );
    }
    let jsonl = text(&["--format", "jsonl"]);
    let last: Value = serde_json::from_str(jsonl.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "summary");
    for (reason, _) in want {
        assert_eq!(last["stats"]["skipped"][reason], 1);
    }
}

#[test]
fn findings_per_rule_and_file_are_capped_and_the_cap_reported() {
    let dir = tempfile::tempdir().unwrap();
    let key = aws_key_id();
    let body: String = (0..1500).map(|i| format!("k{i} = {key}\n")).collect();
    write_tree(dir.path(), &[("many.env", body)]);
    let (code, v, _) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(places(&v, AWS).len(), 1000);
    assert_eq!(
        v["stats"]["capped"],
        serde_json::json!(["many.env: aws-access-key-id"])
    );
    let out = plainsight().arg("scan").arg(dir.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 rule/file pairs capped"), "{text}");
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert!(notes.iter().any(|n| n["descriptor"]["id"] == "capped"
        && n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "many.env"
        && n["message"]["text"]
            .as_str()
            .unwrap()
            .contains("aws-access-key-id")));
}

#[test]
fn no_network_namespace_gives_identical_output() {
    let dir = tempfile::tempdir().unwrap();
    common::sample_tree(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("plainsight");
    let run = |netns: bool| {
        let mut c = if netns {
            let mut c = StdCommand::new("unshare");
            c.arg("-n").arg(&bin);
            c
        } else {
            StdCommand::new(&bin)
        };
        let out = c
            .arg("scan")
            .arg(dir.path())
            .args(["--format", "json", "-j", "2"])
            .output()
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("unshare"),
            "unshare failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["stats"]["elapsed_ms"] = Value::Null;
        (out.status.code(), v)
    };
    // Inside: no interfaces at all, not even loopback up.
    let ifs = StdCommand::new("unshare")
        .args(["-n", "cat", "/proc/net/dev"])
        .output()
        .unwrap();
    assert!(ifs.status.success(), "unshare -n needs root");
    let ifs = String::from_utf8_lossy(&ifs.stdout);
    assert!(
        ifs.lines()
            .skip(2)
            .all(|l| l.trim_start().starts_with("lo:")),
        "{ifs}"
    );
    let plain = run(false);
    let isolated = run(true);
    assert_eq!(plain.0, Some(1));
    assert_eq!(plain, isolated);
}

#[test]
fn fifo_ignore_files_never_hang_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = aws_key_id();
    write_tree(
        d,
        &[
            ("a.env", format!("k={key}\n")),
            ("sub/b.env", format!("k={key}\n")),
            ("other/c.env", format!("k={key}\n")),
        ],
    );
    // The walker itself opens these: a FIFO there would block it forever.
    mkfifo(&d.join("sub/.gitignore"));
    mkfifo(&d.join("other/.git"));
    let (code, v, _) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(skipped_paths(&v, "special"), ["other", "sub"]);
    assert_eq!(places(&v, AWS).len(), 1);
    // --no-ignore reads no ignore file, so the directories are entered.
    let (_, v, _) = scan_json(d, &["--no-ignore"]);
    assert_eq!(places(&v, AWS).len(), 3);
    assert_eq!(
        skipped_paths(&v, "special"),
        ["other/.git", "sub/.gitignore"]
    );
    // In the scan root: ignore files are not honoured, and the FIFO is reported.
    mkfifo(&d.join(".ignore"));
    let (_, v, _) = scan_json(d, &[]);
    assert_eq!(places(&v, AWS).len(), 3);
    let notes: Vec<&str> = v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["path"] == ".ignore")
        .map(|s| s["detail"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("no ignore files honoured"), "{notes:?}");
}

#[test]
fn escape_sequences_in_files_and_names_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let name = "evil\u{1b}]0;pwned\u{7}\nname.env";
    let body = format!(
        "\u{1b}[2J\u{1b}[31m id={} \u{202e}gnp.exe\u{8}\u{8}\n",
        aws_key_id()
    );
    write_tree(dir.path(), &[(name, body)]);
    mkfifo(&dir.path().join("fifo\u{1b}[1A"));
    for extra in [
        &[][..],
        &["--show-secrets", "--verbose", "--color", "always"][..],
    ] {
        let out = plainsight()
            .arg("scan")
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let text = String::from_utf8(out.stdout).unwrap();
        // Colors plainsight adds itself are the only escape sequences.
        let stripped = text
            .replace("\u{1b}[0m", "")
            .replace("\u{1b}[1m", "")
            .replace("\u{1b}[2m", "")
            .replace("\u{1b}[1;31m", "")
            .replace("\u{1b}[1;35m", "");
        assert!(!stripped.contains('\u{1b}'), "{text:?}");
        assert!(!stripped.contains('\u{7}') && !stripped.contains('\u{8}'));
        assert!(!stripped.contains('\u{202e}'));
        assert!(
            stripped.contains("evil\\u{1b}]0;pwned\\u{7}\\u{a}name.env"),
            "{text}"
        );
    }
}

#[test]
fn device_or_huge_config_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    // A device would be read forever: refused.
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--config", "/dev/zero"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("/dev/zero") && stderr.contains("device"),
        "{stderr}"
    );
    // A pipe the user hands over (`--config <(...)`) is read like a file.
    let fifo = dir.path().join("config-fifo");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "max_file_size = 1000\n").unwrap())
    };
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .arg("--config")
        .arg(&fifo)
        .args(["--format", "json"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    writer.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A 64 GiB (sparse) config in the scan root is refused, not read into memory.
    let root = tempfile::tempdir().unwrap();
    let f = std::fs::File::create(root.path().join(".plainsight.toml")).unwrap();
    f.set_len(64 << 30).unwrap();
    drop(f);
    let out = plainsight()
        .arg("scan")
        .arg(root.path())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".plainsight.toml") && stderr.contains("bytes"),
        "{stderr}"
    );
}
