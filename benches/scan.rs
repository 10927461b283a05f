//! Criterion benchmarks of the scanner's stages on real source text: the keyword
//! prefilter's throughput, the whole in-memory pipeline, compiling the built-in rules,
//! and a pre-commit-sized scan of 10 small files end to end.
//!
//! The text comes, in order of preference, from `$PLAINSIGHT_BENCH_CORPUS`, the corpus
//! `benches/peers.sh` vendors into its cache, or the crate sources in
//! `~/.cargo/registry/src`; it is read once at start-up and capped at
//! `$PLAINSIGHT_BENCH_MAX_MB` (default 64) so a run stays short. With none of those
//! present the benches fall back to this crate's own sources. Quick run:
//! `cargo bench --bench scan -- --quick`.

use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use plainsight::prefilter::Hits;
use plainsight::read::Reader;
use plainsight::{Progress, RuleSet, ScanOptions, Scanner};

/// Files larger than this are left out of the in-memory corpus.
const MAX_FILE: u64 = 2 << 20;
/// Extensions of text worth scanning (real code, configs, data).
const TEXT_EXTENSIONS: &[&str] = &[
    "rs", "c", "h", "cc", "cpp", "hpp", "py", "js", "ts", "go", "java", "toml", "json", "yml",
    "yaml", "md", "txt", "sh", "pl", "s", "S", "asm", "html", "xml", "in", "cfg",
];

struct Corpus {
    source: String,
    files: Vec<(String, Vec<u8>)>,
    bytes: u64,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

fn corpus_roots() -> Vec<PathBuf> {
    if let Some(dir) = std::env::var_os("PLAINSIGHT_BENCH_CORPUS") {
        return vec![PathBuf::from(dir)];
    }
    let mut roots = Vec::new();
    let cache = std::env::var_os("PLAINSIGHT_BENCH_CACHE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".cache/plainsight-bench")));
    if let Some(c) = cache {
        roots.push(c.join("corpus/full"));
    }
    if let Some(h) = home() {
        roots.push(h.join(".cargo/registry/src"));
    }
    roots.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src"));
    roots
}

fn collect(dir: &Path, budget: u64, out: &mut Vec<(String, Vec<u8>)>, bytes: &mut u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        if *bytes >= budget {
            return;
        }
        let path = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect(&path, budget, out, bytes);
        } else if ft.is_file() {
            let ext_ok = path
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| TEXT_EXTENSIONS.contains(&x));
            let size_ok = e.metadata().is_ok_and(|m| m.len() <= MAX_FILE);
            if !(ext_ok && size_ok) {
                continue;
            }
            if let Ok(data) = std::fs::read(&path) {
                *bytes += data.len() as u64;
                out.push((path.display().to_string(), data));
            }
        }
    }
}

fn load_corpus() -> Corpus {
    let budget = std::env::var("PLAINSIGHT_BENCH_MAX_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(64)
        << 20;
    for root in corpus_roots() {
        let mut files = Vec::new();
        let mut bytes = 0;
        collect(&root, budget, &mut files, &mut bytes);
        if bytes > 0 {
            return Corpus {
                source: root.display().to_string(),
                files,
                bytes,
            };
        }
    }
    panic!("no corpus: set PLAINSIGHT_BENCH_CORPUS to a directory of source files");
}

fn new_scanner() -> Scanner {
    Scanner::new(
        RuleSet::builtin().expect("built-in rules compile"),
        ScanOptions::default(),
    )
    .expect("default options are valid")
}

fn benches(c: &mut Criterion) {
    let corpus = load_corpus();
    let _ = writeln!(
        std::io::stderr(),
        "corpus: {} files, {:.1} MiB from {}",
        corpus.files.len(),
        corpus.bytes as f64 / f64::from(1 << 20),
        corpus.source
    );
    let scanner = new_scanner();

    let mut g = c.benchmark_group("prefilter");
    g.throughput(Throughput::Bytes(corpus.bytes));
    g.sample_size(10);
    g.bench_function("keywords-over-corpus", |b| {
        let prefilter = scanner.rules().prefilter();
        let mut hits = Hits::default();
        b.iter(|| {
            let mut candidates = 0usize;
            for (_, text) in &corpus.files {
                prefilter.candidates(black_box(text), &mut hits);
                candidates += hits.rules().len();
            }
            candidates
        });
    });
    g.finish();

    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Bytes(corpus.bytes));
    g.sample_size(10);
    g.bench_function("decode-prefilter-match-in-memory", |b| {
        let mut matcher = scanner.matcher();
        let mut reader = Reader::default();
        b.iter(|| {
            let mut findings = 0usize;
            for (path, bytes) in &corpus.files {
                if let Ok((text, _)) = reader.decode(bytes) {
                    findings += matcher.scan(path, black_box(text)).findings.len();
                }
            }
            findings
        });
    });
    g.finish();

    let mut g = c.benchmark_group("rules");
    g.sample_size(20);
    // What every scan pays at start-up: the rules build.rs prepared checked and built,
    // the keyword automaton built; each rule's regex is compiled on first use.
    g.bench_function("compile-builtin", |b| {
        b.iter(|| RuleSet::builtin().expect("built-in rules compile"));
    });
    // The rule files alone, from the form build.rs prepared and, for comparison, parsed
    // from their TOML and regex syntax at run time as a user's rule files are.
    g.bench_function("load-builtin-prepared", |b| {
        b.iter(|| plainsight::rules::builtin::load().expect("built-in rules load"));
    });
    g.bench_function("load-builtin-parsed-at-run-time", |b| {
        b.iter(|| plainsight::rules::builtin::load_parsed().expect("built-in rules parse"));
    });
    // The keyword automaton alone, over every built-in rule's keywords.
    let keywords: Vec<Vec<String>> = plainsight::rules::builtin::load()
        .expect("built-in rules load")
        .iter()
        .map(|r| r.info.keywords.clone())
        .collect();
    let keywords: Vec<&[String]> = keywords.iter().map(Vec::as_slice).collect();
    g.bench_function("prefilter-build", |b| {
        b.iter(|| {
            plainsight::prefilter::Prefilter::new(&keywords, plainsight::decode::MARKS)
                .expect("automaton")
        });
    });
    // The most a scan can pay: every rule's regexes compiled too (a tree that meets every
    // rule's keywords; `rules check`).
    g.bench_function("compile-builtin-every-regex", |b| {
        b.iter(|| {
            let set = RuleSet::builtin().expect("built-in rules compile");
            set.compile_all().expect("built-in regexes compile");
            set
        });
    });
    g.finish();

    // A pre-commit hook's job: a handful of small changed files, one holding a key.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    for (i, (_, text)) in corpus.files.iter().take(10).enumerate() {
        let p = dir.path().join(format!("changed_{i}.rs"));
        let mut body = text[..text.len().min(4096)].to_vec();
        if i == 3 {
            // A fake AWS key id, assembled at run time so this file stays clean.
            body.extend_from_slice(
                format!("\nlet key = \"{}{}\";\n", "AKIA", "Z7QW3XKP5RTV2MNB").as_bytes(),
            );
        }
        std::fs::write(&p, body).expect("write temp file");
        paths.push(p);
    }
    let mut g = c.benchmark_group("precommit");
    g.sample_size(20);
    g.bench_function("10-files-warm-scanner", |b| {
        b.iter(|| {
            scanner
                .scan_paths(black_box(&paths), &Progress::default())
                .expect("scan")
                .findings
                .len()
        });
    });
    g.bench_function("10-files-cold-with-rule-compile", |b| {
        b.iter(|| {
            new_scanner()
                .scan_paths(black_box(&paths), &Progress::default())
                .expect("scan")
                .findings
                .len()
        });
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = scan;
    config = config();
    targets = benches
}
criterion_main!(scan);
