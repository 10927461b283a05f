//! Embeds every `rules/*.toml` in the binary: one `include_str!` per file, listed in
//! name order, and cargo reruns this whenever the folder changes, so a new rule file can
//! never be silently left out of a build.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    // Read at run time, not with env!(): a build-script binary reused by another
    // checkout of the same package must list *that* checkout's rules.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Built-in rule files: (path, contents).\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 rule file name");
        writeln!(
            out,
            "    (\"rules/{name}\", include_str!({:?})),",
            f.display().to_string()
        )
        .expect("write");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write builtin_rules.rs");
}
