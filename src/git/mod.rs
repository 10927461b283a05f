//! Git as a source of blobs to scan: the history of a repository ([`history`]) and the
//! staged change a commit is about to record ([`staged`]), plus the pre-commit hook
//! installer ([`hook`]).
//!
//! Both modes read the object database and the index in-process with `gix` rather than
//! parsing `git log -p` output, and both feed blobs through the same [`Scanner`] as a
//! directory scan, so rules, inline suppression, `.plainsightignore` and `--baseline`
//! behave identically. Git trouble (not a repository, a bad revision, a missing or
//! corrupt object) is a [`GitError`], never an empty report: a history scan that could
//! not read history must not pass.
//!
//! Why `gix` and not the `git` CLI plumbing, measured (`benches/git-history.sh`, on this
//! 2-core machine while other builds ran): on a generated repository of 5,000 commits
//! (10,002 distinct blobs, 10.1 MiB, packed by `git gc`), with every rule disabled so only
//! reading counts, this in-process walk used 0.25 s CPU (0.39-0.55 s wall on one thread,
//! 0.32-0.37 s on two), and `git log --all --raw -m --no-renames` piped into
//! `git cat-file --batch` used 0.19 s CPU (0.24-0.37 s wall): the CLI plumbing reads about
//! a fifth cheaper there. gix stays: no real repository with history was reachable
//! offline to measure on, the gap (about 60 ms of CPU per 5,000 commits) is small next to
//! matching the rules, and reading in-process needs no `git` executable, turns a missing
//! or corrupt object into a typed error rather than short output, and has no text
//! parsing of paths (quoting, encodings, newlines) to get wrong.

pub mod history;
pub mod hook;
pub mod staged;

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;

use crate::finding::VersionControl;
use crate::scan::{ScanReport, Scanner};

pub use history::{HistoryOptions, Shard, ShardError, Tips};
pub use hook::{install_hook, HookOutcome};

/// Everything that can go wrong reading a repository. Each becomes exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The path is not inside a git repository.
    #[error("not a git repository: {} ({message})", path.display())]
    NotARepository {
        /// The path given.
        path: PathBuf,
        /// What gix said.
        message: String,
    },
    /// A revision (ref, sha, range side) did not resolve to a commit.
    #[error("bad revision `{spec}`: {message}")]
    BadRevision {
        /// The revision as given.
        spec: String,
        /// Why it failed.
        message: String,
    },
    /// Reading refs, commits, trees, blobs or the index failed.
    #[error("git: {context}")]
    Read {
        /// What was being read.
        context: String,
        /// The underlying error, kept whole so its own causes print too.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Writing the hook failed or was refused.
    #[error("{0}")]
    Hook(String),
}

impl GitError {
    pub(crate) fn read(
        context: impl Into<String>,
        e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        GitError::Read {
            context: context.into(),
            source: e.into(),
        }
    }
}

/// Result of a git operation.
pub type Result<T> = std::result::Result<T, GitError>;

/// What a git scan produced: the report plus which repository state it covered.
#[derive(Debug)]
pub struct GitScan {
    /// Findings, stats and skips, as for a directory scan.
    pub report: ScanReport,
    /// Repository, revision and branch, for SARIF `versionControlProvenance`.
    pub vcs: VersionControl,
}

/// An opened repository.
pub struct Repo {
    repo: gix::Repository,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("git_dir", &self.repo.git_dir())
            .finish()
    }
}

impl Repo {
    /// Open the repository containing `path` (a work tree, any folder in it, or a
    /// bare repository).
    pub fn discover(path: &Path) -> Result<Self> {
        if std::fs::metadata(path).is_err() {
            return Err(GitError::NotARepository {
                path: path.to_path_buf(),
                message: "no such file or directory".into(),
            });
        }
        let mut repo = gix::discover(path).map_err(|e| GitError::NotARepository {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        // Trees are read again and again while diffing commits against their parents.
        repo.object_cache_size_if_unset(16 * 1024 * 1024);
        Ok(Repo { repo })
    }

    /// The directory report paths are relative to: the work tree, or the git
    /// directory of a bare repository.
    pub fn root(&self) -> &Path {
        self.repo.workdir().unwrap_or_else(|| self.repo.git_dir())
    }

    /// Scan `source` of this repository: the report is based at the work tree (for
    /// SARIF's `%SRCROOT%`) and timed from `start`, so a source's preparation (reading
    /// refs, diffing trees, the index) counts in the scan's time.
    pub(crate) fn scan_source<S: crate::source::Source>(
        &self,
        scanner: &Scanner,
        source: &S,
        start: std::time::Instant,
    ) -> crate::Result<ScanReport> {
        let mut report = scanner.scan(source, &crate::scan::Progress::default(), None)?;
        report.base =
            Some(std::fs::canonicalize(self.root()).unwrap_or_else(|_| self.root().to_path_buf()));
        report.stats.elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }

    /// The git directory (`.git`).
    pub fn git_dir(&self) -> &Path {
        self.repo.git_dir()
    }

    /// The directory hooks live in: `core.hooksPath` if set, else `.git/hooks`.
    pub fn hooks_dir(&self) -> PathBuf {
        let configured = self
            .repo
            .config_snapshot()
            .string("core.hooksPath")
            .map(|s| PathBuf::from(s.to_str_lossy().into_owned()));
        match configured {
            Some(p) if p.is_absolute() => p,
            Some(p) => self.root().join(p),
            None => self.repo.git_dir().join("hooks"),
        }
    }

    /// Scan history: every blob introduced by the selected commits, once.
    pub fn scan_history(
        &self,
        scanner: &Scanner,
        options: &HistoryOptions,
    ) -> crate::Result<GitScan> {
        history::scan(self, scanner, options)
    }

    /// First and last commit of each secret a history scan found, and whether `HEAD`'s
    /// tree still holds it (the blob at each path a secret was found at is scanned
    /// again with the same scanner, so decoded and archived secrets count too).
    pub fn history_facts(
        &self,
        scanner: &Scanner,
        report: &ScanReport,
    ) -> Result<crate::inventory::HistoryFacts> {
        use std::collections::{HashMap, HashSet};
        let r = &self.repo;
        let mut times: HashMap<String, i64> = HashMap::new();
        let mut time_of = |id: &str| -> Result<i64> {
            if let Some(t) = times.get(id) {
                return Ok(*t);
            }
            let oid = gix::ObjectId::from_hex(id.as_bytes())
                .map_err(|e| GitError::read(format!("commit id {id}"), e))?;
            let commit = r
                .find_commit(oid)
                .map_err(|e| GitError::read(format!("reading commit {id}"), e))?;
            let t = commit
                .author()
                .map_err(|e| GitError::read(format!("reading commit {id}"), e))?
                .seconds();
            times.insert(id.to_string(), t);
            Ok(t)
        };
        let tree = match r.head() {
            Ok(head) if head.is_unborn() => None,
            Ok(_) => Some(
                r.head_tree()
                    .map_err(|e| GitError::read("reading HEAD's tree", e))?,
            ),
            Err(e) => return Err(GitError::read("reading HEAD", e)),
        };
        let mut at_head: HashSet<crate::finding::Fingerprint> = HashSet::new();
        let paths: HashSet<&str> = report.findings.iter().map(|f| f.path.as_str()).collect();
        if let Some(tree) = &tree {
            for path in paths {
                let entry = tree
                    .lookup_entry_by_path(path)
                    .map_err(|e| GitError::read(format!("HEAD:{path}"), e))?;
                let Some(entry) = entry.filter(|e| e.mode().is_blob()) else {
                    continue;
                };
                let blob = entry
                    .object()
                    .map_err(|e| GitError::read(format!("HEAD:{path}"), e))?;
                let scan = scanner.scan_bytes(path, &blob.data);
                at_head.extend(scan.findings.into_iter().map(|f| f.fingerprint));
            }
        }
        let mut out: crate::inventory::HistoryFacts = HashMap::new();
        for f in &report.findings {
            let Some(p) = &f.provenance else { continue };
            let first = crate::inventory::CommitRef {
                commit: p.commit.clone(),
                time: p.time,
            };
            let mut last = first.clone();
            for loc in &p.other_locations {
                let commit = loc.split_once(':').map_or(loc.as_str(), |(c, _)| c);
                let time = time_of(commit)?;
                if time > last.time {
                    last = crate::inventory::CommitRef {
                        commit: commit.to_string(),
                        time,
                    };
                }
            }
            let present_at_head = at_head.contains(&f.fingerprint);
            out.entry(f.fingerprint.clone())
                .and_modify(|h| {
                    if first.time < h.first_commit.time {
                        h.first_commit = first.clone();
                    }
                    if last.time > h.last_commit.time {
                        h.last_commit = last.clone();
                    }
                })
                .or_insert(crate::inventory::History {
                    first_commit: first,
                    last_commit: last,
                    present_at_head,
                });
        }
        Ok(out)
    }

    /// Scan the staged change: lines the index adds relative to `HEAD`.
    pub fn scan_staged(&self, scanner: &Scanner) -> crate::Result<GitScan> {
        staged::scan(self, scanner)
    }

    /// Repository URI, `HEAD`'s commit and branch.
    pub(crate) fn version_control(
        &self,
        revision: Option<String>,
        branch: Option<String>,
    ) -> VersionControl {
        let head = self.repo.head().ok();
        let revision = revision.or_else(|| {
            head.as_ref()
                .and_then(gix::Head::id)
                .map(|id| id.detach().to_string())
        });
        let branch = branch.or_else(|| {
            head.as_ref()
                .and_then(gix::Head::referent_name)
                .map(|n| n.shorten().to_str_lossy().into_owned())
        });
        let remote = self
            .repo
            .config_snapshot()
            .string("remote.origin.url")
            .and_then(|u| sanitize_remote(&u.to_str_lossy()));
        let repository_uri = remote.unwrap_or_else(|| file_uri(self.root()));
        VersionControl {
            repository_uri,
            revision,
            branch,
        }
    }
}

/// Turn a remote URL into a URI fit for a report: credentials are dropped (a CI
/// checkout's `https://x-access-token:…@host/…` must not leak through the report), and
/// scp-like `user@host:path` becomes `ssh://user@host/path`.
pub fn sanitize_remote(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
        // Drop any userinfo with a password; keep a bare user name (ssh://git@host).
        let host = match authority.rsplit_once('@') {
            Some((userinfo, host)) if userinfo.contains(':') || scheme.starts_with("http") => host,
            _ => authority,
        };
        return Some(format!("{scheme}://{host}/{path}"));
    }
    if let Some((userhost, path)) = url.split_once(':') {
        // `git@github.com:owner/repo.git`; a Windows drive letter is not a host.
        if userhost.len() > 1 && !userhost.contains('/') {
            return Some(format!("ssh://{userhost}/{}", path.trim_start_matches('/')));
        }
    }
    // A local path remote.
    let p = Path::new(url);
    p.is_absolute().then(|| file_uri(p))
}

fn file_uri(dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut s = crate::report::sarif::percent_encode(&dir.to_string_lossy());
    if !s.ends_with('/') {
        s.push('/');
    }
    format!("file://{s}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_lose_credentials() {
        let tok = format!("ghp_{}", "x".repeat(36));
        assert_eq!(
            sanitize_remote(&format!("https://x-access-token:{tok}@github.com/o/r.git")).as_deref(),
            Some("https://github.com/o/r.git")
        );
        assert_eq!(
            sanitize_remote(&format!("https://{tok}@github.com/o/r")).as_deref(),
            Some("https://github.com/o/r")
        );
        assert_eq!(
            sanitize_remote("git@github.com:o/r.git").as_deref(),
            Some("ssh://git@github.com/o/r.git")
        );
        assert_eq!(
            sanitize_remote("ssh://git@host:22/o/r").as_deref(),
            Some("ssh://git@host:22/o/r")
        );
        assert_eq!(sanitize_remote(""), None);
        assert_eq!(sanitize_remote("relative/path"), None);
    }
}
