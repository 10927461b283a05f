//! Helpers shared by the hostile-input tests: a custom rule for tests that need a token
//! format of their own, and a peak-memory probe for the child process.

#![allow(dead_code)]

use std::process::Command;

/// A custom rule file/config body whose token format is `pst_` + 20-60 alphanumerics.
pub fn custom_rule(id: &str) -> String {
    format!(
        r#"[[rules]]
id = "{id}"
name = "Hostile test token"
provider = "Test"
description = "A token format used by plainsight's own tests."
severity = "error"
security_severity = 5.0
precision = "high"
keywords = ["pst_"]
regex = '''pst_(?P<secret>[A-Za-z0-9]{{20,60}})'''
placeholder_check = false
examples = ["pst_Zq3xT9pLm2Vw8Rk4Yb7N", "x = pst_Zq3xT9pLm2Vw8Rk4Yb7Nc1Hd"]
negative_examples = ["pst_short"]
"#
    )
}

/// Run `cmd` under `/usr/bin/time -v` and return (exit code, stdout, stderr without
/// time's report, peak RSS of the child in KiB).
pub fn run_measured(cmd: &mut Command) -> (Option<i32>, Vec<u8>, String, u64) {
    let mut timed = Command::new("/usr/bin/time");
    timed.arg("-v").arg(cmd.get_program()).args(cmd.get_args());
    let out = timed.output().expect("/usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let rss = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|n| n.trim().parse().ok())
        .expect("time -v reports the peak RSS");
    let own = stderr
        .split("\tCommand being timed")
        .next()
        .unwrap_or_default()
        .to_string();
    (out.status.code(), out.stdout, own, rss)
}

/// A deterministic pseudo-random alphanumeric string (xorshift), `n` characters.
pub fn alnum(seed: &mut u64, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            char::from(A[(*seed % 62) as usize])
        })
        .collect()
}
