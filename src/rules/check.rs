//! Runs rules' own examples through the scanner's content pipeline (decode, prefilter,
//! regex, filters, de-duplication, suppression), one text at a time, the way `plainsight rules check` and the
//! test suite do. An example passes only if *this* rule reports it with every other rule
//! of the set present, so a rule shadowed by a more precise one shows up here.
//!
//! Examples are scanned at the rule's `example_path`; a rule restricted by `paths` must
//! also stay silent on the same examples at `example.txt`, so its restriction is tested
//! by the same lists. The examples of a rule with a `structure` are hex-encoded bytes.

use memchr::memmem;

use super::RuleSet;
use crate::error::Result;
use crate::scan::{ScanOptions, Scanner};

/// What kind of example failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExampleKind {
    /// An `examples` entry produced no finding of its rule.
    Positive,
    /// A `negative_examples` entry produced one.
    Negative,
    /// An `examples` entry contains none of the rule's keywords.
    MissingKeyword,
    /// An `examples` entry of a rule with `paths` was found outside them.
    OutsidePaths,
    /// An example of a rule with a `structure` is not hex-encoded bytes.
    NotHex,
}

/// One failing example.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The rule.
    pub rule_id: String,
    /// Its file.
    pub source: String,
    /// What failed.
    pub kind: ExampleKind,
    /// Index in its list.
    pub index: usize,
    /// The example text.
    pub text: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            ExampleKind::Positive => "examples",
            ExampleKind::Negative => "negative_examples",
            ExampleKind::MissingKeyword | ExampleKind::OutsidePaths => "examples",
            ExampleKind::NotHex => "examples or negative_examples",
        };
        let why = match self.kind {
            ExampleKind::Positive => "was not found",
            ExampleKind::Negative => "was reported",
            ExampleKind::MissingKeyword => "contains none of the rule's keywords",
            ExampleKind::OutsidePaths => "was reported at example.txt, outside the rule's paths",
            ExampleKind::NotHex => "is not hex-encoded bytes",
        };
        write!(
            f,
            "{}: rule `{}`: {what}[{}] {why}: {:?}",
            self.source, self.rule_id, self.index, self.text
        )
    }
}

/// Totals of a check.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Rules checked.
    pub rules: usize,
    /// Examples run (positive and negative).
    pub examples: usize,
    /// What failed.
    pub failures: Vec<Failure>,
}

/// Check every rule of `set`, each example scanned with the whole set.
pub fn check(set: RuleSet) -> Result<Outcome> {
    // Regexes are otherwise compiled on first use: compile all, so none fails late.
    set.compile_all()?;
    let scanner = Scanner::new(set, ScanOptions::default())?;
    let mut worker = scanner.worker();
    let mut out = Outcome::default();
    for rule in scanner.rules().rules() {
        out.rules += 1;
        let id = rule.id();
        let lists = [
            (ExampleKind::Positive, &rule.examples),
            (ExampleKind::Negative, &rule.negative_examples),
        ];
        for (kind, list) in lists {
            for (index, text) in list.iter().enumerate() {
                out.examples += 1;
                let fail = |kind| Failure {
                    rule_id: id.to_string(),
                    source: rule.info.source.clone(),
                    kind,
                    index,
                    text: text.clone(),
                };
                let bytes = if rule.structure.is_some() {
                    let Some(b) = from_hex(text) else {
                        out.failures.push(fail(ExampleKind::NotHex));
                        continue;
                    };
                    b
                } else {
                    text.as_bytes().to_vec()
                };
                if kind == ExampleKind::Positive && !rule.info.keywords.is_empty() {
                    let lower = text.to_ascii_lowercase();
                    let has_kw = rule.info.keywords.iter().any(|k| {
                        memmem::find(lower.as_bytes(), k.to_ascii_lowercase().as_bytes()).is_some()
                    });
                    if !has_kw {
                        out.failures.push(fail(ExampleKind::MissingKeyword));
                        continue;
                    }
                }
                let mut found_at = |path: &str| {
                    worker
                        .scan_bytes(path, &bytes)
                        .findings
                        .iter()
                        .any(|f| f.rule.id == id)
                };
                if found_at(&rule.example_path) != (kind == ExampleKind::Positive) {
                    out.failures.push(fail(kind));
                }
                if kind == ExampleKind::Positive && rule.has_paths() && found_at("example.txt") {
                    out.failures.push(fail(ExampleKind::OutsidePaths));
                }
            }
        }
    }
    Ok(out)
}

/// The bytes a hex example spells, whitespace between them ignored.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}
