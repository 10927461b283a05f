//! Redaction cannot leak: over random secrets in random surroundings (end of file with
//! no newline, several secrets on one line, multi-line private keys, odd bytes around),
//! no plaintext secret appears in the text, JSON, SARIF or JSON-lines report unless
//! `show_secrets` is set, and with it set the secret does appear (so the property is
//! not vacuous).

#![allow(clippy::unwrap_used)]

mod common;
mod hostile_support;

use hostile_support::custom_rule;
use plainsight::report::{self, Format, ReportOptions};
use plainsight::scan::ScanStats;
use plainsight::{RuleSet, ScanOptions, Scanner};
use proptest::prelude::*;

fn scanner() -> Scanner {
    let mut rules = plainsight::rules::builtin::load().unwrap();
    rules.extend(plainsight::rules::parse("t.toml", &custom_rule("hostile-test-token")).unwrap());
    Scanner::new(RuleSet::new(rules).unwrap(), ScanOptions::default()).unwrap()
}

/// Every format's output for `text` scanned at `path`.
fn outputs(scanner: &Scanner, text: &[u8], show_secrets: bool) -> (usize, Vec<(Format, String)>) {
    let m = scanner.scan_bytes("dir/file.txt", text);
    let report = scanner.finish(m.findings, ScanStats::default(), Vec::new());
    let opts = ReportOptions {
        show_secrets,
        color: false,
        verbose: true,
    };
    let outs = [Format::Text, Format::Json, Format::Sarif, Format::Jsonl]
        .into_iter()
        .map(|f| {
            let mut buf = Vec::new();
            report::write(f, &report, opts, &mut buf).unwrap();
            (f, String::from_utf8(buf).unwrap())
        })
        .collect();
    (report.findings.len(), outs)
}

fn assert_hidden(scanner: &Scanner, text: &[u8], secrets: &[String]) -> Result<(), TestCaseError> {
    let (n, outs) = outputs(scanner, text, false);
    prop_assume!(n > 0);
    for (format, out) in &outs {
        for s in secrets {
            assert!(!out.contains(s.as_str()), "{format:?} leaks {s}:\n{out}");
        }
    }
    let (_, shown) = outputs(scanner, text, true);
    let json = &shown[1].1;
    assert!(
        secrets.iter().any(|s| json.contains(s.as_str())),
        "--show-secrets shows nothing: {json}"
    );
    Ok(())
}

/// Surroundings that never extend a token: no ASCII letters or digits.
const AROUND: &str = "[ \\t=:\"',;(){}<>é€\u{fffd}\\n\\r-]{0,40}";
const SECRET: &str = "[A-Za-z0-9]{20,60}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn single_line_secrets_never_leak(
        before in AROUND,
        a in SECRET,
        middle in "[ ,;=:]{1,5}",
        b in SECRET,
        after in AROUND,
        second in any::<bool>(),
    ) {
        let s = scanner();
        let mut text = format!("{before}pst_{a}");
        let mut secrets = vec![a];
        if second {
            text.push_str(&format!("{middle}pst_{b}"));
            secrets.push(b);
        }
        text.push_str(&after); // may be empty: the secret ends the file, no newline
        assert_hidden(&s, text.as_bytes(), &secrets)?;
    }

    #[test]
    fn multi_line_keys_never_leak(
        before in AROUND,
        lines in proptest::collection::vec("[A-Za-z0-9+/]{64}", 2..6),
        last in "[A-Za-z0-9+/]{4,63}={0,2}",
        eol in prop_oneof!["\n", "\r\n"],
        after in AROUND,
    ) {
        let s = scanner();
        let begin = ["-----BEGIN RSA ", "PRIVATE KEY-----"].concat();
        let end = ["-----END RSA ", "PRIVATE KEY-----"].concat();
        let mut body: Vec<String> = lines;
        body.push(last);
        let text = format!("{before}\n{begin}{eol}{}{eol}{end}{after}", body.join(eol.as_str()));
        // No line of the body, not even the first (the one in the context line), shows.
        let long: Vec<String> = body.into_iter().filter(|l| l.len() >= 16).collect();
        assert_hidden(&s, text.as_bytes(), &long)?;
    }
}
