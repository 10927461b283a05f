//! Embeds every `rules/*.toml` and `rules/endpoints/*.toml` in the binary: one
//! `include_str!` per file, listed in name order, and cargo reruns this whenever either
//! folder changes, so a new rule file can never be silently left out of a build.
//!
//! Each file is also parsed here, with the crate's own spec types (`src/rules/spec.rs`,
//! included by path) and regex syntax checks (`src/rules/syntax.rs`), and written out as
//! Rust code that builds the parsed form directly. Parsing 40+ TOML files and 2,000 regex
//! patterns took most of a pre-commit check's start-up; the binary now only runs the
//! checks that need no parsing. A file that does not parse here is left to the run-time
//! parser, which reports the error with file, line and key as for a user's rule file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use toml::Spanned;

#[allow(dead_code)]
#[path = "src/rules/levels.rs"]
mod levels;
#[allow(dead_code)]
#[path = "src/decode/marks.rs"]
mod marks;
#[allow(dead_code)]
#[path = "src/rules/spec.rs"]
mod spec;
#[allow(dead_code)]
#[path = "src/rules/syntax.rs"]
mod syntax;
#[allow(dead_code)]
#[path = "src/prefilter/table.rs"]
mod table;
#[allow(dead_code)]
#[path = "src/rules/vendor.rs"]
mod vendor;

use levels::{Precision, Severity};
use vendor::{Category, CredentialKind};

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=rules/endpoints");
    for shared in ["rules/levels", "rules/spec", "rules/syntax", "rules/vendor"] {
        println!("cargo:rerun-if-changed=src/{shared}.rs");
    }
    for shared in ["decode/marks", "prefilter/table"] {
        println!("cargo:rerun-if-changed=src/{shared}.rs");
    }
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
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("builtin_rules.rs"), out)
        .expect("write builtin_rules.rs");
    std::fs::write(
        Path::new(&out_dir).join("prefilter_table.rs"),
        prefilter_table(root),
    )
    .expect("write prefilter_table.rs");
}

/// Every `.toml` in `root/dir`, in name order: the order the rules load in.
fn rule_files(root: &Path, dir: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
        .expect("rules directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The keyword table of the default rule set, numbered as `Prefilter::new` numbers it:
/// each built-in rule's keywords in load order, lowercase, first use first, then the
/// decoding marks. A file that does not parse adds nothing: loading it fails anyway.
fn prefilter_table(root: &Path) -> String {
    let mut patterns: Vec<String> = Vec::new();
    let mut add = |p: &str| {
        let p = p.to_ascii_lowercase();
        if !patterns.contains(&p) {
            patterns.push(p);
        }
    };
    for f in rule_files(root, "rules") {
        let text = std::fs::read_to_string(&f).expect("read rule file");
        let Ok(parsed) = toml::from_str::<spec::RuleFile>(&text) else {
            continue;
        };
        for rule in &parsed.rules {
            rule.get_ref()
                .keywords
                .get_ref()
                .iter()
                .for_each(|k| add(k));
        }
    }
    marks::MARKS.iter().for_each(|m| add(m));
    let table = table::Table::new(&patterns, usize::MAX).expect("the built-in keywords tabulate");
    let mut sorted: Vec<(&str, u32)> = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), u32::try_from(i).expect("patterns fit u32")))
        .collect();
    sorted.sort_unstable();
    let mut out = String::new();
    writeln!(
        out,
        "pub(super) static PATTERNS: &[&str] = &{patterns:?};\n\
         pub(super) static SORTED: &[(&str, u32)] = &{sorted:?};\n\
         pub(super) static TABLE: TableView<'static> = {};",
        table.view().to_rust()
    )
    .expect("write");
    out
}

/// Append `pub static NAME: &[(&str, &str)]` listing every `.toml` in `root/dir`, and
/// `pub(super) static NAME_PREPARED: &[Option<fn() -> Prepared>]`, the same files parsed.
fn embed(out: &mut String, name: &str, doc: &str, root: &Path, dir: &str) {
    let files = rule_files(root, dir);
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
    let mut builders = String::new();
    writeln!(
        out,
        "/// [`{name}`] parsed at build time, in the same order; `None` where a file did not\n\
         /// parse, so that the run-time parser reports why.\n\
         pub(super) static {name}_PREPARED: &[Option<fn() -> Prepared>] = &["
    )
    .expect("write");
    let mut count = 0;
    for (i, f) in files.iter().enumerate() {
        let text = std::fs::read_to_string(f).expect("read rule file");
        match prepare(&text) {
            Some((code, rules)) => {
                count += rules;
                let fn_name = format!("prepared_{}_{i}", name.to_ascii_lowercase());
                writeln!(out, "    Some({fn_name}),").expect("write");
                writeln!(
                    builders,
                    "#[allow(clippy::too_many_lines)]\nfn {fn_name}() -> Prepared {{\n    {code}\n}}"
                )
                .expect("write");
            }
            None => out.push_str("    None,\n"),
        }
    }
    out.push_str("];\n");
    writeln!(
        out,
        "/// How many rules the prepared files of [`{name}`] hold: the rule table's size.\n\
         pub(super) const {name}_RULES: usize = {count};"
    )
    .expect("write");
    out.push_str(&builders);
}

/// Rust code building `text` parsed, and its number of rules, or `None` when it does not
/// parse or one of its patterns has a syntax error or no `secret` group.
fn prepare(text: &str) -> Option<(String, usize)> {
    let parsed: spec::RuleFile = toml::from_str(text).ok()?;
    let mut groups = Vec::new();
    for rule in &parsed.rules {
        let r = rule.get_ref();
        match &r.regex {
            Some(re) => {
                let ast = syntax::parse_ast(re.get_ref()).ok()?;
                groups.push(syntax::capture_index(&ast, "secret")?);
            }
            // A `structure` rule reads no text; its group is its fixed pattern's.
            None => groups.push(0),
        }
        let others = r
            .allowlist
            .regexes
            .iter()
            .chain(&r.allowlist.match_regexes)
            .chain(r.near.iter().map(|n| &n.regex))
            .chain(r.not_near.iter().map(|n| &n.regex));
        for p in others {
            syntax::parse_ast(p.get_ref()).ok()?;
        }
    }
    let mut code = String::from("Prepared { file: ");
    parsed.emit(&mut code);
    write!(code, ", secret_groups: vec!{groups:?} }}").expect("write");
    Some((code, parsed.rules.len()))
}

/// Writes a value as a Rust expression that rebuilds it. Structs are destructured in
/// full, so a field added to a spec type and not written here fails this build.
trait Emit {
    fn emit(&self, out: &mut String);
}

impl Emit for String {
    fn emit(&self, out: &mut String) {
        write!(out, "String::from({self:?})").expect("write");
    }
}

impl Emit for bool {
    fn emit(&self, out: &mut String) {
        write!(out, "{self}").expect("write");
    }
}

impl Emit for usize {
    fn emit(&self, out: &mut String) {
        write!(out, "{self}usize").expect("write");
    }
}

impl Emit for f64 {
    /// By its bits: exact, and valid Rust for every value TOML allows (`nan`, `inf`).
    fn emit(&self, out: &mut String) {
        write!(out, "f64::from_bits({:#x})", self.to_bits()).expect("write");
    }
}

impl<T: Emit> Emit for Vec<T> {
    fn emit(&self, out: &mut String) {
        out.push_str("vec![");
        for x in self {
            x.emit(out);
            out.push(',');
        }
        out.push(']');
    }
}

impl<T: Emit> Emit for Option<T> {
    fn emit(&self, out: &mut String) {
        match self {
            None => out.push_str("None"),
            Some(x) => {
                out.push_str("Some(");
                x.emit(out);
                out.push(')');
            }
        }
    }
}

impl<T: Emit> Emit for Spanned<T> {
    fn emit(&self, out: &mut String) {
        let span = self.span();
        write!(out, "Spanned::new({}..{}, ", span.start, span.end).expect("write");
        self.get_ref().emit(out);
        out.push(')');
    }
}

impl<T: Emit> Emit for BTreeMap<String, T> {
    fn emit(&self, out: &mut String) {
        out.push_str("BTreeMap::from([");
        for (k, v) in self {
            out.push('(');
            k.emit(out);
            out.push(',');
            v.emit(out);
            out.push_str("),");
        }
        out.push_str("])");
    }
}

/// The closed enums, by variant name (their `Debug`).
macro_rules! emit_enum {
    ($($t:ident),+) => {$(
        impl Emit for $t {
            fn emit(&self, out: &mut String) {
                write!(out, "{}::{:?}", stringify!($t), self).expect("write");
            }
        }
    )+};
}
emit_enum!(Category, CredentialKind, Precision, Severity);

/// `impl Emit for Type`, writing `Type { field: value, … }`. The value is destructured
/// with every field named, so a field this list lacks fails the build.
macro_rules! emit_struct {
    ($($ty:ident { $($field:ident),+ $(,)? })+) => {$(
        impl Emit for spec::$ty {
            fn emit(&self, out: &mut String) {
                let spec::$ty { $($field),+ } = self;
                out.push_str(concat!("spec::", stringify!($ty), " {"));
                $(
                    out.push_str(concat!(stringify!($field), ": "));
                    $field.emit(out);
                    out.push(',');
                )+
                out.push('}');
            }
        }
    )+};
}

emit_struct! {
    RuleFile { vendors, rules }
    VendorSpec { category, rotate }
    NearSpec { regex, lines }
    AllowlistSpec { regexes, match_regexes, stopwords, paths }
    RuleSpec {
        id, name, provider, kind, rotate, description, severity, security_severity,
        precision, keywords, regex, structure, paths, example_path, entropy, allowlist,
        near, not_near,
        placeholder_check, checksum, public_identifier, references, examples,
        negative_examples,
    }
}
