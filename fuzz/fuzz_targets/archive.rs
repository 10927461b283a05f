//! Archive decoders on hostile bytes: the input is read as each archive kind in turn
//! (its magic prepended), through the scanner's whole content stage, so every decoder
//! and every limit sees it. Nothing may panic, hang or grow without bound.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plainsight::{RuleSet, ScanOptions, Scanner};

fn scanner() -> &'static Scanner {
    static S: OnceLock<Scanner> = OnceLock::new();
    S.get_or_init(|| {
        let mut options = ScanOptions::default();
        // Small limits, so a fuzzed bomb is cut short fast.
        options.max_file_size = 1 << 20;
        options.archives.max_total_bytes = 4 << 20;
        Scanner::new(RuleSet::builtin().expect("rules"), options).expect("scanner")
    })
}

const MAGICS: [&[u8]; 6] = [
    b"PK\x03\x04",
    b"\x1F\x8B\x08",
    b"BZh91AY&SY",
    b"\xFD7zXZ\0",
    b"\x28\xB5\x2F\xFD",
    b"",
];

fuzz_target!(|data: &[u8]| {
    for magic in MAGICS {
        let mut bytes = magic.to_vec();
        bytes.extend_from_slice(data);
        let scan = scanner().scan_bytes("fuzz/input.bin", &bytes);
        for s in &scan.skipped {
            assert!(!s.skip.detail.is_empty());
        }
    }
});
