//! The inventory's views: a text table for a terminal, JSON (schema in
//! `inventory-schema.json`), Markdown for a ticket or pull-request comment, and one
//! self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched) for people
//! who would rather look than read. Each only formats an [`Inventory`]; none sees a
//! plaintext secret, only fingerprints and masked previews.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::inventory::{Inventory, SecretEntry, Uses, VendorEntry};

/// The JSON Schema of `plainsight inventory --format json`.
pub const INVENTORY_SCHEMA: &str = include_str!("inventory-schema.json");

/// The inventory's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InventoryFormat {
    /// Tables for a terminal.
    Text,
    /// One JSON object.
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// A self-contained HTML page.
    Html,
}

/// Write `inv` in `format`.
pub fn write(format: InventoryFormat, inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    let text = match format {
        InventoryFormat::Text => text(inv),
        InventoryFormat::Markdown => markdown(inv),
        InventoryFormat::Html => html(inv),
        InventoryFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, inv).map_err(io::Error::from)?;
            "\n".to_string()
        }
    };
    out.write_all(text.as_bytes())
}

/// One line of totals, shared by every view.
fn headline(inv: &Inventory) -> String {
    let t = &inv.totals;
    let scope = match &inv.vendor {
        Some(v) => format!("what {v} holds"),
        None => "third-party exposure inventory".to_string(),
    };
    format!(
        "{scope} ({}): {} vendor{}, {} secret{}, {} public identifier{}, {} endpoint use{}; {} files scanned, {} skipped",
        inv.mode,
        t.vendors,
        plural(t.vendors),
        t.secrets,
        plural(t.secrets),
        t.identifiers,
        plural(t.identifiers),
        t.endpoint_uses,
        plural(t.endpoint_uses),
        t.files_scanned,
        t.files_skipped,
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `hidden by suppressions: 2 (baseline 1, inline 1)`, or `None` when nothing was.
fn suppressed_line(inv: &Inventory) -> Option<String> {
    let s = &inv.totals.suppressed;
    let total: u64 = s.values().sum();
    (total > 0).then(|| {
        let parts: Vec<String> = s.iter().map(|(k, v)| format!("{k} {v}")).collect();
        format!("hidden by suppressions: {total} ({})", parts.join(", "))
    })
}

/// Rows of the vendors table: one per vendor.
fn vendor_rows(inv: &Inventory) -> Vec<Vec<String>> {
    inv.vendors
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                v.category.to_string(),
                v.secrets.len().to_string(),
                v.identifiers.locations.len().to_string(),
                v.endpoints.locations.len().to_string(),
                v.max_severity().map_or("-".into(), |s| s.to_string()),
            ]
        })
        .collect()
}

const VENDOR_HEAD: [&str; 6] = [
    "vendor",
    "category",
    "secrets",
    "identifiers",
    "endpoint uses",
    "max severity",
];

/// Rows of the credentials-by-kind table.
fn kind_rows(inv: &Inventory) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for v in &inv.vendors {
        for k in &v.credentials {
            rows.push(vec![
                v.name.clone(),
                k.kind.to_string(),
                k.secrets.to_string(),
                k.locations.to_string(),
                k.files.to_string(),
                k.max_severity.to_string(),
            ]);
        }
    }
    rows
}

const KIND_HEAD: [&str; 6] = [
    "vendor",
    "kind",
    "secrets",
    "locations",
    "files",
    "max severity",
];

/// `path:line` and how many more places.
fn where_of(s: &SecretEntry, all: bool) -> String {
    let places: Vec<String> = s
        .locations
        .iter()
        .map(|p| format!("{}:{}", p.path, p.line))
        .collect();
    match places.split_first() {
        None => String::new(),
        Some((first, rest)) if !all && !rest.is_empty() => {
            format!("{first} (+{} more)", rest.len())
        }
        Some(_) => places.join(", "),
    }
}

/// Git facts of a secret: `since 2026-01-02 (abc1234), last 2026-01-03 (def5678), removed from HEAD`.
fn history_of(s: &SecretEntry) -> Option<String> {
    s.history.as_ref().map(|h| {
        format!(
            "first {} ({}), last {} ({}), {}",
            date(h.first_commit.time),
            short(&h.first_commit.commit),
            date(h.last_commit.time),
            short(&h.last_commit.commit),
            if h.present_at_head {
                "still present at HEAD"
            } else {
                "removed from HEAD, alive in history"
            }
        )
    })
}

fn short(commit: &str) -> &str {
    commit.get(..10).unwrap_or(commit)
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
fn date(secs: i64) -> String {
    let (y, m, d) = super::civil_date(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Data-flow rows: one per vendor and kind of use.
fn flow_rows(inv: &Inventory, all_files: bool) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for v in &inv.vendors {
        for (kind, uses) in [
            ("public-identifier", &v.identifiers),
            ("endpoint", &v.endpoints),
        ] {
            if uses.locations.is_empty() {
                continue;
            }
            rows.push(vec![
                v.name.clone(),
                kind.to_string(),
                uses.locations.len().to_string(),
                files_of(uses, all_files),
            ]);
        }
    }
    rows
}

const FLOW_HEAD: [&str; 4] = ["vendor", "kind", "uses", "files"];

fn files_of(uses: &Uses, all: bool) -> String {
    const SHOWN: usize = 3;
    if all || uses.files.len() <= SHOWN {
        uses.files.join(", ")
    } else {
        format!(
            "{} (+{} more)",
            uses.files[..SHOWN].join(", "),
            uses.files.len() - SHOWN
        )
    }
}

/// Pad columns to their widest cell.
fn text_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    line(head.iter().map(|h| h.to_uppercase()).collect(), &mut out);
    for r in rows {
        line(r.clone(), &mut out);
    }
    out
}

fn text(inv: &Inventory) -> String {
    let detail = inv.vendor.is_some();
    let mut out = format!("{}\n", headline(inv));
    if let Some(s) = suppressed_line(inv) {
        let _ = writeln!(out, "{s}");
    }
    if inv.vendors.is_empty() {
        out.push_str("\nno vendor credentials, identifiers or endpoint uses found\n");
        return out;
    }
    let _ = write!(
        out,
        "\nVendors\n{}",
        text_table(&VENDOR_HEAD, &vendor_rows(inv))
    );
    let kinds = kind_rows(inv);
    if !kinds.is_empty() {
        let _ = write!(
            out,
            "\nCredentials by kind\n{}",
            text_table(&KIND_HEAD, &kinds)
        );
        out.push_str("\nSecrets (rotate each; masked previews only)\n");
        for v in &inv.vendors {
            for s in &v.secrets {
                let _ = writeln!(
                    out,
                    "  {}  {}  {}  {}  {}  {}",
                    v.name,
                    s.kind,
                    s.rule,
                    s.preview,
                    s.severity,
                    where_of(s, detail)
                );
                if let Some(h) = history_of(s) {
                    let _ = writeln!(out, "      {h}");
                }
                if let Some(r) = &s.rotate {
                    let _ = writeln!(out, "      rotate: {r}");
                }
            }
        }
    }
    let flows = flow_rows(inv, detail);
    if !flows.is_empty() {
        let _ = write!(
            out,
            "\nData flows (public identifiers and endpoint uses)\n{}",
            text_table(&FLOW_HEAD, &flows)
        );
        if detail {
            for v in &inv.vendors {
                for p in v.identifiers.locations.iter().chain(&v.endpoints.locations) {
                    let _ = writeln!(out, "  {}:{}  {}", p.path, p.line, p.rule);
                }
            }
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn md_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n|{}\n", head.join(" | "), "---|".repeat(head.len()));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| md_cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

fn markdown(inv: &Inventory) -> String {
    let detail = inv.vendor.is_some();
    let title = match &inv.vendor {
        Some(v) => format!("If {v} is breached: what of ours it holds"),
        None => "Third-party exposure inventory".to_string(),
    };
    let mut out = format!("## {title}\n\n{}\n", md_cell(&headline(inv)));
    if let Some(s) = suppressed_line(inv) {
        let _ = writeln!(out, "\n_{s}_");
    }
    if inv.vendors.is_empty() {
        out.push_str("\nNo vendor credentials, identifiers or endpoint uses found.\n");
        return out;
    }
    let _ = write!(
        out,
        "\n### Vendors\n\n{}",
        md_table(&VENDOR_HEAD, &vendor_rows(inv))
    );
    let kinds = kind_rows(inv);
    if !kinds.is_empty() {
        let _ = write!(
            out,
            "\n### Credentials by kind\n\n{}",
            md_table(&KIND_HEAD, &kinds)
        );
        let mut rows = Vec::new();
        for v in &inv.vendors {
            for s in &v.secrets {
                rows.push(vec![
                    v.name.clone(),
                    s.kind.to_string(),
                    format!("`{}`", s.rule),
                    format!("`{}`", s.preview),
                    where_of(s, detail),
                    history_of(s).unwrap_or_else(|| "-".into()),
                    s.rotate
                        .as_deref()
                        .map_or("-".into(), |r| format!("[rotate]({r})")),
                ]);
            }
        }
        let head = [
            "vendor", "kind", "rule", "preview", "where", "history", "rotate",
        ];
        let _ = write!(out, "\n### Secrets\n\n{}", md_table(&head, &rows));
    }
    let flows = flow_rows(inv, detail);
    if !flows.is_empty() {
        let _ = write!(
            out,
            "\n### Data flows (public identifiers and endpoint uses)\n\n{}",
            md_table(&FLOW_HEAD, &flows)
        );
    }
    out
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html_table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", esc(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

/// Bar colours (also what the screenshot check looks for).
const SECRET_BAR: &str = "#e8590c";
const FLOW_BAR: &str = "#1c7ed6";
const CATEGORY_BAR: &str = "#2f9e44";

/// A horizontal bar chart: one labelled bar per `(label, value)`.
fn svg_bars(title: &str, bars: &[(String, usize)], colour: &str) -> String {
    const ROW: usize = 22;
    const LABEL: usize = 190;
    const WIDTH: usize = 360;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(1).max(1);
    let height = 30 + ROW * bars.len();
    let mut out = format!(
        "<figure><figcaption>{}</figcaption><svg role=\"img\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">\n",
        esc(title),
        LABEL + WIDTH + 40,
        LABEL + WIDTH + 40
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 10 + i * ROW;
        let w = (WIDTH * value / max).max(2);
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"16\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\">{value}</text>",
            LABEL - 8,
            y + 13,
            esc(label),
            LABEL + w + 6,
            y + 13
        );
    }
    out.push_str("</svg></figure>\n");
    out
}

fn html(inv: &Inventory) -> String {
    let detail = inv.vendor.is_some();
    let title = match &inv.vendor {
        Some(v) => format!("If {v} is breached: what of ours it holds"),
        None => "Third-party exposure inventory".to_string(),
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>plainsight: {t}</title>\n<style>{CSS}</style></head><body>\n<h1>{t}</h1>\n<p class=\"summary\">{}</p>\n",
        esc(&headline(inv)),
        t = esc(&title),
    );
    if let Some(s) = suppressed_line(inv) {
        let _ = writeln!(out, "<p class=\"suppressed\">{}</p>", esc(&s));
    }
    let by_vendor: Vec<(String, usize)> = inv
        .vendors
        .iter()
        .filter(|v| !v.secrets.is_empty())
        .map(|v| (v.name.clone(), v.secrets.len()))
        .collect();
    let mut by_category: BTreeMap<String, usize> = BTreeMap::new();
    for v in inv.vendors.iter().filter(|v| !v.secrets.is_empty()) {
        *by_category.entry(v.category.to_string()).or_default() += v.secrets.len();
    }
    let flows: Vec<(String, usize)> = inv
        .vendors
        .iter()
        .map(|v| {
            (
                v.name.clone(),
                v.identifiers.locations.len() + v.endpoints.locations.len(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    out.push_str("<div class=\"charts\">\n");
    if !by_category.is_empty() {
        let bars: Vec<(String, usize)> = by_category.into_iter().collect();
        out.push_str(&svg_bars("Credentials by category", &bars, CATEGORY_BAR));
    }
    if !by_vendor.is_empty() {
        out.push_str(&svg_bars("Credentials by vendor", &by_vendor, SECRET_BAR));
    }
    if !flows.is_empty() {
        out.push_str(&svg_bars(
            "Data flows by vendor (identifiers and endpoint uses)",
            &flows,
            FLOW_BAR,
        ));
    }
    out.push_str("</div>\n");
    if inv.vendors.is_empty() {
        out.push_str("<p>No vendor credentials, identifiers or endpoint uses found.</p>\n");
    } else {
        let _ = write!(
            out,
            "<h2>Vendors</h2>\n{}",
            html_table(&VENDOR_HEAD, &vendor_rows(inv))
        );
        let kinds = kind_rows(inv);
        if !kinds.is_empty() {
            let _ = write!(
                out,
                "<h2>Credentials by kind</h2>\n{}",
                html_table(&KIND_HEAD, &kinds)
            );
            out.push_str(&html_secrets(&inv.vendors, detail));
        }
        let flows = flow_rows(inv, detail);
        if !flows.is_empty() {
            let _ = write!(
                out,
                "<h2>Data flows (public identifiers and endpoint uses)</h2>\n{}",
                html_table(&FLOW_HEAD, &flows)
            );
        }
    }
    out.push_str("<p class=\"foot\">Generated offline by plainsight; secrets appear only as masked previews and fingerprints.</p>\n</body></html>\n");
    out
}

/// The secrets table; the rotate page is a plain link (nothing is loaded from it).
fn html_secrets(vendors: &[VendorEntry], detail: bool) -> String {
    let mut out = String::from(
        "<h2>Secrets</h2>\n<table><thead><tr><th>vendor</th><th>kind</th><th>rule</th><th>preview</th><th>where</th><th>history</th><th>rotate</th></tr></thead><tbody>\n",
    );
    for v in vendors {
        for s in &v.secrets {
            let rotate = s.rotate.as_deref().map_or("-".into(), |r| {
                format!("<a href=\"{}\" rel=\"noreferrer\">rotate</a>", esc(r))
            });
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{rotate}</td></tr>",
                esc(&v.name),
                s.kind,
                esc(&s.rule),
                esc(&s.preview),
                esc(&where_of(s, detail)),
                esc(&history_of(s).unwrap_or_else(|| "-".into())),
            );
        }
    }
    out.push_str("</tbody></table>\n");
    out
}

const CSS: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212529;background:#fff}\
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px}\
.summary,.suppressed,.foot{color:#495057}\
.charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}\
svg text{font:12px system-ui,sans-serif;fill:#212529}\
table{border-collapse:collapse;margin-bottom:8px}\
th{background:#343a40;color:#fff;text-align:left;padding:4px 10px}\
td{border-bottom:1px solid #dee2e6;padding:4px 10px}tr:nth-child(even) td{background:#f1f3f5}\
code{font-size:12px}";
