//! Decoding layers: keys stored encoded or wrapped (base64 in a Kubernetes Secret, hex,
//! percent-encoded in a URL, escaped in a JSON or Java string, split across concatenated
//! literals, HTML entities, quoted-printable mail, a PEM block behind log or comment
//! prefixes) are decoded and scanned by the same prefilter and rules as plain text.
//!
//! Only candidate spans are decoded, never whole files: a run of base64 or hex long
//! enough to hold a credential, a token with `%XX` in it, a string literal with escapes
//! or concatenation, a token with entities, a paragraph with quoted-printable soft
//! breaks, an armoured block with a prefix. A span is kept only if it decodes to text
//! (images, fonts, hashes, certificates, compressed data and random keys decode to
//! binary and are dropped after a few bytes), so most code costs one pass of byte
//! classification. Everything kept is appended to one buffer that the matcher scans
//! once; each [`Piece`] remembers the encoded span of the original text it came from,
//! so a finding is placed on the encoded span and names its layers. Decoded text is
//! searched again for encoded spans, up to the depth asked for (base64 of a
//! percent-encoded URL is two layers). The bytes decoded per text are capped; reaching
//! the cap is reported.

use std::borrow::Cow;
use std::ops::Range;

/// One decoding step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    /// Base64, standard or URL-safe, padded or not, possibly line-wrapped.
    Base64,
    /// Hexadecimal.
    Hex,
    /// Percent-encoding (`%3A`).
    Percent,
    /// String-literal escapes (`\n`, `\"`, `\u0067`, `\x41`, octal) and concatenation.
    Escape,
    /// HTML character references (`&#58;`, `&quot;`).
    Html,
    /// Quoted-printable (`=3D`, soft line breaks).
    QuotedPrintable,
    /// An armoured block whose lines carry a prefix (log, comment, string quoting).
    Unwrap,
}

impl Layer {
    /// The name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Base64 => "base64",
            Layer::Hex => "hex",
            Layer::Percent => "percent",
            Layer::Escape => "escape",
            Layer::Html => "html",
            Layer::QuotedPrintable => "quoted-printable",
            Layer::Unwrap => "unwrap",
        }
    }

    /// The layer [`Layer::as_str`] names (reports read back by `plainsight merge`).
    pub fn parse(name: &str) -> Option<Layer> {
        [
            Layer::Base64,
            Layer::Hex,
            Layer::Percent,
            Layer::Escape,
            Layer::Html,
            Layer::QuotedPrintable,
            Layer::Unwrap,
        ]
        .into_iter()
        .find(|l| l.as_str() == name)
    }
}

/// Default `--max-decode-depth`.
pub const DEFAULT_MAX_DEPTH: usize = 2;
/// Decoded bytes kept per text (a chunk of a large file counts as one text).
pub const MAX_DECODED_BYTES: usize = 4 << 20;
/// Shortest base64 run decoded: 18 bytes of text, the least that holds a credential
/// with its name.
const MIN_BASE64: usize = 24;
/// Shortest hex run decoded (16 bytes).
const MIN_HEX: usize = 32;
/// Longest string literal, token or paragraph considered for escapes, entities or
/// quoted-printable: beyond it a span is not a credential's.
const MAX_SPAN: usize = 64 << 10;
/// How far back from a backslash its opening quote is looked for: a minified line full
/// of escapes must not be searched back over and over.
const MAX_BACK: usize = 4 << 10;

mod marks;

pub use marks::{MARKS, QUOTED_PRINTABLE_MARK, TRIGGER_MARKS};

/// What the raw text's keyword pass tells the decoding stage. Some layers hide what they
/// wrap (base64, hex, `\u0067`, `%67`): they are undone wherever they occur. Others leave
/// every letter of a keyword readable (string concatenation, `\n` and `\"` escapes): a
/// rule can only match what they join if one of its keywords is already in the raw
/// text, so they are undone only around such keywords. In C or Java, where nearly every
/// line has a quote or an escape, that leaves most of them alone.
#[derive(Clone, Copy, Debug)]
pub struct Hints<'a> {
    /// Whether a private-key rule is a candidate: prefixed armour is looked for only then.
    pub armour: bool,
    /// Where the keywords of the rules that may report from decoded text start, in
    /// ascending order; `None` when not known (too many to record, or text that is
    /// itself decoded): then keywords may be anywhere.
    pub keywords: Option<&'a [usize]>,
    /// Where the [`TRIGGER_MARKS`] start, ascending; `None` when not known: then every
    /// `\`, `%` and `&` of the text is looked at.
    pub triggers: Option<&'a [usize]>,
    /// Whether the text has the [`QUOTED_PRINTABLE_MARK`]; `None` when not known.
    pub quoted_printable: Option<bool>,
}

impl Hints<'_> {
    /// No knowledge: every layer is undone everywhere.
    pub const ANYWHERE: Hints<'static> = Hints {
        armour: true,
        keywords: None,
        triggers: None,
        quoted_printable: None,
    };

    /// Whether a keyword starts on the line of `at`, within the bounds a literal or
    /// token around `at` can reach: the nearest keyword on either side, with no line end
    /// between. Costs a binary search and a scan of the bytes between.
    fn on_line_of(&self, text: &[u8], at: usize) -> bool {
        let Some(k) = self.keywords else {
            return true;
        };
        let i = k.partition_point(|&p| p < at);
        let before = i
            .checked_sub(1)
            .map(|j| k[j])
            .is_some_and(|p| at - p <= MAX_BACK && memchr::memchr(b'\n', &text[p..at]).is_none());
        before
            || k.get(i).is_some_and(|&p| {
                p - at <= MAX_SPAN && memchr::memchr(b'\n', &text[at..p.min(text.len())]).is_none()
            })
    }
}

/// What ends each piece in the buffer: a line end (so `^` and `$` anchors work) and a
/// NUL, which no rule's character classes take, so a match cannot join two pieces that
/// come from unrelated places.
pub const SEPARATOR: &[u8] = b"\n\0\n";

/// A decoded piece of the buffer and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Where the decoded bytes sit in [`Decoded::text`].
    pub at: Range<usize>,
    /// The encoded span of the original text.
    pub origin: Range<usize>,
    /// The layers undone to get here, outermost first.
    pub layers: Vec<Layer>,
}

/// Everything decoded from one text.
#[derive(Debug)]
pub struct Decoded {
    /// Decoded pieces one after another, each ended by [`SEPARATOR`] so no match runs
    /// from one into the next.
    pub text: Vec<u8>,
    /// The pieces, in buffer order.
    pub pieces: Vec<Piece>,
    /// Whether the cap on decoded bytes cut decoding short.
    pub capped: bool,
    /// Decoded bytes this buffer may hold.
    cap: usize,
}

impl Default for Decoded {
    fn default() -> Self {
        Decoded::with_cap(MAX_DECODED_BYTES)
    }
}

impl Decoded {
    /// Empty the buffer for the next text, keeping its memory.
    pub fn clear(&mut self) {
        self.text.clear();
        self.pieces.clear();
        self.capped = false;
    }

    /// An empty buffer that holds at most `cap` decoded bytes.
    pub fn with_cap(cap: usize) -> Self {
        Decoded {
            text: Vec::new(),
            pieces: Vec::new(),
            capped: false,
            cap,
        }
    }

    /// The piece holding byte `offset` of [`Decoded::text`].
    pub fn piece_at(&self, offset: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.at.end <= offset);
        self.pieces.get(i).filter(|p| p.at.contains(&offset))
    }

    fn push(&mut self, bytes: &[u8], origin: Range<usize>, layers: Vec<Layer>) -> bool {
        if self.text.len() + bytes.len() + SEPARATOR.len() > self.cap {
            self.capped = true;
            return false;
        }
        let start = self.text.len();
        self.text.extend_from_slice(bytes);
        let end = self.text.len();
        self.text.extend_from_slice(SEPARATOR);
        self.pieces.push(Piece {
            at: start..end,
            origin,
            layers,
        });
        true
    }
}

/// Decode the encoded spans of `text` that start in `owned`, and of what they decode to,
/// `depth` layers deep, into `out` (cleared first).
/// `hints` are what the raw text's keyword pass saw (see [`Hints`]).
pub fn decode(text: &[u8], owned: Range<usize>, depth: usize, hints: Hints<'_>, out: &mut Decoded) {
    out.clear();
    if depth == 0 {
        return;
    }
    let mut found = Vec::new();
    spans(text, owned, hints, &mut found);
    for (span, layer, bytes) in found {
        if !out.push(&bytes, span, vec![layer]) {
            return;
        }
    }
    // Deeper layers: search what was decoded, piece by piece; new pieces keep the
    // original span of the piece they came from.
    let mut level = 0..out.pieces.len();
    for _ in 1..depth {
        let mut next = Vec::new();
        for i in level.clone() {
            let piece = out.pieces[i].clone();
            let inner = &out.text[piece.at.clone()];
            let mut found = Vec::new();
            spans(inner, 0..inner.len(), Hints::ANYWHERE, &mut found);
            for (_, layer, bytes) in found {
                let mut layers = piece.layers.clone();
                layers.push(layer);
                next.push((bytes, piece.origin.clone(), layers));
            }
        }
        let start = out.pieces.len();
        for (bytes, origin, layers) in next {
            if !out.push(&bytes, origin, layers) {
                return;
            }
        }
        level = start..out.pieces.len();
        if level.is_empty() {
            break;
        }
    }
}

/// Every encoded span of `text` starting in `owned`, decoded.
fn spans(
    text: &[u8],
    owned: Range<usize>,
    hints: Hints<'_>,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) {
    runs(text, owned.clone(), out);
    let end = owned.end.min(text.len());
    match hints.triggers {
        Some(triggers) => {
            // A backslash that is itself escaped (`\\u0067`) starts nothing.
            let at = triggers.iter().copied().filter(|&p| {
                p >= owned.start && p < end && !(text[p] == b'\\' && escaped_itself(text, p))
            });
            undo_escapes(text, owned.start, at, hints, out);
        }
        None => {
            let every = memchr::memchr3_iter(b'%', b'\\', b'&', &text[owned.start..end]);
            undo_escapes(
                text,
                owned.start,
                every.map(|off| owned.start + off),
                hints,
                out,
            );
        }
    }
    concatenated(text, owned.clone(), hints, out);
    let quoted_printable_named = hints
        .quoted_printable
        .unwrap_or_else(|| hints.keywords.is_none() || names_quoted_printable(text));
    if quoted_printable_named {
        quoted_printable(text, owned.clone(), out);
    }
    if hints.armour {
        unwrap_armour(text, owned.clone(), out);
        unwrap_putty(text, owned, out);
    }
}

/// Undo the escapes, percent-encoding and entities whose trigger byte (`\`, `%`, `&`)
/// is at one of the ascending positions `at`; a trigger inside a span already decoded
/// is passed over.
fn undo_escapes(
    text: &[u8],
    from: usize,
    at: impl Iterator<Item = usize>,
    hints: Hints<'_>,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) {
    let mut next = from;
    for at in at {
        if at < next {
            continue;
        }
        next = match text[at] {
            b'%' => percent(text, at, hints, out),
            b'\\' => escaped(text, at, hints, out),
            b'&' if is_entity_start(text, at) => entities(text, at, hints, out),
            _ => at + 1,
        };
    }
}

/// Whether the byte at `at` is escaped by the backslashes before it (an odd number of
/// them): `\\u0067` is a backslash and the text `u0067`, not an escape.
fn escaped_itself(text: &[u8], at: usize) -> bool {
    let before = text[..at].iter().rev().take_while(|&&b| b == b'\\').count();
    before % 2 == 1
}

/// Which bytes are standard base64 characters, as a table: the run finder looks at
/// most bytes of a text once. `-` and `_` (the URL-safe alphabet's) are left out of the
/// search, so `snake_case` and `kebab-case` words split into short runs that are passed
/// over; a candidate run is extended over them afterwards ([`extend_url_safe`]).
const B64: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/');
        b += 1;
    }
    t
};

fn is_b64(b: u8) -> bool {
    B64[usize::from(b)]
}

/// Whether decoded bytes read as text: at least nine in ten printable ASCII or
/// whitespace, and no NUL.
fn texty(bytes: &[u8]) -> bool {
    if bytes.is_empty() || bytes.contains(&0) {
        return false;
    }
    let printable = bytes
        .iter()
        .filter(|&&b| (0x20..0x7F).contains(&b) || matches!(b, b'\n' | b'\r' | b'\t'))
        .count();
    printable * 10 >= bytes.len() * 9
}

/// Runs of base64 or hex characters, line-wrapped base64 joined. A run worth decoding
/// is at least [`MIN_BASE64`] characters long, so the finder probes the last byte of
/// each window of that length: where it is not a base64 character no such run covers
/// the window, and the search jumps past it. In code, whose words are short, that reads
/// a fraction of the bytes.
fn runs(text: &[u8], owned: Range<usize>, out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>) {
    let end = owned.end.min(text.len());
    let mut i = owned.start;
    while let Some(s) = next_long_run(text, i, end) {
        let j = extend_url_safe(text, run_end_from(text, s));
        let mut run_end = j;
        while run_end < text.len() && text[run_end] == b'=' && run_end - j < 2 {
            run_end += 1;
        }
        let len = j - s;
        let mut next = run_end + 1;
        if len >= MIN_HEX
            && len.is_multiple_of(2)
            && text[s..j].iter().all(u8::is_ascii_hexdigit)
            && text[s..j]
                .iter()
                .step_by(2)
                .take(24)
                .all(|b| (b'2'..=b'7').contains(b))
        {
            if let Some(bytes) = hex(&text[s..j]) {
                out.push((s..j, Layer::Hex, bytes));
            }
        } else if base64_of_text(&text[s..j]) {
            let (body, span_end) = wrapped_base64(text, s, run_end);
            if let Some(bytes) = base64(&body) {
                out.push((s..span_end, Layer::Base64, bytes));
                next = span_end + 1;
            }
        }
        i = next;
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `x` that lies strictly between `m` and `n` (bytes of
/// 128 and more never do). Branch-free: no lane carries into the next.
fn between(x: u64, m: u64, n: u64) -> u64 {
    let low = x & (ONES * 127);
    ((ONES * (127 + n)).wrapping_sub(low) & !x & low.wrapping_add(ONES * (127 - m))) & HIGHS
}

/// Whether all eight bytes of `x` are standard base64 characters.
fn all_b64(x: u64) -> bool {
    let mask = between(x, 0x2E, 0x3A) // `/` and digits
        | between(x, 0x2A, 0x2C) // `+`
        | between(x, 0x40, 0x5B) // upper case
        | between(x, 0x60, 0x7B); // lower case
    mask == HIGHS
}

/// The start of the next run of at least [`MIN_BASE64`] base64 characters that starts
/// in `from..end` (one that began before `from` is another text's). Such a run holds two
/// whole consecutive 8-byte words of the text, so words are tested eight bytes at a time
/// without a branch per byte, and bytes are looked at one by one only around a pair of
/// whole words: code, whose words are short, rarely has one.
fn next_long_run(text: &[u8], from: usize, end: usize) -> Option<usize> {
    // `w` is the first word of the pair under test; the second is tested first, and a
    // second word that is not whole rules out both pairs it belongs to.
    let mut w = from.next_multiple_of(8);
    while w < end + 16 {
        let pair = u128::from_le_bytes(<[u8; 16]>::try_from(text.get(w..w + 16)?).ok()?);
        // Truncation keeps the low word: the first eight bytes.
        let (first, second) = (pair as u64, (pair >> 64) as u64);
        if !whole(second) {
            w += 16;
            continue;
        }
        if !whole(first) {
            w += 8;
            continue;
        }
        let mut s = w;
        while s > 0 && is_b64(text[s - 1]) {
            s -= 1;
        }
        if s >= end {
            return None;
        }
        let e = run_end_from(text, w + 16);
        if s >= from && e - s >= MIN_BASE64 {
            return Some(s);
        }
        w = e.next_multiple_of(8);
    }
    None
}

/// Whether all eight bytes of `x` are base64 characters. Most words of code or prose
/// hold a space, a line end, a quote or a bracket below `+`: one subtraction and two
/// masks say so before the exact test.
fn whole(x: u64) -> bool {
    let below_plus = x.wrapping_sub(ONES * 0x2B) & !x & HIGHS;
    below_plus == 0 && all_b64(x)
}

/// The first byte at or after `j` that is not a base64 character: eight bytes a step
/// while all are, then one by one (long identifiers and hex make long runs).
fn run_end_from(text: &[u8], mut j: usize) -> usize {
    while j + 8 <= text.len() {
        let w = &text[j..j + 8];
        let all = w.iter().fold(true, |acc, &b| acc & B64[usize::from(b)]);
        if !all {
            break;
        }
        j += 8;
    }
    while j < text.len() && is_b64(text[j]) {
        j += 1;
    }
    j
}

/// The end of a run that continues over URL-safe characters: `j` itself unless `-` or
/// `_` and more base64 follow.
fn extend_url_safe(text: &[u8], mut j: usize) -> usize {
    while j + 1 < text.len()
        && matches!(text[j], b'-' | b'_')
        && (is_b64(text[j + 1]) || matches!(text[j + 1], b'-' | b'_'))
    {
        j = run_end_from(text, j + 1);
    }
    j
}

/// Whether a run can be the base64 of text at all, from its first characters alone:
/// each group of four starts with the top six bits of a byte, and for printable ASCII
/// those are 8 to 31 (`I`…`Z`, `a`…`f`). Identifiers (`D3D12_FEATURE_DATA_…`), hashes
/// and random keys fail within a group or two, before anything is decoded. Whitespace
/// bytes (tab, line feed) start with 0, so an encoded text may start a group with `A`
/// now and then; one such group in twelve is allowed.
fn base64_of_text(run: &[u8]) -> bool {
    let mut odd = 0;
    for &c in run.iter().step_by(4).take(12) {
        match c {
            b'I'..=b'Z' | b'a'..=b'f' => {}
            b'A' if odd == 0 => odd += 1,
            _ => return false,
        }
    }
    true
}

/// The base64 starting at `start` whose first line ends at `end`: with the lines that
/// follow when it is MIME-style wrapped (a whole line of at least 40 characters, then
/// lines of the same indentation that are base64 too). Returns the characters without
/// line breaks and the end of the last line used.
/// A run that is not wrapped is borrowed, not copied.
fn wrapped_base64(text: &[u8], start: usize, end: usize) -> (Cow<'_, [u8]>, usize) {
    let mut body = Cow::Borrowed(&text[start..end]);
    let indent = &text[line_start(text, start, MAX_BACK)..start];
    let whole_line = indent.iter().all(|b| matches!(b, b' ' | b'\t'));
    let width = end - start;
    let mut at = end;
    if !(whole_line && width >= 40) {
        return (body, at);
    }
    loop {
        let next = match text.get(at..) {
            Some([b'\r', b'\n', ..]) => at + 2,
            Some([b'\n', ..]) => at + 1,
            _ => break,
        };
        if !text[next..].starts_with(indent) {
            break;
        }
        let s = next + indent.len();
        let mut e = s;
        while e < text.len() && (is_b64(text[e]) || text[e] == b'=') {
            e += 1;
        }
        let line_end = matches!(text.get(e), None | Some(b'\n' | b'\r'));
        if e == s || !line_end || e - s > width {
            break;
        }
        body.to_mut().extend_from_slice(&text[s..e]);
        at = e;
        if e - s < width {
            break; // the short last line
        }
    }
    (body, at)
}

/// Decode base64 (standard or URL-safe, padding optional) if it reads as text. The
/// first 48 characters are tried before the rest, so binary is dropped early.
fn base64(chars: &[u8]) -> Option<Vec<u8>> {
    let chars = chars
        .strip_suffix(b"==")
        .or_else(|| chars.strip_suffix(b"="))
        .unwrap_or(chars);
    let url = chars.iter().any(|&b| b == b'-' || b == b'_');
    let std = chars.iter().any(|&b| b == b'+' || b == b'/');
    if (url && std) || chars.len() % 4 == 1 {
        return None;
    }
    let value = |b: u8| -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        }))
    };
    let decode = |chars: &[u8]| -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(chars.len() * 3 / 4);
        for quad in chars.chunks(4) {
            let mut n = 0u32;
            for (k, &c) in quad.iter().enumerate() {
                n |= value(c)? << (18 - 6 * k);
            }
            let bytes = n.to_be_bytes();
            out.extend_from_slice(&bytes[1..quad.len()]);
        }
        Some(out)
    };
    let probe = &chars[..chars.len().min(48) & !3];
    if !texty(&decode(probe)?) {
        return None;
    }
    let bytes = decode(&chars[..chars.len().min(MAX_DECODED_BYTES / 3 * 4)])?;
    texty(&bytes).then_some(bytes)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decode hex if it reads as text.
fn hex(chars: &[u8]) -> Option<Vec<u8>> {
    let bytes: Option<Vec<u8>> = chars
        .chunks_exact(2)
        .take(MAX_DECODED_BYTES)
        .map(|p| Some(hex_value(p[0])? << 4 | hex_value(p[1])?))
        .collect();
    bytes.filter(|b| texty(b))
}

/// Characters that end a URL-ish token.
fn ends_token(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>' | b'(' | b')')
}

/// The token around `at`: between the nearest token ends on either side, on its line.
fn token_around(text: &[u8], at: usize) -> Range<usize> {
    let mut s = at;
    while s > 0 && !ends_token(text[s - 1]) && at - s < MAX_SPAN {
        s -= 1;
    }
    let mut e = at;
    while e < text.len() && !ends_token(text[e]) && e - at < MAX_SPAN {
        e += 1;
    }
    s..e
}

/// A token with `%XX` escapes in it, decoded. Returns where scanning goes on.
fn percent(
    text: &[u8],
    at: usize,
    hints: Hints<'_>,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) -> usize {
    let is_escape = |i: usize| {
        text.get(i + 1).copied().and_then(hex_value).is_some()
            && text.get(i + 2).copied().and_then(hex_value).is_some()
    };
    if !is_escape(at) {
        return at + 1;
    }
    // `%3A` and `%2F` only separate; the token is decoded for them only on a keyword's
    // line (a later `%67` in the same token is looked at on its own).
    let value = Some(u32::from(
        (hex_value(text[at + 1]).unwrap_or(0) << 4) | hex_value(text[at + 2]).unwrap_or(0),
    ));
    if !matters(value) || (!hides(value) && !hints.on_line_of(text, at)) {
        return at + 1;
    }
    let span = token_around(text, at);
    let raw = &text[span.clone()];
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' && is_escape(span.start + i) {
            bytes
                .push(hex_value(raw[i + 1]).unwrap_or(0) << 4 | hex_value(raw[i + 2]).unwrap_or(0));
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    if texty(&bytes) {
        out.push((span.clone(), Layer::Percent, bytes));
    }
    span.end
}

/// The start of the line holding `at`, or `at - max` if the line starts before that:
/// on a line of megabytes (minified code, a dump), looking back to its start for every
/// escape on it would cost the square of its length.
fn line_start(text: &[u8], at: usize, max: usize) -> usize {
    let from = at.saturating_sub(max);
    memchr::memrchr(b'\n', &text[from..at]).map_or(from, |p| from + p + 1)
}

fn is_quote(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b'`')
}

/// The string literal that opens at `open` (a quote): its end (one past the closing
/// quote) if it closes on the same line.
fn literal_end(text: &[u8], open: usize) -> Option<usize> {
    let q = text[open];
    let mut i = open + 1;
    let limit = text.len().min(open + MAX_SPAN);
    while i < limit {
        let at = i + memchr::memchr3(q, b'\\', b'\n', &text[i..limit])?;
        match text[at] {
            b'\\' => i = at + 2,
            b'\n' => return None,
            _ => return Some(at + 1),
        }
    }
    None
}

/// Undo a string literal's escapes (the quotes excluded).
fn unescape(body: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b != b'\\' || i + 1 >= body.len() {
            out.push(b);
            i += 1;
            continue;
        }
        let c = body[i + 1];
        i += 2;
        match c {
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                let mut k = 0;
                while k < 2 && i < body.len() && (b'0'..=b'7').contains(&body[i]) {
                    v = v * 8 + u32::from(body[i] - b'0');
                    i += 1;
                    k += 1;
                }
                push_char(v, out);
            }
            b'x' => {
                let mut v = 0u32;
                let mut k = 0;
                while k < 2 && i < body.len() && hex_value(body[i]).is_some() {
                    v = v * 16 + u32::from(hex_value(body[i]).unwrap_or(0));
                    i += 1;
                    k += 1;
                }
                push_char(v, out);
            }
            b'u' => {
                let unit = |at: usize| -> Option<u32> {
                    let h = body.get(at..at + 4)?;
                    h.iter()
                        .try_fold(0u32, |v, &d| Some(v * 16 + u32::from(hex_value(d)?)))
                };
                match unit(i) {
                    Some(hi) if (0xD800..0xDC00).contains(&hi) => {
                        let lo = (body.get(i + 4..i + 6) == Some(b"\\u"))
                            .then(|| unit(i + 6))
                            .flatten()
                            .filter(|lo| (0xDC00..0xE000).contains(lo));
                        match lo {
                            Some(lo) => {
                                push_char(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), out);
                                i += 10;
                            }
                            None => {
                                push_char(0xFFFD, out);
                                i += 4;
                            }
                        }
                    }
                    Some(v) => {
                        push_char(v, out);
                        i += 4;
                    }
                    None => out.extend_from_slice(b"\\u"),
                }
            }
            other => out.push(other), // \" \' \\ \/ and the rest stand for themselves
        }
    }
}

/// The character a `\u`, `\x` or octal escape stands for, `esc` starting after the
/// backslash; `None` if it is malformed. `\u` takes four hex digits and `\x` two, as
/// JSON, JavaScript and Python write them (C's one-digit `\x9` is read as nothing
/// special); octal takes one to three digits.
fn code_escape(esc: &[u8]) -> Option<u32> {
    let (digits, radix, min, max): (&[u8], u32, usize, usize) = match esc.first()? {
        b'u' => (&esc[1..], 16, 4, 4),
        b'x' => (&esc[1..], 16, 2, 2),
        _ => (esc, 8, 1, 3),
    };
    let n = digits
        .iter()
        .take(max)
        .take_while(|d| char::from(**d).is_digit(radix))
        .count();
    if n < min {
        return None;
    }
    digits[..n].iter().try_fold(0u32, |v, &d| {
        Some(v * radix + char::from(d).to_digit(radix)?)
    })
}

/// Whether an escaped character hides part of a token: a letter, a digit, `_` or `-`
/// (what keywords and keys are made of). One that stands for punctuation, a control
/// character or a line end only separates tokens, which the rules' boundaries already
/// allow for.
fn hides(c: Option<u32>) -> bool {
    c.and_then(char::from_u32)
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether an escaped character can matter to a rule at all: it hides part of a token
/// ([`hides`]) or separates tokens as ASCII white space or punctuation does. A NUL, an
/// escape character or a byte above ASCII does neither, so undoing it changes no
/// finding; [`MARKS`] locate only the escapes that matter.
fn matters(c: Option<u32>) -> bool {
    c.is_some_and(|c| (0x20..0x7F).contains(&c) || (0x09..=0x0D).contains(&c))
}

fn push_char(v: u32, out: &mut Vec<u8>) {
    let c = char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// The string literal holding the backslash at `at`, unescaped. Returns where scanning
/// goes on.
fn escaped(
    text: &[u8],
    at: usize,
    hints: Hints<'_>,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) -> usize {
    // Only an escape that hides something sends us looking for its literal; `\n`
    // before a space or a quote, `\\` and `\/` do not (most escapes in code). One that
    // stands for a letter or digit (`\u0067`, `\x41`, octal) hides part of a token; one
    // that only separates (`\"`, `\n` before a letter) hides nothing from a keyword, so
    // it matters only on a line where a keyword is.
    let transparent = match text.get(at + 1) {
        Some(b'u' | b'x' | b'0'..=b'7') => {
            let c = code_escape(&text[at + 1..]);
            if !matters(c) {
                return at + 2;
            }
            !hides(c)
        }
        Some(b'"' | b'\'') => true,
        Some(b'n' | b'r' | b't') if text.get(at + 2).is_some_and(u8::is_ascii_alphanumeric) => true,
        Some(b'\\' | b'/' | b'n' | b'r' | b't') => return at + 2,
        _ => return at + 1,
    };
    if transparent && !hints.on_line_of(text, at) {
        return at + 2;
    }
    let Some(open) = quote_before(text, at) else {
        // Not in a literal (a log line, a shell word): the token around it.
        let span = token_around(text, at);
        let mut bytes = Vec::new();
        unescape(&text[span.clone()], &mut bytes);
        if bytes != text[span.clone()] && texty(&bytes) {
            out.push((span.clone(), Layer::Escape, bytes));
        }
        return span.end;
    };
    let Some(close) = literal_end(text, open) else {
        // The literal does not close. Every escape before the next quote or line end
        // has the same opening quote and fails the same way: passed over, so a literal
        // of 64 KiB of escapes is not searched again for each of them.
        let limit = text.len().min(at + MAX_SPAN);
        return text[at + 1..limit]
            .iter()
            .position(|&b| b == b'\n' || is_quote(b))
            .map_or(limit, |p| at + 1 + p);
    };
    if close <= at {
        return at + 2;
    }
    // The escape at `at` hides something (the gate above), so the literal is decoded.
    let mut bytes = Vec::new();
    unescape(&text[open + 1..close - 1], &mut bytes);
    if texty(&bytes) {
        out.push((open..close, Layer::Escape, bytes));
    }
    close
}

/// Literals joined by concatenation (`"-----BEGIN…\n" + "MIIE…"`), as one unescaped
/// string. Concatenation hides no keyword, so a group of literals can only match a rule
/// if a keyword is in one of them: with the raw text's keywords known, only the
/// literals holding one are looked at, walked back to the first literal of their group
/// and read forward from there. Without them (decoded text), every quote is looked at,
/// but only a quote that a joiner and another quote follow is taken for a closing one;
/// most quotes cost a couple of byte tests.
fn concatenated(
    text: &[u8],
    owned: Range<usize>,
    hints: Hints<'_>,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) {
    let owned = owned.start..owned.end.min(text.len());
    let Some(keywords) = hints.keywords else {
        let mut next = owned.start;
        for off in memchr::memchr3_iter(b'"', b'\'', b'`', &text[owned.clone()]) {
            let close = owned.start + off;
            if close >= next {
                if let Some(end) = joined_from(text, close, out) {
                    next = end;
                }
            }
        }
        return;
    };
    let mut next = 0;
    // The line of the last keyword looked at: where it ends, and its first quote. A
    // keyword with no quote before it on its line is in no literal; in code, hex
    // tables and prose most keywords are, and they cost two comparisons each.
    let (mut line_end, mut first_quote) = (0, None);
    for &k in keywords {
        if k < next || k >= text.len() {
            continue;
        }
        if k >= line_end {
            let start = line_start(text, k, MAX_BACK);
            line_end = memchr::memchr(b'\n', &text[k..]).map_or(text.len(), |p| k + p);
            first_quote =
                memchr::memchr3(b'"', b'\'', b'`', &text[start..line_end]).map(|p| start + p);
        }
        if first_quote.is_none_or(|q| q >= k) {
            continue;
        }
        let Some(open) = literal_around(text, k) else {
            continue;
        };
        let first = group_start(text, open);
        // The group's first literal's closing quote; its start decides who reports it.
        let Some(close) = literal_end(text, first).map(|e| e - 1) else {
            continue;
        };
        if !owned.contains(&first) {
            next = close + 1;
            continue;
        }
        next = joined_from(text, close, out).unwrap_or(close + 1);
    }
}

/// The opening quote of the literal that holds `at`, on its line: the nearest quote
/// before it that is not escaped, if a literal opened there reaches past `at`.
fn literal_around(text: &[u8], at: usize) -> Option<usize> {
    let q = quote_before(text, at)?;
    literal_end(text, q).filter(|&e| e > at).map(|_| q)
}

/// The nearest quote before `at` on its line (at most [`MAX_BACK`] back) that is not
/// escaped: the opening quote of the literal holding `at`, if any.
fn quote_before(text: &[u8], at: usize) -> Option<usize> {
    let from = line_start(text, at, MAX_BACK);
    let mut k = at;
    while let Some(p) = memchr::memrchr3(b'"', b'\'', b'`', &text[from..k]) {
        let q = from + p;
        if q == 0 || text[q - 1] != b'\\' {
            return Some(q);
        }
        k = q;
    }
    None
}

/// The opening quote of the first literal of the group that the literal opening at
/// `open` belongs to (itself if nothing is joined to it from before), at most
/// [`MAX_BACK`] back.
fn group_start(text: &[u8], mut open: usize) -> usize {
    let limit = open.saturating_sub(MAX_BACK);
    while let Some(close) = joined_prev(text, open) {
        match literal_start(text, close) {
            Some(o) if o >= limit && o < open => open = o,
            _ => break,
        }
    }
    open
}

/// The closing quote of a literal joined to the one opening at `open`, the mirror of
/// [`joined_next`].
fn joined_prev(text: &[u8], open: usize) -> Option<usize> {
    let from = open.saturating_sub(64);
    joined_quote(text[open], (from..open).rev().map(|k| (k, text[k])))
}

/// The group of joined literals whose first literal closes at `close`, decoded into
/// `out`; where the group ends, or `None` if nothing is joined to that literal.
fn joined_from(
    text: &[u8],
    close: usize,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) -> Option<usize> {
    let mut k = joined_next(text, close)?;
    let open = literal_start(text, close)?;
    let mut parts: Vec<Range<usize>> = Vec::new();
    parts.push(open..close + 1);
    while let Some(e) = literal_end(text, k) {
        parts.push(k..e);
        match joined_next(text, e - 1) {
            Some(n) => k = n,
            None => break,
        }
    }
    let last = parts.last().map_or(close + 1, |p| p.end);
    if parts.len() > 1 {
        let mut bytes = Vec::new();
        for p in &parts {
            unescape(&text[p.start + 1..p.end - 1], &mut bytes);
        }
        if texty(&bytes) {
            out.push((open..last, Layer::Escape, bytes));
        }
    }
    Some(last)
}

/// Where the next literal opens if the quote at `close` ends a literal that a language
/// joins to the next: `+` (Java, JS, Python, C#), `.` or `..` (PHP, Lua), `&` (VB), a
/// line continuation, or nothing but white space and at most one line end (C, Python).
fn joined_next(text: &[u8], close: usize) -> Option<usize> {
    let limit = text.len().min(close + 64);
    joined_quote(text[close], (close + 1..limit).map(|k| (k, text[k])))
}

/// Walking away from a literal's quote `q` over `bytes` (offset, byte): the offset of
/// the next literal's quote if only white space, at most one line end and at most two
/// joiner bytes lie between.
fn joined_quote(q: u8, bytes: impl Iterator<Item = (usize, u8)>) -> Option<usize> {
    let (mut newlines, mut joiners) = (0, 0);
    for (k, c) in bytes {
        match c {
            b' ' | b'\t' | b'\r' => {}
            b'\n' if newlines == 0 => newlines += 1,
            b'+' | b'.' | b'&' | b'\\' if joiners < 2 => joiners += 1,
            c if c == q => return Some(k),
            _ => return None,
        }
    }
    None
}

/// The opening quote of the literal whose closing quote is at `close`, on its line.
fn literal_start(text: &[u8], close: usize) -> Option<usize> {
    let q = text[close];
    let from = line_start(text, close, MAX_BACK);
    let mut k = close;
    while let Some(p) = memchr::memrchr(q, &text[from..k]) {
        let at = from + p;
        if at == 0 || text[at - 1] != b'\\' {
            return Some(at);
        }
        k = at;
    }
    None
}

/// Whether an `&` at `at` can start an entity: `&#` or a lower-case name, cheap enough
/// for every `&` of C or Rust code.
fn is_entity_start(text: &[u8], at: usize) -> bool {
    matches!(text.get(at + 1), Some(b'#' | b'a'..=b'z'))
        && memchr::memchr(b';', &text[at..text.len().min(at + 12)]).is_some()
}

/// A token with HTML character references, decoded. Returns where scanning goes on.
fn entities(
    text: &[u8],
    at: usize,
    hints: Hints<'_>,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) -> usize {
    let Some((c, _)) = entity(&text[at..]) else {
        return at + 1;
    };
    // `&#58;` and `&quot;` only separate: as for percent-encoding.
    if !matters(Some(c)) || (!hides(Some(c)) && !hints.on_line_of(text, at)) {
        return at + 1;
    }
    let span = token_around(text, at);
    let raw = &text[span.clone()];
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (raw[i] == b'&').then(|| entity(&raw[i..])).flatten() {
            Some((c, len)) => {
                push_char(c, &mut bytes);
                i += len;
            }
            None => {
                bytes.push(raw[i]);
                i += 1;
            }
        }
    }
    if texty(&bytes) {
        out.push((span.clone(), Layer::Html, bytes));
    }
    span.end
}

/// The character an entity at the start of `s` stands for, and its length.
fn entity(s: &[u8]) -> Option<(u32, usize)> {
    let semi = memchr::memchr(b';', &s[..s.len().min(12)])?;
    let name = &s[1..semi];
    let c = match name {
        [b'#', b'x' | b'X', digits @ ..] if !digits.is_empty() => {
            digits.iter().try_fold(0u32, |v, &d| {
                Some(v.checked_mul(16)? + u32::from(hex_value(d)?))
            })?
        }
        [b'#', digits @ ..] if !digits.is_empty() => digits.iter().try_fold(0u32, |v, &d| {
            d.is_ascii_digit()
                .then(|| v.checked_mul(10).map(|v| v + u32::from(d - b'0')))
                .flatten()
        })?,
        b"amp" => u32::from(b'&'),
        b"lt" => u32::from(b'<'),
        b"gt" => u32::from(b'>'),
        b"quot" => u32::from(b'"'),
        b"apos" => u32::from(b'\''),
        b"colon" => u32::from(b':'),
        b"sol" => u32::from(b'/'),
        b"equals" => u32::from(b'='),
        b"plus" => u32::from(b'+'),
        b"percnt" => u32::from(b'%'),
        b"nbsp" => u32::from(b' '),
        _ => return None,
    };
    Some((c, semi + 1))
}

/// Whether a text says it holds quoted-printable parts (a mail dump's
/// `Content-Transfer-Encoding: quoted-printable`, in any case): soft breaks are looked
/// for only then, since code ends many lines in `=` and one pass for them over every
/// file is not free. One search for a rare needle.
fn names_quoted_printable(text: &[u8]) -> bool {
    memchr::memmem::find_iter(text, b"uoted-").any(|at| {
        at > 0
            && matches!(text[at - 1], b'q' | b'Q')
            && text
                .get(at + 6..at + 15)
                .is_some_and(|t| t.eq_ignore_ascii_case(b"printable"))
    })
}

/// Paragraphs of quoted-printable text (mail dumps): lines ending in a soft break `=`
/// and `=XX` escapes, decoded.
fn quoted_printable(
    text: &[u8],
    owned: Range<usize>,
    out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>,
) {
    let end = owned.end.min(text.len());
    let mut i = owned.start;
    while i < end {
        // A soft break: `=` right before a line end.
        let Some(off) = memchr::memmem::find(&text[i..end], b"=\n") else {
            break;
        };
        let at = i + off;
        let start = paragraph_start(text, at);
        let limit = text.len().min(at + MAX_SPAN);
        let stop = memchr::memmem::find(&text[at..limit], b"\n\n").map_or(limit, |p| at + p);
        // Quoted-printable text escapes something (`=3D`, `=20`, in upper-case hex);
        // a paragraph without one is code whose lines end in `=`.
        let escaped = memchr::memchr_iter(b'=', &text[start..stop]).any(|p| {
            let q = start + p;
            let upper_hex = |b: &u8| b.is_ascii_digit() || (b'A'..=b'F').contains(b);
            matches!(text.get(q + 1..q + 3), Some([a, b]) if upper_hex(a) && upper_hex(b))
        });
        if !escaped {
            i = stop.max(at + 2);
            continue;
        }
        let raw = &text[start..stop];
        let mut bytes = Vec::with_capacity(raw.len());
        let mut k = 0;
        let mut escapes = 0;
        while k < raw.len() {
            if raw[k] == b'=' {
                match raw.get(k + 1..k + 3) {
                    Some([b'\r', b'\n']) => k += 3,
                    Some([b'\n', ..]) => k += 2,
                    Some([a, b]) if hex_value(*a).is_some() && hex_value(*b).is_some() => {
                        bytes.push(hex_value(*a).unwrap_or(0) << 4 | hex_value(*b).unwrap_or(0));
                        escapes += 1;
                        k += 3;
                    }
                    _ => {
                        bytes.push(b'=');
                        k += 1;
                    }
                }
            } else {
                bytes.push(raw[k]);
                k += 1;
            }
        }
        // Soft breaks alone are no proof (base64 padding and code end lines in `=`):
        // quoted-printable text escapes something.
        if escapes > 0 && texty(&bytes) {
            out.push((start..stop, Layer::QuotedPrintable, bytes));
        }
        i = stop.max(at + 2);
    }
}

fn paragraph_start(text: &[u8], at: usize) -> usize {
    let mut s = line_start(text, at, MAX_SPAN);
    while s >= 2 && text[s - 1] == b'\n' && text[s - 2] != b'\n' && at - s < MAX_SPAN {
        s = line_start(text, s - 1, MAX_SPAN);
    }
    s
}

/// Armoured blocks (`-----BEGIN … PRIVATE KEY-----`) whose lines carry a prefix: a
/// log timestamp, `# `, `// `, ` * `, `-- `, string quoting. Each line's body is the
/// run of base64 at its end; the block is rebuilt without the prefixes.
fn unwrap_armour(text: &[u8], owned: Range<usize>, out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>) {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let end = owned.end.min(text.len());
    let mut i = owned.start;
    while let Some(off) = memchr::memmem::find(&text[i..end], BEGIN) {
        let at = i + off;
        i = at + BEGIN.len();
        let line_start = line_start(text, at, MAX_BACK);
        let header_end = match memchr::memmem::find(&text[at + BEGIN.len()..], b"-----") {
            Some(e) => at + BEGIN.len() + e + 5,
            None => continue,
        };
        let header = &text[at..header_end];
        if memchr::memmem::find(header, b"PRIVATE KEY").is_none() || header.len() > 64 {
            continue;
        }
        let prefix = &text[line_start..at];
        let after = &text[header_end..];
        // Plain armour (nothing before BEGIN, a line end after it) is the rules' own.
        if prefix.iter().all(|b| matches!(b, b' ' | b'\t'))
            && matches!(after.first(), None | Some(b'\n' | b'\r'))
        {
            continue;
        }
        let mut block = header.to_vec();
        block.push(b'\n');
        let mut pos = memchr::memchr(b'\n', after).map_or(text.len(), |p| header_end + p + 1);
        let mut lines = 0;
        let mut closed = None;
        while pos < text.len() && lines < 400 {
            let line_end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
            let line = &text[pos..line_end];
            if let Some(e) = memchr::memmem::find(line, b"-----END ") {
                let tail = &line[e..];
                let close =
                    memchr::memmem::find(&tail[9..], b"-----").map_or(tail.len(), |p| p + 14);
                block.extend_from_slice(&tail[..close.min(tail.len())]);
                block.push(b'\n');
                closed = Some(pos + e + close.min(tail.len()));
                break;
            }
            let body = line_body(line);
            if body.is_empty() {
                break;
            }
            block.extend_from_slice(body);
            block.push(b'\n');
            lines += 1;
            pos = line_end + 1;
        }
        if let Some(stop) = closed {
            if lines > 0 {
                out.push((at..stop, Layer::Unwrap, block));
                i = stop;
            }
        }
    }
}

/// The armoured body at the end of a prefixed line: trailing quoting (`\n"`, `",`,
/// `" +`, `'`, `;`) dropped, then the run of base64 (and `:` `,` of headers such as
/// `Proc-Type: 4,ENCRYPTED`) back to the prefix.
fn line_body(line: &[u8]) -> &[u8] {
    let line = trim_quoting(line);
    let mut s = line.len();
    while s > 0
        && (is_b64(line[s - 1]) || line[s - 1] == b'=')
        && line[s - 1] != b'-'
        && line[s - 1] != b'_'
    {
        s -= 1;
    }
    &line[s..]
}

/// A line without the quoting a string literal puts after it (`\n"`, `",`, `" +`, `'`,
/// `;`, a closing parenthesis) and without trailing blanks.
fn trim_quoting(line: &[u8]) -> &[u8] {
    let mut e = line.len();
    loop {
        let before = e;
        while e > 0
            && matches!(
                line[e - 1],
                b'\r' | b' ' | b'\t' | b'"' | b'\'' | b',' | b';' | b'+' | b')'
            )
        {
            e -= 1;
        }
        if e >= 2 && &line[e - 2..e] == b"\\n" {
            e -= 2;
        }
        if e == before {
            break;
        }
    }
    &line[..e]
}

/// Whether `head` is `prefix` with other digits: log lines' timestamps differ from line
/// to line, the rest of their prefix does not.
fn same_shape(prefix: &[u8], head: &[u8]) -> bool {
    prefix
        .iter()
        .zip(head)
        .all(|(a, b)| a == b || (a.is_ascii_digit() && b.is_ascii_digit()))
}

/// PuTTY key files (`PuTTY-User-Key-File-2/3:` … `Private-MAC:`) whose lines carry a
/// prefix: a log timestamp, a comment leader, string quoting. The file is rebuilt with
/// each line's prefix (the header line's, or the leading quoting of a literal) and
/// trailing quoting removed, so the PuTTY rule sees the file as PuTTY wrote it.
fn unwrap_putty(text: &[u8], owned: Range<usize>, out: &mut Vec<(Range<usize>, Layer, Vec<u8>)>) {
    const HEADER: &[u8] = b"PuTTY-User-Key-File-";
    const MAX_LINES: usize = 80;
    let end = owned.end.min(text.len());
    let mut i = owned.start;
    while let Some(off) = memchr::memmem::find(&text[i..end], HEADER) {
        let at = i + off;
        i = at + HEADER.len();
        let line_start = line_start(text, at, MAX_BACK);
        let prefix = &text[line_start..at];
        let first_end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |p| at + p);
        let first = trim_quoting(&text[at..first_end]);
        // A file as PuTTY wrote it (no prefix, nothing after the header line's end but a
        // line break) is the rule's own; so is a mention in prose without a line after.
        let quoted = first.len() < text[at..first_end].trim_ascii_end().len();
        if prefix.iter().all(|b| matches!(b, b' ' | b'\t')) && !quoted {
            continue;
        }
        let mut block = first.to_vec();
        block.push(b'\n');
        let mut pos = first_end + 1;
        let mut closed = None;
        for _ in 0..MAX_LINES {
            if pos >= text.len() {
                break;
            }
            let line_end = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |p| pos + p);
            let line = &text[pos..line_end];
            let body = match line.get(..prefix.len()) {
                Some(head) if !prefix.is_empty() && same_shape(prefix, head) => {
                    &line[prefix.len()..]
                }
                _ => {
                    let lead = line
                        .iter()
                        .take_while(|b| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'+' | b','))
                        .count();
                    &line[lead..]
                }
            };
            let body = trim_quoting(body);
            if body.is_empty() {
                break;
            }
            block.extend_from_slice(body);
            block.push(b'\n');
            pos = line_end + 1;
            if body.starts_with(b"Private-MAC:") {
                closed = Some(line_end);
                break;
            }
        }
        if let Some(stop) = closed {
            out.push((at..stop, Layer::Unwrap, block));
            i = stop;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str, depth: usize) -> Vec<(String, Vec<Layer>, Range<usize>)> {
        let mut d = Decoded::default();
        decode(
            text.as_bytes(),
            0..text.len(),
            depth,
            Hints::ANYWHERE,
            &mut d,
        );
        d.pieces
            .iter()
            .map(|p| {
                (
                    String::from_utf8_lossy(&d.text[p.at.clone()]).into_owned(),
                    p.layers.clone(),
                    p.origin.clone(),
                )
            })
            .collect()
    }

    proptest::proptest! {
        /// The word-at-a-time run finder finds exactly the runs a byte-by-byte scan does.
        #[test]
        fn long_runs_are_found_as_a_byte_scan_finds_them(
            text in proptest::collection::vec(proptest::sample::select(b"aZ0+/aZ0+/aZ0+/aZ0+/aZ0+/aZ0+/aZ0+/-. \n=".to_vec()), 0..400),
            from in 0usize..400,
        ) {
            let from = from.min(text.len());
            let mut naive = Vec::new();
            let mut k = 0;
            while k < text.len() {
                if is_b64(text[k]) {
                    let s = k;
                    while k < text.len() && is_b64(text[k]) {
                        k += 1;
                    }
                    if k - s >= MIN_BASE64 && s >= from {
                        naive.push(s);
                    }
                } else {
                    k += 1;
                }
            }
            let mut fast = Vec::new();
            let mut i = from;
            while let Some(s) = next_long_run(&text, i, text.len()) {
                fast.push(s);
                i = run_end_from(&text, s) + 1;
            }
            proptest::prop_assert_eq!(fast, naive);
        }
    }

    #[test]
    fn base64_hex_percent_escapes_entities() {
        let b64 = "dG9rZW49Z2hwX2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6";
        let got = decoded(&format!("x: {b64}\n"), 1);
        assert_eq!(got[0].0, "token=ghp_abcdefghijklmnopqrstuvwxyz");
        assert_eq!(got[0].1, [Layer::Base64]);
        assert_eq!(got[0].2, 3..3 + b64.len());
        let hex = "746f6b656e3d6768705f6162636465666768696a6b6c6d6e6f70";
        assert_eq!(decoded(hex, 1)[0].0, "token=ghp_abcdefghijklmnop");
        assert_eq!(decoded("u?t=token%3Aghp_abc", 1)[0].0, "u?t=token:ghp_abc");
        assert_eq!(decoded(r#"{"k": "\u0067hp_x\n"}"#, 1)[0].0, "ghp_x\n");
        assert_eq!(decoded("a=token&#58;ghp_x", 1)[0].0, "a=token:ghp_x");
    }

    #[test]
    fn two_layers_and_depth() {
        // base64 of "u?t=token%3Aghp_abcdefgh"
        let text = "dT90PXRva2VuJTNBZ2hwX2FiY2RlZmdo";
        let two = decoded(text, 2);
        assert!(two.iter().any(
            |(s, l, _)| s == "u?t=token:ghp_abcdefgh" && l == &[Layer::Base64, Layer::Percent]
        ));
        assert!(decoded(text, 1).iter().all(|(_, l, _)| l.len() == 1));
        assert!(decoded(text, 0).is_empty());
    }

    #[test]
    fn binary_decodes_to_nothing() {
        // A random key, a sha512 integrity hash, a PNG data URI: binary once decoded.
        for text in [
            "aws_secret = 3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qhT61qt",
            "integrity sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
            "src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\"",
            "commit 9fceb02d0ae598e95dc970b74767f19372d61af8a06d9fbf",
        ] {
            assert!(decoded(text, 2).iter().all(|(s, _, _)| !s.is_empty() && texty(s.as_bytes())), "{text}");
            assert!(decoded(text, 2).iter().all(|(_, l, _)| !l.contains(&Layer::Base64)), "{text}");
        }
    }

    #[test]
    fn wrapped_base64_and_prefixed_armour() {
        let mut text = String::new();
        let line = "dG9rZW49Z2hwX2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6MDEyMzQ1Njc4";
        text.push_str(line);
        text.push('\n');
        text.push_str("OQ==\n");
        let got = decoded(&text, 1);
        assert!(got[0].0.ends_with("0123456789"), "{got:?}");
        // Assembled at run time, so the repository's own scan finds no key here.
        let (begin, end) = (
            ["-----BEGIN RSA", " PRIVATE KEY-----"].concat(),
            ["-----END RSA", " PRIVATE KEY-----"].concat(),
        );
        let pem = format!(
            "2024-01-01 INFO {begin}\n2024-01-01 INFO MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n2024-01-01 INFO {end}\n"
        );
        let got = decoded(&pem, 1);
        let unwrapped = got
            .iter()
            .find(|(_, l, _)| l == &[Layer::Unwrap])
            .expect("unwrapped");
        assert_eq!(
            unwrapped.0,
            format!("{begin}\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n{end}\n")
        );
        let concat =
            format!("k = \"{begin}\\n\" +\n    \"MIIEvQIBADANBg\\n\" +\n    \"{end}\\n\";");
        let got = decoded(&concat, 1);
        let joined = format!("{begin}\nMIIEvQIBADANBg\n{end}");
        assert!(got.iter().any(|(s, _, _)| s.contains(&joined)), "{got:?}");
    }

    #[test]
    fn quoted_printable_paragraphs() {
        let text = "Subject: creds\n\ntoken=3Dghp_abcdefghij=\nklmnop\n\nbye\n";
        let got = decoded(text, 1);
        assert!(
            got.iter().any(
                |(s, l, _)| s == "token=ghp_abcdefghijklmnop" && l == &[Layer::QuotedPrintable]
            ),
            "{got:?}"
        );
    }

    /// Where `needles` start in `text`, ASCII-case-insensitively, ascending: what the
    /// keyword pass would record for them.
    fn starts(text: &[u8], needles: &[&str]) -> Vec<usize> {
        let mut at: Vec<usize> = needles
            .iter()
            .flat_map(|n| {
                let n = n.as_bytes();
                (0..text.len().saturating_sub(n.len() - 1))
                    .filter(move |&i| text[i..i + n.len()].eq_ignore_ascii_case(n))
            })
            .collect();
        at.sort_unstable();
        at.dedup();
        at
    }

    /// Decoded pieces of `text` (depth 2) with the raw keyword pass's hints: `keywords`
    /// are the substrings standing for keyword hits; with `marks`, the decoding marks are
    /// located as the keyword pass locates them, else left unknown.
    fn decoded_with(text: &[u8], keywords: &[&str], marks: bool) -> Vec<(Vec<u8>, Range<usize>)> {
        let at = starts(text, keywords);
        let triggers = starts(text, &MARKS[..TRIGGER_MARKS]);
        let hints = Hints {
            armour: false,
            keywords: Some(&at),
            triggers: marks.then_some(triggers.as_slice()),
            quoted_printable: marks
                .then(|| !starts(text, &MARKS[QUOTED_PRINTABLE_MARK..]).is_empty()),
        };
        let mut d = Decoded::default();
        decode(text, 0..text.len(), 2, hints, &mut d);
        d.pieces
            .iter()
            .map(|p| (d.text[p.at.clone()].to_vec(), p.origin.clone()))
            .collect()
    }

    /// [`decoded_with`], marks located, as strings; checked against marks unknown.
    fn decoded_with_keywords(text: &str, keywords: &[&str]) -> Vec<String> {
        let got = decoded_with(text.as_bytes(), keywords, true);
        assert_eq!(
            got,
            decoded_with(text.as_bytes(), keywords, false),
            "{text:?}"
        );
        got.into_iter()
            .map(|(b, _)| String::from_utf8_lossy(&b).into_owned())
            .collect()
    }

    proptest::proptest! {
        /// Escapes found from the located marks and the keywords' lines are exactly those
        /// found by looking at every `\`, `%` and `&`.
        #[test]
        fn located_marks_find_what_every_trigger_byte_finds(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "\\", "\\u0067", "\\U0067", "\\u002D", "\\x41", "\\x5F", "\\x1b", "\\147", "\\61", "\\55", "\\0", "\\11", "\\7", "\\x9", "\\x00", "\\u20", "\\u000A", "%00", "%0a", "&#27;", "\\n",
                "\\\"", "%67", "%3A", "%2d", "%41", "&#103;", "&#58;", "&amp;", "&quot;", "\"",
                "'", " + ", "\n", " ", "ghp_", "token", "abc", "=", "quoted-printable",
            ]), 0..40),
        ) {
            let text = parts.concat();
            for keywords in [&["ghp_", "token"][..], &[]] {
                proptest::prop_assert_eq!(
                    decoded_with(text.as_bytes(), keywords, true),
                    decoded_with(text.as_bytes(), keywords, false),
                );
            }
        }
    }

    #[test]
    fn see_through_layers_are_undone_only_around_keywords() {
        // Concatenation: the group holding a keyword is joined, wherever in the group
        // the keyword is; a group without one is left alone.
        let text = "a = \"plain\" + \"text\";\nb = \"one\" +\n  \"two ghp_abc\" + \"def\";\n";
        let got = decoded_with_keywords(text, &["ghp_"]);
        assert_eq!(got, ["onetwo ghp_abcdef"], "{got:?}");
        assert!(decoded_with_keywords(text, &[]).is_empty());
        // With nothing known, every group is joined.
        let all = decoded(text, 1);
        assert_eq!(all.len(), 2, "{all:?}");

        // `\"` and `\n` only separate: undone on a keyword's line only.
        let text = "x = \"{\\\"id\\\":\\\"v\\\"}\"\ny = \"{\\\"t\\\":\\\"ghp_x\\\"}\"\n";
        let got = decoded_with_keywords(text, &["ghp_"]);
        assert_eq!(got, ["{\"t\":\"ghp_x\"}"], "{got:?}");
        // `\u0067` hides a letter: undone with no keyword in sight.
        let text = "s = \"\\u0067hp_abcdefghijklmnop\"\n";
        let got = decoded_with_keywords(text, &[]);
        assert_eq!(got, ["ghp_abcdefghijklmnop"], "{got:?}");
        // `\x1b` stands for a control character: only separates.
        assert!(decoded_with_keywords("s = \"\\x1b[31mred\"\n", &[]).is_empty());

        // Percent-encoding and entities: `%3A` and `&#58;` separate, `%67` and
        // `&#103;` hide.
        assert!(decoded_with_keywords("u?a=b%3Ac\n", &[]).is_empty());
        assert_eq!(
            decoded_with_keywords("u?t=token%3Aghp_a\n", &["ghp_"]),
            ["u?t=token:ghp_a"]
        );
        assert_eq!(decoded_with_keywords("u?t=%67hp_a\n", &[]), ["u?t=ghp_a"]);
        assert!(decoded_with_keywords("<p>a&#58;b</p>\n", &[]).is_empty());
        assert_eq!(decoded_with_keywords("v=&#103;hp_a\n", &[]), ["v=ghp_a"]);
    }

    #[test]
    fn quoted_printable_is_looked_for_in_texts_that_name_it() {
        let body = "token=3Dghp_abcdefghij=\nklmnop\n\nbye\n";
        assert!(decoded_with_keywords(body, &["ghp_"]).is_empty());
        let mail = format!("Content-Transfer-Encoding: Quoted-Printable\n\n{body}");
        let got = decoded_with_keywords(&mail, &["ghp_"]);
        assert!(
            got.iter().any(|s| s.contains("token=ghp_abcdefghijklmnop")),
            "{got:?}"
        );
    }

    #[test]
    fn the_cap_is_kept_and_reported() {
        let b64 = "dG9rZW49Z2hwX2FiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6 ".repeat(2_000);
        let mut d = Decoded::with_cap(10_000);
        decode(b64.as_bytes(), 0..b64.len(), 1, Hints::ANYWHERE, &mut d);
        assert!(d.capped);
        assert!(d.text.len() <= 10_000);
        assert!(d.pieces.len() > 100);
    }
}
