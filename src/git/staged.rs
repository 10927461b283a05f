//! Staged mode (`plainsight git --staged`), for pre-commit hooks: scan what the next
//! commit will record, and report only what it adds.
//!
//! The content scanned is the *index*: each stage-0 entry whose blob differs from `HEAD`
//! at the same path (added, copied, renamed or modified), read from the object database
//! where `git add` wrote it. The working tree is never read, so a key that was staged and
//! then deleted from the file is still caught, and a key that was never staged is not
//! reported. On the first commit there is no `HEAD` and the base is the empty tree.
//! Deleted paths have nothing to scan.
//!
//! Inside a hook the index is the one git names in `GIT_INDEX_FILE`, so `git commit -a`
//! and `git commit PATH` are scanned as they will be recorded.
//!
//! Findings are kept only when one of their lines is a line the staged change adds,
//! computed with a histogram line diff against the base blob. The base of a modified
//! path is its `HEAD` blob; an added path whose exact blob already exists in `HEAD` is
//! an unchanged copy or rename and adds no line; otherwise, like git's rename detection,
//! an added path is paired with the path deleted in the same change whose content is
//! most similar (at least half of the lines shared), so a `git mv` plus an edit counts
//! only the edit. Anything else is new in full. Bases are only read for files that have
//! findings, so a clean change costs one blob read per path. Folders the index's
//! cache-tree shows unchanged are skipped whole (so an exact copy of a file in an
//! untouched folder counts as added, as in `git diff --cached`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use gix::bstr::{BStr, ByteSlice};
use gix::objs::FindExt;
use gix::ObjectId;
use imara_diff::{Algorithm, Diff, InternedInput};

use super::{GitError, GitScan, Repo, Result};
use crate::finding::Finding;
use crate::read::Reader;
use crate::scan::Scanner;
use crate::source::{Blob, Content, Emitter, Produced, Source};

/// One staged path to scan, with the blob its added lines are measured against.
struct Change {
    path: String,
    blob: ObjectId,
    base: Base,
}

/// What a staged path's added lines are measured against.
enum Base {
    /// New in full.
    Empty,
    /// The same path in `HEAD`.
    Blob(ObjectId),
    /// Blobs of paths deleted in this change: a rename source, if one is similar enough.
    RenameCandidates(Vec<ObjectId>),
}

/// At most this many deleted paths are compared with an added one; beyond it only
/// deleted paths with the same file name are.
const MAX_RENAME_CANDIDATES: usize = 64;

pub(super) fn scan(repo: &Repo, scanner: &Scanner) -> crate::Result<GitScan> {
    let start = Instant::now();
    let r = &repo.repo;
    let head_tree = match r.head() {
        Ok(head) if head.is_unborn() => None,
        Ok(_) => Some(
            r.head_tree_id()
                .map_err(|e| GitError::read("reading HEAD's tree", e))?
                .detach(),
        ),
        Err(e) => return Err(GitError::read("reading HEAD", e).into()),
    };
    let index = open_index(r)?;
    let mut head = HeadFiles::default();
    if let Some(tree) = head_tree {
        head.flatten(r, tree, index.tree(), &mut Vec::new())?;
    }
    let source = StagedSource {
        changes: changes(&index, &head),
        sync: r.clone().into_sync(),
    };
    let mut report = repo.scan_source(scanner, &source, start)?;
    let vcs = repo.version_control(None, None);
    report.vcs = Some(vcs.clone());
    Ok(GitScan { report, vcs })
}

/// The staged paths, each a blob of the index.
struct StagedSource {
    changes: Vec<Change>,
    sync: gix::ThreadSafeRepository,
}

/// One worker's repository handle, the staged blob it read last (kept for the added-line
/// filter), and buffers for the bases.
struct StagedOpener {
    repo: gix::Repository,
    blob: Vec<u8>,
    base: Vec<u8>,
    new_reader: Reader,
    old_reader: Reader,
}

impl Source for StagedSource {
    /// An index into `changes`.
    type Item = usize;
    type Opener = StagedOpener;

    fn produce(&self, emit: &Emitter<'_, usize>) -> crate::Result<()> {
        for (i, change) in self.changes.iter().enumerate() {
            if !emit.send(Produced::Item {
                path: change.path.clone(),
                item: i,
            }) {
                break;
            }
        }
        Ok(())
    }

    fn opener(&self) -> StagedOpener {
        StagedOpener {
            repo: self.sync.to_thread_local(),
            blob: Vec::new(),
            base: Vec::new(),
            new_reader: Reader::default(),
            old_reader: Reader::default(),
        }
    }

    fn open(
        &self,
        o: &mut StagedOpener,
        &i: &usize,
        _max_size: u64,
        scan: &mut dyn FnMut(Blob<'_>),
    ) -> crate::Result<()> {
        let change = &self.changes[i];
        let data = o
            .repo
            .objects
            .find_blob(&change.blob, &mut o.blob)
            .map_err(|e| GitError::read(format!("reading staged blob of {}", change.path), e))?
            .data;
        scan(Blob {
            content: Content::Bytes(data),
            provenance: None,
        });
        Ok(())
    }

    /// Keep the findings on lines the change adds. Entries of a staged archive have no
    /// lines of the archive to compare: a changed archive is new content in full.
    fn retain(
        &self,
        o: &mut StagedOpener,
        &i: &usize,
        findings: &mut Vec<Finding>,
    ) -> crate::Result<()> {
        let change = &self.changes[i];
        let path = &change.path;
        // `open` left this change's blob in `o.blob`.
        let Ok((text, _)) = o.new_reader.decode(&o.blob) else {
            return Ok(()); // binary (an archive): its entries' findings stand
        };
        let repo = &o.repo;
        let old_reader = &mut o.old_reader;
        let mut read_base = |id: &ObjectId, buf: &mut Vec<u8>| -> Result<Vec<u8>> {
            let data = repo
                .objects
                .find_blob(id, buf)
                .map_err(|e| GitError::read(format!("reading HEAD's blob {id} for {path}"), e))?
                .data;
            // A base that was binary: every text line is new.
            Ok(old_reader
                .decode(data)
                .map_or_else(|_| Vec::new(), |(t, _)| t.to_vec()))
        };
        let old: Vec<u8> = match &change.base {
            Base::Blob(id) => read_base(id, &mut o.base)?,
            Base::Empty => Vec::new(),
            Base::RenameCandidates(ids) => {
                let mut best = (0.5, Vec::new());
                for id in ids {
                    let candidate = read_base(id, &mut o.base)?;
                    let score = similarity(&candidate, text);
                    if score >= best.0 {
                        best = (score, candidate);
                    }
                }
                best.1
            }
        };
        let added = added_lines(&old, text);
        findings.retain(|f| {
            f.entry.is_some() || (f.location.line..=f.location.end_line).any(|l| added.contains(&l))
        });
        Ok(())
    }
}

/// The index a commit is about to record. Inside a hook, git names it in
/// `GIT_INDEX_FILE` (for `git commit -a` or `git commit PATH` it is a temporary index, not
/// `.git/index`); elsewhere it is the repository's index, or empty if there is none yet.
///
/// Its trailing checksum is not verified, as git itself verifies it only in `git fsck`
/// (since 2.13): hashing a 50,000-file index with collision-detecting SHA-1 took a
/// third of a pre-commit check. Decoding still checks the index's structure, and an
/// entry whose object id was garbled names an object the repository does not hold, an
/// error too.
fn open_index(r: &gix::Repository) -> Result<gix::index::File> {
    let path = std::env::var_os("GIT_INDEX_FILE")
        .filter(|p| !p.is_empty())
        .map_or_else(|| r.index_path(), std::path::PathBuf::from);
    gix::index::File::at_or_default(
        &path,
        r.object_hash(),
        true,
        gix::index::decode::Options::default(),
    )
    .map_err(|e| GitError::read(format!("reading the index {}", path.display()), e))
}

/// Staged paths whose content differs from `HEAD`, each with its diff base.
fn changes(index: &gix::index::File, head_files: &HeadFiles) -> Vec<Change> {
    use gix::index::entry::{Flags, Mode, Stage};
    let mut staged: BTreeMap<&BStr, ObjectId> = BTreeMap::new();
    for e in index.entries() {
        if head_files.unchanged_dir(e.path(index)) {
            continue;
        }
        // Conflicted entries (stages 1-3) cannot be committed; intent-to-add entries
        // (`git add -N`) have no content yet; submodules and symlinks hold no file text.
        if e.stage() != Stage::Unconflicted
            || e.flags.contains(Flags::INTENT_TO_ADD)
            || !(e.mode == Mode::FILE || e.mode == Mode::FILE_EXECUTABLE)
        {
            continue;
        }
        staged.insert(e.path(index), e.id);
    }
    let head = &head_files.files;
    let in_head: HashSet<ObjectId> = head.values().copied().collect();
    // Deleted in this change, by file name, for rename pairing.
    let mut deleted: HashMap<&[u8], Vec<ObjectId>> = HashMap::new();
    for (path, id) in head {
        if !staged.contains_key(path.as_bstr()) {
            deleted.entry(file_name(path)).or_default().push(*id);
        }
    }
    let deleted_total: usize = deleted.values().map(Vec::len).sum();
    let mut out = Vec::new();
    for (path, id) in staged {
        let base = match head.get(path.as_bytes()) {
            Some(old) if *old == id => continue,
            Some(old) => Base::Blob(*old),
            None if in_head.contains(&id) => continue,
            None if deleted_total == 0 => Base::Empty,
            None if deleted_total <= MAX_RENAME_CANDIDATES => {
                Base::RenameCandidates(deleted.values().flatten().copied().collect())
            }
            None => deleted
                .get(file_name(path))
                .map_or(Base::Empty, |ids| Base::RenameCandidates(ids.clone())),
        };
        out.push(Change {
            path: path.to_str_lossy().into_owned(),
            blob: id,
            base,
        });
    }
    out
}

fn file_name(path: &[u8]) -> &[u8] {
    path.rsplit(|&b| b == b'/').next().unwrap_or(path)
}

/// `HEAD`'s blobs by full path, except in folders the index has not changed.
#[derive(Default)]
struct HeadFiles {
    files: HashMap<Vec<u8>, ObjectId>,
    /// Folders (`a/b/`, or `` for the root) whose index content is `HEAD`'s, per the
    /// index's cache-tree: neither flattened nor compared entry by entry.
    unchanged: HashSet<Vec<u8>>,
}

impl HeadFiles {
    /// Collect the blobs of `tree`. A folder whose valid cache-tree entry (the tree the
    /// index would write, kept by git and invalidated on every `git add` below it) has
    /// `HEAD`'s id is skipped whole, so a 10-file change in a 50,000-file repository reads
    /// a handful of trees, not all of them.
    fn flatten(
        &mut self,
        r: &gix::Repository,
        tree: ObjectId,
        cache: Option<&gix::index::extension::Tree>,
        prefix: &mut Vec<u8>,
    ) -> Result<()> {
        if cache.is_some_and(|c| c.num_entries.is_some() && c.id == tree) {
            self.unchanged.insert(prefix.clone());
            return Ok(());
        }
        let mut buf = Vec::new();
        let entries: Vec<(Vec<u8>, bool, bool, ObjectId)> = r
            .objects
            .find_tree(&tree, &mut buf)
            .map_err(|e| GitError::read(format!("reading tree {tree}"), e))?
            .entries
            .iter()
            .map(|e| {
                (
                    e.filename.to_vec(),
                    e.mode.is_tree(),
                    e.mode.is_blob(),
                    e.oid.to_owned(),
                )
            })
            .collect();
        for (name, is_tree, is_blob, id) in entries {
            let len = prefix.len();
            prefix.extend_from_slice(&name);
            if is_tree {
                prefix.push(b'/');
                let child = cache.and_then(|c| {
                    c.children
                        .iter()
                        .find(|t| t.name.as_slice() == name.as_slice())
                });
                self.flatten(r, id, child, prefix)?;
            } else if is_blob {
                self.files.insert(prefix.clone(), id);
            }
            prefix.truncate(len);
        }
        Ok(())
    }

    /// Whether `path` lies in a folder whose content is unchanged.
    fn unchanged_dir(&self, path: &BStr) -> bool {
        if self.unchanged.is_empty() {
            return false;
        }
        let bytes = path.as_bytes();
        self.unchanged.contains(&b""[..])
            || bytes
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == b'/')
                .any(|(i, _)| self.unchanged.contains(&bytes[..=i]))
    }
}

/// Share of lines two texts have in common (as multisets), relative to the longer one.
fn similarity(old: &[u8], new: &[u8]) -> f64 {
    let mut counts: HashMap<&[u8], i64> = HashMap::new();
    let old_lines: Vec<&[u8]> = old
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let new_lines: Vec<&[u8]> = new
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    for l in &old_lines {
        *counts.entry(l).or_default() += 1;
    }
    let mut common = 0usize;
    for l in &new_lines {
        if let Some(c) = counts.get_mut(l) {
            if *c > 0 {
                *c -= 1;
                common += 1;
            }
        }
    }
    let longest = old_lines.len().max(new_lines.len());
    if longest == 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let ratio = common as f64 / longest as f64;
    ratio
}

/// 1-based numbers of the lines of `new` that a line diff from `old` marks as added.
pub fn added_lines(old: &[u8], new: &[u8]) -> HashSet<usize> {
    let input = InternedInput::new(old, new);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    (0..input.after.len())
        .filter(|&i| u32::try_from(i).is_ok_and(|t| diff.is_added(t)))
        .map(|i| i + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_follow_the_diff() {
        let old = b"a\nb\nc\n";
        let new = b"a\nx\nb\nc\ny\n";
        let mut got: Vec<_> = added_lines(old, new).into_iter().collect();
        got.sort_unstable();
        assert_eq!(got, vec![2, 5]);
        assert_eq!(added_lines(b"", b"one\ntwo").len(), 2);
        assert!(added_lines(b"same\n", b"same\n").is_empty());
        assert!((similarity(b"a\nb\nc\nd\n", b"a\nb\nc\nx\n") - 0.75).abs() < 1e-9);
        assert!(similarity(b"", b"a\n") < 0.5);
    }
}
