//! A git repository built with the `git` CLI at test time, with a fixed identity and a
//! clock that moves one hour per commit, so commit order and times are explicit.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command as StdCommand;

/// A fake AWS access key id, distinct per `n`, built from pieces at run time.
pub fn key(n: u32) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut x = n.wrapping_mul(2_654_435_761).wrapping_add(0x9E37_79B9);
    let body: String = (0..16)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            char::from(ALPHABET[(x % 32) as usize])
        })
        .collect();
    ["AK", "IA", &body].concat()
}

pub struct Repo {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    /// Seconds added to the base date for each commit, so commit order is explicit.
    clock: std::cell::Cell<i64>,
}

pub const BASE_TIME: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        let r = Repo {
            _dir: dir,
            path,
            clock: std::cell::Cell::new(0),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    pub fn cmd(&self) -> StdCommand {
        let mut c = StdCommand::new("git");
        let t = BASE_TIME + self.clock.get();
        let date = format!("@{t} +0000");
        c.current_dir(&self.path)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Alice Author")
            .env("GIT_AUTHOR_EMAIL", "alice@example.com")
            .env("GIT_COMMITTER_NAME", "Carol Committer")
            .env("GIT_COMMITTER_EMAIL", "carol@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "core.hooksPath=.git/hooks",
            ]);
        c
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    pub fn write(&self, rel: &str, body: &[u8]) {
        let p = self.path.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(p, body).unwrap();
    }

    /// Commit everything staged; returns the new commit's sha. Each commit is one hour
    /// after the previous one.
    pub fn commit(&self, message: &str) -> String {
        self.clock.set(self.clock.get() + 3600);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn add_commit(&self, rel: &str, body: &str, message: &str) -> String {
        self.write(rel, body.as_bytes());
        self.git(&["add", rel]);
        self.commit(message)
    }

    pub fn time(&self) -> i64 {
        BASE_TIME + self.clock.get()
    }
}
