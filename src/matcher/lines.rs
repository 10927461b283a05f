//! Where a match lies: the line index that turns byte offsets into lines and columns,
//! the `\n` lines that search ranges are built from, and the masked context line a
//! finding shows.
//!
//! Positions are computed only for the matches that survive the filters, from a
//! [`LineIndex`] built on demand, so a text without findings is never indexed.

use std::ops::Range;

use memchr::memchr2_iter;

use crate::finding::{Context, Location, Secret, Segment};
use crate::read::char_count;

/// The context line is cut to this many bytes on each side of the secret.
const CONTEXT_RADIUS: usize = 80;

/// Start of the `\n`-line holding byte `pos`. Search range edges use `\n` lines only, not
/// [`LineIndex`]'s (which a lone `\r` also ends): a `\n`-line holds whole `LineIndex`
/// lines, so ranges built from them are never narrower, and a match that cannot hold a
/// `\n` lies within one of them.
pub(super) fn line_start_at(text: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &text[..pos]).map_or(0, |i| i + 1)
}

/// End of the line holding byte `pos` (its `\n`, or the end of the text).
pub(super) fn line_end_at(text: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i)
}

/// The secret's first line, trimmed around it, with every secret on it kept masked.
pub(crate) fn context(
    text: &[u8],
    lines: &LineIndex,
    secret: &Range<usize>,
    all: &[Range<usize>],
) -> Context {
    let line = lines.line_of(secret.start);
    let line_start = lines.line_start(line);
    let line_end = lines.line_end(text, line);
    let from = floor_char(
        text,
        secret.start.saturating_sub(CONTEXT_RADIUS).max(line_start),
    );
    let to = ceil_char(
        text,
        (secret.end.min(line_end) + CONTEXT_RADIUS).min(line_end),
    );
    let mut segments = Vec::new();
    if from > line_start {
        segments.push(Segment::Text("…".into()));
    }
    let mut on_line: Vec<&Range<usize>> = all
        .iter()
        .filter(|r| r.start < to && r.end > from)
        .collect();
    on_line.sort_by_key(|r| r.start);
    let mut pos = from;
    for r in on_line {
        let (s, e) = (r.start.max(pos), r.end.min(to));
        if s >= e {
            continue;
        }
        if s > pos {
            segments.push(Segment::Text(
                String::from_utf8_lossy(&text[pos..s]).into_owned(),
            ));
        }
        segments.push(Segment::Secret(Secret::from_bytes(&text[s..e])));
        pos = e;
    }
    if pos < to {
        segments.push(Segment::Text(
            String::from_utf8_lossy(&text[pos..to]).into_owned(),
        ));
    }
    if to < line_end {
        segments.push(Segment::Text("…".into()));
    }
    Context { segments }
}

/// Back `i` up to the start of the character holding it, so that a context line cut
/// at `i` does not split a UTF-8 character (which would show as U+FFFD).
fn floor_char(text: &[u8], mut i: usize) -> usize {
    while i > 0 && i < text.len() && (text[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

/// Move `i` on to the start of the next character, for the same reason as
/// [`floor_char`].
fn ceil_char(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && (text[i] & 0xC0) == 0x80 {
        i += 1;
    }
    i
}

/// Line starts of a text; `\n`, `\r\n` and a lone `\r` each end a line.
///
/// Columns are counted from a cursor left by the previous lookup when it sits earlier
/// on the same line, so locating many findings on one very long line (a minified
/// bundle, a 200 MB single-line file) costs one pass over the line, not one per finding.
#[derive(Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
    /// (byte offset, characters from its line's start to it) of the last column lookup.
    cursor: std::cell::Cell<(usize, usize)>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: &[u8]) -> Self {
        let mut starts = vec![0];
        for i in memchr2_iter(b'\n', b'\r', text) {
            if text[i] == b'\r' && text.get(i + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(i + 1);
        }
        LineIndex {
            starts,
            cursor: std::cell::Cell::new((0, 0)),
        }
    }

    /// 0-based character column of byte `pos`, which lies on 1-based `line`.
    fn column_of(&self, text: &[u8], line: usize, pos: usize) -> usize {
        let start = self.line_start(line);
        let (at, chars) = self.cursor.get();
        let col = if at >= start && at <= pos {
            chars + char_count(&text[at..pos])
        } else {
            char_count(&text[start..pos])
        };
        self.cursor.set((pos, col));
        col
    }

    /// 1-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// Byte offset where 1-based `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.clamp(1, self.starts.len()) - 1]
    }

    /// Byte offset where 1-based `line`'s content ends (before its terminator).
    pub fn line_end(&self, text: &[u8], line: usize) -> usize {
        let mut end = if line >= self.starts.len() {
            text.len()
        } else {
            self.starts[line]
        };
        while end > self.line_start(line) && matches!(text[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        end
    }

    /// The 1-based, end-exclusive location of byte range `r`; columns count characters.
    pub fn location(&self, text: &[u8], r: Range<usize>) -> Location {
        let line = self.line_of(r.start);
        let end_line = self.line_of(r.end.saturating_sub(1).max(r.start));
        Location {
            line,
            column: self.column_of(text, line, r.start) + 1,
            end_line,
            end_column: self.column_of(text, end_line, r.end) + 1,
            offset: r.start,
            len: r.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_handles_lf_crlf_and_cr() {
        let t = b"a\nbb\r\nccc\rdddd";
        let li = LineIndex::new(t);
        assert_eq!(li.line_of(0), 1);
        assert_eq!(li.line_of(2), 2);
        assert_eq!(li.line_of(6), 3);
        assert_eq!(li.line_of(10), 4);
        assert_eq!(li.line_end(t, 2), 4);
        let loc = li.location(t, 10..14);
        assert_eq!(
            (loc.line, loc.column, loc.end_line, loc.end_column),
            (4, 1, 4, 5)
        );
    }

    #[test]
    fn columns_count_characters() {
        let t = "é = secret".as_bytes();
        let li = LineIndex::new(t);
        let loc = li.location(t, 5..11);
        assert_eq!((loc.column, loc.end_column), (5, 11));
    }
}
