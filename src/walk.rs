//! Finds the files to scan: a parallel directory walk (`ignore`) that honours
//! `.gitignore`/`.ignore` unless told not to, includes dotfiles (`.env`, `.npmrc` are
//! where keys live) but never descends into `.git`, and turns everything it will not
//! hand over for reading into a counted [`Skip`].

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use crate::read::{special_kind, Skip, SkipReason};

/// How to walk.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// Honour `.gitignore`, `.ignore` and git's exclude files.
    pub respect_ignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Walker threads.
    pub threads: usize,
    /// Relative paths matching these globs are skipped as [`SkipReason::Excluded`].
    pub exclude: Option<GlobSet>,
}

/// What the walk yields.
#[derive(Debug)]
pub enum Item {
    /// A regular file to read; `display` is its report path.
    File {
        /// Where to open it.
        path: PathBuf,
        /// Report path: relative to the base, `/`-separated.
        display: String,
    },
    /// Something that will not be read, and why.
    Skipped {
        /// Report path.
        display: String,
        /// Why.
        skip: Skip,
    },
}

/// The report path of `path`: relative to `base` when under it, `/`-separated, without
/// a leading `./`.
pub fn display_path(path: &Path, base: Option<&Path>) -> String {
    let rel = base.and_then(|b| path.strip_prefix(b).ok()).unwrap_or(path);
    let mut out = String::new();
    for c in rel.components() {
        match c {
            Component::CurDir => continue,
            Component::RootDir => out.push('/'),
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    if out.is_empty() {
        // The root itself was a file given relative to the base.
        out = path.file_name().map_or_else(
            || path.to_string_lossy().into_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
    }
    out
}

/// Walk `roots`, sending every file and every skip to `tx`. Returns when the walk is done
/// or the receiver hung up.
pub fn walk(roots: &[PathBuf], base: Option<&Path>, opts: &WalkOptions, tx: &SyncSender<Item>) {
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    let mut respect = opts.respect_ignore;
    let blocked_root = if respect {
        // The roots' and their parents' ignore files are read before any filter runs:
        // if one is not a regular file, honour no ignore files rather than hang.
        let blocked = roots
            .iter()
            .flat_map(|r| r.ancestors())
            .find_map(blocking_ignore_file);
        if let Some(p) = &blocked {
            respect = false;
            // Under a root the walk reports the file itself; above the roots, say so here.
            if !roots.iter().any(|r| p.starts_with(r)) {
                let item = Item::Skipped {
                    display: display_path(p, base),
                    skip: skip(SkipReason::Special, IGNORE_NOT_READ),
                };
                if tx.send(item).is_err() {
                    return;
                }
            }
        }
        blocked
    } else {
        None
    };
    let blocked_dirs: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let blocked_in_filter = Arc::clone(&blocked_dirs);
    builder
        .hidden(false)
        .ignore(respect)
        .git_ignore(respect)
        .git_exclude(respect)
        .git_global(respect)
        .parents(respect)
        .require_git(false)
        .follow_links(opts.follow_links)
        .threads(opts.threads.max(1))
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir && e.file_name() == ".git" {
                return false;
            }
            if is_dir && respect && e.depth() > 0 && blocking_ignore_file(e.path()).is_some() {
                if let Ok(mut b) = blocked_in_filter.lock() {
                    b.push(e.path().to_path_buf());
                }
                return false;
            }
            true
        });
    builder.build_parallel().run(|| {
        let tx = tx.clone();
        let exclude = opts.exclude.clone();
        let blocked_root = blocked_root.clone();
        Box::new(move |res| {
            let item = match res {
                Ok(entry) => {
                    let Some(ft) = entry.file_type() else {
                        // stdin; never produced for path roots.
                        return WalkState::Continue;
                    };
                    if ft.is_dir() {
                        return WalkState::Continue;
                    }
                    let display = display_path(entry.path(), base);
                    if exclude.as_ref().is_some_and(|g| g.is_match(&display)) {
                        Item::Skipped {
                            display,
                            skip: skip(SkipReason::Excluded, "matches a config allowlist path"),
                        }
                    } else if ft.is_file() {
                        Item::File {
                            path: entry.into_path(),
                            display,
                        }
                    } else if ft.is_symlink() {
                        Item::Skipped {
                            display,
                            skip: skip(
                                SkipReason::Symlink,
                                "symbolic link not followed (use --follow)",
                            ),
                        }
                    } else if blocked_root.as_deref() == Some(entry.path()) {
                        Item::Skipped {
                            display,
                            skip: skip(SkipReason::Special, IGNORE_NOT_READ),
                        }
                    } else {
                        Item::Skipped {
                            display,
                            skip: skip(SkipReason::Special, special_kind(&ft)),
                        }
                    }
                }
                Err(err) => walk_error(&err, base),
            };
            if tx.send(item).is_err() {
                return WalkState::Quit;
            }
            WalkState::Continue
        })
    });
    let blocked = blocked_dirs.lock().map(|b| b.clone()).unwrap_or_default();
    for dir in blocked {
        let item = Item::Skipped {
            display: display_path(&dir, base),
            skip: skip(
                SkipReason::Special,
                "directory not entered: its .gitignore, .ignore or .git is not a regular \
                 file, and reading it could block (scan with --no-ignore to enter it)",
            ),
        };
        if tx.send(item).is_err() {
            return;
        }
    }
}

const IGNORE_NOT_READ: &str =
    "ignore file is not a regular file: not opened, and no ignore files honoured in this scan";

/// The walker opens a directory's `.gitignore`, `.ignore` and `.git` (or
/// `.git/info/exclude`) with a plain blocking open. If one of them is a FIFO or another
/// special file, that open would hang the scan; return it so the directory can be left
/// out and reported instead.
fn blocking_ignore_file(dir: &Path) -> Option<PathBuf> {
    let special = |p: &Path| std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir());
    for name in [".gitignore", ".ignore", ".git"] {
        let p = dir.join(name);
        if special(&p) {
            return Some(p);
        }
    }
    let exclude = dir.join(".git/info/exclude");
    special(&exclude).then_some(exclude)
}

fn skip(reason: SkipReason, detail: &str) -> Skip {
    Skip {
        reason,
        detail: detail.to_string(),
    }
}

fn walk_error(err: &ignore::Error, base: Option<&Path>) -> Item {
    fn parts(err: &ignore::Error) -> (Option<&Path>, Option<&std::io::Error>, bool) {
        match err {
            ignore::Error::WithPath { path, err } => {
                let (_, io, lp) = parts(err);
                (Some(path), io, lp)
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                parts(err)
            }
            ignore::Error::Loop { child, .. } => (Some(child), None, true),
            ignore::Error::Io(io) => (None, Some(io), false),
            _ => (None, None, false),
        }
    }
    let (path, io, is_loop) = parts(err);
    let display = path.map_or_else(|| "(unknown path)".to_string(), |p| display_path(p, base));
    let reason = match io.map(std::io::Error::kind) {
        _ if is_loop => SkipReason::WalkError,
        Some(std::io::ErrorKind::NotFound) => SkipReason::Vanished,
        Some(std::io::ErrorKind::PermissionDenied) => SkipReason::Unreadable,
        _ => SkipReason::WalkError,
    };
    Item::Skipped {
        display,
        skip: Skip {
            reason,
            detail: err.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_relative_and_slashed() {
        assert_eq!(display_path(Path::new("./a/b.txt"), None), "a/b.txt");
        assert_eq!(
            display_path(Path::new("/r/a/b.txt"), Some(Path::new("/r"))),
            "a/b.txt"
        );
        assert_eq!(
            display_path(Path::new("/x/b.txt"), Some(Path::new("/r"))),
            "/x/b.txt"
        );
        assert_eq!(
            display_path(Path::new("/r/f.txt"), Some(Path::new("/r/f.txt"))),
            "f.txt"
        );
    }
}
