//! History mode: every blob that the selected commits introduce, scanned once, each
//! finding reported with the commit that first introduced it.
//!
//! The stages:
//! 1. **Select** commits: reachable from the tips (all refs and `HEAD`, or the given
//!    revisions) and not from the excluded ones (`--since-commit`, the `A` of `A..B`).
//! 2. **Order** them parents-first (Kahn's algorithm, ties broken by committer time then
//!    id), so "first" means an ancestor before its descendants and, between unrelated
//!    branches, the older commit; the order never depends on thread count.
//! 3. **Diff** each commit's tree against its parents' trees, in parallel: a
//!    `(path, blob)` is *introduced* by a commit when it differs from the same path in
//!    every parent (for a root commit: every blob). Subtrees whose id equals a parent's
//!    are skipped whole, so the cost follows what changed, not the size of the tree.
//! 4. **Scan** each distinct blob once, in parallel, at the first place it was
//!    introduced; every later introduction becomes one of its "other locations".
//! 5. **Fold** findings of the same secret at the same path across the blob versions that
//!    carry it (a file edited ten times after a key was added holds it in eleven blobs):
//!    the earliest is reported, the later commits join its other locations.
//!
//! With a [`Shard`], stages 1-3 still cover the whole selection, so every blob keeps the
//! first commit and other places a full run gives it; only stage 4 is narrowed to the
//! blobs of the shard. Each finding carries its blob versions with their place in the
//! order of first introduction, so `plainsight merge` can repeat stage 5 over the
//! findings of every shard and get what one run reports.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::time::Instant;

use gix::bstr::{BStr, ByteSlice};
use gix::objs::{Exists, Find, FindExt};
use gix::ObjectId;
use rayon::prelude::*;

use super::{GitError, GitScan, Repo, Result};
use crate::finding::{BlobVersion, Finding, Provenance};
use crate::read::too_large;
use crate::scan::Scanner;
use crate::skip::{Skip, SkipReason};
use crate::source::{Blob, Content, Emitter, Produced, Source};

/// Where the walk starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Tips {
    /// Every ref (branches, tags, remotes, stash) and `HEAD`.
    #[default]
    AllRefs,
    /// These revisions (ref names, shas, anything `git rev-parse` takes).
    Revisions(Vec<String>),
}

/// Which commits a history scan covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Commits reachable from these…
    pub tips: Tips,
    /// …and not from these.
    pub exclude: Vec<String>,
    /// Scan only the blobs of this shard (`--shard I/N`).
    pub shard: Option<Shard>,
}

/// One of `count` disjoint parts of a history's blobs (`--shard index/count`): a blob
/// belongs to the shard its object id falls in. The id is a cryptographic hash, so its
/// first 8 bytes read as a big-endian integer spread blobs evenly, and the split is the
/// same on every platform and run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// A `--shard` value that is not `I/N` with `I < N`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not two numbers around a `/`.
    #[error("expected I/N (two whole numbers, e.g. 0/3), got `{0}`")]
    Syntax(String),
    /// `N` is zero.
    #[error("the shard count must be at least 1")]
    ZeroCount,
    /// `I` is not below `N`.
    #[error("shard index {index} is not below the shard count {count} (shards are 0 to {last})", last = count - 1)]
    IndexTooLarge {
        /// The index given.
        index: u32,
        /// The count given.
        count: u32,
    },
}

impl Shard {
    /// Shard `index` of `count`.
    pub fn new(index: u32, count: u32) -> std::result::Result<Self, ShardError> {
        if count == 0 {
            return Err(ShardError::ZeroCount);
        }
        if index >= count {
            return Err(ShardError::IndexTooLarge { index, count });
        }
        Ok(Shard { index, count })
    }

    /// Which shard this is (0-based).
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many shards there are.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether the object `id` belongs to this shard.
    pub fn contains(self, id: &gix::oid) -> bool {
        let mut first = [0u8; 8];
        let bytes = id.as_bytes();
        let n = bytes.len().min(8);
        first[..n].copy_from_slice(&bytes[..n]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index)
    }
}

impl std::str::FromStr for Shard {
    type Err = ShardError;

    fn from_str(s: &str) -> std::result::Result<Self, ShardError> {
        let syntax = || ShardError::Syntax(s.to_string());
        let (i, n) = s.trim().split_once('/').ok_or_else(syntax)?;
        let i = i.trim().parse().map_err(|_| syntax())?;
        let n = n.trim().parse().map_err(|_| syntax())?;
        Shard::new(i, n)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl HistoryOptions {
    /// Parse `A..B` into "reachable from B, not from A". An empty side means `HEAD`.
    pub fn range(spec: &str) -> Result<Self> {
        let bad = |m: &str| GitError::BadRevision {
            spec: spec.to_string(),
            message: m.to_string(),
        };
        if spec.contains("...") {
            return Err(bad("symmetric ranges (A...B) are not supported; use A..B"));
        }
        let (a, b) = spec
            .split_once("..")
            .ok_or_else(|| bad("expected a range of the form A..B"))?;
        let side = |s: &str| {
            if s.is_empty() {
                "HEAD".to_string()
            } else {
                s.to_string()
            }
        };
        Ok(HistoryOptions {
            tips: Tips::Revisions(vec![side(b)]),
            exclude: vec![side(a)],
            shard: None,
        })
    }
}

/// One selected commit.
struct CommitInfo {
    id: ObjectId,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    author: String,
    author_time: i64,
    commit_time: i64,
}

/// A distinct blob and every place it was introduced, first one first.
struct BlobPlaces {
    id: ObjectId,
    /// `(commit index in topological order, path)`.
    places: Vec<(usize, String)>,
}

pub(super) fn scan(
    repo: &Repo,
    scanner: &Scanner,
    options: &HistoryOptions,
) -> crate::Result<GitScan> {
    let start = Instant::now();
    let r = &repo.repo;
    let tips = resolve_tips(r, &options.tips)?;
    let excluded_tips: Vec<ObjectId> = options
        .exclude
        .iter()
        .map(|s| resolve_commit(r, s))
        .collect::<Result<_>>()?;
    let shallow: HashSet<ObjectId> = r
        .shallow_commits()
        .map_err(|e| GitError::read("reading the shallow file", e))?
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    let excluded = ancestors(r, &excluded_tips, &HashSet::new(), &shallow)?;
    let commits = select(r, &tips, &excluded, &shallow)?;
    let order = topo_order(&commits);
    let commits: Vec<CommitInfo> = {
        let mut slots: Vec<Option<CommitInfo>> = commits.into_iter().map(Some).collect();
        order.iter().filter_map(|&i| slots[i].take()).collect()
    };
    // Trees of parents outside the selection (the `A` side of a range) are still the
    // base a commit is diffed against.
    let mut trees: HashMap<ObjectId, ObjectId> = commits.iter().map(|c| (c.id, c.tree)).collect();
    let mut buf = Vec::new();
    for c in &commits {
        for p in &c.parents {
            if !trees.contains_key(p) {
                if let Some(tree) = commit_tree(r, p, &mut buf)? {
                    trees.insert(*p, tree);
                }
            }
        }
    }

    let sync = r.clone().into_sync();
    // Stage 3: what each commit introduced, in topological order, on the scanner's pool
    // before the scan starts.
    let introduced: Vec<Vec<(String, ObjectId)>> = scanner.install(|| {
        commits
            .par_iter()
            .map_init(
                || thread_repo(&sync, Stage::Diff),
                |repo, c| {
                    let parents: Vec<ObjectId> = c
                        .parents
                        .iter()
                        .filter_map(|p| trees.get(p).copied())
                        .collect();
                    let mut out = Vec::new();
                    diff_tree(repo, c.tree, &parents, &mut String::new(), &mut out).map_err(
                        |e| match e {
                            GitError::Read { context, source } => GitError::Read {
                                context: format!("commit {}: {context}", c.id),
                                source,
                            },
                            other => other,
                        },
                    )?;
                    Ok(out)
                },
            )
            .collect::<Result<_>>()
    })??;

    // Distinct blobs, in order of first introduction.
    let mut index: HashMap<ObjectId, usize> = HashMap::new();
    let mut blobs: Vec<BlobPlaces> = Vec::new();
    for (ci, list) in introduced.into_iter().enumerate() {
        for (path, id) in list {
            let slot = *index.entry(id).or_insert_with(|| {
                blobs.push(BlobPlaces {
                    id,
                    places: Vec::new(),
                });
                blobs.len() - 1
            });
            blobs[slot].places.push((ci, path));
        }
    }
    let source = HistorySource {
        commits,
        blobs,
        partial_clone: is_partial_clone(r),
        sync,
        shard: options.shard,
    };
    let mut report = repo.scan_source(scanner, &source, start)?;
    let (revision, branch) = match &options.tips {
        Tips::Revisions(revs) if revs.len() == 1 => (
            tips.first().map(ToString::to_string),
            branch_name(r, &revs[0]),
        ),
        _ => (None, None),
    };
    let vcs = repo.version_control(revision, branch);
    report.vcs = Some(vcs.clone());
    report.shard = options.shard;
    Ok(GitScan { report, vcs })
}

/// The blobs a history scan covers, each once, in order of first introduction.
struct HistorySource {
    /// Selected commits in topological order.
    commits: Vec<CommitInfo>,
    blobs: Vec<BlobPlaces>,
    sync: gix::ThreadSafeRepository,
    /// Only the blobs of this shard are produced.
    shard: Option<Shard>,
    /// The repository is a partial clone ([`is_partial_clone`]), so blobs it lacks are
    /// expected and skipped as missing rather than an error.
    partial_clone: bool,
}

/// Whether `r` is a partial clone, which holds only some blobs and fetches the rest on
/// demand: `extensions.partialClone` names its promisor remote, and packs fetched from
/// one carry a `.promisor` file (a bare mirror may have the packs without the config).
fn is_partial_clone(r: &gix::Repository) -> bool {
    r.config_snapshot()
        .string("extensions.partialClone")
        .is_some_and(|v| !v.is_empty())
        || std::fs::read_dir(r.objects.store_ref().path().join("pack")).is_ok_and(|dir| {
            dir.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "promisor"))
        })
}

impl Source for HistorySource {
    /// An index into `blobs`.
    type Item = usize;
    /// A repository handle with its caches, and the buffer blobs are read into.
    type Opener = (gix::Repository, Vec<u8>);

    fn produce(&self, emit: &Emitter<'_, usize>) -> crate::Result<()> {
        for (i, blob) in self.blobs.iter().enumerate() {
            if self.shard.is_some_and(|s| !s.contains(&blob.id)) {
                continue;
            }
            let path = blob.places[0].1.clone();
            if !emit.send(Produced::Item { path, item: i }) {
                break;
            }
        }
        Ok(())
    }

    fn opener(&self) -> (gix::Repository, Vec<u8>) {
        (thread_repo(&self.sync, Stage::Scan), Vec::new())
    }

    fn open(
        &self,
        (repo, buf): &mut (gix::Repository, Vec<u8>),
        &i: &usize,
        max_size: u64,
        scan: &mut dyn FnMut(Blob<'_>),
    ) -> crate::Result<()> {
        let blob = &self.blobs[i];
        let (first_commit, path) = &blob.places[0];
        let c = &self.commits[*first_commit];
        let other_locations: Vec<String> = blob.places[1..]
            .iter()
            .map(|(ci, p)| format!("{}:{p}", self.commits[*ci].id))
            .collect();
        let provenance = Some(Provenance {
            commit: c.id.to_string(),
            author: c.author.clone(),
            time: c.author_time,
            versions: vec![BlobVersion {
                order: i as u64,
                commit: c.id.to_string(),
                path: path.clone(),
                other_locations: other_locations.clone(),
            }],
            other_locations,
        });
        let context = || format!("blob {} ({path})", blob.id);
        // The header says how large the blob is without inflating it.
        let Some(header) = repo
            .try_find_header(blob.id)
            .map_err(|e| GitError::read(context(), e))?
        else {
            // In a repository that is not a partial clone, a blob a tree names must be
            // there: without it the repository is damaged, and the scan says so.
            if !self.partial_clone {
                return Err(GitError::read(context(), "object not found").into());
            }
            // A partial clone's promised blob: the rest of the history is still worth
            // scanning.
            scan(Blob {
                content: Content::Skipped(Skip::new(
                    SkipReason::Missing,
                    "object not in the repository (a partial clone fetches it on demand; plainsight never fetches)",
                )),
                provenance,
            });
            return Ok(());
        };
        let size = header.size();
        if size > max_size {
            scan(Blob {
                content: Content::Skipped(too_large(size, max_size)),
                provenance,
            });
            return Ok(());
        }
        let data = repo
            .objects
            .find_blob(&blob.id, buf)
            .map_err(|e| GitError::read(context(), e))?
            .data;
        scan(Blob {
            content: Content::Bytes(data),
            provenance,
        });
        Ok(())
    }

    fn fold(&self, findings: Vec<Finding>) -> Vec<Finding> {
        fold_versions(findings)
    }
}

/// A repository handle for one worker thread, with caches sized for what `stage` reads.
fn thread_repo(sync: &gix::ThreadSafeRepository, stage: Stage) -> gix::Repository {
    let mut repo = sync.to_thread_local();
    let (objects, delta_bases) = match stage {
        Stage::Diff => (DIFF_OBJECT_CACHE_BYTES, DIFF_PACK_CACHE_BYTES),
        Stage::Scan => (0, SCAN_PACK_CACHE_BYTES),
    };
    repo.object_cache_size_if_unset(objects);
    repo.objects.set_pack_cache(move || {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            delta_bases,
        ))
    });
    repo
}

/// Which stage a worker's repository handle serves.
#[derive(Clone, Copy)]
enum Stage {
    /// Stage 3 reads trees only. A commit's changed subtrees were read moments earlier
    /// by its parent's diff (on the same thread: commits are split into runs of
    /// neighbours), so a small object cache is all the reuse there is. On curl's full
    /// history (87k commits) 1 MiB caches diff as fast as 8 MiB of objects plus 64 MiB
    /// of delta bases, and the stage's memory falls from 320 to 145 MiB.
    Diff,
    /// Stage 4 reads each distinct blob once: caching the objects themselves is waste,
    /// but one file's versions form a delta chain in the pack, read in history order, so
    /// decoded bases are worth keeping. 16 MiB per worker costs no measurable time
    /// against 64 MiB (git's `core.deltaBaseCacheLimit` is 96 MiB per process).
    Scan,
}

/// Per-thread object cache of the diff stage (trees).
const DIFF_OBJECT_CACHE_BYTES: usize = 1 << 20;
/// Per-thread cache of decoded delta bases in the diff stage.
const DIFF_PACK_CACHE_BYTES: usize = 1 << 20;
/// Per-thread cache of decoded delta bases in the scan stage.
const SCAN_PACK_CACHE_BYTES: usize = 16 << 20;

/// Keep the earliest finding of each (secret, path); later blob versions that still
/// hold it become other locations. `findings` arrive in order of first introduction.
fn fold_versions(findings: Vec<Finding>) -> Vec<Finding> {
    crate::merge::fold_versions(findings)
}

/// A short branch name for a revision that is a branch (`main`, `refs/heads/main`).
fn branch_name(r: &gix::Repository, spec: &str) -> Option<String> {
    let reference = r.try_find_reference(spec).ok().flatten()?;
    let name = reference.name();
    let full = name.as_bstr();
    full.starts_with(b"refs/heads/")
        .then(|| name.shorten().to_str_lossy().into_owned())
}

fn resolve_commit(r: &gix::Repository, spec: &str) -> Result<ObjectId> {
    let bad = |m: String| GitError::BadRevision {
        spec: spec.to_string(),
        message: m,
    };
    let id = r.rev_parse_single(spec).map_err(|e| bad(e.to_string()))?;
    let object = id.object().map_err(|e| bad(e.to_string()))?;
    let commit = object
        .peel_to_kind(gix::object::Kind::Commit)
        .map_err(|e| bad(format!("not a commit: {e}")))?;
    Ok(commit.id)
}

fn resolve_tips(r: &gix::Repository, tips: &Tips) -> Result<Vec<ObjectId>> {
    match tips {
        Tips::Revisions(revs) => revs.iter().map(|s| resolve_commit(r, s)).collect(),
        Tips::AllRefs => {
            let mut out = Vec::new();
            if let Ok(head) = r.head_id() {
                out.push(head.detach());
            }
            let platform = r
                .references()
                .map_err(|e| GitError::read("listing refs", e))?;
            let refs = platform
                .all()
                .map_err(|e| GitError::read("listing refs", e))?;
            for reference in refs {
                let mut reference = reference.map_err(|e| GitError::read("reading a ref", e))?;
                let name = reference.name().as_bstr().to_string();
                let id = match reference.peel_to_id() {
                    Ok(id) => id.detach(),
                    // A symbolic ref to a branch that does not exist yet.
                    Err(_) if reference.target().try_id().is_none() => continue,
                    Err(e) => return Err(GitError::read(format!("peeling {name}"), e)),
                };
                let kind = r
                    .find_header(id)
                    .map_err(|e| GitError::read(format!("reading {name}"), e))?
                    .kind();
                // Tags of trees or blobs carry no history to walk.
                if kind == gix::object::Kind::Commit {
                    out.push(id);
                }
            }
            out.sort();
            out.dedup();
            Ok(out)
        }
    }
}

/// Tree, parents, author name, author time and committer time of a commit.
fn read_commit(
    r: &gix::Repository,
    id: &ObjectId,
    buf: &mut Vec<u8>,
) -> Result<(ObjectId, Vec<ObjectId>, String, i64, i64)> {
    let c = r
        .objects
        .find_commit(id, buf)
        .map_err(|e| GitError::read(format!("reading commit {id}"), e))?;
    let author = c
        .author()
        .map_err(|e| GitError::read(format!("reading commit {id}"), e))?;
    let committer_time = c.committer().map(|s| s.seconds()).unwrap_or_default();
    Ok((
        c.tree(),
        c.parents().collect(),
        author.name.to_str_lossy().trim().to_string(),
        author.seconds(),
        committer_time,
    ))
}

/// The tree of a commit outside the selection, or `None` when it is not in the object
/// database (beyond a shallow clone's boundary).
fn commit_tree(r: &gix::Repository, id: &ObjectId, buf: &mut Vec<u8>) -> Result<Option<ObjectId>> {
    let exists = r
        .objects
        .try_find(id, buf)
        .map_err(|e| GitError::read(format!("reading commit {id}"), e))?
        .is_some();
    if !exists {
        return Ok(None);
    }
    Ok(Some(read_commit(r, id, buf)?.0))
}

/// Every commit reachable from `tips` (inclusive), not entering `stop`.
fn ancestors(
    r: &gix::Repository,
    tips: &[ObjectId],
    stop: &HashSet<ObjectId>,
    shallow: &HashSet<ObjectId>,
) -> Result<HashSet<ObjectId>> {
    Ok(walk(r, tips, stop, shallow)?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

fn select(
    r: &gix::Repository,
    tips: &[ObjectId],
    excluded: &HashSet<ObjectId>,
    shallow: &HashSet<ObjectId>,
) -> Result<Vec<CommitInfo>> {
    walk(r, tips, excluded, shallow)
}

fn walk(
    r: &gix::Repository,
    tips: &[ObjectId],
    stop: &HashSet<ObjectId>,
    shallow: &HashSet<ObjectId>,
) -> Result<Vec<CommitInfo>> {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<ObjectId> = tips
        .iter()
        .filter(|t| !stop.contains(*t))
        .copied()
        .collect();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let (tree, mut parents, author, author_time, commit_time) = read_commit(r, &id, &mut buf)?;
        if shallow.contains(&id) {
            // The clone stops here: the parents are not in the object database.
            parents.retain(|p| r.objects.exists(p));
        }
        for p in &parents {
            if !stop.contains(p) && !seen.contains(p) {
                stack.push(*p);
            }
        }
        out.push(CommitInfo {
            id,
            tree,
            parents,
            author,
            author_time,
            commit_time,
        });
    }
    Ok(out)
}

/// Indices of `commits` with every parent before its children; among commits whose
/// parents are done, the oldest (committer time, then id) goes first.
fn topo_order(commits: &[CommitInfo]) -> Vec<usize> {
    let pos: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut pending = vec![0usize; commits.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); commits.len()];
    for (i, c) in commits.iter().enumerate() {
        for p in &c.parents {
            if let Some(&pi) = pos.get(p) {
                pending[i] += 1;
                children[pi].push(i);
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<(i64, ObjectId, usize)>> = commits
        .iter()
        .enumerate()
        .filter(|(i, _)| pending[*i] == 0)
        .map(|(i, c)| Reverse((c.commit_time, c.id, i)))
        .collect();
    let mut order = Vec::with_capacity(commits.len());
    while let Some(Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &child in &children[i] {
            pending[child] -= 1;
            if pending[child] == 0 {
                let c = &commits[child];
                ready.push(Reverse((c.commit_time, c.id, child)));
            }
        }
    }
    order
}

/// An entry of a parent tree: its mode and id.
type Entry = (gix::objs::tree::EntryMode, ObjectId);

fn find_tree<'b>(
    repo: &gix::Repository,
    id: &ObjectId,
    buf: &'b mut Vec<u8>,
) -> Result<gix::objs::TreeRef<'b>> {
    repo.objects
        .find_tree(id, buf)
        .map_err(|e| GitError::read(format!("reading tree {id}"), e))
}

/// Push every `(path, blob)` of `tree` that differs from the same path in all of
/// `parents` (trees at the same place in each parent commit).
fn diff_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    parents: &[ObjectId],
    prefix: &mut String,
    out: &mut Vec<(String, ObjectId)>,
) -> Result<()> {
    if parents.contains(&tree) {
        return Ok(());
    }
    let mut bufs: Vec<Vec<u8>> = parents.iter().map(|_| Vec::new()).collect();
    let parent_trees: Vec<gix::objs::TreeRef<'_>> = bufs
        .iter_mut()
        .zip(parents)
        .map(|(buf, p)| find_tree(repo, p, buf))
        .collect::<Result<_>>()?;
    let parent_entries: Vec<HashMap<&[u8], Entry>> = parent_trees
        .iter()
        .map(|t| {
            t.entries
                .iter()
                .map(|e| (e.filename.as_bytes(), (e.mode, e.oid.to_owned())))
                .collect()
        })
        .collect();
    let mut buf = Vec::new();
    let current = find_tree(repo, &tree, &mut buf)?;
    let mut before: Vec<&Entry> = Vec::with_capacity(parents.len());
    for e in &current.entries {
        let oid = e.oid.to_owned();
        before.clear();
        before.extend(
            parent_entries
                .iter()
                .filter_map(|p| p.get(e.filename.as_bytes())),
        );
        if before.iter().any(|(_, id)| *id == oid) {
            continue;
        }
        let len = prefix.len();
        push_name(prefix, e.filename);
        if e.mode.is_tree() {
            let sub: Vec<ObjectId> = before
                .iter()
                .filter(|(m, _)| m.is_tree())
                .map(|(_, id)| *id)
                .collect();
            prefix.push('/');
            diff_tree(repo, oid, &sub, prefix, out)?;
        } else if e.mode.is_blob() {
            out.push((prefix.clone(), oid));
        }
        // Submodules (commits) and symlinks carry no file content of this repository.
        prefix.truncate(len);
    }
    Ok(())
}

fn push_name(prefix: &mut String, name: &BStr) {
    prefix.push_str(&name.to_str_lossy());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse() {
        let r = HistoryOptions::range("main..feature").expect("valid range");
        assert_eq!(r.tips, Tips::Revisions(vec!["feature".into()]));
        assert_eq!(r.exclude, vec!["main".to_string()]);
        let r = HistoryOptions::range("abc..").expect("valid range");
        assert_eq!(r.tips, Tips::Revisions(vec!["HEAD".into()]));
        assert!(HistoryOptions::range("a...b").is_err());
        assert!(HistoryOptions::range("main").is_err());
    }

    #[test]
    fn shards_parse_and_split_every_blob_once() {
        assert_eq!("1/3".parse::<Shard>().map(Shard::count), Ok(3));
        assert_eq!(
            "3/3".parse::<Shard>(),
            Err(ShardError::IndexTooLarge { index: 3, count: 3 })
        );
        assert_eq!("0/0".parse::<Shard>(), Err(ShardError::ZeroCount));
        assert!(matches!("x/3".parse::<Shard>(), Err(ShardError::Syntax(_))));
        assert!(matches!(
            "-1/3".parse::<Shard>(),
            Err(ShardError::Syntax(_))
        ));
        let shards: Vec<Shard> = (0..3).map(|i| Shard::new(i, 3).unwrap()).collect();
        for n in 0u8..=255 {
            let id = ObjectId::from_bytes_or_panic(&[n; 20]);
            assert_eq!(shards.iter().filter(|s| s.contains(&id)).count(), 1);
        }
    }
}
