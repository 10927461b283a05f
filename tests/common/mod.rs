//! Shared helpers for integration tests: fixture trees with fake keys assembled at run
//! time (so plainsight's scan of its own source stays clean) and a handle on the binary.

#![allow(dead_code)]

pub mod repo;

use std::path::Path;

use assert_cmd::Command;

/// The plainsight binary under test.
pub fn plainsight() -> Command {
    let mut c = Command::cargo_bin("plainsight").expect("binary built");
    // The developer's own gitleaks settings must not change what the tests see.
    c.env_remove("NO_COLOR")
        .env_remove("GITLEAKS_CONFIG")
        .env_remove("GITLEAKS_CONFIG_TOML");
    c
}

/// A fake AWS access key id, assembled so the literal never sits in this file.
pub fn aws_key_id() -> String {
    ["AK", "IA", "OM7WBBR6QMW4WXFO"].concat()
}

/// A fake AWS secret access key (40 base64 characters).
pub fn aws_secret() -> String {
    ["3QlY7Zkuvqdt7s8St", "qcbnr3yBdGBLEPH1qhT61qt"].concat()
}

/// A fake GitHub classic token with a valid checksum.
pub fn github_token() -> String {
    plainsight::matcher::github_token_with_checksum(
        &["gh", "p_"].concat(),
        "Zq3xT9pLm2Vw8Rk4Yb7Nc1Hd6Jf5Gs",
    )
}

/// A fake Stripe live secret key.
pub fn stripe_key() -> String {
    ["sk_", "live_", "KiaEdFrRgSnRFsTHsDDDXh5Jmtf7Ebs"].concat()
}

/// A fake multi-line RSA private key block (7 lines).
pub fn rsa_key() -> String {
    let begin = ["-----BEGIN RSA ", "PRIVATE KEY-----"].concat();
    let end = ["-----END RSA ", "PRIVATE KEY-----"].concat();
    format!(
        "{begin}\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n\
         aFDrBz9vFqU4yRWVCyt6Kc2Yq8e2QpMLDvXnGEwUbt4uqHbg9hMGyAGWSBQzLKxg\n\
         Yl4i5N1Fb1R2Nf+vRiX8TgaMYFZc6E1kLfU3QBSnEz3Md0cJ7qDcGkNaGp3VAhe2\n\
         r7Tq2Lm9Xw4Vb8Nc3Kd6Fg1Hj5Ps0Qa7Ue2Io9Yt4Rw3Ez8Xc6Vb1Nm5Kl2Jh7\n\
         Gf0Ds3Ap8Ou4Iy9Tr6Ew1Qz5Xc2Vb7Nm3Lk8Jh4Gf9Ds0Ap6Ou1Iy7Tr3Ew5Qz\n{end}\n"
    )
}

/// A config `[[rules]]` table for a custom ACME token rule (`acme_` and 20 characters)
/// whose examples are `example` and a variant of it.
pub fn acme_rule_toml(example: &str) -> String {
    format!(
        r#"[[rules]]
id = "acme-token"
name = "ACME token"
provider = "ACME"
description = "An internal ACME token."
severity = "error"
security_severity = 8.0
precision = "high"
keywords = ["acme_"]
regex = '''\b(?P<secret>acme_[A-Za-z0-9]{{20}})\b'''
examples = ["{example}", "x {example}"]
negative_examples = ["acme_short"]
"#
    )
}

/// Write `files` (relative path, contents) under `root`.
pub fn write_tree(root: &Path, files: &[(&str, String)]) {
    for (rel, body) in files {
        let p = root.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, body).expect("write fixture");
    }
}

/// A small tree with findings of several rules, a clean file and a binary file.
pub fn sample_tree(root: &Path) {
    write_tree(
        root,
        &[
            (
                "config/.env",
                format!(
                    "AWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n",
                    aws_key_id(),
                    aws_secret()
                ),
            ),
            (
                "src/app.py",
                format!("import os\n\nTOKEN = \"{}\"\nprint('hi')\n", github_token()),
            ),
            ("keys/id_rsa", rsa_key()),
            (
                "billing.js",
                format!("const stripe = require('stripe')('{}');\n", stripe_key()),
            ),
            ("README.md", "nothing to see here\n".to_string()),
        ],
    );
    std::fs::write(root.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("binary");
}

/// Run plainsight with `args` and expect exit 2, every one of `needles` in stderr, and
/// no panic.
pub fn expect_exit_2<I, S>(args: I, needles: &[&str])
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = plainsight().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "missing `{n}` in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `plainsight scan DIR --format json EXTRA…`: its exit code and parsed report.
pub fn json_scan(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = plainsight()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    (out.status.code().unwrap_or(-1), v)
}

/// The report paths of a JSON report's findings, sorted.
pub fn finding_paths(v: &serde_json::Value) -> Vec<String> {
    let mut p: Vec<String> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    p.sort();
    p
}

/// The paths a JSON report lists as skipped for `reason`, sorted.
pub fn skipped_paths(v: &serde_json::Value, reason: &str) -> Vec<String> {
    let mut p: Vec<String> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter(|s| s["reason"] == reason)
        .map(|s| s["path"].as_str().expect("path").to_string())
        .collect();
    p.sort();
    p
}

/// The third-party fixture of the inventory tests, every key assembled at run time:
/// (relative path, contents) and the full secrets no output may show.
pub fn inventory_tree() -> (Vec<(&'static str, String)>, Vec<String>) {
    let openai = [
        "sk-",
        "proj-",
        "c0X0AWIRh-JUqBlIFXZ53Ncqe28_ajY75FnCttn6kfaqDeMqG3omjMyXHCabM6JOF8EFd0Nhcy",
        "T3Blbk",
        "FJ-1kGD2VD-eR1UYzaLiA-zNyD7CHLn-xC_1hsYgBds1ghxY5OokvQyx7eNWVQ4vnakJkS1pAWTN",
    ]
    .concat();
    let anthropic = [
        "sk-",
        "ant-",
        "api03-SGuPJ6sG9AHEOVezxZuJPWvHogU5nGYVHWVsUQk4DwgLGNOaeCtL31Ugq_",
        "DfcgaTMnTC0MrAU8urbFt5misIZHbhS4-Fv",
        "AA",
    ]
    .concat();
    let mixpanel_secret = ["FqgCPSjQkwLt73QE", "rOdvLO4eoKykfjXC"].concat();
    let mixpanel_token = ["b5439a148f6f4fa5", "11e3b206fc1f62c6"].concat();
    let segment = ["JSwN7yrGPjo2UOYP", "6FbuFWEPyshW8Ojl"].concat();
    let sentry_key = ["4ceb4c761fc4ad95", "3661e40af29f2a72"].concat();
    let posthog_personal = ["ph", "x_", "fdp62Nb8T2BvPsDtquYaWjIcN8Yau6hzxylNYYKq23j"].concat();
    let posthog_project = ["ph", "c_", "nAAXUIAsy5kPSXfcnuo05UODpAbgUIVFo9NIMhrSOuY"].concat();
    let files = vec![
        (
            "ai/chat.py",
            format!(
                "from openai import OpenAI\nimport anthropic\n\nOPENAI_API_KEY=\"{openai}\"\nANTHROPIC_API_KEY=\"{anthropic}\"\nclient = OpenAI()\nclaude = anthropic.Anthropic()\n"
            ),
        ),
        (
            "config/.env",
            format!(
                "MIXPANEL_SERVICE_ACCOUNT_SECRET={mixpanel_secret}\nPOSTHOG_PERSONAL_API_KEY={posthog_personal}\nAWS_ACCESS_KEY_ID={}\nAWS_SECRET_ACCESS_KEY={}\n",
                aws_key_id(),
                aws_secret()
            ),
        ),
        (
            "web/analytics.js",
            format!(
                "import mixpanel from 'mixpanel-browser';\nmixpanel.init(\"{mixpanel_token}\", {{debug: true}});\nanalytics.load(\"{segment}\");\nposthog.init('{posthog_project}', {{api_host: 'https://us.i.posthog.com'}})\nSentry.init({{ dsn: 'https://{sentry_key}@o44.ingest.sentry.io/5123' }})\n"
            ),
        ),
        (
            "server/track.py",
            "import mixpanel\nrequests.post(\"https://api.mixpanel.com/track\", data=payload)\n".to_string(),
        ),
    ];
    let secrets = vec![
        openai,
        anthropic,
        mixpanel_secret,
        mixpanel_token,
        segment,
        sentry_key,
        posthog_personal,
        posthog_project,
        aws_key_id(),
        aws_secret(),
    ];
    (files, secrets)
}

/// Snapshot settings: temp paths, times and the version filtered out.
pub fn insta_settings(dir: &std::path::Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    let canon = std::fs::canonicalize(dir).unwrap();
    s.add_filter(&regex_escape(&canon.display().to_string()), "[ROOT]");
    s.add_filter(&regex_escape(&dir.display().to_string()), "[ROOT]");
    s.add_filter(r#""elapsed_ms": \d+"#, r#""elapsed_ms": "[ms]""#);
    s.add_filter(r"in \d+\.\d\ds", "in [time]");
    s.add_filter(r#""rule_set": "[0-9a-f]{64}""#, r#""rule_set": "[digest]""#);
    s.add_filter(&regex_escape(env!("CARGO_PKG_VERSION")), "[VERSION]");
    s
}

/// Escape `s` for a regex (insta filters are regexes).
pub fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if "\\.+*?()|[]{}^$#&-~".contains(c) {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect()
}
