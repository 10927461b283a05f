//! The encoding sniffer and UTF-16 decoder over arbitrary bytes: both byte orders, with
//! and without BOM. The output is always valid UTF-8, never longer than 3 bytes per
//! input code unit, and sniffing never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plainsight::read::{decode_utf16, Reader};

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    for big_endian in [false, true] {
        decode_utf16(data, big_endian, &mut out);
        assert!(std::str::from_utf8(&out).is_ok());
        assert!(out.len() <= (data.len() / 2) * 3);
    }
    let mut r = Reader::default();
    let _ = r.decode(data);
});
