//! The filesystem source: files and directories given on the command line, walked in
//! parallel with `ignore`, plus standard input (`-`) and streams named explicitly (a
//! FIFO, `/dev/stdin`). Dotfiles are included (`.env` and `.npmrc` are where keys live);
//! `.git` is never entered.
//!
//! Ignore rules are the `ignore` crate's, with git's scope: `.gitignore`, git's exclude
//! files and the global excludes apply only inside a git work tree, `.ignore` files
//! everywhere. What they keep out is not dropped but counted: the walk itself honours no
//! ignore file, and each entry is matched against the same rules
//! ([`ignore::IncrementalIgnore`], one per walker thread), so an ignored file is a
//! [`SkipReason::Ignored`] skip and an ignored directory one skip, not entered.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{IncrementalIgnore, WalkBuilder, WalkState};

use super::{Blob, Content, Emitter, Produced, Source};
use crate::error::{Error, Result};
use crate::read::{special_kind, Skip, SkipReason};
use crate::scan::SkippedFile;

/// How to walk.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// Honour `.gitignore`, `.ignore` and git's exclude files (counting what they keep
    /// out).
    pub respect_ignore: bool,
    /// Follow symbolic links (loops are detected and reported).
    pub follow_links: bool,
    /// Walker threads.
    pub threads: usize,
}

/// The report name of standard input when `--stdin-name` is not given.
pub const DEFAULT_STDIN_NAME: &str = "<stdin>";

/// One unit of the filesystem source.
#[derive(Clone, Debug)]
pub enum FsItem {
    /// A regular file met by the walk.
    File(PathBuf),
    /// Standard input (`-`).
    Stdin,
    /// A stream named on the command line: a FIFO, `/dev/stdin`, `/dev/fd/N`.
    Stream(PathBuf),
}

/// Files and directories to walk, and streams to read.
#[derive(Debug)]
pub struct FsSource {
    /// Directory and file roots, duplicates and roots inside other roots removed.
    roots: Vec<PathBuf>,
    /// Stream roots and `-` with their report paths, in the order given.
    streams: Vec<(String, FsItem)>,
    base: Option<PathBuf>,
    stdin_name: String,
    options: WalkOptions,
}

impl FsSource {
    /// A source over `roots` as given on the command line. A root that does not exist
    /// is an error; `-` is standard input, reported as `stdin_name`.
    pub fn new(roots: &[PathBuf], stdin_name: &str, options: WalkOptions) -> Result<Self> {
        let mut walk: Vec<(PathBuf, PathBuf)> = Vec::new(); // (as given, canonical)
        let mut streams = Vec::new();
        for r in roots {
            if r.as_os_str() == "-" {
                if !streams.iter().any(|(_, s)| matches!(s, FsItem::Stdin)) {
                    streams.push((stdin_name.to_string(), FsItem::Stdin));
                }
                continue;
            }
            let meta = std::fs::metadata(r)
                .or_else(|_| std::fs::symlink_metadata(r))
                .map_err(|_| Error::MissingRoot(r.clone()))?;
            if !meta.is_file() && !meta.is_dir() && !meta.file_type().is_symlink() {
                streams.push((display_path(r, None), FsItem::Stream(r.clone())));
                continue;
            }
            let canonical = std::fs::canonicalize(r).unwrap_or_else(|_| r.clone());
            walk.push((r.clone(), canonical));
        }
        // The same file reached twice (a root given twice, a root inside another) is
        // scanned once: keep a root only if no other root kept before it, or any
        // directory root at all, already covers it.
        let mut kept: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (i, (given, canonical)) in walk.iter().enumerate() {
            let covered = walk.iter().enumerate().any(|(j, (_, other))| {
                j != i
                    && canonical.starts_with(other)
                    && (other != canonical || j < i)
                    && (other == canonical || other.is_dir())
            });
            if !covered {
                kept.push((given.clone(), canonical.clone()));
            }
        }
        let roots: Vec<PathBuf> = kept.into_iter().map(|(given, _)| given).collect();
        let base = match (roots.as_slice(), streams.is_empty()) {
            ([one], true) if one.is_dir() => Some(one.clone()),
            _ => None,
        };
        Ok(FsSource {
            roots,
            streams,
            base,
            stdin_name: stdin_name.to_string(),
            options,
        })
    }

    /// The directory report paths are relative to: the single directory root, if that
    /// is all there is.
    pub fn base(&self) -> Option<&Path> {
        self.base.as_deref()
    }
}

impl Source for FsSource {
    type Item = FsItem;
    type Opener = ();

    fn produce(&self, emit: &Emitter<'_, FsItem>) -> Result<()> {
        for (path, item) in &self.streams {
            let (path, item) = (path.clone(), item.clone());
            if !emit.send(Produced::Item { path, item }) {
                return Ok(());
            }
        }
        walk(&self.roots, self.base.as_deref(), &self.options, emit);
        Ok(())
    }

    fn opener(&self) {}

    fn open(
        &self,
        (): &mut (),
        item: &FsItem,
        _max_size: u64,
        scan: &mut dyn FnMut(Blob<'_>),
    ) -> Result<()> {
        match item {
            FsItem::File(p) => scan(Blob {
                content: Content::File(p),
                provenance: None,
            }),
            FsItem::Stdin => {
                let stdin = std::io::stdin();
                let mut lock = stdin.lock();
                let mut reader = ReadErrors::new(&mut lock, &self.stdin_name);
                scan(Blob {
                    content: Content::Stream(&mut reader),
                    provenance: None,
                });
                reader.into_result()?;
            }
            FsItem::Stream(p) => {
                // Named by the user: wait for a FIFO's writer as any reader would.
                let mut file = std::fs::File::open(p).map_err(|source| Error::Read {
                    path: p.clone(),
                    source,
                })?;
                let name = p.display().to_string();
                let mut reader = ReadErrors::new(&mut file, &name);
                scan(Blob {
                    content: Content::Stream(&mut reader),
                    provenance: None,
                });
                reader.into_result()?;
            }
        }
        Ok(())
    }
}

/// A stream the user handed over whose read errors fail the run rather than skip the
/// blob: `plainsight scan - < broken` must not pass as a clean scan. The error is kept
/// and returned after the scanner has seen the stream end.
struct ReadErrors<'a> {
    inner: &'a mut dyn Read,
    name: &'a str,
    error: Option<std::io::Error>,
}

impl<'a> ReadErrors<'a> {
    fn new(inner: &'a mut dyn Read, name: &'a str) -> Self {
        ReadErrors {
            inner,
            name,
            error: None,
        }
    }

    fn into_result(self) -> Result<()> {
        match self.error {
            None => Ok(()),
            Some(source) => Err(Error::Read {
                path: PathBuf::from(self.name),
                source,
            }),
        }
    }
}

impl Read for ReadErrors<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.inner.read(buf) {
            Err(e) if e.kind() != std::io::ErrorKind::Interrupted => {
                let copy = std::io::Error::new(e.kind(), e.to_string());
                self.error = Some(e);
                Err(copy)
            }
            other => other,
        }
    }
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

fn skipped(path: String, skip: Skip) -> Produced<FsItem> {
    Produced::Skipped(SkippedFile { path, skip })
}

/// Walk `roots`, sending every file and every skip through `emit`, from each walker
/// thread. Returns when the walk is done or the scan stopped.
fn walk(roots: &[PathBuf], base: Option<&Path>, opts: &WalkOptions, emit: &Emitter<'_, FsItem>) {
    let Some((first, rest)) = roots.split_first() else {
        return;
    };
    let mut builder = WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    let mut respect = opts.respect_ignore;
    let blocked_root = if respect {
        // The roots' and their parents' ignore files are read before any entry is
        // matched: if one is not a regular file, honour no ignore files rather than hang.
        let blocked = roots
            .iter()
            .flat_map(|r| r.ancestors())
            .find_map(blocking_ignore_file);
        if let Some(p) = &blocked {
            respect = false;
            // Under a root the walk reports the file itself; above the roots, say so here.
            if !roots.iter().any(|r| p.starts_with(r)) {
                let item = skipped(
                    display_path(p, base),
                    skip(SkipReason::Special, IGNORE_NOT_READ),
                );
                if !emit.send(item) {
                    return;
                }
            }
        }
        blocked
    } else {
        None
    };
    // The matchers see the ignore rules; the walk itself sees every entry.
    builder
        .hidden(false)
        .ignore(respect)
        .git_ignore(respect)
        .git_exclude(respect)
        .git_global(respect)
        .parents(respect)
        .require_git(true);
    let matchers: Vec<IncrementalIgnore> = if respect {
        builder.build_matchers()
    } else {
        Vec::new()
    };
    let blocked_dirs: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let blocked_in_filter = Arc::clone(&blocked_dirs);
    builder
        .ignore(false)
        .git_ignore(false)
        .git_exclude(false)
        .git_global(false)
        .parents(false)
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
        let blocked_root = blocked_root.clone();
        let mut matchers = matchers.clone();
        // Each walker thread its own, handed over when the thread's walk ends.
        let emit = emit.clone();
        Box::new(move |res| {
            let mut state = WalkState::Continue;
            let item = match res {
                Ok(entry) => {
                    let Some(ft) = entry.file_type() else {
                        // stdin; never produced for path roots.
                        return WalkState::Continue;
                    };
                    if entry.depth() > 0 && ignored(&mut matchers, entry.path(), ft.is_dir()) {
                        let what = if ft.is_dir() {
                            "directory kept out by ignore rules, not entered (--no-ignore scans it)"
                        } else {
                            "kept out by ignore rules (--no-ignore scans it)"
                        };
                        let item = skipped(
                            display_path(entry.path(), base),
                            skip(SkipReason::Ignored, what),
                        );
                        if !emit.send(item) {
                            return WalkState::Quit;
                        }
                        return if ft.is_dir() {
                            WalkState::Skip
                        } else {
                            WalkState::Continue
                        };
                    }
                    if ft.is_dir() {
                        return WalkState::Continue;
                    }
                    let display = display_path(entry.path(), base);
                    if ft.is_file() {
                        Produced::Item {
                            path: display,
                            item: FsItem::File(entry.into_path()),
                        }
                    } else if ft.is_symlink() {
                        skipped(
                            display,
                            skip(
                                SkipReason::Symlink,
                                "symbolic link not followed (use --follow)",
                            ),
                        )
                    } else if blocked_root.as_deref() == Some(entry.path()) {
                        skipped(display, skip(SkipReason::Special, IGNORE_NOT_READ))
                    } else {
                        skipped(display, skip(SkipReason::Special, special_kind(&ft)))
                    }
                }
                Err(err) => walk_error(&err, base),
            };
            if !emit.send(item) {
                state = WalkState::Quit;
            }
            state
        })
    });
    let blocked = blocked_dirs.lock().map(|b| b.clone()).unwrap_or_default();
    for dir in blocked {
        let item = skipped(
            display_path(&dir, base),
            skip(
                SkipReason::Special,
                "directory not entered: its .gitignore, .ignore or .git is not a regular \
                 file, and reading it could block (scan with --no-ignore to enter it)",
            ),
        );
        if !emit.send(item) {
            return;
        }
    }
}

/// Whether the ignore rules of the root `path` lies under keep it out. The walk yields
/// `root/…` paths, so the root is cut off as bytes, without parsing components.
fn ignored(matchers: &mut [IncrementalIgnore], path: &Path, is_dir: bool) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    for m in matchers.iter_mut() {
        let root = m.root().as_os_str().as_bytes();
        let Some(rest) = bytes.strip_prefix(root) else {
            continue;
        };
        let rel = match rest.first() {
            Some(b'/') => &rest[1..],
            _ if root.ends_with(b"/") => rest,
            _ => continue, // `/a/bc` is not under `/a/b`
        };
        return m
            .matched(Path::new(std::ffi::OsStr::from_bytes(rel)), is_dir)
            .is_ignore();
    }
    false
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

fn walk_error(err: &ignore::Error, base: Option<&Path>) -> Produced<FsItem> {
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
    skipped(
        display,
        Skip {
            reason,
            detail: err.to_string(),
        },
    )
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
