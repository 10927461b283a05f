//! A rule's path globs: each one parsed when the rule loads, so a bad glob is an error
//! naming file, line and key, and the set that matches them built on first use.
//!
//! Building a [`GlobSet`] compiles regexes for every glob that is not a plain name or
//! extension (`**/config/credentials/*.key`): for the ten built-in rules with `paths`
//! that was a tenth of start-up, paid by every run, and most runs never reach a file
//! where a rule with paths finds something.

use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Globs parsed now, matched through one set built the first time a path is asked.
pub(crate) struct LazyGlobs {
    globs: Vec<Glob>,
    set: OnceLock<Result<GlobSet, String>>,
}

impl LazyGlobs {
    /// The set over `globs`, or `None` when there are none.
    pub(crate) fn new(globs: Vec<Glob>) -> Option<LazyGlobs> {
        (!globs.is_empty()).then(|| LazyGlobs {
            globs,
            set: OnceLock::new(),
        })
    }

    /// The globs one by one.
    pub(crate) fn globs(&self) -> &[Glob] {
        &self.globs
    }

    /// Whether any glob matches `path`; false if the set could not be built, which
    /// [`LazyGlobs::force`] reports.
    pub(crate) fn is_match(&self, path: &str) -> bool {
        self.set().is_ok_and(|s| s.is_match(path))
    }

    /// Build the set now and report failure.
    pub(crate) fn force(&self) -> Result<(), String> {
        self.set().map(|_| ()).map_err(Clone::clone)
    }

    fn set(&self) -> Result<&GlobSet, &String> {
        self.set
            .get_or_init(|| build(&self.globs).map_err(|e| e.to_string()))
            .as_ref()
    }
}

/// Shows the globs only: whether the set is built yet says nothing about the rule, and
/// rules prepared at build time must print like rules parsed at run time.
impl std::fmt::Debug for LazyGlobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LazyGlobs").field(&self.globs).finish()
    }
}

/// One set over `globs`.
pub(crate) fn build(globs: &[Glob]) -> Result<GlobSet, globset::Error> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(g.clone());
    }
    b.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_any_of_its_globs_once_built() {
        let globs = ["**/.pgpass", "**/config/credentials/*.key"]
            .map(|g| Glob::new(g).unwrap())
            .to_vec();
        let set = LazyGlobs::new(globs).unwrap();
        assert!(
            set.set.get().is_none(),
            "nothing is built before a match is asked"
        );
        assert!(set.is_match("home/.pgpass"));
        assert!(set.is_match("app/config/credentials/production.key"));
        assert!(!set.is_match("app/config/master.key"));
        assert!(set.force().is_ok());
        assert_eq!(set.globs().len(), 2);
        assert!(LazyGlobs::new(Vec::new()).is_none());
    }
}
