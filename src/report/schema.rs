//! The JSON Schema (draft 2020-12) of the `--format json` report and of each
//! `--format jsonl` line, printed by `plainsight schema report`: programs that read
//! reports can validate them, and the tests validate real output against it, so the
//! schema cannot drift from what the reporters write.

/// The schema text.
pub const REPORT_SCHEMA: &str = include_str!("schema.json");
