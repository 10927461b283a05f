//! Credential files recognised by name or by structure, through the binary: keystores
//! (binary) are findings rather than binary skips, and rules restricted to a file name
//! stay silent on the same text under any other name.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// (path, rule id) of every finding, sorted.
fn found(v: &Value) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    f.sort();
    f
}

/// Header bytes then `len` bytes of filler holding NULs, so the file sniffs as binary.
fn binary(header: &[u8], len: usize) -> Vec<u8> {
    let mut v = header.to_vec();
    v.extend((0..len).map(|i| u8::try_from(i * 7 % 251).unwrap()));
    v
}

fn pkcs12() -> Vec<u8> {
    let header = [
        0x30, 0x82, 0x02, 0x10, 0x02, 0x01, 0x03, 0x30, 0x82, 0x01, 0xF0, 0x06, 0x09, 0x2A, 0x86,
        0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
    ];
    binary(&header, 500)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn keystores_are_findings_named_by_their_digest_not_binary_skips() {
    let dir = tempfile::tempdir().unwrap();
    let p12 = pkcs12();
    let jks = binary(&[0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1], 800);
    let jceks = binary(&[0xCE, 0xCE, 0xCE, 0xCE, 0, 0, 0, 2, 0, 0, 0, 1], 300);
    // A DER certificate and an executable-like blob: binary, and no keystore.
    let cert = binary(
        &[0x30, 0x82, 0x03, 0x0A, 0x30, 0x82, 0x01, 0xF2, 0xA0, 0x03],
        700,
    );
    std::fs::create_dir_all(dir.path().join("certs")).unwrap();
    std::fs::write(dir.path().join("certs/client.p12"), &p12).unwrap();
    std::fs::write(dir.path().join("keystore.jks"), &jks).unwrap();
    std::fs::write(dir.path().join("trust.jceks"), &jceks).unwrap();
    std::fs::write(dir.path().join("certs/ca.der"), &cert).unwrap();

    let v = json_scan(dir.path(), &["--show-secrets"]).1;
    assert_eq!(
        found(&v),
        vec![
            ("certs/client.p12".into(), "pkcs12-keystore".into()),
            ("keystore.jks".into(), "java-keystore".into()),
            ("trust.jceks".into(), "jceks-keystore".into()),
        ]
    );
    assert_eq!(
        skipped_paths(&v, "binary"),
        vec!["certs/ca.der".to_string()]
    );
    let p12_finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "pkcs12-keystore")
        .unwrap();
    assert_eq!(
        p12_finding["secret"].as_str().unwrap(),
        format!("sha256:{}", sha256_hex(&p12))
    );
    assert_eq!(p12_finding["line"], 1);
    assert!(
        p12_finding["context"]
            .as_str()
            .unwrap()
            .contains("PKCS#12 keystore: 522 bytes, binary"),
        "{p12_finding}"
    );

    // Without --show-secrets the digest is masked like any secret, and the same file's
    // fingerprint does not change between runs.
    let again = json_scan(dir.path(), &[]).1;
    let masked = &again["findings"][0];
    assert!(masked.get("secret").is_none());
    assert_eq!(masked["fingerprint"], v["findings"][0]["fingerprint"]);
}

#[test]
fn a_keystore_inside_an_archive_is_a_finding_at_its_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut zip_bytes = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip_bytes));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("WEB-INF/keys/server.pfx", opts).unwrap();
        std::io::Write::write_all(&mut w, &pkcs12()).unwrap();
        w.finish().unwrap();
    }
    std::fs::write(dir.path().join("app.war"), &zip_bytes).unwrap();
    let v = json_scan(dir.path(), &[]).1;
    let f = &v["findings"][0];
    assert_eq!(f["rule_id"], "pkcs12-keystore");
    assert_eq!(f["archive_entry"], "WEB-INF/keys/server.pfx");
}

#[test]
fn credential_files_are_found_only_under_their_own_names() {
    let dir = tempfile::tempdir().unwrap();
    let pgpass = format!(
        "db.internal:5432:orders:app:{}\n",
        ["Tq8v", "Lm2p", "X9wK"].concat()
    );
    let master_key = format!("{}{}\n", "3515dfc066f99e73", "dbc538aa288eabe0");
    let dbeaver: Vec<u8> = (0u8..48)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    write_tree(
        dir.path(),
        &[
            ("home/.pgpass", pgpass.clone()),
            ("notes/pgpass.txt", pgpass),
            ("app/config/master.key", master_key.clone()),
            ("app/config/master.key.txt", master_key),
        ],
    );
    for at in [
        "ws/General/.dbeaver/credentials-config.json",
        "other/credentials-config.json",
    ] {
        let p = dir.path().join(at);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &dbeaver).unwrap();
    }
    let v = json_scan(dir.path(), &[]).1;
    assert_eq!(
        found(&v),
        vec![
            (
                "app/config/master.key".into(),
                "rails-master-key-file".into()
            ),
            ("home/.pgpass".into(), "pgpass-password".into()),
            (
                "ws/General/.dbeaver/credentials-config.json".into(),
                "dbeaver-encrypted-credentials".into()
            ),
        ]
    );
}
