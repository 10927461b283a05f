//! Regex syntax checks that need no compiled automaton: whether a pattern parses, and
//! which capture group a name refers to. Free of the rest of the crate, so that
//! `build.rs` checks the built-in rules' patterns with this same code and the binary
//! need not parse them again at start-up.

use regex_syntax::ast::{Ast, GroupKind};

/// Parse `pattern`'s syntax (the cheap first stage: no translation, no automaton).
pub(crate) fn parse_ast(pattern: &str) -> Result<Ast, String> {
    regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("invalid regex: {e}"))
}

/// The capture index of the group named `name`, if any.
pub(crate) fn capture_index(ast: &Ast, name: &str) -> Option<usize> {
    match ast {
        Ast::Group(g) => match &g.kind {
            GroupKind::CaptureName { name: n, .. } if n.name == name => {
                usize::try_from(n.index).ok()
            }
            _ => capture_index(&g.ast, name),
        },
        Ast::Repetition(r) => capture_index(&r.ast, name),
        Ast::Concat(c) => c.asts.iter().find_map(|x| capture_index(x, name)),
        Ast::Alternation(a) => a.asts.iter().find_map(|x| capture_index(x, name)),
        _ => None,
    }
}
