//! Memory stays bounded at scale, proved on the real binary with the child's peak RSS
//! (`/usr/bin/time -v`): one 200 MB single-line file (scanned in windows), and a
//! million findings streamed as `--format jsonl`. Also: windowed scanning finds exactly
//! what a whole-file scan finds, at the same lines and columns.

#![allow(clippy::unwrap_used)]
// The peak-RSS figures are printed for the record (`cargo test -- --nocapture`).
#![allow(clippy::print_stderr)]

mod common;
mod hostile_support;

use std::io::Write;
use std::process::Command;

use hostile_support::{alnum, custom_rule, run_measured, run_measured_lines};
use serde_json::Value;

/// A fake AWS access key id numbered `i` (base32 alphabet, as the format has).
fn aws_key(i: usize) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = (0..3)
        .map(|j| char::from(B32[(i >> (5 * j)) & 31]))
        .collect();
    ["AK", "IA", "QYLPMN5HHFPZW", &tail].concat()
}

#[test]
fn a_200_mb_single_line_file_is_scanned_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one-line.min.js");
    let filler = "ab cd ef ".repeat(1 << 17);
    let filler = &filler[..(1 << 20) - 30];
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut want = Vec::new();
    let mut col = 1;
    for i in 0..200 {
        f.write_all(filler.as_bytes()).unwrap();
        col += filler.len();
        let piece = format!(" key={} ", aws_key(i));
        want.push(col + 5);
        col += piece.len();
        f.write_all(piece.as_bytes()).unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 200_000_000);
    let bin = assert_cmd::cargo::cargo_bin("plainsight");
    let mut cmd = Command::new(bin);
    cmd.arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--max-file-size", "300000000"]);
    let (code, stdout, stderr, rss_kib) = run_measured(&mut cmd);
    assert_eq!(code, Some(1), "{stderr}");
    let v: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(v["stats"]["bytes_scanned"], size);
    let found = v["findings"].as_array().unwrap();
    let mut cols: Vec<usize> = found
        .iter()
        .filter(|f| f["rule_id"] == "aws-access-key-id")
        .map(|f| {
            assert_eq!(f["line"], 1);
            let preview = f["context"].as_str().unwrap();
            assert!(preview.chars().count() < 200, "preview not truncated");
            f["column"].as_u64().unwrap() as usize
        })
        .collect();
    cols.sort_unstable();
    assert_eq!(cols, want);
    eprintln!("200 MB single line: peak RSS {} MiB", rss_kib / 1024);
    assert!(rss_kib < 200 * 1024, "peak RSS {rss_kib} KiB");
}

#[test]
fn a_million_findings_stream_as_jsonl_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(cfg.path(), custom_rule("hostile-test-token")).unwrap();
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    for i in 0..1000 {
        let mut body = String::with_capacity(30_000);
        for _ in 0..1000 {
            body.push_str("pst_");
            body.push_str(&alnum(&mut seed, 24));
            body.push('\n');
        }
        std::fs::write(dir.path().join(format!("f{i:04}.txt")), body).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("plainsight");
    let mut cmd = Command::new(bin);
    cmd.arg("scan")
        .arg(dir.path())
        .args(["--format", "jsonl", "--config"])
        .arg(cfg.path());
    // Count lines as they stream in, without holding the ~400 MB report.
    let (mut findings, mut last) = (0u64, String::new());
    let (code, stderr, rss_kib) = run_measured_lines(&mut cmd, |line| {
        if line.starts_with("{\"type\":\"finding\"") {
            findings += 1;
        } else {
            last = line.to_string();
        }
    });
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(findings, 1_000_000);
    let summary: Value = serde_json::from_str(&last).unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["stats"]["findings"], 1_000_000);
    assert_eq!(summary["stats"]["files_scanned"], 1000);
    eprintln!("1M findings as jsonl: peak RSS {} MiB", rss_kib / 1024);
    assert!(rss_kib < 200 * 1024, "peak RSS {rss_kib} KiB");
}

/// Scan `text` whole and in small windows; both must give the same findings. `unit` is
/// the bytes per character of the encoding (window sizes are raw bytes, and the overlap
/// must stay longer than the longest match, a ~400-character private key here).
fn same_whole_and_windowed(text: &[u8], unit: usize) {
    use plainsight::read::Reader;
    use plainsight::{RuleSet, ScanOptions, Scanner};
    let scanner = Scanner::new(RuleSet::builtin().unwrap(), ScanOptions::default()).unwrap();
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    let key = |f: &plainsight::Finding| (f.location, f.rule.id.clone(), f.fingerprint.clone());
    let mut matcher = scanner.matcher();
    let mut whole = Vec::new();
    let mut whole_suppressed = 0;
    Reader::default()
        .scan_file(f.path(), u64::MAX, |w| {
            let m = matcher.scan("f", w.text);
            whole.extend(m.findings.iter().map(key));
            whole_suppressed += m.suppressed;
        })
        .unwrap();
    for (window, overlap) in [(4096, 1024), (1000, 600), (701, 500)] {
        let (window, overlap) = (window * unit, overlap * unit);
        let mut parts = Vec::new();
        let mut suppressed = 0;
        let read = Reader::default()
            .scan_file_with(f.path(), u64::MAX, 0, window, overlap, |w| {
                let m = matcher.scan_chunk("f", &w);
                suppressed += m.suppressed;
                parts.extend(m.findings.iter().map(key));
            })
            .unwrap();
        assert!(read.chunks > 1);
        parts.sort();
        let mut w = whole.clone();
        w.sort();
        assert_eq!(parts, w, "window {window} overlap {overlap}");
        // Markers in an overlap are seen by two windows and counted by the owner only.
        assert_eq!(
            suppressed, whole_suppressed,
            "window {window} overlap {overlap}"
        );
    }
    assert!(!whole.is_empty());
    assert!(whole_suppressed > 0);
}

#[test]
fn windowed_scanning_matches_whole_file_scanning() {
    let mut seed = 7u64;
    let mut text = String::new();
    for i in 0..400 {
        let eol = ["\n", "\r\n", "\r"][i % 3];
        let pad = alnum(&mut seed, i % 50);
        match i % 7 {
            0 => text.push_str(&format!("é{pad} = {}{eol}", aws_key(i))),
            3 => text.push_str(&format!("k = {} # plainsight:allow{eol}", aws_key(i))),
            1 => text.push_str(&format!("x{eol}{eol}")),
            _ => text.push_str(&format!("{pad} ü😀€ {pad}{eol}")),
        }
    }
    // A multi-line key across many window boundaries.
    text.push_str(&common::rsa_key());
    same_whole_and_windowed(text.as_bytes(), 1);
    // The same as UTF-16 LE with a BOM.
    let mut u = vec![0xFF, 0xFE];
    for c in text.encode_utf16() {
        u.extend_from_slice(&c.to_le_bytes());
    }
    same_whole_and_windowed(&u, 2);
}

/// The per-rule cap counts what a window owns: keys in the overlaps on either side
/// belong to its neighbours and must neither spend its cap nor make it report one.
#[test]
fn a_window_caps_only_the_keys_it_owns() {
    use plainsight::read::Reader;
    use plainsight::{RuleSet, ScanOptions, Scanner};
    let text: String = (0..1200)
        .map(|i| format!("id = {}\n", aws_key(i)))
        .collect();
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), &text).unwrap();
    // 26-byte lines: a window owns at most 158 keys and sees up to 315.
    let options = ScanOptions {
        max_findings_per_rule: 200,
        ..ScanOptions::default()
    };
    let scanner = Scanner::new(RuleSet::builtin().unwrap(), options).unwrap();
    let mut matcher = scanner.matcher();
    let (mut found, mut capped, mut windows) = (Vec::new(), Vec::new(), 0);
    Reader::default()
        .scan_file_with(f.path(), u64::MAX, 0, 4096, 2048, |w| {
            let m = matcher.scan_chunk("f", &w);
            windows += 1;
            capped.extend(m.capped_rules);
            found.extend(m.findings.iter().map(|f| f.location.line));
        })
        .unwrap();
    assert!(windows > 5);
    assert_eq!(capped, Vec::<String>::new());
    assert_eq!(found, (1..=1200).collect::<Vec<_>>());
}

#[test]
fn a_long_line_full_of_keys_is_capped_per_file_across_windows() {
    let dir = tempfile::tempdir().unwrap();
    let mut line = String::with_capacity(42 << 20);
    let mut i = 0;
    while line.len() < 40 << 20 {
        line.push(' ');
        line.push_str(&aws_key(i % 32768));
        i += 1;
    }
    std::fs::write(dir.path().join("keys.txt"), &line).unwrap();
    drop(line);
    let start = std::time::Instant::now();
    let out = common::plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--max-file-size", "100000000"])
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Five windows, each capped, and the file as a whole capped once.
    assert_eq!(v["findings"].as_array().unwrap().len(), 1000);
    assert_eq!(
        v["stats"]["capped"],
        serde_json::json!(["keys.txt: aws-access-key-id"])
    );
    eprintln!("40 MB line of keys: {:?}", start.elapsed());
}
