//! Archives and compressed files through the real binary: every kind, nesting, the
//! depth switch, and hostile archives (bombs, truncation, `../` names, self-nesting,
//! 100,000 entries, encryption, unknown methods), each a counted skip naming the entry.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command as StdCommand;

use common::{aws_key_id, finding_paths, plainsight, skipped_paths, write_tree};
use serde_json::Value;

fn key_file() -> Vec<u8> {
    format!("AWS_ACCESS_KEY_ID={}\n", aws_key_id()).into_bytes()
}

fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, body) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Deflated)
}

/// A tar whose names are written raw, so `../` and absolute names can be tested.
fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, body) in entries {
        let mut h = tar::Header::new_ustar();
        let raw = &mut h.as_ustar_mut().unwrap().name;
        raw[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        b.append(&h, *body).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn bz2(bytes: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut e =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

fn scan(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = plainsight()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .timeout(std::time::Duration::from_secs(240))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

fn count(v: &Value, reason: &str) -> u64 {
    v["stats"]["skipped"][reason].as_u64().unwrap()
}

#[test]
fn every_archive_kind_is_opened_and_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file();
    let tar = tar_of(&[("conf/app.env", &key)]);
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("a.zip", zip_of(&[("conf/app.env", &key)])),
        ("b.jar", zip_of(&[("META-INF/app.properties", &key)])),
        (
            "c.whl",
            zip_with(&[("pkg/settings.py", &key)], zip::CompressionMethod::Stored),
        ),
        (
            "d.docx",
            zip_with(
                &[("word/document.xml", &key)],
                zip::CompressionMethod::Bzip2,
            ),
        ),
        ("e.tar", tar.clone()),
        ("f.tar.gz", gz(&tar)),
        ("g.tgz", gz(&tar)),
        ("h.tar.bz2", bz2(&tar)),
        ("i.tar.xz", xz(&tar)),
        ("j.tar.zst", zst(&tar)),
        ("k.env.gz", gz(&key)),
        ("l.env.bz2", bz2(&key)),
        ("m.env.xz", xz(&key)),
        ("n.env.zst", zst(&key)),
    ];
    for (name, body) in &files {
        std::fs::write(dir.path().join(name), body).unwrap();
    }
    let (code, v) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_paths(&v),
        [
            "a.zip!conf/app.env",
            "b.jar!META-INF/app.properties",
            "c.whl!pkg/settings.py",
            "d.docx!word/document.xml",
            "e.tar!conf/app.env",
            "f.tar.gz!conf/app.env",
            "g.tgz!conf/app.env",
            "h.tar.bz2!conf/app.env",
            "i.tar.xz!conf/app.env",
            "j.tar.zst!conf/app.env",
            "k.env.gz!k.env",
            "l.env.bz2!l.env",
            "m.env.xz!m.env",
            "n.env.zst!n.env",
        ]
    );
    assert_eq!(v["stats"]["archives"], 14);
    assert_eq!(
        v["stats"]["skipped"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>(),
        0,
        "{v}"
    );
    let f = &v["findings"][0];
    assert_eq!(f["archive_entry"], "conf/app.env");
    assert_eq!(f["line"], 1);
    // One secret, one fingerprint, wherever it is stored.
    let prints: std::collections::HashSet<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), 1);

    // Off: archives are binary files again, counted as such.
    let (code, v) = scan(dir.path(), &["--max-archive-depth", "0"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["stats"]["archives"], 0);
    assert!(count(&v, "binary") >= 10, "{v}");
}

#[test]
fn nested_archives_are_opened_to_the_depth_limit() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file();
    let inner = gz(&tar_of(&[("file.env", &key)]));
    let outer = zip_of(&[("dir/inner.tar.gz", &inner), ("top.env", &key)]);
    std::fs::write(dir.path().join("outer.zip"), &outer).unwrap();
    let (_, v) = scan(dir.path(), &[]);
    assert_eq!(
        finding_paths(&v),
        ["outer.zip!dir/inner.tar.gz!file.env", "outer.zip!top.env"]
    );
    // Depth 1: the outer zip is opened, the tar.gz inside it is not.
    let (_, v) = scan(dir.path(), &["--max-archive-depth", "1"]);
    assert_eq!(finding_paths(&v), ["outer.zip!top.env"]);
    assert_eq!(
        skipped_paths(&v, "archive_depth"),
        ["outer.zip!dir/inner.tar.gz"]
    );
    // The text report names the entry the same way.
    let out = plainsight().arg("scan").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("outer.zip!dir/inner.tar.gz!file.env:1:19"),
        "{text}"
    );
    // SARIF: the location is the archive, the entry is in the message and a property.
    let out = plainsight()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let nested = results
        .iter()
        .find(|r| r["properties"]["archiveEntry"] == "dir/inner.tar.gz!file.env")
        .expect("nested result");
    assert_eq!(
        nested["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "outer.zip"
    );
    assert!(nested["message"]["text"]
        .as_str()
        .unwrap()
        .contains("archive entry dir/inner.tar.gz!file.env"));
}

#[test]
fn an_archive_holding_copies_of_itself_stops_at_the_depth_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut z = zip_of(&[("deep.env", &key_file())]);
    for _ in 0..6 {
        z = zip_of(&[("copy.zip", &z), ("copy-again.zip", &z)]);
    }
    std::fs::write(dir.path().join("self.zip"), &z).unwrap();
    let (code, v) = scan(dir.path(), &[]);
    assert_eq!(code, 0);
    // Depth 3: self.zip, copy.zip and copy.zip again are opened (2 + 4 nested), and the
    // 8 zips at the fourth level are named as skipped.
    assert_eq!(v["stats"]["archives"], 7);
    assert_eq!(count(&v, "archive_depth"), 8, "{v}");
    assert!(skipped_paths(&v, "archive_depth")
        .contains(&"self.zip!copy.zip!copy.zip!copy.zip".to_string()));
}

#[test]
fn bombs_truncation_and_odd_entries_are_counted_skips() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file();
    // A gigabyte of zeros in one entry: ~1 MB compressed, declared 1 GiB.
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    w.start_file("zeros.txt", opts).unwrap();
    let block = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        w.write_all(&block).unwrap();
    }
    w.start_file("ok.env", opts).unwrap();
    w.write_all(&key).unwrap();
    std::fs::write(
        dir.path().join("bomb.zip"),
        w.finish().unwrap().into_inner(),
    )
    .unwrap();
    // 256 MiB of one letter as a gzip stream, which declares no size.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let letters = vec![b'a'; 1 << 20];
    for _ in 0..256 {
        e.write_all(&letters).unwrap();
    }
    std::fs::write(dir.path().join("letters.log.gz"), e.finish().unwrap()).unwrap();
    // 64 MiB of one letter as zstd, which packs it far tighter still.
    std::fs::write(
        dir.path().join("letters.txt.zst"),
        zst(&vec![b'a'; 64 << 20]),
    )
    .unwrap();
    // Truncated: the first half of a valid zip.
    let good = zip_of(&[("a.env", &key), ("b.env", &key)]);
    std::fs::write(dir.path().join("cut.zip"), &good[..good.len() / 2]).unwrap();
    // A truncated tar.gz: entries read before the cut are kept.
    let tgz = gz(&tar_of(&[
        ("first.env", &key),
        ("second.txt", &vec![b'x'; 200_000]),
    ]));
    std::fs::write(dir.path().join("cut.tar.gz"), &tgz[..tgz.len() - 40]).unwrap();
    // `../` and absolute names: shown as written, scanned, never followed.
    std::fs::write(
        dir.path().join("evil.tar"),
        tar_of(&[("../../etc/app.env", &key), ("/abs/app.env", &key)]),
    )
    .unwrap();
    let (code, v) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        finding_paths(&v),
        [
            "bomb.zip!ok.env",
            "cut.tar.gz!first.env",
            "evil.tar!../../etc/app.env",
            "evil.tar!/abs/app.env"
        ]
    );
    assert_eq!(
        skipped_paths(&v, "compression_ratio"),
        ["bomb.zip!zeros.txt", "letters.txt.zst!letters.txt"]
    );
    // gzip tops out near 1000 to 1; the size limit stops that stream instead.
    assert_eq!(
        skipped_paths(&v, "too_large"),
        ["letters.log.gz!letters.log"]
    );
    // The entry the cut fell in, and the archive that ended early.
    assert_eq!(
        skipped_paths(&v, "corrupt"),
        ["cut.tar.gz", "cut.tar.gz!second.txt", "cut.zip"]
    );
    assert!(!dir.path().join("../../etc/app.env").exists());
    assert!(!Path::new("/abs/app.env").exists());
}

/// Set the "encrypted" flag, or another compression method, on every entry of a stored
/// zip, in the local headers and the central directory alike.
fn patch_zip(mut z: Vec<u8>, flags: u16, method: Option<u16>) -> Vec<u8> {
    let mut i = 0;
    while i + 4 <= z.len() {
        let (flag_at, method_at) = match &z[i..i + 4] {
            b"PK\x03\x04" => (i + 6, i + 8),
            b"PK\x01\x02" => (i + 8, i + 10),
            _ => {
                i += 1;
                continue;
            }
        };
        let old = u16::from_le_bytes([z[flag_at], z[flag_at + 1]]);
        z[flag_at..flag_at + 2].copy_from_slice(&(old | flags).to_le_bytes());
        if let Some(m) = method {
            z[method_at..method_at + 2].copy_from_slice(&m.to_le_bytes());
        }
        i += 4;
    }
    z
}

#[test]
fn encrypted_and_unsupported_entries_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file();
    let stored = zip_with(&[("secret.env", &key)], zip::CompressionMethod::Stored);
    std::fs::write(
        dir.path().join("locked.zip"),
        patch_zip(stored.clone(), 1, None),
    )
    .unwrap();
    // 93 is Zstandard, a zip method plainsight does not decode.
    std::fs::write(dir.path().join("zstd.zip"), patch_zip(stored, 0, Some(93))).unwrap();
    let (code, v) = scan(dir.path(), &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(skipped_paths(&v, "encrypted"), ["locked.zip!secret.env"]);
    assert_eq!(skipped_paths(&v, "unsupported"), ["zstd.zip!secret.env"]);
}

#[test]
fn a_zip_of_100000_entries_is_scanned_to_the_entry_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let key = key_file();
    for i in 0..100_000 {
        w.start_file(format!("e/{i}.txt"), opts).unwrap();
        w.write_all(if i == 7 { &key } else { b"nothing\n" })
            .unwrap();
    }
    std::fs::write(
        dir.path().join("many.zip"),
        w.finish().unwrap().into_inner(),
    )
    .unwrap();
    let (code, v) = scan(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(finding_paths(&v), ["many.zip!e/7.txt"]);
    assert_eq!(v["stats"]["files_scanned"], 50_000);
    assert_eq!(count(&v, "archive_entries"), 50_000);
}

#[test]
fn archives_from_stdin_are_opened() {
    let body = gz(&tar_of(&[("x/app.env", &key_file())]));
    let out = plainsight()
        .args([
            "scan",
            "-",
            "--stdin-name",
            "upload.tgz",
            "--format",
            "json",
        ])
        .write_stdin(body)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding_paths(&v), ["upload.tgz!x/app.env"]);
}

fn git(dir: &Path, args: &[&str]) {
    let ok = StdCommand::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["-c", "user.name=A", "-c", "user.email=a@example.com"])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn archives_in_history_and_in_a_staged_change_are_opened() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("old.zip"), zip_of(&[("conf.env", &key_file())])).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "add a zip"]);
    git(repo, &["rm", "-q", "old.zip"]);
    git(repo, &["commit", "-q", "-m", "remove it"]);
    let out = plainsight()
        .args(["git", "--format", "json"])
        .arg(repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding_paths(&v), ["old.zip!conf.env"]);
    assert_eq!(
        v["findings"][0]["commit"]["sha"].as_str().unwrap().len(),
        40
    );

    write_tree(repo, &[("plain.txt", "nothing\n".to_string())]);
    std::fs::write(
        repo.join("new.tar.gz"),
        gz(&tar_of(&[("deploy/.env", &key_file())])),
    )
    .unwrap();
    git(repo, &["add", "."]);
    let out = plainsight()
        .args(["git", "--staged", "--format", "json"])
        .arg(repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding_paths(&v), ["new.tar.gz!deploy/.env"]);
}
