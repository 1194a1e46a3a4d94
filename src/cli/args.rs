//! Raw command-line arguments, as clap parses them: the low-level view. `resolve`
//! turns them once into the engine's requests and configs; nothing else sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "netaccept",
    version,
    about = "Network interconnection and system acceptance testing",
    long_about = format!(
        "Network interconnection and system acceptance testing for the national \
work-safety network: YAML inventories describe the nodes, YAML suites the checks.\n\n{}",
        crate::exit::Exit::help()
    )
)]
pub struct Cli {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// A flag's value from the environment (`NETACCEPT_QUIET=1`): `1`, `true`, `yes`, `on` (and
/// `0`, `false`, `no`, `off`), as a systemd unit or a cron line writes it; on the command
/// line the flag takes no value.
fn boolish() -> clap::builder::BoolishValueParser {
    clap::builder::BoolishValueParser::new()
}

/// The help's heading of the flags every command takes, apart from the command's own.
const GLOBAL: &str = "Global options";

/// How the terminal output looks, for every command: `--color`, `-q`, `-v`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Colour on the terminal: auto (only on a terminal, and not when NO_COLOR is set and not
    /// empty), always (even with NO_COLOR), never. Machine output (--format json, reports) never
    /// has colour
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        global = true,
        help_heading = GLOBAL,
        env = "NETACCEPT_COLOR"
    )]
    pub color: ColorArg,
    /// Only the verdict line (and errors): no progress, no summary, no warnings
    #[arg(
        short,
        long,
        global = true,
        help_heading = GLOBAL,
        env = "NETACCEPT_QUIET",
        value_parser = boolish()
    )]
    pub quiet: bool,
    /// Logs on stderr: -v info, -vv debug, -vvv trace; without it, the filter in NETACCEPT_LOG,
    /// else RUST_LOG (e.g. netaccept=debug), else none
    #[arg(
        short,
        long,
        action = clap::ArgAction::Count,
        global = true,
        help_heading = GLOBAL,
        env = "NETACCEPT_VERBOSE"
    )]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an inventory (and a suite and waivers) and report every problem at once; no traffic
    Validate(ValidateArgs),
    /// List the planned (node, check, app) items
    Plan(PlanArgs),
    /// Run the checks, show progress, print a summary and write the reports
    Run(RunArgs),
    /// Render the reports again from a results file; no traffic
    Report(ReportArgs),
    /// Merge the bundles of several runs (vantages, shards) into one record; no traffic
    Merge(MergeArgs),
    /// Serve an inventory's hosts and app endpoints on loopback, with faults on request
    Sim(SimArgs),
    /// Start the simulator on the bundled demo network and run the acceptance suite against it
    Demo(DemoArgs),
    /// Print the JSON Schema of an input file, for editor completion
    Schema(SchemaArgs),
    /// Make a minisign key pair for signing bundles: NAME.key (unencrypted, mode 0600) and NAME.pub
    Keygen(KeygenArgs),
    /// Check a bundle (an output folder): every file against SHA256SUMS, and its signature
    Verify(VerifyArgs),
    /// The run history: list the recorded runs, show one node's results over time, import
    /// results files and bundles
    #[command(subcommand)]
    History(HistoryCommand),
    /// What changed between two recorded runs (default: the last two comparable ones): new
    /// failures, recoveries, still failing, flapping, regressions; exit 1 on new failures
    Diff(DiffArgs),
    /// Availability over a period from the history, per province, node, check and app, with
    /// maintenance windows excluded: a printable report
    Availability(AvailabilityArgs),
    /// Print a shell completion script (bash, zsh or fish) on stdout
    Completions(super::generate::CompletionsArgs),
    /// Write the man pages (netaccept.1, netaccept-SUB.1 per subcommand) into DIR; for packaging
    #[command(hide = true)]
    Manpages(super::generate::ManpagesArgs),
}

/// Where the history is kept, for every command that reads or writes it.
#[derive(Debug, Args)]
pub struct HistoryStoreArgs {
    // The help is an attribute: rustdoc would read `<…>` as HTML.
    #[arg(
        long = "history",
        value_name = "PATH|URL",
        env = "NETACCEPT_HISTORY",
        hide_env_values = true,
        help = "History store: a SQLite file, or a PostgreSQL URL (postgres://user@host/db) shared by several probe hosts [default: reports/history.sqlite]"
    )]
    pub history: Option<String>,
}

/// What a run (or merge) does after its checks besides the reports: the history, the
/// metrics file, the webhook.
#[derive(Debug, Args)]
pub struct AfterArgs {
    #[command(flatten)]
    pub store: HistoryStoreArgs,
    /// Do not record the run in the history (and show no changes since the last run)
    #[arg(long = "no-history", conflicts_with = "history", env = "NETACCEPT_NO_HISTORY", value_parser = boolish())]
    pub no_history: bool,
    /// Write the run's metrics to FILE in Prometheus text format (atomically), for
    /// node_exporter's textfile collector
    #[arg(long, value_name = "FILE", env = "NETACCEPT_METRICS")]
    pub metrics: Option<PathBuf>,
    /// POST a message to this webhook when something changed since the last comparable run
    /// (new failures, recoveries, flapping started or stopped); never printed (it holds a
    /// token). A webhook that is down is a warning only
    #[arg(
        long,
        value_name = "URL",
        env = "NETACCEPT_NOTIFY",
        hide_env_values = true
    )]
    pub notify: Option<String>,
    /// The message's shape: plain JSON, or a WeCom (企业微信) or DingTalk (钉钉) robot message
    #[arg(
        long = "notify-format",
        value_enum,
        default_value = "json",
        env = "NETACCEPT_NOTIFY_FORMAT"
    )]
    pub notify_format: NotifyFormatArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum NotifyFormatArg {
    Json,
    Wecom,
    Dingtalk,
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// The recorded runs, newest first, with their summaries
    List(HistoryListArgs),
    /// One node's results run by run (one link over a period)
    Show(HistoryShowArgs),
    /// Record past runs: results.json files or bundle folders (their SHA256SUMS checked),
    /// oldest first; a run already recorded is left as it is
    Import(HistoryImportArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TableFormat {
    /// `text` too: one `NETACCEPT_FORMAT` serves `run`, `plan` and `diff`.
    #[value(alias = "text")]
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct HistoryListArgs {
    #[command(flatten)]
    pub store: HistoryStoreArgs,
    /// Only runs of this suite (its id)
    #[arg(long, value_name = "ID", env = "NETACCEPT_SUITE")]
    pub suite: Option<String>,
    /// Only runs of this vantage
    #[arg(long, value_name = "ID", env = "NETACCEPT_VANTAGE")]
    pub vantage: Option<String>,
    /// Only runs with results for this node
    #[arg(long, value_name = "ID", env = "NETACCEPT_NODE")]
    pub node: Option<String>,
    /// At most this many runs
    #[arg(long, default_value_t = 30, env = "NETACCEPT_LIMIT")]
    pub limit: usize,
    #[arg(long, value_enum, default_value = "table", env = "NETACCEPT_FORMAT")]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct HistoryShowArgs {
    #[command(flatten)]
    pub store: HistoryStoreArgs,
    /// The node
    #[arg(long, value_name = "ID", required = true, env = "NETACCEPT_NODE")]
    pub node: String,
    /// Only checks whose id matches this glob
    #[arg(long, value_name = "PATTERN", env = "NETACCEPT_CHECK")]
    pub check: Option<String>,
    /// Only this app's checks
    #[arg(long, value_name = "APP", env = "NETACCEPT_APP")]
    pub app: Option<String>,
    /// Only runs of this suite
    #[arg(long, value_name = "ID", env = "NETACCEPT_SUITE")]
    pub suite: Option<String>,
    /// First day (Beijing time), e.g. 2026-01-01
    #[arg(long, value_name = "DATE", env = "NETACCEPT_FROM")]
    pub from: Option<chrono::NaiveDate>,
    /// Last day (Beijing time), included
    #[arg(long, value_name = "DATE", env = "NETACCEPT_TO")]
    pub to: Option<chrono::NaiveDate>,
    #[arg(long, value_enum, default_value = "table", env = "NETACCEPT_FORMAT")]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct HistoryImportArgs {
    #[command(flatten)]
    pub store: HistoryStoreArgs,
    /// results.json files, or bundle folders (output folders of run or merge)
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub store: HistoryStoreArgs,
    /// The earlier run (its id, or a unique prefix) [default: the run before B of B's suite and scope]
    #[arg(value_name = "A")]
    pub a: Option<String>,
    /// The later run [default: the newest run matching --suite and --vantage]
    #[arg(value_name = "B")]
    pub b: Option<String>,
    /// Only runs of this suite (for the default runs)
    #[arg(long, value_name = "ID", env = "NETACCEPT_SUITE")]
    pub suite: Option<String>,
    /// Only runs of this vantage (for the default runs)
    #[arg(long, value_name = "ID", env = "NETACCEPT_VANTAGE")]
    pub vantage: Option<String>,
    /// A time (HTTP, TCP, DNS time_ms; ICMP rtt_avg_ms) regressed when it grew by more than
    /// this, e.g. 50%
    #[arg(long, value_name = "PERCENT", default_value = "50%", value_parser = parse_percent, env = "NETACCEPT_TOLERANCE")]
    pub tolerance: f64,
    /// …and by at least this much
    #[arg(long = "min-change", value_name = "DURATION", default_value = "5ms", value_parser = crate::model::Duration::parse, env = "NETACCEPT_MIN_CHANGE")]
    pub min_change: crate::model::Duration,
    /// ICMP loss regressed when it grew by at least this many percentage points
    #[arg(
        long = "loss-points",
        value_name = "POINTS",
        default_value_t = 5.0,
        env = "NETACCEPT_LOSS_POINTS"
    )]
    pub loss_points: f64,
    #[arg(long, value_enum, default_value = "table", env = "NETACCEPT_FORMAT")]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct AvailabilityArgs {
    #[command(flatten)]
    pub store: HistoryStoreArgs,
    /// First day of the period (Beijing time), e.g. 2026-11-01
    #[arg(long, value_name = "DATE", env = "NETACCEPT_FROM")]
    pub from: chrono::NaiveDate,
    /// Last day of the period, included
    #[arg(long, value_name = "DATE", env = "NETACCEPT_TO")]
    pub to: chrono::NaiveDate,
    /// Declared maintenance windows (YAML): results inside them are not counted
    #[arg(long, value_name = "FILE", env = "NETACCEPT_MAINTENANCE")]
    pub maintenance: Option<PathBuf>,
    /// The suite (its id) [default: the only one in the store]
    #[arg(long, value_name = "ID", env = "NETACCEPT_SUITE")]
    pub suite: Option<String>,
    /// Only runs of this vantage
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "merged",
        env = "NETACCEPT_VANTAGE"
    )]
    pub vantage: Option<String>,
    /// Only merged records
    #[arg(long, env = "NETACCEPT_MERGED", value_parser = boolish())]
    pub merged: bool,
    /// Language of the printable report
    #[arg(long, value_enum, default_value = "zh", env = "NETACCEPT_LANG")]
    pub lang: LangArg,
    // The help is an attribute: rustdoc would read `<from>` as HTML.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        help = "The printable report (HTML) [default: reports/availability-<from>_<to>.html]",
        env = "NETACCEPT_OUTPUT"
    )]
    pub output: Option<PathBuf>,
    /// What to print on stdout
    #[arg(long, value_enum, default_value = "table", env = "NETACCEPT_FORMAT")]
    pub format: TableFormat,
}

/// `--tolerance 50%` (or `0.5`): a fraction.
fn parse_percent(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v = if let Some(p) = t.strip_suffix('%') {
        p.trim()
            .parse::<f64>()
            .map_err(|_| format!("`{s}`: a percentage, e.g. 50%"))?
            / 100.0
    } else {
        t.parse::<f64>()
            .map_err(|_| format!("`{s}`: a percentage, e.g. 50%"))?
    };
    if !v.is_finite() || v < 0.0 {
        return Err(format!("`{s}`: a percentage of zero or more"));
    }
    Ok(v)
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Folder to write the key pair in (made if missing)
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        env = "NETACCEPT_OUTPUT"
    )]
    pub output: PathBuf,
    /// The files' name: NAME.key and NAME.pub
    #[arg(
        long,
        value_name = "NAME",
        default_value = "netaccept",
        env = "NETACCEPT_NAME"
    )]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle: an output folder of `run`, `demo` or `report`
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Public key (minisign format) the signature must verify with; without it the files
    /// are checked and the signature is not
    #[arg(long, value_name = "PUB", env = "NETACCEPT_KEY")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Inventory: a YAML file, or a directory of them (merged)
    #[arg(
        short = 'i',
        long = "inventory",
        value_name = "INV",
        env = "NETACCEPT_INVENTORY"
    )]
    pub inventory: PathBuf,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Suite file; with it, every (node, check, app) is planned and its templates filled
    #[arg(
        short = 's',
        long = "suite",
        value_name = "SUITE",
        env = "NETACCEPT_SUITE"
    )]
    pub suite: Option<PathBuf>,
    /// Waivers file (needs --suite)
    #[arg(
        long,
        value_name = "FILE",
        requires = "suite",
        env = "NETACCEPT_WAIVERS"
    )]
    pub waivers: Option<PathBuf>,
    /// Simulator faults file, checked against the inventory
    #[arg(long, value_name = "FILE", env = "NETACCEPT_FAULTS")]
    pub faults: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PlanFormat {
    /// `text` too: one `NETACCEPT_FORMAT` serves `run`, `plan` and `diff`.
    #[value(alias = "text")]
    Table,
    Json,
}

/// What `plan` and `run` both take: the inputs and the selection.
#[derive(Debug, Args)]
pub struct PlannedArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Suite file
    #[arg(
        short = 's',
        long = "suite",
        value_name = "SUITE",
        env = "NETACCEPT_SUITE"
    )]
    pub suite: PathBuf,
    #[command(flatten)]
    pub selection: SelectionArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub planned: PlannedArgs,
    /// Print the assignment instead of the items: each vantage with the nodes and items it
    /// probes
    #[arg(long, env = "NETACCEPT_VANTAGES", value_parser = boolish())]
    pub vantages: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table", env = "NETACCEPT_FORMAT")]
    pub format: PlanFormat,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub planned: PlannedArgs,
    // The help text is an attribute, not a doc comment: rustdoc would read `<suite>` as HTML.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        help = "Output folder (new, or existing and empty) [default: reports/<suite>-<UTC timestamp>]",
        env = "NETACCEPT_OUTPUT"
    )]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Timeout of every attempt, overriding the suite's (e.g. 2s, 500ms; at most 5m)
    #[arg(long, value_parser = parse_duration, env = "NETACCEPT_TIMEOUT")]
    pub timeout: Option<crate::model::Duration>,
    /// Retries after a failed attempt, overriding the suite's (0 to 10)
    #[arg(long, value_parser = clap::value_parser!(u32).range(0..=crate::model::limits::RETRIES.max), env = "NETACCEPT_RETRIES")]
    pub retries: Option<u32>,
    /// Waivers: failures they cover (and are in force) are reported as `waived`
    #[arg(long, value_name = "FILE", env = "NETACCEPT_WAIVERS")]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub reporting: ReportingArgs,
    #[command(flatten)]
    pub after: AfterArgs,
    /// The summary on stdout: text, or one JSON document for scripts (`netaccept schema
    /// summary`), the verdict line then on stderr
    #[arg(long, value_enum, default_value = "text", env = "NETACCEPT_FORMAT")]
    pub format: SummaryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// `table` too: one `NETACCEPT_FORMAT` serves `run`, `plan` and `diff`.
    #[value(alias = "table")]
    Text,
    Json,
}

/// How much a run sends at once.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Checks in flight at once, over the whole run (ICMP checks apart)
    #[arg(long, default_value_t = crate::run::DEFAULT_CONCURRENCY, value_parser = clap::value_parser!(u32).range(1..=100_000), env = "NETACCEPT_CONCURRENCY")]
    pub concurrency: u32,
    /// Checks in flight at once against one node
    #[arg(long = "per-node", default_value_t = crate::run::DEFAULT_PER_NODE, value_parser = clap::value_parser!(u32).range(1..=10_000), env = "NETACCEPT_PER_NODE")]
    pub per_node: u32,
    /// ICMP checks in flight at once: they share one socket, so thousands cost little
    #[arg(long = "icmp-concurrency", default_value_t = crate::run::DEFAULT_ICMP_CONCURRENCY, value_parser = clap::value_parser!(u32).range(1..=100_000), env = "NETACCEPT_ICMP_CONCURRENCY")]
    pub icmp_concurrency: u32,
    /// Echoes per second that the ICMP checks in flight may send together: checks start in
    /// waves that fit, so the probe host keeps pace and its lateness is never read as loss
    #[arg(long = "icmp-rate", default_value_t = crate::run::DEFAULT_ICMP_RATE, value_parser = clap::value_parser!(u32).range(1..=10_000_000), env = "NETACCEPT_ICMP_RATE")]
    pub icmp_rate: u32,
    /// Least time between two ICMP echo requests of the run, whatever their targets, as
    /// fping's -i (e.g. 10ms); 0 sends them unpaced. With pacing, keep --icmp-concurrency
    /// near (echo interval ÷ this), or echoes queue past the checks' timeouts
    #[arg(long = "icmp-interval", value_parser = crate::model::Duration::parse, default_value = "0ms", env = "NETACCEPT_ICMP_INTERVAL")]
    pub icmp_interval: crate::model::Duration,
    /// Let an HTTP check reuse a connection a previous check of the same endpoint left open
    /// less than a second ago, as Hurl and curl do, instead of connecting anew
    #[arg(long = "reuse-connections", env = "NETACCEPT_REUSE_CONNECTIONS", value_parser = boolish())]
    pub reuse_connections: bool,
}

/// How reports look and when a run counts as failed; shared by `run` and `report`.
#[derive(Debug, Args)]
pub struct ReportingArgs {
    // The help is an attribute: rustdoc would read `<…>` as HTML.
    #[arg(
        long,
        value_enum,
        env = "NETACCEPT_LANG",
        help = "Language of the reports and of the terminal's progress and summary [default: zh for the reports; for the terminal the locale's: LC_ALL, LC_MESSAGES or LANG starting with zh gives zh, else en]"
    )]
    pub lang: Option<LangArg>,
    /// Who ran the tests, for the report's header and sign-off block; without it (and for
    /// `report`, none in the record) the sign-off's 测试人员 is a blank line for a pen
    #[arg(long, value_name = "NAME", env = "NETACCEPT_OPERATOR")]
    pub operator: Option<String>,
    /// Exit 1 only when a failed or errored check (not waived) has at least this severity
    #[arg(
        long = "fail-on",
        value_enum,
        default_value = "minor",
        env = "NETACCEPT_FAIL_ON"
    )]
    pub fail_on: SeverityArg,
    /// The HTML report's appendix of per-node results: every result, or only those that did
    /// not pass (the document says how many it leaves out)
    #[arg(long, value_enum, default_value = "all", env = "NETACCEPT_DETAILS")]
    pub details: DetailsArg,
    // The help text is an attribute, not a doc comment: rustdoc would read `<id>` as HTML.
    #[arg(
        long,
        value_enum,
        value_name = "HOW",
        help = "provincial: one HTML document per provincial-level subtree and one for the national centre (provinces/<id>.html), and report.html as the national summary linking to them",
        env = "NETACCEPT_SPLIT"
    )]
    pub split: Option<SplitArg>,
    /// Sign the bundle's SHA256SUMS with this minisign secret key (unencrypted:
    /// `netaccept keygen`, or `minisign -G -W`), writing SHA256SUMS.minisig
    #[arg(long = "sign-key", value_name = "FILE", env = "NETACCEPT_SIGN_KEY")]
    pub sign_key: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DetailsArg {
    All,
    Failures,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SplitArg {
    Provincial,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SeverityArg {
    Critical,
    Major,
    Minor,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WhichArg {
    Inventory,
    Suite,
    Waivers,
    Faults,
    // Not an input file: the document `run --format json` prints. (A `///` here would make
    // clap list every value on a line of its own.)
    Summary,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results.json written by `netaccept run`, or the journal.jsonl of a run that never
    /// wrote one (killed, powered off): its reports are made again, marked incomplete
    #[arg(value_name = "RESULTS.json")]
    pub results: PathBuf,
    /// Output folder [default: the folder of RESULTS.json or journal.jsonl]
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        env = "NETACCEPT_OUTPUT"
    )]
    pub output: Option<PathBuf>,
    /// Waivers to apply (again) to the results
    #[arg(long, value_name = "FILE", env = "NETACCEPT_WAIVERS")]
    pub waivers: Option<PathBuf>,
    #[command(flatten)]
    pub reporting: ReportingArgs,
    /// The history the run was recorded in: the HTML report shows the same changes and
    /// strips as the run's own (none when the store does not hold the run)
    #[command(flatten)]
    pub store: HistoryStoreArgs,
    /// Make the HTML report without the history section
    #[arg(long = "no-history", conflicts_with = "history", env = "NETACCEPT_NO_HISTORY", value_parser = boolish())]
    pub no_history: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The bundles: output folders of `run` (one per vantage, or per shard), in any order
    #[arg(value_name = "BUNDLE", required = true)]
    pub bundles: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    /// The suite the bundles were run with
    #[arg(
        short = 's',
        long = "suite",
        value_name = "SUITE",
        env = "NETACCEPT_SUITE"
    )]
    pub suite: PathBuf,
    /// Output folder of the merged record (new or empty)
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        env = "NETACCEPT_OUTPUT"
    )]
    pub output: PathBuf,
    /// A folder of trusted public keys (`*.pub`): every bundle must be signed by one of them
    #[arg(long, value_name = "DIR", env = "NETACCEPT_KEYS")]
    pub keys: Option<PathBuf>,
    /// Waivers to apply to the merged record
    #[arg(long, value_name = "FILE", env = "NETACCEPT_WAIVERS")]
    pub waivers: Option<PathBuf>,
    /// Merge a bundle that carries no signature (its manifest is still checked)
    #[arg(long = "allow-unsigned", env = "NETACCEPT_ALLOW_UNSIGNED", value_parser = boolish())]
    pub allow_unsigned: bool,
    #[command(flatten)]
    pub reporting: ReportingArgs,
    #[command(flatten)]
    pub after: AfterArgs,
}

/// `--timeout`: the suite's own bounds (above zero, at most `MAX_TIMEOUT`).
fn parse_duration(s: &str) -> Result<crate::model::Duration, String> {
    let d = crate::model::Duration::parse(s)?;
    if d.as_std().is_zero() {
        return Err("a timeout of zero lets no check finish".into());
    }
    let max = crate::model::limits::MAX_TIMEOUT;
    if d > max {
        return Err(format!(
            "at most {max}: a check that needs longer is not a connectivity check"
        ));
    }
    Ok(d)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    National,
    Provincial,
    Prefectural,
    County,
    Township,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Safety,
    Coal,
}

/// Selection flags, shared by `plan` and `run`. Different flags narrow together; a repeated
/// flag widens.
#[derive(Debug, Args)]
pub struct SelectionArgs {
    /// Only this node and its descendants (repeatable)
    #[arg(long = "node", value_name = "ID", env = "NETACCEPT_NODE")]
    pub nodes: Vec<String>,
    /// Only nodes of this level (repeatable)
    #[arg(long = "level", value_enum, env = "NETACCEPT_LEVEL")]
    pub levels: Vec<LevelArg>,
    /// Only nodes of this kind (repeatable)
    #[arg(long = "kind", value_enum, env = "NETACCEPT_KIND")]
    pub kinds: Vec<KindArg>,
    /// Only nodes with this tag (repeatable: any of)
    #[arg(long = "tag", value_name = "TAG", env = "NETACCEPT_TAG")]
    pub tags: Vec<String>,
    /// Only nodes hosting this app, and per-app checks of this app (repeatable)
    #[arg(long = "app", value_name = "APP", env = "NETACCEPT_APP")]
    pub apps: Vec<String>,
    /// Only checks whose id matches this glob, e.g. `net.*` (repeatable). An on-demand check
    /// (`throughput`, which loads the link) is planned only when named exactly
    #[arg(long = "check", value_name = "PATTERN", env = "NETACCEPT_CHECK")]
    pub checks: Vec<String>,
    /// Only the nodes this vantage probes: each node is probed from its nearest vantage
    /// ancestor-or-self, unless it names one with `probed_from` (`plan --vantages` lists them)
    #[arg(long = "vantage", value_name = "ID", env = "NETACCEPT_VANTAGE")]
    pub vantage: Option<String>,
    /// Only part K of N (1-based) of the selected nodes, each vantage's nodes dealt out in
    /// inventory order; a node's checks stay together. For CI matrices and Kubernetes
    /// Indexed Jobs: `--shard $((JOB_COMPLETION_INDEX+1))/N`
    #[arg(long = "shard", value_name = "K/N", env = "NETACCEPT_SHARD", value_parser = crate::plan::Shard::parse)]
    pub shard: Option<crate::plan::Shard>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[arg(value_enum)]
    pub which: WhichArg,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Inventory: every node's host must be a loopback address, or in 198.18.0.0/15
    #[arg(
        short = 'i',
        long = "inventory",
        value_name = "INV",
        env = "NETACCEPT_INVENTORY"
    )]
    pub inventory: PathBuf,
    /// Faults to play (YAML; `netaccept schema faults`)
    #[arg(long, value_name = "FILE", env = "NETACCEPT_FAULTS")]
    pub faults: Option<PathBuf>,
    /// Seed of the `flaky` faults: the same seed plays the same sequence
    #[arg(long, default_value_t = 1, env = "NETACCEPT_SEED")]
    pub seed: u64,
    /// Where to write the simulator's CA certificate, for suites' `ca:`
    #[arg(
        long = "ca-out",
        value_name = "PATH",
        default_value = "reports/sim-ca.pem",
        env = "NETACCEPT_CA_OUT"
    )]
    pub ca_out: PathBuf,
    /// Written (JSON) once every listener is bound, for scripts and tests to wait on
    #[arg(long = "ready-file", value_name = "PATH", env = "NETACCEPT_READY_FILE")]
    pub ready_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder [default: reports/demo, its previous reports replaced]
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        env = "NETACCEPT_OUTPUT"
    )]
    pub output: Option<PathBuf>,
    /// Only the nodes this vantage of the demo network probes (as `run --vantage`)
    #[arg(long = "vantage", value_name = "ID", env = "NETACCEPT_VANTAGE")]
    pub vantage: Option<String>,
    /// Only part K of N of them (as `run --shard`)
    #[arg(long = "shard", value_name = "K/N", env = "NETACCEPT_SHARD", value_parser = crate::plan::Shard::parse)]
    pub shard: Option<crate::plan::Shard>,
    #[command(flatten)]
    pub reporting: ReportingArgs,
}
