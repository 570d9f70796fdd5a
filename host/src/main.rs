//! The `bosun` command: parse arguments into a request, run it, render the
//! report, pick the exit code. The work lives in the library.

mod cli;
mod progress;

use bosun::report::{self, TableOptions};
use bosun::{CancelToken, ErrorKind, Scanner};
use clap::Parser;
use cli::{Cli, Command, Format, LintArgs, ReportArgs, SbomArgs, ScanArgs};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Exit codes (also in the README).
mod exit {
    /// The scan completed and no finding reached `--fail-on`.
    pub const OK: u8 = 0;
    /// bosun could not scan: a bad source, a bad option, a plugin that will not load.
    pub const ERROR: u8 = 2;
    /// The scan finished but parts of the image were not analysed (see the report's diagnostics).
    pub const INCOMPLETE: u8 = 3;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Lint(args) => lint(*args),
        Command::Sbom(args) => sbom(*args),
        Command::Plugins(args) => list_plugins(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("bosun: {}", report::escape(&format!("{err:#}")));
            ExitCode::from(exit::ERROR)
        }
    }
}

fn scan(args: ScanArgs) -> anyhow::Result<u8> {
    let request = args.request()?;
    let scanner = Scanner::new(args.scanner_options()?)?;
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let progress = progress::Bar::new(show_progress);
    let cancel = CancelToken::new();
    let report = match scanner.scan(&request, &cancel, &progress) {
        Ok(report) => report,
        Err(err) if err.kind() == ErrorKind::Cancelled => anyhow::bail!("{err}"),
        Err(err) => return Err(err.into()),
    };
    progress.finish();
    deliver(report, &args.report)
}

fn sbom(args: SbomArgs) -> anyhow::Result<u8> {
    let request = args.request()?;
    let scanner = Scanner::new(args.engine.scanner_options()?)?;
    let progress = progress::Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let report = scanner.scan(&request, &CancelToken::new(), &progress)?;
    progress.finish();
    deliver(report, &args.report_args())
}

fn lint(args: LintArgs) -> anyhow::Result<u8> {
    let request = args.request()?;
    let scanner = Scanner::new(args.engine.scanner_options()?)?;
    let report = scanner.lint(&request, &CancelToken::new())?;
    deliver(report, &args.report)
}

/// Filter, render and write a report; pick the exit code.
fn deliver(mut report: bosun::report::ScanReport, args: &ReportArgs) -> anyhow::Result<u8> {
    if let Some(min) = args.severity {
        report.retain_min_severity(min.into());
    }
    let rendered = match args.format {
        Format::Table => {
            report::to_table(&report, TableOptions { color: args.output.is_none() && std::io::stdout().is_terminal() })
        }
        Format::Json => report::to_json(&report),
        Format::Sarif => report::to_sarif(&report),
        Format::Cyclonedx => report::to_cyclonedx(&report),
        Format::Spdx => report::to_spdx(&report, &report::now_rfc3339()),
    };
    match &args.output {
        Some(path) => write_atomically(path, rendered.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(rendered.as_bytes())?;
            stdout.flush()?;
        }
    }
    if let Some(code) = args.exit_code {
        let threshold = args.fail_on.map(Into::into).unwrap_or(bosun::plugin::wit::Severity::Unknown);
        if report.has_finding_at_or_above(threshold) {
            return Ok(code);
        }
    }
    Ok(if report.complete { exit::OK } else { exit::INCOMPLETE })
}

/// Write the whole report or nothing: a crash never leaves half a report behind.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().ok_or_else(|| anyhow::anyhow!("{}: not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.bosun-tmp-{}", name.to_string_lossy(), std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|err| anyhow::anyhow!("{}: {err}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
    Ok(())
}

fn list_plugins(args: &cli::PluginsArgs) -> anyhow::Result<u8> {
    let scanner = Scanner::new(args.engine.scanner_options()?)?;
    let infos = scanner.describe_plugins(&args.plugin)?;
    let mut out = String::new();
    for info in infos {
        out.push_str(&format!(
            "{:<14} {:<8} {}\n",
            report::escape(&info.id),
            report::escape(&info.version),
            report::escape(&info.description)
        ));
    }
    print!("{out}");
    Ok(exit::OK)
}
