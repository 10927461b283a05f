//! The command line: clap types, turned once into validated library options.
//! `anyhow` lives here and nowhere else.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use plainsight::archive::ArchiveLimits;
use plainsight::baseline::{Baseline, BASELINE_FILE};
use plainsight::config::{Config, ConfigSource};
use plainsight::finding::VersionControl;
use plainsight::git;
use plainsight::gitleaks::{IgnoreList, GITLEAKS_IGNORE_FILE};
use plainsight::import;
use plainsight::report::{self, Format, ReportOptions};
use plainsight::rules::{self, check, RuleSet};
use plainsight::scan::{Progress, ScanOptions, ScanReport, Scanner, DEFAULT_MAX_FILE_SIZE};
use plainsight::suppress::{load_ignore_file, IGNORE_FILE};
use plainsight::Severity;

/// Find API keys and secrets stored in plaintext. Secrets are redacted in every output
/// unless --show-secrets is given; nothing is ever sent over the network.
#[derive(Debug, Parser)]
#[command(name = "plainsight", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files and directories (default: the current directory).
    Scan(ScanArgs),
    /// Scan a git repository: its history (default: every ref), a range, or the
    /// staged change (--staged, for pre-commit hooks).
    Git(GitArgs),
    /// Merge JSON reports of the shards of one history scan (`git --shard`) or of
    /// repeated runs into the report one run would write.
    Merge(MergeArgs),
    /// Which vendors hold a key to this code: credentials, public identifiers and
    /// endpoint uses grouped by vendor, over files (default) or git history (--git).
    Inventory(InventoryArgs),
    /// Install a git pre-commit hook that runs `plainsight git --staged`.
    InstallHook(InstallHookArgs),
    /// List or check rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Create, update or prune a baseline: the findings a team has accepted.
    Baseline {
        #[command(subcommand)]
        command: BaselineCommand,
    },
    /// Validate the configuration and print what is in effect.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Convert another tool's configuration and baseline into plainsight's.
    Import(ImportArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Print the JSON Schema of a report format.
    Schema {
        #[arg(value_enum)]
        what: SchemaArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SchemaArg {
    /// The `--format json` report and each `--format jsonl` line.
    Report,
    /// The `plainsight inventory --format json` document.
    Inventory,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InventoryFormatArg {
    Text,
    Json,
    Markdown,
    /// One self-contained page: inline CSS and SVG, no scripts, nothing fetched.
    Html,
}

#[derive(Debug, Args)]
struct InventoryArgs {
    /// Files and directories (default: the current directory); with --git, the
    /// repository.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Read the repository's history (every ref) instead of files: first and last
    /// commit of each secret, and whether HEAD still holds it.
    #[arg(long)]
    git: bool,
    /// Only this vendor (case-insensitive): what of ours it holds if it is breached.
    #[arg(long, value_name = "NAME")]
    vendor: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InventoryFormatArg::Text)]
    format: InventoryFormatArg,
    /// Write the inventory to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Config file (default: discovered as for `scan`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Leave out findings in this baseline, as `scan` does.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Do not honour .gitignore, .ignore and git exclude files.
    #[arg(long)]
    no_ignore: bool,
}

#[derive(Debug, Subcommand)]
enum BaselineCommand {
    /// Write a baseline of every current finding.
    Create(BaselineArgs),
    /// Add new findings, keeping existing entries and their reasons.
    Update(BaselineArgs),
    /// Drop entries whose finding is gone.
    Prune(BaselineArgs),
}

#[derive(Debug, Args)]
struct BaselineArgs {
    /// The baseline file.
    #[arg(default_value = BASELINE_FILE)]
    file: PathBuf,
    #[command(flatten)]
    scan: ScanArgs,
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Validate the configuration that a scan of PATH would use and print it.
    Check {
        /// Config file (default: discovered from PATH).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// The path a scan would start from.
        #[arg(default_value = ".")]
        path: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ImportFrom {
    /// `.gitleaks.toml` and `.gitleaksignore`.
    Gitleaks,
    /// `.secrets.baseline`.
    DetectSecrets,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The tool to import from.
    #[arg(value_enum)]
    from: ImportFrom,
    /// The directory holding its files; plainsight's are written there too.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Overwrite an existing `.plainsight.toml` (a baseline is merged into, never
    /// overwritten).
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// List the built-in rules.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Run rule files' own examples and negative examples through the scanner.
    Check {
        /// Rule files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
    /// The providers by category, as README's "Providers" section lists them.
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Text,
    Json,
    Sarif,
    /// JSON lines, streamed: one finding per line as files finish, then a summary line.
    Jsonl,
    /// GitLab secret-detection security report (for `artifacts: reports: secret_detection`).
    Gitlab,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeverityArg {
    Note,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Options shared by every command that scans and reports.
#[derive(Debug, Args)]
struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Show plaintext secrets in the report (off by default: reports get shared).
    #[arg(long)]
    show_secrets: bool,
    /// Exit 1 only for findings at or above this severity (default: any finding).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<SeverityArg>,
    /// Config file, .plainsight.toml or .gitleaks.toml (default: the nearest
    /// .plainsight.toml from the scanned path up to the repository root, else gitleaks'
    /// places).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only findings not in this baseline (`plainsight baseline create`) or
    /// earlier JSON report.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// List every skipped file in the text report.
    #[arg(long, short)]
    verbose: bool,
    /// Also report stand-ins, as notes: guessable values (`fighter`, `foo:bar`, a
    /// password hash) in test, fixture and documentation files, withheld and only
    /// counted by default.
    #[arg(long)]
    stand_ins: bool,
    /// Color the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

/// Resource limits shared by every command that scans.
#[derive(Debug, Args)]
struct LimitArgs {
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
    /// Skip (and report) files or blobs larger than this many bytes [default: 26214400 = 25 MiB].
    #[arg(long, value_name = "BYTES")]
    max_file_size: Option<u64>,
    /// Open archives and compressed files nested up to this deep (0: do not open them).
    #[arg(long, value_name = "N", default_value_t = plainsight::archive::DEFAULT_MAX_DEPTH)]
    max_archive_depth: usize,
    /// Undo up to this many encoding layers (base64, hex, percent, escapes, …) around
    /// secrets (0: scan text only as it is stored).
    #[arg(long, value_name = "N", default_value_t = plainsight::decode::DEFAULT_MAX_DEPTH)]
    max_decode_depth: usize,
}

impl LimitArgs {
    /// The flag, else the config's `max_file_size`, else the default.
    fn max_file_size(&self, config: &Config) -> u64 {
        self.max_file_size
            .or(config.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }

    /// The archive limits: the depth from the flag, the rest their defaults.
    fn archives(&self) -> ArchiveLimits {
        ArchiveLimits {
            max_depth: self.max_archive_depth,
            ..ArchiveLimits::default()
        }
    }
}

#[derive(Debug, Args)]
struct ScanArgs {
    /// Files and directories to scan; `-` reads standard input.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// The name standard input (`-`) is reported under, and matched by rules as.
    #[arg(long, value_name = "NAME", default_value = plainsight::source::fs::DEFAULT_STDIN_NAME)]
    stdin_name: String,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// Do not honour .gitignore, .ignore and git exclude files.
    #[arg(long)]
    no_ignore: bool,
    /// Scan dotfiles (the default; accepted for familiarity).
    #[arg(long, hide = true)]
    hidden: bool,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(long, short = 'L')]
    follow: bool,
}

#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools)]
struct GitArgs {
    /// The repository (any path inside its work tree, or a bare repository).
    #[arg(default_value = ".")]
    repo: PathBuf,
    /// Scan the history of every ref and HEAD (the default).
    #[arg(long, conflicts_with_all = ["branch", "range", "staged"])]
    all: bool,
    /// Scan the history of this branch (or any revision) only.
    #[arg(long, value_name = "REF", conflicts_with_all = ["range", "staged"])]
    branch: Option<String>,
    /// Only commits after this one (not reachable from it).
    #[arg(long, value_name = "SHA", conflicts_with_all = ["range", "staged"])]
    since_commit: Option<String>,
    /// Only commits reachable from B and not from A, as a pull request's CI job wants.
    #[arg(long, value_name = "A..B", conflicts_with = "staged")]
    range: Option<String>,
    /// Scan the staged change (the index against HEAD) and report only lines it adds;
    /// the working tree is never read. For pre-commit hooks.
    #[arg(long)]
    staged: bool,
    /// Scan only the blobs in shard I of N (0-based, by object id); first commits and
    /// other locations still come from the whole history. `plainsight merge` joins the
    /// N JSON reports into what one run reports.
    #[arg(long, value_name = "I/N", conflicts_with = "staged")]
    shard: Option<git::Shard>,
    #[command(flatten)]
    out: OutputArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Args)]
struct MergeArgs {
    /// JSON reports (`--format json`) of the same scan: its shards, or repeated runs.
    #[arg(required = true, value_name = "REPORT.json")]
    reports: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 only for findings at or above this severity (default: any finding).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<SeverityArg>,
    /// List every skipped file in the text report.
    #[arg(long, short)]
    verbose: bool,
    /// Color the text report.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
}

#[derive(Debug, Args)]
struct InstallHookArgs {
    /// The repository (any path inside its work tree).
    #[arg(default_value = ".")]
    repo: PathBuf,
    /// Replace an existing pre-commit hook.
    #[arg(long)]
    force: bool,
}

/// Parse the command line and run it; the exit code follows plainsight's contract:
/// 0 no findings, 1 findings, 2 error.
pub fn run() -> Result<ExitCode> {
    let matches = Cli::command().version(version()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Baseline { command } => baseline(command),
        Command::Config {
            command: ConfigCommand::Check { config, path },
        } => config_check(config.as_deref(), &path),
        Command::Import(args) => import_from(&args),
        Command::Completions { shell } => {
            let mut out = io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "plainsight", &mut out);
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = io::stdout().lock();
            clap_mangen::Man::new(Cli::command().version(version()))
                .render(&mut out)
                .context("cannot write the man page")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { what } => {
            let schema = match what {
                SchemaArg::Report => report::schema::REPORT_SCHEMA,
                SchemaArg::Inventory => report::inventory::INVENTORY_SCHEMA,
            };
            io::stdout().lock().write_all(schema.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Inventory(args) => inventory(&args),
        Command::Scan(args) => scan(args),
        Command::Git(args) => git(args),
        Command::Merge(args) => merge(&args),
        Command::InstallHook(args) => install_hook(&args),
        Command::Rules { command } => match command {
            RulesCommand::List { format } => list_rules(format),
            RulesCommand::Check { files } => check_rules(&files),
        },
    }
}

/// A scanning command's flags, config file and defaults, resolved once (as ripgrep's
/// `HiArgs`): the scanner to run and how to report what it finds. Nothing after this
/// looks at the raw arguments again.
struct Settings {
    /// Lives until the process exits: freeing the rules' hundreds of thousands of
    /// allocations one by one at exit cost a pre-commit check more than a millisecond
    /// for nothing, since the kernel takes the memory back at once.
    scanner: &'static Scanner,
    report: ReportSettings,
    /// [`Scanner::rule_set_digest`] of the scanner, config and suppression files, for the
    /// one format that records it (JSON): hashing every rule costs more than the rest of
    /// a pre-commit check's start-up, so other formats do not pay for it.
    rule_set: Option<String>,
}

/// How the report is written and what exit code it makes.
struct ReportSettings {
    format: Format,
    options: ReportOptions,
    /// Findings at or above this severity exit 1.
    fail_on: Severity,
    sink: Sink,
}

/// Which rules a command runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleChoice {
    /// `scan` and `git`: the credential rules the config asks for.
    Scan,
    /// `inventory`: those, public identifiers always, and the endpoint rules.
    Inventory,
}

/// What only a filesystem scan has.
struct WalkSettings {
    respect_ignore: bool,
    follow_links: bool,
    stdin_name: String,
}

impl Settings {
    /// Resolve flags against the config found at `base` (or `--config`) and the
    /// defaults; the output is opened here, so an unwritable path fails before scanning.
    fn resolve(
        out: &OutputArgs,
        limits: &LimitArgs,
        base: &Path,
        start: &Path,
        walk: Option<WalkSettings>,
        choice: RuleChoice,
    ) -> Result<Settings> {
        let sink = open_output(out.output.as_deref())?;
        let (config, mut rules) = load_config(out.config.as_deref(), start, choice)?;
        if out.stand_ins {
            rules.set_report_stand_ins(true);
        }
        let config_file = config.file.clone().map(PathBuf::from);
        let mut err = io::stderr().lock();
        for w in &config.warnings {
            let _ = writeln!(err, "plainsight: warning: {w}");
        }
        drop(err);
        let mut options = ScanOptions {
            threads: limits.threads.unwrap_or(0),
            max_file_size: limits.max_file_size(&config),
            exclude: exclusions(&config, base),
            archives: limits.archives(),
            decode_depth: limits.max_decode_depth,
            ..ScanOptions::default()
        };
        if let Some(w) = walk {
            options.respect_ignore = w.respect_ignore;
            options.follow_links = w.follow_links;
            options.stdin_name = w.stdin_name;
        }
        load_suppressions(out, base, config, &mut options)?;
        // Everything read from files that changes what is found or hidden.
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        let files = [
            config_file,
            out.baseline.clone(),
            Some(base.join(IGNORE_FILE)),
            Some(base.join(GITLEAKS_IGNORE_FILE)),
        ];
        for f in files.iter().flatten() {
            // Only regular files of a sane size: each was already read (bounded) to
            // load it, and a FIFO (`--config <(…)`) cannot be read twice.
            let regular = std::fs::metadata(f).is_ok_and(|m| m.is_file() && m.len() <= 64 << 20);
            if regular {
                inputs.push(std::fs::read(f).unwrap_or_default());
            }
        }
        let scanner: &'static Scanner = Box::leak(Box::new(Scanner::new(rules, options)?));
        let inputs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        let rule_set =
            matches!(out.format, FormatArg::Json).then(|| scanner.rule_set_digest(&inputs));
        let report = report_settings(
            out.format,
            out.show_secrets,
            (out.color, out.verbose),
            out.fail_on,
            sink,
        );
        Ok(Settings {
            scanner,
            report,
            rule_set,
        })
    }
}

/// How to write a report and which findings fail the run, from the flags that say so.
fn report_settings(
    format: FormatArg,
    show_secrets: bool,
    (color, verbose): (ColorArg, bool),
    fail_on: Option<SeverityArg>,
    sink: Sink,
) -> ReportSettings {
    let to_tty = matches!(sink, Sink::Stdout) && io::stdout().is_terminal();
    ReportSettings {
        format: match format {
            FormatArg::Text => Format::Text,
            FormatArg::Json => Format::Json,
            FormatArg::Sarif => Format::Sarif,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Gitlab => Format::Gitlab,
        },
        options: ReportOptions {
            show_secrets,
            color: match color {
                ColorArg::Always => true,
                ColorArg::Never => false,
                ColorArg::Auto => to_tty && std::env::var_os("NO_COLOR").is_none(),
            },
            verbose,
        },
        fail_on: fail_on.map_or(Severity::Note, |s| match s {
            SeverityArg::Note => Severity::Note,
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Error => Severity::Error,
        }),
        sink,
    }
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let settings = prepare_scan(&args)?;
    if settings.report.format == Format::Jsonl {
        return scan_streaming(settings.scanner, &args.paths, settings.report);
    }
    let mut report = run_scan(settings.scanner, &args.paths)?;
    report.rule_set = settings.rule_set;
    finish(&report, settings.report, None)
}

/// Check the paths exist and resolve a filesystem scan's settings.
fn prepare_scan(args: &ScanArgs) -> Result<Settings> {
    let base = fs_base(&args.paths)?;
    // The config is looked for from the scanned path up, whatever the report base.
    let start = match args.paths.first() {
        Some(p) if p.as_os_str() != "-" => p.clone(),
        _ => PathBuf::from("."),
    };
    let walk = WalkSettings {
        respect_ignore: !args.no_ignore,
        follow_links: args.follow,
        stdin_name: args.stdin_name.clone(),
    };
    Settings::resolve(
        &args.out,
        &args.limits,
        &base,
        &start,
        Some(walk),
        RuleChoice::Scan,
    )
}

/// Check the paths of a filesystem scan exist; the report base is the single
/// directory given, else the current directory.
fn fs_base(paths: &[PathBuf]) -> Result<PathBuf> {
    for p in paths {
        if p.as_os_str() != "-" && std::fs::symlink_metadata(p).is_err() {
            bail!("no such file or directory: {}", p.display());
        }
    }
    Ok(match paths {
        [one] if one.is_dir() => one.clone(),
        _ => PathBuf::from("."),
    })
}

/// Scan `paths`, with a progress spinner on a terminal.
fn run_scan(scanner: &Scanner, paths: &[PathBuf]) -> Result<ScanReport> {
    let progress = Progress::default();
    let report = std::thread::scope(|s| {
        s.spawn(|| show_progress(&progress));
        let r = scanner.scan_paths(paths, &progress);
        progress.done.store(true, Ordering::Relaxed);
        r
    })?;
    Ok(report)
}

/// `plainsight 0.1.0 (492 rules)`: the count says which rules a binary carries.
/// Counting parses the built-in rules, so it is done only when the version is shown.
fn version() -> &'static str {
    static LONG: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let shown = std::env::args_os()
        .skip(1)
        .any(|a| a == "--version" || a == "-V" || a == "man");
    if !shown {
        return env!("CARGO_PKG_VERSION");
    }
    LONG.get_or_init(|| match rules::builtin::load() {
        Ok(r) => format!("{} ({} rules)", env!("CARGO_PKG_VERSION"), r.len()),
        Err(_) => env!("CARGO_PKG_VERSION").to_string(),
    })
}

/// `--format jsonl`: findings are written while the scan runs and never held, so memory
/// does not grow with their number.
fn scan_streaming(
    scanner: &Scanner,
    paths: &[PathBuf],
    settings: ReportSettings,
) -> Result<ExitCode> {
    let opts = ReportOptions {
        color: false,
        ..settings.options
    };
    let (out, path): (Box<dyn Write + Send>, Option<PathBuf>) = match settings.sink {
        Sink::Stdout => (Box::new(BufWriter::new(io::stdout())), None),
        Sink::File(path, f) => (Box::new(BufWriter::new(f)), Some(path)),
    };
    let stream = report::jsonl::StreamWriter::new(out, opts);
    let progress = Progress::default();
    let report = std::thread::scope(|s| {
        s.spawn(|| show_progress(&progress));
        let r = scanner.scan_paths_streaming(paths, &progress, &stream);
        progress.done.store(true, Ordering::Relaxed);
        r
    })?;
    let worst = stream.worst_severity();
    match stream.finish(&report) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => {
            let to = path.map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
            return Err(e).context(format!("cannot write {to}"));
        }
    }
    if let Some(p) = &path {
        let s = &report.stats;
        let _ = writeln!(
            io::stderr(),
            "scanned {} file{}, skipped {}; {} finding{} written to {}",
            s.files_scanned,
            if s.files_scanned == 1 { "" } else { "s" },
            s.skipped_total(),
            s.findings,
            if s.findings == 1 { "" } else { "s" },
            p.display()
        );
    }
    Ok(if worst.is_some_and(|w| w >= settings.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn git(args: GitArgs) -> Result<ExitCode> {
    let repo = git::Repo::discover(&args.repo)?;
    let base = repo.root().to_path_buf();
    let settings = Settings::resolve(
        &args.out,
        &args.limits,
        &base,
        &base,
        None,
        RuleChoice::Scan,
    )?;
    let scanner = settings.scanner;
    let scan = if args.staged {
        repo.scan_staged(scanner)?
    } else {
        let history = if let Some(range) = &args.range {
            git::HistoryOptions::range(range)?
        } else {
            git::HistoryOptions {
                tips: args
                    .branch
                    .clone()
                    .map_or(git::Tips::AllRefs, |b| git::Tips::Revisions(vec![b])),
                exclude: args.since_commit.iter().cloned().collect(),
                shard: None,
            }
        };
        let history = git::HistoryOptions {
            shard: args.shard,
            ..history
        };
        repo.scan_history(scanner, &history)?
    };
    let mut report = scan.report;
    report.rule_set = settings.rule_set;
    finish(&report, settings.report, Some(&scan.vcs))
}

/// `plainsight merge`: read every report first (so a bad one fails before anything is
/// written), fold them, then report as a scan does, with the same exit codes.
fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let reports = args
        .reports
        .iter()
        .map(|p| plainsight::merge::read_report(p))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let merged = plainsight::merge::merge(reports)?;
    let sink = open_output(args.output.as_deref())?;
    let settings = report_settings(
        args.format,
        false,
        (args.color, args.verbose),
        args.fail_on,
        sink,
    );
    let vcs = merged.vcs.clone();
    finish(&merged, settings, vcs.as_ref())
}

fn install_hook(args: &InstallHookArgs) -> Result<ExitCode> {
    let repo = git::Repo::discover(&args.repo)?;
    let outcome = git::install_hook(&repo, args.force)?;
    let mut out = io::stdout().lock();
    match outcome {
        git::HookOutcome::Installed(path) => writeln!(
            out,
            "installed {}: each commit now runs `plainsight git --staged`",
            path.display()
        )?,
        git::HookOutcome::Replaced(path) => writeln!(
            out,
            "replaced the existing {} (--force): each commit now runs `plainsight git --staged`",
            path.display()
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Load the config (explicit, or discovered from `start` up) and build the rule set it
/// asks for.
fn load_config(
    explicit: Option<&Path>,
    start: &Path,
    choice: RuleChoice,
) -> Result<(Config, RuleSet)> {
    let mut config = match explicit {
        Some(path) => Config::load(path)?,
        None => ConfigSource::discover(start).load()?,
    };
    let mut builtin = rules::builtin::load()?;
    if choice == RuleChoice::Inventory {
        // Identifiers and endpoint uses show which vendors receive data.
        config.report_public_identifiers = true;
        builtin.extend(rules::builtin::endpoints()?);
    }
    let set = config.rule_set(builtin)?;
    Ok((config, set))
}

/// The config's excluded paths, plus the config file itself when it lies in the scanned
/// tree: it holds patterns and rule examples that look like secrets by design, and
/// configuration, not code, so it is skipped as `excluded` rather than reported.
fn exclusions(config: &Config, base: &Path) -> Vec<String> {
    let mut out = config.allow_paths.clone();
    let inside = config.file.as_ref().and_then(|f| {
        let file = std::fs::canonicalize(f).ok()?;
        let base = std::fs::canonicalize(base).ok()?;
        let rel = file.strip_prefix(&base).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    });
    out.extend(inside.map(|rel| globset::escape(&rel)));
    out
}

/// Every suppression a scan applies: `.plainsightignore` and `.gitleaksignore` in the
/// scan root, `--baseline`, and the config's allowlists and rule examples.
fn load_suppressions(
    out: &OutputArgs,
    base: &Path,
    config: Config,
    options: &mut ScanOptions,
) -> Result<()> {
    let ignore = base.join(IGNORE_FILE);
    if ignore.is_file() {
        options.ignored = load_ignore_file(&ignore)?;
    }
    let s = &mut options.suppressions;
    let gitleaks_ignore = base.join(GITLEAKS_IGNORE_FILE);
    if gitleaks_ignore.is_file() {
        s.gitleaks_ignore = IgnoreList::load(&gitleaks_ignore)?;
    }
    if let Some(b) = &out.baseline {
        s.baseline = Baseline::load(b)?;
    }
    s.allowlists = config.allowlists;
    s.rule_paths = config.rule_paths;
    Ok(())
}

/// What `plainsight baseline` does with the current findings.
#[derive(Clone, Copy)]
enum BaselineOp {
    Create,
    Update,
    Prune,
}

fn baseline(command: BaselineCommand) -> Result<ExitCode> {
    let (op, mut args) = match command {
        BaselineCommand::Create(a) => (BaselineOp::Create, a),
        BaselineCommand::Update(a) => (BaselineOp::Update, a),
        BaselineCommand::Prune(a) => (BaselineOp::Prune, a),
    };
    // The baseline being written must not hide the findings it is made of.
    args.scan.out.baseline = None;
    let settings = prepare_scan(&args.scan)?;
    let report = run_scan(settings.scanner, &args.scan.paths)?;
    let file = &args.file;
    let existing = || -> Result<Baseline> {
        Ok(if file.exists() {
            Baseline::load(file)?
        } else {
            Baseline::default()
        })
    };
    let (baseline, message) = match op {
        BaselineOp::Create => {
            let b = Baseline::from_findings(&report.findings);
            let m = format!("{} entries", b.len());
            (b, m)
        }
        BaselineOp::Update => {
            let mut b = existing()?;
            let added = b.update(&report.findings);
            let m = format!("{added} added, {} entries in all", b.len());
            (b, m)
        }
        BaselineOp::Prune => {
            let mut b = existing()?;
            let pruned = b.prune(&report.findings);
            let m = format!(
                "pruned {pruned} entr{} whose finding is gone, {} kept",
                if pruned == 1 { "y" } else { "ies" },
                b.len()
            );
            (b, m)
        }
    };
    std::fs::write(file, baseline.to_json())
        .with_context(|| format!("cannot write {}", file.display()))?;
    writeln!(io::stdout().lock(), "{}: {message}", file.display())?;
    Ok(ExitCode::SUCCESS)
}

fn config_check(explicit: Option<&Path>, path: &Path) -> Result<ExitCode> {
    if std::fs::symlink_metadata(path).is_err() {
        bail!("no such file or directory: {}", path.display());
    }
    let (config, set) = load_config(explicit, path, RuleChoice::Scan)?;
    set.compile_all()?;
    let mut out = io::stdout().lock();
    write!(out, "{}", config.describe(&set))?;
    writeln!(out, "ok: the configuration is valid")?;
    Ok(ExitCode::SUCCESS)
}

fn import_from(args: &ImportArgs) -> Result<ExitCode> {
    let outcome = match args.from {
        ImportFrom::Gitleaks => {
            let mut outcome = import::gitleaks(&args.path, args.force)?;
            import_gitleaks_ignore(&args.path, &mut outcome)?;
            outcome
        }
        ImportFrom::DetectSecrets => import::detect_secrets(&args.path)?,
    };
    let mut out = io::stdout().lock();
    for w in &outcome.written {
        writeln!(out, "wrote {}", w.display())?;
    }
    for n in &outcome.not_converted {
        writeln!(out, "not converted: {n}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `.gitleaksignore` names places, not secrets: scan `dir` with the configuration just
/// written (the ignore file not applied) and turn the entries naming a finding into
/// baseline entries.
fn import_gitleaks_ignore(dir: &Path, outcome: &mut import::Outcome) -> Result<()> {
    let file = dir.join(GITLEAKS_IGNORE_FILE);
    if !file.is_file() {
        return Ok(());
    }
    let ignore = IgnoreList::load(&file)?;
    let (config, rules) = load_config(None, dir, RuleChoice::Scan)?;
    let mut options = ScanOptions {
        exclude: exclusions(&config, dir),
        ..ScanOptions::default()
    };
    options.suppressions.allowlists = config.allowlists;
    options.suppressions.rule_paths = config.rule_paths;
    let report =
        Scanner::new(rules, options)?.scan_paths(&[dir.to_path_buf()], &Progress::default())?;
    let dest = dir.join(BASELINE_FILE);
    let mut baseline = if dest.exists() {
        Baseline::load(&dest)?
    } else {
        Baseline::default()
    };
    let unmatched = import::gitleaks_ignore_into_baseline(&ignore, &report.findings, &mut baseline);
    std::fs::write(&dest, baseline.to_json())
        .with_context(|| format!("cannot write {}", dest.display()))?;
    outcome.written.push(dest);
    for e in unmatched {
        outcome.not_converted.push(format!(
            "{GITLEAKS_IGNORE_FILE}: `{e}` names no finding in the tree (a history entry, or a line that changed); {GITLEAKS_IGNORE_FILE} stays honoured as it is"
        ));
    }
    Ok(())
}

/// Where the report goes; opened before scanning so an unwritable path fails fast.
enum Sink {
    Stdout,
    File(PathBuf, File),
}

fn open_output(path: Option<&Path>) -> Result<Sink> {
    match path {
        None => Ok(Sink::Stdout),
        Some(p) => {
            let f = File::create(p).with_context(|| format!("cannot write {}", p.display()))?;
            Ok(Sink::File(p.to_path_buf(), f))
        }
    }
}

/// Write the report and pick the exit code; `vcs` is the repository state a git scan
/// covered (SARIF records it).
fn finish(
    report: &ScanReport,
    settings: ReportSettings,
    vcs: Option<&VersionControl>,
) -> Result<ExitCode> {
    let (format, opts) = (settings.format, settings.options);
    let written = match settings.sink {
        Sink::Stdout => {
            let mut w = BufWriter::new(io::stdout().lock());
            write_report(format, report, opts, vcs, &mut w).and_then(|()| w.flush())
        }
        Sink::File(path, f) => {
            let mut w = BufWriter::new(f);
            write_report(format, report, opts, vcs, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
            if format != Format::Text {
                // Keep people informed when the report went to a file.
                let summary = report::text::summary(report, true);
                let _ = writeln!(io::stderr(), "{summary}");
            }
            Ok(())
        }
    };
    match written {
        Ok(()) => {}
        // `plainsight scan | head -1`: the reader left; that is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write report"),
    }
    let failing = report
        .findings
        .iter()
        .any(|f| f.severity >= settings.fail_on);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_report(
    format: Format,
    report: &ScanReport,
    opts: ReportOptions,
    vcs: Option<&VersionControl>,
    w: &mut dyn Write,
) -> io::Result<()> {
    match (format, vcs) {
        (Format::Sarif, Some(vcs)) => report::sarif::write_with_vcs(report, opts, Some(vcs), w),
        _ => report::write(format, report, opts, w),
    }
}

/// A spinner on stderr, only when stderr is a terminal and the scan passes a second.
fn show_progress(progress: &Progress) {
    if !io::stderr().is_terminal() {
        return;
    }
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(100));
        if progress.done.load(Ordering::Relaxed) {
            return;
        }
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    while !progress.done.load(Ordering::Relaxed) {
        let files = progress.files.load(Ordering::Relaxed);
        let mib = progress.bytes.load(Ordering::Relaxed) >> 20;
        bar.set_message(format!("{files} files, {mib} MiB scanned"));
        bar.tick();
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

fn list_rules(format: ListFormat) -> Result<ExitCode> {
    let rules = rules::builtin::load()?;
    let mut out = BufWriter::new(io::stdout().lock());
    let res = match format {
        ListFormat::Json => {
            let infos: Vec<_> = rules.iter().map(|r| r.info.as_ref()).collect();
            serde_json::to_writer_pretty(&mut out, &infos)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        ListFormat::Markdown => {
            out.write_all(rules::catalogue::providers_markdown(&rules).as_bytes())
        }
        ListFormat::Text => rules
            .iter()
            .try_for_each(|r| {
                let i = &r.info;
                let public = if i.public_identifier {
                    "  (public identifier: off by default)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<44} {:<18} {:<19} {:<17} {:<8} {:<10} {}{public}",
                    i.id,
                    i.provider,
                    i.category.as_str(),
                    i.kind.as_str(),
                    i.severity,
                    i.precision.as_str(),
                    i.name
                )
            })
            .and_then(|()| writeln!(out, "\n{}", rules::catalogue::Coverage::of(&rules))),
    };
    match res.and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("cannot write rule list"),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn check_rules(files: &[PathBuf]) -> Result<ExitCode> {
    let mut all = Vec::new();
    for f in files {
        let text = plainsight::read::read_user_file(f, plainsight::read::SMALL_FILE_LIMIT)?;
        all.extend(rules::parse(&f.display().to_string(), &text)?);
    }
    let outcome = check::check(RuleSet::new(all)?)?;
    let mut out = io::stdout().lock();
    for failure in &outcome.failures {
        writeln!(out, "FAIL {failure}")?;
    }
    writeln!(
        out,
        "{} rules, {} examples checked: {} passed, {} failed",
        outcome.rules,
        outcome.examples,
        outcome.examples - outcome.failures.len(),
        outcome.failures.len()
    )?;
    Ok(if outcome.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `plainsight inventory`: the same scanner and sources as `scan` and `git`, with the
/// inventory's rule set, regrouped by vendor.
fn inventory(args: &InventoryArgs) -> Result<ExitCode> {
    let out = OutputArgs {
        format: FormatArg::Text,
        output: args.output.clone(),
        show_secrets: false,
        fail_on: None,
        config: args.config.clone(),
        baseline: args.baseline.clone(),
        verbose: false,
        stand_ins: false,
        color: ColorArg::Never,
    };
    let (report, facts, settings) = if args.git {
        let path = match args.paths.as_slice() {
            [one] => one.clone(),
            _ => bail!("inventory --git takes one repository"),
        };
        let repo = git::Repo::discover(&path)?;
        let base = repo.root().to_path_buf();
        let settings = Settings::resolve(
            &out,
            &args.limits,
            &base,
            &base,
            None,
            RuleChoice::Inventory,
        )?;
        check_vendor(settings.scanner, args.vendor.as_deref())?;
        let scan = repo.scan_history(settings.scanner, &git::HistoryOptions::default())?;
        let facts = repo.history_facts(settings.scanner, &scan.report)?;
        (scan.report, Some(facts), settings)
    } else {
        let base = fs_base(&args.paths)?;
        let start = args
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        let walk = WalkSettings {
            respect_ignore: !args.no_ignore,
            follow_links: false,
            stdin_name: plainsight::source::fs::DEFAULT_STDIN_NAME.to_string(),
        };
        let settings = Settings::resolve(
            &out,
            &args.limits,
            &base,
            &start,
            Some(walk),
            RuleChoice::Inventory,
        )?;
        check_vendor(settings.scanner, args.vendor.as_deref())?;
        let report = run_scan(settings.scanner, &args.paths)?;
        (report, None, settings)
    };
    let inv = plainsight::inventory::build(&report, facts.as_ref(), args.vendor.as_deref());
    let format = match args.format {
        InventoryFormatArg::Text => report::inventory::InventoryFormat::Text,
        InventoryFormatArg::Json => report::inventory::InventoryFormat::Json,
        InventoryFormatArg::Markdown => report::inventory::InventoryFormat::Markdown,
        InventoryFormatArg::Html => report::inventory::InventoryFormat::Html,
    };
    let written = match settings.report.sink {
        Sink::Stdout => {
            let mut w = BufWriter::new(io::stdout().lock());
            report::inventory::write(format, &inv, &mut w).and_then(|()| w.flush())
        }
        Sink::File(path, f) => {
            let mut w = BufWriter::new(f);
            report::inventory::write(format, &inv, &mut w)
                .and_then(|()| w.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    };
    match written {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e).context("cannot write inventory"),
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// `--vendor` must name a vendor the rules know; the error lists them.
fn check_vendor(scanner: &Scanner, vendor: Option<&str>) -> Result<()> {
    let Some(v) = vendor else { return Ok(()) };
    let known = plainsight::inventory::known_vendors(scanner.rules().rules());
    if known.iter().any(|k| k.eq_ignore_ascii_case(v)) {
        return Ok(());
    }
    bail!("unknown vendor `{v}`; known vendors: {}", known.join(", "))
}
