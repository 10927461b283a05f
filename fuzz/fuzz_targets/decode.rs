//! The decoding layers on arbitrary bytes, as the scanner drives them: once knowing
//! nothing (every trigger byte looked at, every layer undone everywhere), once with the
//! hints a keyword pass gives (keyword and mark positions from a real prefilter). Nothing
//! may panic; pieces stay inside the buffer and their origins inside the text; the cap
//! holds; no piece has more layers than the depth asked for; and the located marks find
//! exactly what looking at every `\`, `%` and `&` finds.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use plainsight::decode::{self, Decoded, Hints};
use plainsight::prefilter::{Hits, Prefilter};

/// A few keywords, so some fuzzed texts have keyword lines to undo see-through layers on.
fn prefilter() -> &'static Prefilter {
    static P: OnceLock<Prefilter> = OnceLock::new();
    P.get_or_init(|| {
        let keywords: Vec<String> = ["ghp_", "token", "secret", "-----BEGIN"]
            .iter()
            .map(|k| (*k).to_string())
            .collect();
        Prefilter::new(&[&keywords], decode::MARKS).expect("prefilter")
    })
}

fn starts(hits: &Hits, patterns: impl Iterator<Item = usize>) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for p in patterns {
        out.extend(hits.positions(p)?.iter().map(|&(s, _)| s));
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

fn check(text: &[u8], depth: usize, hints: Hints<'_>, cap: usize) -> Decoded {
    let mut d = Decoded::with_cap(cap);
    decode::decode(text, 0..text.len(), depth, hints, &mut d);
    assert!(d.text.len() <= cap);
    let mut end = 0;
    for p in &d.pieces {
        assert!(p.at.start >= end && p.at.end <= d.text.len());
        assert!(p.origin.start <= p.origin.end && p.origin.end <= text.len());
        assert!(!p.layers.is_empty() && p.layers.len() <= depth);
        end = p.at.end;
    }
    d
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, text)) = data.split_first() else {
        return;
    };
    let depth = usize::from(first % 4);
    let cap = 1 << 16;
    check(text, depth, Hints::ANYWHERE, cap);

    let p = prefilter();
    let mut hits = Hits::default();
    p.candidates(text, &mut hits);
    let Some(keywords) = starts(&hits, p.rule_patterns(0).iter().copied()) else {
        return;
    };
    let marks = (0..decode::TRIGGER_MARKS).filter_map(|i| p.mark_pattern(i));
    let Some(triggers) = starts(&hits, marks) else {
        return;
    };
    let quoted_printable = p
        .mark_pattern(decode::QUOTED_PRINTABLE_MARK)
        .and_then(|m| hits.positions(m))
        .map(|at| !at.is_empty());
    let unknown = Hints {
        armour: true,
        keywords: Some(&keywords),
        triggers: None,
        quoted_printable: None,
    };
    let located = Hints {
        triggers: Some(&triggers),
        quoted_printable,
        ..unknown
    };
    let a = check(text, depth, unknown, cap);
    let b = check(text, depth, located, cap);
    assert_eq!(a.text, b.text);
    assert_eq!(a.pieces, b.pieces);
});
