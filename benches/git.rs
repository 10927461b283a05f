//! Criterion benchmarks of the git sources, in-process (no process start):
//! - `git/staged_10_files`: the pre-commit path, a 10-file staged change in a repository
//!   of 400 tracked files (open the repository, read the index and `HEAD`'s tree, diff
//!   and scan the changed blobs);
//! - `git/history_N_commits`: a history scan of a generated repository (N commits, 1-3
//!   files edited per commit, packed), every introduced blob read and scanned once.
//!
//! Repositories are generated with `git fast-import` in a temporary directory; the
//! process-level timings (5,000 commits, and the staged mode with process start) are in
//! `benches/git-history.sh`. Quick run: `cargo bench --bench git -- --quick`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use plainsight::git::{HistoryOptions, Repo};
use plainsight::{RuleSet, ScanOptions, Scanner};

const DIRS: usize = 20;
const FILES_PER_DIR: usize = 20;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("small")
    }
}

/// A repository of `commits` commits over 400 files, written with `git fast-import`.
fn generate(dir: &Path, commits: usize) {
    git(dir, &["init", "-q", "-b", "main"]);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let paths: Vec<String> = (0..DIRS * FILES_PER_DIR)
        .map(|i| {
            format!(
                "src/mod{:02}/file{:03}.py",
                i / FILES_PER_DIR,
                i % FILES_PER_DIR
            )
        })
        .collect();
    let mut contents: Vec<String> = paths.iter().map(|p| format!("# {p}\n")).collect();
    let mut stream = String::new();
    let mut mark = 0usize;
    for c in 1..=commits {
        let mut changed = Vec::new();
        // The first commit adds every file; later ones edit one to three.
        let picks: Vec<usize> = if c == 1 {
            (0..paths.len()).collect()
        } else {
            (0..=rng.below(3)).map(|_| rng.below(paths.len())).collect()
        };
        for i in picks {
            for _ in 0..=rng.below(4) {
                let _ = writeln!(
                    contents[i],
                    "value_{} = compute({})",
                    rng.next() % 1_000_000_000,
                    rng.below(1000)
                );
            }
            mark += 1;
            let body = &contents[i];
            let _ = write!(stream, "blob\nmark :{mark}\ndata {}\n{body}\n", body.len());
            changed.push((i, mark));
        }
        mark += 1;
        let t = 1_600_000_000 + c * 600;
        let _ = write!(
            stream,
            "commit refs/heads/main\nmark :{mark}\nauthor Bench <b@example.com> {t} +0000\n\
             committer Bench <b@example.com> {t} +0000\ndata 7\nchange\n"
        );
        for (i, m) in changed {
            let _ = writeln!(stream, "M 100644 :{m} {}", paths[i]);
        }
        stream.push('\n');
    }
    stream.push_str("done\n");
    let mut child = Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream.as_bytes())
        .expect("write stream");
    assert!(child.wait().expect("fast-import").success());
    git(dir, &["gc", "-q"]);
    git(dir, &["reset", "-q", "--hard", "main"]);
}

fn scanner() -> Scanner {
    Scanner::new(RuleSet::builtin().expect("rules"), ScanOptions::default()).expect("scanner")
}

fn bench_staged(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), 50);
    for i in 0..10 {
        let rel = format!("src/mod{i:02}/file{i:03}.py");
        let path = dir.path().join(&rel);
        let mut body = std::fs::read_to_string(&path).expect("read");
        body.push_str(&format!(
            "token = compute({i})\nname = 'staged change {i}'\n"
        ));
        std::fs::write(&path, body).expect("write");
        git(dir.path(), &["add", &rel]);
    }
    let scanner = scanner();
    c.bench_function("git/staged_10_files", |b| {
        b.iter(|| {
            let repo = Repo::discover(dir.path()).expect("repo");
            let scan = repo.scan_staged(&scanner).expect("scan");
            assert_eq!(scan.report.stats.files_scanned, 10);
        });
    });
}

fn bench_history(c: &mut Criterion) {
    let commits: usize = std::env::var("PLAINSIGHT_BENCH_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), commits);
    let scanner = scanner();
    let mut group = c.benchmark_group("git");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function(format!("history_{commits}_commits"), |b| {
        b.iter(|| {
            let repo = Repo::discover(dir.path()).expect("repo");
            let scan = repo
                .scan_history(&scanner, &HistoryOptions::default())
                .expect("scan");
            assert!(scan.report.stats.files_scanned >= commits as u64);
        });
    });
    group.finish();
}

criterion_group!(benches, bench_staged, bench_history);
criterion_main!(benches);
