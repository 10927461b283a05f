//! The whole per-file pipeline over arbitrary bytes: encoding sniff and decode,
//! prefilter, every built-in rule's regex and filters, locations, context lines and the
//! reports. Nothing may panic, and every location must lie inside the text.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plainsight::report::{self, Format, ReportOptions};
use plainsight::scan::ScanStats;
use plainsight::{RuleSet, ScanOptions, Scanner};

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        Scanner::new(
            RuleSet::builtin().expect("built-in rules"),
            ScanOptions::default(),
        )
        .expect("scanner")
    })
}

fuzz_target!(|data: &[u8]| {
    let s = scanner();
    // The whole content pipeline: text, binary skips, and archives opened in memory.
    let m = s.scan_bytes("fuzz/input.txt", data);
    for f in &m.findings {
        let l = f.location;
        assert!(l.line >= 1 && l.column >= 1 && l.end_line >= l.line);
        assert!(l.len > 0);
    }
    let report = s.finish(m.findings, ScanStats::default(), Vec::new());
    for format in [Format::Text, Format::Json, Format::Sarif, Format::Jsonl] {
        let mut out = Vec::new();
        report::write(format, &report, ReportOptions::default(), &mut out).expect("in memory");
    }
});
