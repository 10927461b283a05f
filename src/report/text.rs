//! `--format text`: findings grouped by file for a person at a terminal, then a summary
//! of what was scanned, skipped and found.

use std::borrow::Cow;
use std::io::{self, Write};

use super::ReportOptions;
use crate::rules::Severity;
use crate::scan::ScanReport;
use crate::skip::SkipReason;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    fn severity(&self, sev: Severity) -> String {
        let code = match sev {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
            Severity::Note => "1;36",
        };
        self.paint(code, sev.as_str())
    }
}

/// Write the text report.
pub fn write(report: &ScanReport, opts: ReportOptions, out: &mut dyn Write) -> io::Result<()> {
    let style = Style { on: opts.color };
    let mut last_path: Option<std::borrow::Cow<'_, str>> = None;
    for f in &report.findings {
        let path = f.report_path();
        if last_path.as_deref() != Some(&*path) {
            if last_path.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", style.paint("1;35", &printable(&path)))?;
            last_path = Some(path.clone());
        }
        let secret = if opts.show_secrets {
            printable(f.secret.expose()).into_owned()
        } else {
            f.secret.preview()
        };
        writeln!(
            out,
            "{}:{}:{}  {}  {}  {}  {}",
            printable(&path),
            f.location.line,
            f.location.column,
            style.paint("1", &f.rule.id),
            f.rule.provider,
            style.severity(f.severity),
            secret,
        )?;
        if let Some(d) = &f.details {
            writeln!(out, "    {}", printable(d))?;
        }
        if !f.decoded.is_empty() {
            let layers: Vec<&str> = f.decoded.iter().map(|l| l.as_str()).collect();
            writeln!(out, "    decoded: {}", layers.join(" → "))?;
        }
        if let Some(p) = &f.provenance {
            let short = p.commit.get(..12).unwrap_or(&p.commit);
            writeln!(out, "    commit {short} by {}", printable(&p.author))?;
        }
        let line = f.context.render(opts.show_secrets);
        writeln!(out, "    {}", style.paint("2", &printable(line.trim())))?;
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
    }
    if opts.verbose {
        for k in &report.skipped {
            writeln!(
                out,
                "skipped ({}): {}: {}",
                k.skip.reason.as_str(),
                printable(&k.path),
                printable(&k.skip.detail)
            )?;
        }
    }
    writeln!(out, "{}", summary(report, opts.verbose))
}

/// Text from scanned files and file names, made safe for a terminal: control characters
/// (an escape sequence in a hostile file could rewrite the screen or the window title)
/// and bidirectional overrides (which can make a line read differently from its bytes)
/// are shown escaped, e.g. `\u{1b}`, instead of being sent raw.
pub fn printable(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The one-line summary: files, bytes, skips by reason, findings by severity, time.
pub fn summary(report: &ScanReport, verbose: bool) -> String {
    let s = &report.stats;
    let mut line = format!(
        "scanned {} file{} ({}) in {:.2}s",
        s.files_scanned,
        if s.files_scanned == 1 { "" } else { "s" },
        human_bytes(s.bytes_scanned),
        s.elapsed_ms as f64 / 1000.0
    );
    let skipped = s.skipped_total();
    if skipped > 0 {
        let parts: Vec<String> = SkipReason::ALL
            .iter()
            .filter_map(|r| {
                s.skipped
                    .get(r)
                    .filter(|&&n| n > 0)
                    .map(|n| format!("{} {n}", r.as_str()))
            })
            .collect();
        line.push_str(&format!("; skipped {skipped} ({})", parts.join(", ")));
    }
    let count = |sev: Severity| report.findings.iter().filter(|f| f.severity == sev).count();
    line.push_str(&format!(
        "; {} finding{} (error {}, warning {}, note {})",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    ));
    let stand_ins = s.suppressed.get("stand_in").copied().unwrap_or(0);
    let suppressed: u64 = s.suppressed.values().sum::<u64>() - stand_ins;
    if suppressed > 0 {
        line.push_str(&format!("; {suppressed} suppressed"));
    }
    if stand_ins > 0 {
        line.push_str(&format!(
            "; {stand_ins} stand-in{} in tests or docs withheld (--stand-ins shows them)",
            if stand_ins == 1 { "" } else { "s" }
        ));
    }
    if !s.capped.is_empty() {
        line.push_str(&format!("; {} rule/file pairs capped", s.capped.len()));
    }
    if !s.decode_capped.is_empty() {
        line.push_str(&format!(
            "; {} text{} decoded only up to the cap",
            s.decode_capped.len(),
            if s.decode_capped.len() == 1 { "" } else { "s" }
        ));
    }
    if s.archives > 0 {
        line.push_str(&format!(
            "; {} archive{} opened",
            s.archives,
            if s.archives == 1 { "" } else { "s" }
        ));
    }
    if let Some(&n) = s.skipped.get(&SkipReason::Ignored).filter(|&&n| n > 0) {
        line.push_str(&format!(
            "\n{n} path{} kept out by ignore rules (--no-ignore scans them)",
            if n == 1 { "" } else { "s" }
        ));
    }
    if skipped > 0 && !verbose {
        line.push_str("\n(--verbose lists skipped files)");
    }
    line
}

#[allow(clippy::cast_precision_loss)]
fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
