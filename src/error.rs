//! Errors that stop plainsight before a scan can start or finish.
//!
//! Per-file trouble (unreadable, binary, vanished, too large) is deliberately *not* an
//! error here: a scan records it as a [`crate::skip::SkipReason`] and goes on, so one bad
//! file never hides the findings of every other. What lands in [`Error`] is what makes
//! the whole run untrustworthy: a malformed rule or config file, a root that does not
//! exist, an output that cannot be written.

use std::path::PathBuf;

/// Where in a TOML file a problem sits, so a message can name file, line and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecLocation {
    /// The file as the user knows it (`rules/aws.toml`, `.plainsight.toml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The key (or table) the problem belongs to, e.g. `rules[3].regex`.
    pub key: String,
}

impl std::fmt::Display for SpecLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: key `{}`", self.file, self.line, self.key)
    }
}

/// Something in a config file plainsight reads but cannot fully honour (a gitleaks key
/// with no equivalent): printed on stderr with its place, so nothing is dropped unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where it is.
    pub at: SpecLocation,
    /// What plainsight does instead.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Every way a plainsight run can fail as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule file or config file is malformed: parse error, unknown key, wrong type,
    /// bad regex, duplicate id, an example that does not parse.
    #[error("{at}: {message}")]
    Spec {
        /// Where the problem is.
        at: SpecLocation,
        /// What is wrong, in words.
        message: String,
    },
    /// A file the user named (config, baseline, rule file) could not be read.
    // The cause is the `source`, which `{:#}` (anyhow, main) prints after this once.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A scan root does not exist.
    #[error("no such file or directory: {}", .0.display())]
    MissingRoot(PathBuf),
    /// A baseline file is not a plainsight JSON report.
    #[error("{}: not a plainsight JSON report: {message}", path.display())]
    Baseline {
        /// The baseline file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// `plainsight import` could not read what it converts or write what it made.
    #[error("{}: {message}", path.display())]
    Import {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The scan could not start or finish (thread pool, keyword automaton, a source's
    /// thread).
    #[error("scan failed: {0}")]
    Scan(String),
    /// A path glob from the configuration does not parse.
    #[error("bad path glob `{glob}`")]
    Glob {
        /// The glob as written.
        glob: String,
        /// Why it does not parse.
        #[source]
        source: globset::Error,
    },
    /// Writing a report failed.
    #[error("cannot write report: {0}")]
    Output(#[source] std::io::Error),
    /// Reading git history failed (not a repository, bad revision, corrupt object).
    #[error(transparent)]
    Git(#[from] crate::git::GitError),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Turn a byte offset into a 1-based line number.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() + 1
}

/// Line numbers of many offsets in one text, counted onwards from the last offset asked
/// for: every built-in rule records its line at start-up, in file order. Counting from
/// the top of the file for each one cost a tenth of the start-up, and so did indexing
/// every line break first; counting only the stretch between two rules' offsets is
/// `memchr`'s vectorised count.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    /// The last offset asked for, and its line.
    at: std::cell::Cell<(usize, usize)>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text: text.as_bytes(),
            at: std::cell::Cell::new((0, 1)),
        }
    }

    /// [`line_of`] the text at `offset`; fastest for offsets asked in increasing order.
    pub(crate) fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let (from, line) = match self.at.get() {
            (at, line) if at <= offset => (at, line),
            _ => (0, 1),
        };
        let breaks = memchr::memchr_iter(b'\n', &self.text[from..offset]).count();
        self.at.set((offset, line + breaks));
        line + breaks
    }
}

/// Build an [`Error::Spec`] from a `toml` deserialisation error, recovering the key
/// from the message (unknown/missing field) or from the offending line (`key = value`).
pub(crate) fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> Error {
    let offset = err.span().map_or(0, |s| s.start);
    let line = line_of(text, offset);
    let message = err.message().trim().to_string();
    let key = key_from_message(&message)
        .or_else(|| key_from_line(text, offset))
        .unwrap_or_else(|| "(document)".to_string());
    Error::Spec {
        at: SpecLocation {
            file: file.to_string(),
            line,
            key,
        },
        message,
    }
}

fn key_from_message(message: &str) -> Option<String> {
    for marker in ["unknown field `", "missing field `", "duplicate key `"] {
        if let Some(rest) = message.find(marker).map(|i| &message[i + marker.len()..]) {
            if let Some(end) = rest.find('`') {
                return Some(rest[..end].to_string());
            }
        }
    }
    None
}

fn key_from_line(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[start..end].trim();
    if let Some((key, _)) = line.split_once('=') {
        let key = key.trim().trim_matches('"');
        if !key.is_empty() && !key.starts_with('[') {
            return Some(key.to_string());
        }
    }
    if line.starts_with('[') {
        return Some(line.trim_matches(|c| c == '[' || c == ']').to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_agree_with_line_of_in_any_order() {
        let text = "a\nbb\n\nccc\r\nd";
        let lines = Lines::new(text);
        let offsets = [0, 1, 2, 5, 6, 7, 13, 40, 3, 0, 12, 4, 4, 9];
        for offset in offsets {
            assert_eq!(lines.line(offset), line_of(text, offset), "offset {offset}");
        }
    }

    #[test]
    fn key_comes_from_message_or_line() {
        assert_eq!(
            key_from_message("unknown field `colour`, expected one of `a`"),
            Some("colour".into())
        );
        let text = "a = 1\nseverity = 3\n";
        assert_eq!(key_from_line(text, 17), Some("severity".into()));
        assert_eq!(line_of(text, 17), 2);
    }
}
