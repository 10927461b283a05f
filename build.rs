//! Embeds every `rules/*.toml` and `rules/endpoints/*.toml` in the binary: one
//! `include_str!` per file, listed in name order, and cargo reruns this whenever either
//! folder changes, so a new rule file can never be silently left out of a build.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=rules/endpoints");
    // Read at run time, not with env!(): a build-script binary reused by another
    // checkout of the same package must list *that* checkout's rules.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest);
    let mut out = String::new();
    embed(&mut out, "FILES", "Built-in rule files", root, "rules");
    embed(
        &mut out,
        "ENDPOINT_FILES",
        "Endpoint and SDK rule files, run only by the inventory",
        root,
        "rules/endpoints",
    );
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(dest, out).expect("write builtin_rules.rs");
}

/// Append `pub static NAME: &[(&str, &str)]` listing every `.toml` in `root/dir`.
fn embed(out: &mut String, name: &str, doc: &str, root: &Path, dir: &str) {
    let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
        .expect("rules directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    writeln!(
        out,
        "/// {doc}: (path, contents).\npub static {name}: &[(&str, &str)] = &["
    )
    .expect("write");
    for f in &files {
        let file = f
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 rule file name");
        writeln!(
            out,
            "    (\"{dir}/{file}\", include_str!({:?})),",
            f.display().to_string()
        )
        .expect("write");
    }
    out.push_str("];\n");
}
