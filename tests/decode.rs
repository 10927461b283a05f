//! Encoded and wrapped secrets through the real binary: every decoding layer, two layers,
//! where findings point and what they say, token boundaries after encoded separators,
//! private keys in wrappers, JWTs, and encoded data that must stay silent.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{aws_key_id, plainsight, rsa_key, stripe_key, write_tree};
use proptest::prelude::*;
use serde_json::Value;

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for k in 0..4 {
            if k <= c.len() {
                out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn scan(dir: &Path, args: &[&str]) -> Value {
    let out = plainsight()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `(path, line, column, rule, decoded layers)` of every finding, sorted.
fn found(v: &Value) -> Vec<(String, u64, u64, String, Vec<String>)> {
    let mut f: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["decoded"]
                    .as_array()
                    .map(|a| a.iter().map(|l| l.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default(),
            )
        })
        .collect();
    f.sort();
    f
}

fn rule_in(v: &Value, path: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["path"] == path)
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_layer_is_undone_and_findings_point_at_the_encoded_span() {
    let dir = tempfile::tempdir().unwrap();
    let (aws, stripe) = (aws_key_id(), stripe_key());
    let k8s = b64(format!("aws_access_key_id = {aws}\n").as_bytes());
    let percent = stripe.replacen('_', "%5F", 1);
    let two = b64(format!("https://hooks.example.com/cb?k=stripe%3A{stripe}").as_bytes());
    let mime =
        b64(format!("Subject: keys\n\nthe key is {stripe} and more text to wrap\n").as_bytes());
    let (mime1, mime2) = mime.split_at(60);
    write_tree(
        dir.path(),
        &[
            (
                "k8s.yaml",
                format!("kind: Secret\ndata:\n  credentials: {k8s}\n"),
            ),
            (
                "hex.txt",
                format!("blob = {}\n", hex(format!("key={stripe}").as_bytes())),
            ),
            ("url.txt", format!("GET /cb?t=token%3A{percent} HTTP/1.1\n")),
            ("two.txt", format!("payload: {two}\n")),
            (
                "mail.eml",
                format!("Content-Transfer-Encoding: base64\n\n{mime1}\n{mime2}\n"),
            ),
            (
                "a.json",
                format!(
                    "{{\"cfg\": \"{{\\\"k\\\":\\\"\\u0073{}\\\"}}\"}}\n",
                    &stripe[1..]
                ),
            ),
            (
                "page.html",
                format!("<meta content=\"&#115;{}\">\n", &stripe[1..]),
            ),
            (
                "qp.eml",
                format!(
                    "Content-Transfer-Encoding: quoted-printable\n\nkey=3D{}=\n{}\n",
                    &stripe[..20],
                    &stripe[20..]
                ),
            ),
            (
                "Key.java",
                format!(
                    "String k = \"{}\" +\n    \"{}\";\n",
                    &stripe[..12],
                    &stripe[12..]
                ),
            ),
        ],
    );
    let v = scan(dir.path(), &[]);
    let f = found(&v);
    let layers = |path: &str| -> Vec<Vec<String>> {
        f.iter()
            .filter(|x| x.0 == path)
            .map(|x| x.4.clone())
            .collect()
    };
    assert_eq!(layers("k8s.yaml"), [vec!["base64".to_string()]], "{f:?}");
    assert_eq!(layers("hex.txt"), [vec!["hex".to_string()]]);
    assert_eq!(layers("url.txt"), [vec!["percent".to_string()]]);
    assert_eq!(
        layers("two.txt"),
        [vec!["base64".to_string(), "percent".to_string()]]
    );
    assert_eq!(layers("mail.eml"), [vec!["base64".to_string()]]);
    assert_eq!(layers("a.json"), [vec!["escape".to_string()]]);
    assert_eq!(layers("page.html"), [vec!["html".to_string()]]);
    assert_eq!(layers("qp.eml"), [vec!["quoted-printable".to_string()]]);
    assert_eq!(layers("Key.java"), [vec!["escape".to_string()]]);
    // The location is the encoded span in the original file.
    let k8s_finding = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"] == "k8s.yaml")
        .unwrap();
    assert_eq!(
        (k8s_finding["line"].as_u64(), k8s_finding["column"].as_u64()),
        (Some(3), Some(16))
    );
    assert_eq!(
        k8s_finding["end_column"].as_u64(),
        Some(16 + k8s.len() as u64)
    );
    // The fingerprint is the secret's own: the same as the key found raw.
    write_tree(
        dir.path(),
        &[("raw.env", format!("AWS_ACCESS_KEY_ID={aws}\n"))],
    );
    let v = scan(dir.path(), &[]);
    let print = |path: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["path"] == path)
            .unwrap()["fingerprint"]
            .clone()
    };
    assert_eq!(print("raw.env"), print("k8s.yaml"));

    // Off: only what is stored as it is (the raw key, and the manifest's opaque value).
    let v = scan(dir.path(), &["--max-decode-depth", "0"]);
    let f = found(&v);
    assert!(f.iter().all(|x| x.4.is_empty()), "{f:?}");
    assert_eq!(
        f.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        ["k8s.yaml", "raw.env"],
        "{f:?}"
    );
}

#[test]
fn reports_never_print_enough_of_an_encoded_secret_to_decode_it() {
    let dir = tempfile::tempdir().unwrap();
    let encoded = b64(format!("aws_access_key_id = {}\n", aws_key_id()).as_bytes());
    write_tree(dir.path(), &[("s.yaml", format!("creds: {encoded}\n"))]);
    for format in ["text", "json", "jsonl", "sarif", "gitlab"] {
        let out = plainsight()
            .arg("scan")
            .arg(dir.path())
            .args(["--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(!stdout.contains(&encoded[..12]), "{format}: {stdout}");
        assert!(!stdout.contains(&aws_key_id()), "{format}");
    }
    let text = String::from_utf8_lossy(
        &plainsight()
            .arg("scan")
            .arg(dir.path())
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    assert!(text.contains("decoded: base64"), "{text}");
}

#[test]
fn tokens_after_encoded_separators_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let s = stripe_key();
    write_tree(
        dir.path(),
        &[
            ("a.txt", format!("u?t=key%3A{s}\n")),
            ("b.txt", format!("path=%2F{s}\n")),
            ("c.py", format!("x = \"line\\n{s}\"\n")),
            ("d.json", format!("{{\"v\": \"say \\\"{s}\\\"\"}}\n")),
            ("e.html", format!("<p>key&#58;{s}</p>\n")),
        ],
    );
    let v = scan(dir.path(), &[]);
    for p in ["a.txt", "b.txt", "c.py", "d.json", "e.html"] {
        assert_eq!(
            rule_in(&v, p),
            ["stripe-live-secret-key"],
            "{p}: {:?}",
            found(&v)
        );
    }
}

#[test]
fn private_keys_in_wrappers_are_found_once() {
    let dir = tempfile::tempdir().unwrap();
    let pem = rsa_key();
    let prefixed =
        |prefix: &str| -> String { pem.lines().map(|l| format!("{prefix}{l}\n")).collect() };
    let java: String = {
        let lines: Vec<String> = pem.lines().map(|l| format!("    \"{l}\\n\"")).collect();
        format!("String key =\n{};\n", lines.join(" +\n"))
    };
    write_tree(
        dir.path(),
        &[
            ("app.log", prefixed("2024-05-01T10:00:00Z api[42]: ")),
            ("key.sh", prefixed("# ")),
            ("Key.kt", prefixed("// ")),
            ("key.c", format!("/*\n{} */\n", prefixed(" * "))),
            ("key.sql", prefixed("-- ")),
            ("Key.java", java),
            (
                "values.yaml",
                format!("tls:\n  key: {}\n", b64(pem.as_bytes())),
            ),
            (
                "key.json",
                format!("{{\"private_key\": \"{}\"}}\n", pem.replace('\n', "\\n")),
            ),
            ("plain.pem", pem.clone()),
        ],
    );
    let v = scan(dir.path(), &[]);
    for p in [
        "app.log",
        "key.sh",
        "Key.kt",
        "key.c",
        "key.sql",
        "Key.java",
        "values.yaml",
        "key.json",
        "plain.pem",
    ] {
        // Once, by whichever private-key rule fits the form best.
        let rules = rule_in(&v, p);
        assert_eq!(rules.len(), 1, "{p}: {:?}", found(&v));
        assert!(rules[0].starts_with("private-key"), "{p}: {rules:?}");
    }
    // The wrapped ones say how they were found.
    let f = found(&v);
    assert!(
        f.iter().any(|x| x.0 == "app.log" && x.4 == ["unwrap"]),
        "{f:?}"
    );
    assert!(
        f.iter().any(|x| x.0 == "key.c" && x.4 == ["unwrap"]),
        "{f:?}"
    );
    assert!(
        f.iter().any(|x| x.0 == "plain.pem" && x.4.is_empty()),
        "{f:?}"
    );
}

fn jwt(header: &str, payload: &str) -> String {
    let url = |s: &str| {
        b64(s.as_bytes())
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_")
    };
    format!(
        "{}.{}.{}",
        url(header),
        url(payload),
        "c2lnbmF0dXJlX2J5dGVzX2hlcmVfMTIzNDU2Nzg5MA"
    )
}

#[test]
fn bare_jwts_are_described_and_spent_ones_are_notes() {
    let dir = tempfile::tempdir().unwrap();
    let live = jwt(
        r#"{"alg":"RS256","typ":"JWT"}"#,
        r#"{"iss":"https://id.example.com","aud":"billing","exp":4102444800}"#,
    );
    let expired = jwt(r#"{"alg":"HS256"}"#, r#"{"iss":"ci","exp":1500000000}"#);
    let unsigned = jwt(r#"{"alg":"none"}"#, r#"{"sub":"x"}"#);
    let sample = jwt(
        r#"{"alg":"HS256","typ":"JWT"}"#,
        r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#,
    );
    write_tree(
        dir.path(),
        &[
            ("live.txt", format!("fixture {live}\n")),
            ("expired.txt", format!("fixture {expired}\n")),
            ("none.txt", format!("fixture {unsigned}\n")),
            ("sample.txt", format!("fixture {sample}\n")),
            (
                "basic.sh",
                format!("curl -H 'Authorization: Basic {live}'\n"),
            ),
        ],
    );
    let v = scan(dir.path(), &[]);
    let by_path = |p: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == p)
            .cloned()
    };
    let live_f = by_path("live.txt").unwrap();
    assert_eq!(live_f["rule_id"], "jwt");
    assert_eq!(live_f["severity"], "warning");
    let details = live_f["details"].as_str().unwrap();
    assert!(details.contains("alg RS256"), "{details}");
    assert!(details.contains("iss https://id.example.com"), "{details}");
    assert!(details.contains("aud billing"), "{details}");
    assert!(details.contains("exp 4102444800"), "{details}");
    assert!(
        !details.contains("c2lnbmF0"),
        "the signature never shows: {details}"
    );
    assert_eq!(by_path("expired.txt").unwrap()["severity"], "note");
    assert_eq!(by_path("none.txt").unwrap()["severity"], "note");
    assert!(by_path("sample.txt").is_none());
    assert!(by_path("basic.sh").is_none());
}

#[test]
fn encoded_data_that_is_not_a_secret_stays_silent() {
    let dir = tempfile::tempdir().unwrap();
    // A 1x1 PNG, random font-like bytes, an npm integrity hash, a source map, a
    // minified bundle line, a PGP public key block and a certificate.
    let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    let font: Vec<u8> = (0u32..3000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let armour =
        |kind: &str, body: &str| format!("-----BEGIN {kind}-----\n{body}\n-----END {kind}-----\n");
    let body: String = b64(&font[..900])
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    write_tree(
        dir.path(),
        &[
            ("index.html", format!("<img src=\"data:image/png;base64,{png}\">\n")),
            ("style.css", format!("@font-face {{ src: url(data:font/woff2;base64,{}) }}\n", b64(&font))),
            ("package-lock.json", "{\"integrity\": \"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==\"}\n".to_string()),
            ("app.js.map", "{\"version\":3,\"mappings\":\"AAAA,SAASA,IAAI,CAACC,CAAC,EAAEC,CAAC,GAAG,CAAC,CAAC;AACjB,OAAOD,CAAC,GAAGC,CAAC\"}\n".to_string()),
            ("app.min.js", "!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};return e[r].call(o.exports,o,o.exports,n),o.l=!0,o.exports}n.m=e,n.c=t}([]);\n".to_string()),
            ("key.asc", armour("PGP PUBLIC KEY BLOCK", &body)),
            ("cert.pem", armour("CERTIFICATE", &body)),
        ],
    );
    let v = scan(dir.path(), &[]);
    assert_eq!(found(&v), [], "{v}");
}

fn scanner(depth: usize) -> plainsight::Scanner {
    let options = plainsight::ScanOptions {
        decode_depth: depth,
        ..plainsight::ScanOptions::default()
    };
    plainsight::Scanner::new(plainsight::RuleSet::builtin().unwrap(), options).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Text with nothing encoded in it (no `%`, `\`, `&`, `=`, quotes, or runs of
    /// base64 long enough to decode) gives the same findings with decoding on and off.
    #[test]
    fn decoding_never_changes_the_findings_of_plain_text(
        words in proptest::collection::vec("[a-z]{1,12}|[A-Z][a-z]{1,10}|[0-9]{1,6}|[ .,:;\n]{1,3}", 1..200),
        key_at in 0usize..200,
    ) {
        let mut text = String::new();
        for (i, w) in words.iter().enumerate() {
            if i == key_at {
                text.push_str(&format!(" id: {} ", aws_key_id()));
            }
            text.push_str(w);
            text.push(' ');
        }
        let (off, on) = (scanner(0), scanner(2));
        let a: Vec<_> = off.scan_bytes("t.txt", text.as_bytes()).findings.iter().map(|f| (f.location, f.rule.id.clone())).collect();
        let b: Vec<_> = on.scan_bytes("t.txt", text.as_bytes()).findings.iter().map(|f| (f.location, f.rule.id.clone())).collect();
        prop_assert_eq!(a, b);
    }
}

#[test]
fn a_marker_above_a_pem_block_silences_the_whole_block() {
    let dir = tempfile::tempdir().unwrap();
    write_tree(
        dir.path(),
        &[
            (
                "above.pem",
                format!("# test key, plainsight:allow\n{}", rsa_key()),
            ),
            (
                "begin.pem",
                rsa_key().replacen("-----\n", "----- # plainsight:allow\n", 1),
            ),
            ("apart.pem", format!("# plainsight:allow\n\n{}", rsa_key())),
        ],
    );
    let v = scan(dir.path(), &[]);
    assert_eq!(rule_in(&v, "above.pem"), Vec::<String>::new());
    assert_eq!(rule_in(&v, "begin.pem"), Vec::<String>::new());
    assert_eq!(rule_in(&v, "apart.pem"), ["private-key"]);
    assert_eq!(v["stats"]["suppressed"]["inline"], 2);
}

/// A fake unencrypted PuTTY key file (PPK 3, ed25519). The header is built from pieces
/// so this file, which the self-scan reads, holds no key file.
fn putty_key() -> String {
    let header = ["PuTTY-User-", "Key-File-3: ssh-ed25519"].concat();
    [
        header.as_str(),
        "Encryption: none",
        "Comment: eddsa-key-20241201",
        "Public-Lines: 2",
        "AAAAC3NzaC1lZDI1NTE5AAAAIFq3mB8tK2vW9xR4nP7cL1sD6fH0jY5gT3eA8uQ",
        "zN4kM2bX",
        "Private-Lines: 1",
        "AAAAIHc9Rt2Lm4Xw8Vb1Nq6Kd3Fg7Hj0Ps5Qa2Ue9Io4Yt1Rw6Ez3Xc8Vb5Nm2",
        "Private-MAC: 8c1e5b2d9f4a7c3e6b0d8f2a5c9e1b4d7f0a3c6e9b2d5f8a1c4e7b0d3f6a9c2e",
    ]
    .iter()
    .map(|l| format!("{l}\n"))
    .collect()
}

#[test]
fn putty_keys_behind_prefixes_and_in_literals_are_found_once() {
    let dir = tempfile::tempdir().unwrap();
    let ppk = putty_key();
    // A log whose timestamps differ from line to line, and comment leaders.
    let logged: String = ppk
        .lines()
        .enumerate()
        .map(|(i, l)| format!("2024-05-01T10:00:{:02}Z sshd[7]: {l}\n", i * 7 % 60))
        .collect();
    let prefixed =
        |prefix: &str| -> String { ppk.lines().map(|l| format!("{prefix}{l}\n")).collect() };
    let java: String = {
        let lines: Vec<String> = ppk.lines().map(|l| format!("    \"{l}\\n\"")).collect();
        format!("String ppk =\n{};\n", lines.join(" +\n"))
    };
    write_tree(
        dir.path(),
        &[
            ("sshd.log", logged),
            ("deploy.sh", prefixed("# ")),
            ("Keys.kt", prefixed("// ")),
            ("Keys.java", java),
            (
                "key.json",
                format!("{{\"ppk\": \"{}\"}}\n", ppk.replace('\n', "\\n")),
            ),
            ("plain.ppk", ppk.clone()),
            // Prose that names the format, and a public-only fragment: nothing.
            (
                "notes.md",
                "# Load the PuTTY-User-Key-File-3 format\n".to_string(),
            ),
            (
                "half.log",
                "x: PuTTY-User-Key-File-3: ssh-ed25519\nx: Encryption: none\n".to_string(),
            ),
        ],
    );
    let v = scan(dir.path(), &[]);
    for p in [
        "sshd.log",
        "deploy.sh",
        "Keys.kt",
        "Keys.java",
        "key.json",
        "plain.ppk",
    ] {
        assert_eq!(
            rule_in(&v, p),
            ["putty-private-key"],
            "{p}: {:?}",
            found(&v)
        );
    }
    for p in ["notes.md", "half.log"] {
        assert!(rule_in(&v, p).is_empty(), "{p}: {:?}", found(&v));
    }
    let f = found(&v);
    for p in ["sshd.log", "deploy.sh", "Keys.kt"] {
        assert!(
            f.iter().any(|x| x.0 == p && x.4 == ["unwrap"]),
            "{p}: {f:?}"
        );
    }
    // The concatenated literal is joined by the escape layer before any unwrapping.
    assert!(
        f.iter().any(|x| x.0 == "Keys.java" && x.4 == ["escape"]),
        "{f:?}"
    );
    // An unwrapped file is placed where its wrapped form starts: the header line.
    assert!(f.iter().any(|x| x.0 == "sshd.log" && x.1 == 1), "{f:?}");
}

#[test]
fn one_line_openssh_keys_in_string_literals_are_found() {
    let dir = tempfile::tempdir().unwrap();
    // An OpenSSH (ed25519) key body: "openssh-key-v1\0" and key bytes, base64, 70 a line.
    let mut raw = b"openssh-key-v1\0\0\0\0\x04none\0\0\0\x04none".to_vec();
    raw.extend((0u32..180).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let body = b64(&raw);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(70)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let begin = ["-----BEGIN OPENSSH ", "PRIVATE KEY-----"].concat();
    let end = ["-----END OPENSSH ", "PRIVATE KEY-----"].concat();
    let one_line = format!("{begin}\\n{}\\n{end}\\n", lines.join("\\n"));
    write_tree(
        dir.path(),
        &[
            ("deploy.json", format!("{{\"ssh_key\": \"{one_line}\"}}\n")),
            ("settings.py", format!("SSH_KEY = '{one_line}'\n")),
            ("app.env", format!("SSH_KEY=\"{one_line}\"\n")),
            ("main.go", format!("const key = \"{one_line}\"\n")),
        ],
    );
    let v = scan(dir.path(), &[]);
    for p in ["deploy.json", "settings.py", "app.env", "main.go"] {
        let rules = rule_in(&v, p);
        assert_eq!(rules.len(), 1, "{p}: {:?}", found(&v));
        assert!(rules[0].starts_with("private-key"), "{p}: {rules:?}");
    }
}
