//! The keyword automaton as a dense table, and its borrowed form that the walk reads.
//!
//! Dependency-free on purpose: `build.rs` includes this file by path to tabulate the
//! built-in keywords at build time (see [`super::prepared`]), so a default run starts
//! with the table in the binary instead of building it (about 30% of a pre-commit
//! check's start-up, measured with callgrind).

use std::fmt::Write as _;

/// The keyword automaton as a dense table: one row of transitions per state, one
/// column per byte class.
#[derive(Debug, PartialEq)]
pub(crate) struct Table {
    /// Each byte's column. ASCII letters share one with their other case, and every
    /// byte that no keyword holds shares one with the others.
    classes: [u8; 256],
    /// `trans[s + class]` is the state after state `s` reads a byte of `class`. States
    /// are numbered by their row's offset in `trans`, so the walk adds, never multiplies.
    trans: Vec<u32>,
    /// Columns per row.
    stride: u32,
    start: u32,
    /// States from this one on are match states: the walk's test per byte is one
    /// comparison.
    first_match: u32,
    /// Per match state (in order from `first_match`), its range in `matched`.
    match_ranges: Vec<(usize, usize)>,
    /// The keywords each match state ends, in the automaton's order.
    matched: Vec<usize>,
    max_len: usize,
}

impl Table {
    /// The Aho-Corasick automaton of `patterns` (ASCII-case-insensitive, every overlapping
    /// match), tabulated; `None` when its table would exceed `max_table` transitions.
    ///
    /// Built directly, trie then failure links, one row at a time: every state's row is
    /// its trie children over the row of its failure state, which lies nearer the start
    /// and so is complete already. Tabulating the crate's NFA instead asked it for each
    /// transition, each a walk along failure links: that was most of a pre-commit
    /// check's start-up.
    pub(crate) fn new<P: AsRef<[u8]>>(patterns: &[P], max_table: usize) -> Option<Table> {
        let mut held = [false; 256];
        for &b in patterns.iter().flat_map(AsRef::as_ref) {
            held[usize::from(b.to_ascii_lowercase())] = true;
        }
        // Columns by first byte seen; `reps[c]` is a byte of column `c`.
        let mut column_of = [None::<u8>; 257];
        let mut classes = [0u8; 256];
        let mut reps: Vec<u8> = Vec::new();
        for b in 0..=u8::MAX {
            let folded = usize::from(b.to_ascii_lowercase());
            let key = if held[folded] { folded } else { 256 };
            classes[usize::from(b)] = match column_of[key] {
                Some(c) => c,
                None => {
                    let c = u8::try_from(reps.len()).ok()?;
                    reps.push(b);
                    column_of[key] = Some(c);
                    c
                }
            };
        }
        let stride = reps.len();
        let too_big = |states: usize| states.saturating_mul(stride) > max_table;
        // The trie: state 0 is the start, `trans` rows hold children (`NONE` where
        // there is none yet), `own[s]` the patterns that end exactly at `s`.
        const NONE: u32 = u32::MAX;
        let mut trans: Vec<u32> = vec![NONE; stride];
        let mut own: Vec<Vec<usize>> = vec![Vec::new()];
        for (p, pattern) in patterns.iter().enumerate() {
            let mut s = 0usize;
            for &b in pattern.as_ref() {
                let at = s * stride + usize::from(classes[usize::from(b)]);
                if trans[at] == NONE {
                    if too_big(own.len() + 1) {
                        return None;
                    }
                    trans[at] = u32::try_from(own.len()).ok()?;
                    trans.resize(trans.len() + stride, NONE);
                    own.push(Vec::new());
                }
                s = trans[at] as usize;
            }
            own[s].push(p);
        }
        // Breadth first: fill each row's gaps from its failure state's row, and give
        // each state the matches of its failure state after its own (the order the
        // crate's NFA reports them in).
        let states = own.len();
        let mut fail = vec![0usize; states];
        let mut order: Vec<usize> = Vec::with_capacity(states);
        order.push(0);
        let mut matches: Vec<Vec<usize>> = vec![Vec::new(); states];
        let mut next = 0;
        while let Some(&s) = order.get(next) {
            next += 1;
            let f = fail[s];
            for c in 0..stride {
                let at = s * stride + c;
                // The start state fails to itself: its gaps lead back to it.
                let via_fail = if s == 0 { 0 } else { trans[f * stride + c] };
                if trans[at] == NONE {
                    trans[at] = via_fail;
                } else {
                    let child = trans[at] as usize;
                    fail[child] = via_fail as usize;
                    order.push(child);
                }
            }
            let mut m = std::mem::take(&mut own[s]);
            if s != 0 {
                m.extend_from_slice(&matches[f]);
            }
            matches[s] = m;
        }
        // Renumber: states without matches first, then match states.
        let (plain, matching): (Vec<usize>, Vec<usize>) =
            (0..states).partition(|&s| matches[s].is_empty());
        let mut row = vec![0u32; states];
        for (new, &s) in plain.iter().chain(&matching).enumerate() {
            row[s] = u32::try_from(new * stride).ok()?;
        }
        let mut table = vec![0u32; states * stride];
        for (new, &s) in plain.iter().chain(&matching).enumerate() {
            for c in 0..stride {
                table[new * stride + c] = row[trans[s * stride + c] as usize];
            }
        }
        let mut matched = Vec::new();
        let match_ranges = matching
            .iter()
            .map(|&s| {
                let from = matched.len();
                matched.extend_from_slice(&matches[s]);
                (from, matched.len())
            })
            .collect();
        Some(Table {
            classes,
            trans: table,
            stride: u32::try_from(stride).ok()?,
            start: row[0],
            first_match: u32::try_from(plain.len() * stride).ok()?,
            match_ranges,
            matched,
            max_len: patterns.iter().map(|p| p.as_ref().len()).max().unwrap_or(0),
        })
    }

    /// The table's parts, borrowed.
    pub(crate) fn view(&self) -> TableView<'_> {
        TableView {
            classes: &self.classes,
            trans: &self.trans,
            stride: self.stride,
            start: self.start,
            first_match: self.first_match,
            match_ranges: &self.match_ranges,
            matched: &self.matched,
            max_len: self.max_len,
        }
    }
}

/// A [`Table`]'s parts, borrowed: what the walk reads, from a table built at run time
/// or from the one `build.rs` wrote into the binary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TableView<'a> {
    pub(super) classes: &'a [u8; 256],
    pub(super) trans: &'a [u32],
    pub(super) stride: u32,
    pub(super) start: u32,
    pub(super) first_match: u32,
    pub(super) match_ranges: &'a [(usize, usize)],
    pub(super) matched: &'a [usize],
    pub(super) max_len: usize,
}

impl TableView<'_> {
    /// A Rust expression of type `TableView<'static>` equal to this one, for `build.rs`.
    #[allow(dead_code)]
    pub(crate) fn to_rust(self) -> String {
        fn list<T: std::fmt::Debug>(out: &mut String, xs: &[T]) {
            out.push_str("&[");
            for x in xs {
                write!(out, "{x:?},").expect("write to a String");
            }
            out.push(']');
        }
        let mut out = String::from("TableView { classes: ");
        list(&mut out, self.classes);
        out.push_str(", trans: ");
        list(&mut out, self.trans);
        write!(
            out,
            ", stride: {}, start: {}, first_match: {}, match_ranges: ",
            self.stride, self.start, self.first_match
        )
        .expect("write to a String");
        list(&mut out, self.match_ranges);
        out.push_str(", matched: ");
        list(&mut out, self.matched);
        write!(out, ", max_len: {} }}", self.max_len).expect("write to a String");
        out
    }
}
