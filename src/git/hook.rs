//! `plainsight install-hook`: write a `pre-commit` hook that runs the staged mode.
//!
//! An existing hook is never replaced silently (it may be another tool's, or a
//! hand-written one); `--force` replaces it. The hook prefers the binary that installed
//! it (an absolute path recorded at install time) and falls back to `plainsight` on
//! `PATH`, so it keeps working after the binary is moved by a package manager.

use std::path::{Path, PathBuf};

use super::{GitError, Repo, Result};

/// What `install_hook` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookOutcome {
    /// A new hook was written here.
    Installed(PathBuf),
    /// An existing hook was replaced (`--force`).
    Replaced(PathBuf),
}

/// The hook script. `binary` is the absolute path of the running executable, if known.
pub fn hook_script(binary: Option<&Path>) -> String {
    let preferred = binary
        .map(|b| shell_quote(&b.to_string_lossy()))
        .unwrap_or_else(|| "plainsight".into());
    format!(
        "#!/bin/sh\n\
         # Installed by `plainsight install-hook`: blocks a commit whose staged changes add a\n\
         # secret. Skip it once with `git commit --no-verify` (and be sure).\n\
         plainsight={preferred}\n\
         if [ ! -x \"$plainsight\" ]; then plainsight=plainsight; fi\n\
         exec \"$plainsight\" git --staged\n"
    )
}

/// Write the `pre-commit` hook of `repo`. Refuses to replace an existing hook unless
/// `force`.
pub fn install_hook(repo: &Repo, force: bool) -> Result<HookOutcome> {
    let dir = repo.hooks_dir();
    let path = dir.join("pre-commit");
    let existed = std::fs::symlink_metadata(&path).is_ok();
    if existed && !force {
        return Err(GitError::Hook(format!(
            "{} already exists; not replacing it (use --force to overwrite)",
            path.display()
        )));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|e| GitError::Hook(format!("cannot create {}: {e}", dir.display())))?;
    let binary = std::env::current_exe().ok();
    if existed {
        // Replace a symlink itself, never the file it points to.
        std::fs::remove_file(&path)
            .map_err(|e| GitError::Hook(format!("cannot replace {}: {e}", path.display())))?;
    }
    std::fs::write(&path, hook_script(binary.as_deref()))
        .map_err(|e| GitError::Hook(format!("cannot write {}: {e}", path.display())))?;
    make_executable(&path)?;
    Ok(if existed {
        HookOutcome::Replaced(path)
    } else {
        HookOutcome::Installed(path)
    })
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| GitError::Hook(format!("cannot make {} executable: {e}", path.display())))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<()> {
    Ok(())
}

/// Single-quote for `sh`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_quotes_the_binary() {
        let s = hook_script(Some(Path::new("/opt/it's/plainsight")));
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(r"plainsight='/opt/it'\''s/plainsight'"));
        assert!(s.contains("git --staged"));
        assert!(hook_script(None).contains("plainsight=plainsight"));
    }
}
