//! The strings decoding asks the keyword pass to locate. Dependency-free on purpose:
//! `build.rs` includes this file by path, since the keyword table it prepares holds
//! them too.

/// Strings the raw text's keyword pass locates for the decoding stage, in the same
/// automaton pass as the rules' keywords (see [`crate::prefilter::Prefilter::new`]),
/// so decoding needs no pass of its own over every byte for them: first the
/// [`TRIGGER_MARKS`], then [`QUOTED_PRINTABLE_MARK`]. The pass is
/// ASCII-case-insensitive (`\U` and `%2D` are located too, and looked at).
#[rustfmt::skip]
pub const MARKS: &[&str] = &[
    // Escapes of the characters that matter (see `matters`): white space, then `\x20`
    // to `\x7E`; `\x00`, `\x1B` and `\xFF` stand for bytes no token is made of and no
    // rule's boundary needs, and test vectors in C are full of them.
    "\\u0009", "\\u000a", "\\u000b", "\\u000c", "\\u000d",
    "\\u002", "\\u003", "\\u004", "\\u005", "\\u006", "\\u007",
    "\\x09", "\\x0a", "\\x0b", "\\x0c", "\\x0d",
    "\\x2", "\\x3", "\\x4", "\\x5", "\\x6", "\\x7",
    // octal: three digits (`\011`…`\015`, `\040`…`\176`) or two (`\11`…`\15`, `\40`…`\77`)
    "\\01", "\\04", "\\05", "\\06", "\\07", "\\1", "\\4", "\\5", "\\6", "\\7",
    "\\\"", "\\'", "\\n", "\\r", "\\t",
    "%09", "%0a", "%0b", "%0c", "%0d", "%2", "%3", "%4", "%5", "%6", "%7",
    "&#", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&colon;", "&sol;", "&equals;",
    "&plus;", "&percnt;", "&nbsp;",
    "quoted-printable",
];
/// How many of [`MARKS`], from the first, start an escape, a percent-encoded byte or
/// an entity that decoding may undo: at every other `\`, `%` or `&` of a text it
/// would do nothing.
pub const TRIGGER_MARKS: usize = MARKS.len() - 1;
/// Index in [`MARKS`] of the header mail parts carry (`Content-Transfer-Encoding:
/// quoted-printable`): soft breaks are looked for only in texts that have it, since code
/// ends many lines in `=`.
pub const QUOTED_PRINTABLE_MARK: usize = MARKS.len() - 1;
