//! Helpers shared by the hostile-input tests: a custom rule for tests that need a token
//! format of their own, and a peak-memory probe for the child process.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

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

/// Run `cmd` and return (exit code, stdout, stderr, peak RSS of the child in KiB), read
/// from `wait4`'s rusage for that one child: through GNU `/usr/bin/time -v` when it is
/// installed, else through Python's `os.wait4` (Python 3 is on every machine here).
pub fn run_measured(cmd: &mut Command) -> (Option<i32>, Vec<u8>, String, u64) {
    let mut stdout = Vec::new();
    let (code, stderr, rss) = run_measured_lines(cmd, |line| {
        stdout.extend_from_slice(line.as_bytes());
        stdout.push(b'\n');
    });
    (code, stdout, stderr, rss)
}

/// Like [`run_measured`], but hand each stdout line to `each` as it arrives instead of
/// keeping the output (a million findings are ~400 MB of JSON lines).
pub fn run_measured_lines(
    cmd: &mut Command,
    mut each: impl FnMut(&str),
) -> (Option<i32>, String, u64) {
    const PY: &str = "import os, subprocess, sys\n\
        p = subprocess.Popen(sys.argv[1:])\n\
        _, st, ru = os.wait4(p.pid, 0)\n\
        sys.stderr.write('\\tMaximum resident set size (kbytes): %d\\n' % ru.ru_maxrss)\n\
        sys.exit(os.waitstatus_to_exitcode(st) & 255)\n";
    // HOSTILE_RSS_VIA_PYTHON=1 forces the fallback (to test it where GNU time exists).
    let gnu_time = std::path::Path::new("/usr/bin/time").exists()
        && std::env::var_os("HOSTILE_RSS_VIA_PYTHON").is_none();
    let mut timed = if gnu_time {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-v");
        c
    } else {
        let mut c = Command::new("python3");
        c.args(["-c", PY]);
        c
    };
    timed.arg(cmd.get_program()).args(cmd.get_args());
    let mut child = timed
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the measured command");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let out = BufReader::new(child.stdout.take().expect("stdout"));
    for line in out.lines() {
        each(&line.expect("UTF-8 output"));
    }
    let status = child.wait().expect("wait");
    let stderr = err_reader.join().expect("stderr reader");
    let rss = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|n| n.trim().parse().ok())
        .expect("the peak RSS is reported");
    (status.code(), stderr, rss)
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
