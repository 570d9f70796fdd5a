//! Command-line flags, parsed into plain values before any work starts.

use bosun::plugin::wit::Severity;
use bosun::source::Platform;
use bosun::{Limits, LintFile, LintRequest, ScanRequest, ScannerOptions};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// bosun scans container images for vulnerabilities, malware, leaked secrets
/// and risky build instructions, with detectors running as sandboxed
/// WebAssembly plugins.
#[derive(Debug, Parser)]
#[command(name = "bosun", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan an image.
    ///
    /// SOURCE is an OCI layout directory, an OCI layout tarball (oci-archive),
    /// a `docker save` tarball, or a root filesystem directory; prefix it with
    /// oci:, oci-archive:, docker-archive: or dir: to say which.
    ///
    /// Exit codes: 0 scan complete (and nothing at or above --fail-on when
    /// --exit-code is given); N (from --exit-code) a finding at or above
    /// --fail-on; 2 bosun could not scan; 3 the scan finished but parts of the
    /// image were not analysed (the report's diagnostics say which).
    Scan(Box<ScanArgs>),
    /// Lint Dockerfiles: the image-lint rules, before anything is built.
    ///
    /// FILE is a Dockerfile (or Containerfile), `-` for standard input. A
    /// `.dockerignore` next to it (or FILE.dockerignore) is looked for, to judge
    /// `COPY . .`. Exit codes as for scan.
    Lint(Box<LintArgs>),
    /// Write the image's software bill of materials: every OS and application
    /// package, as CycloneDX or SPDX JSON. Runs only the package inventory.
    Sbom(Box<SbomArgs>),
    /// List the built-in plugins (and any given with --plugin).
    Plugins(PluginsArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// Human-readable, grouped by risk class.
    Table,
    /// The versioned JSON report (schema bosun-report/1).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// CycloneDX 1.6 JSON: the package inventory as an SBOM.
    Cyclonedx,
    /// SPDX 2.3 JSON: the package inventory as an SBOM.
    Spdx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SeverityArg {
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(value: SeverityArg) -> Self {
        match value {
            SeverityArg::Unknown => Severity::Unknown,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

/// Settings of the plugin engine, shared by every subcommand.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Cache of precompiled plugins [default: $XDG_CACHE_HOME/bosun/components].
    #[arg(long, value_name = "DIR", global = true)]
    pub cache_dir: Option<PathBuf>,
    /// Compile plugins on every run instead of caching them.
    #[arg(long, global = true)]
    pub no_cache: bool,
}

impl EngineArgs {
    fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        if let Some(dir) = &self.cache_dir {
            return Some(dir.clone());
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
        Some(base.join("bosun").join("components"))
    }

    pub fn scanner_options(&self) -> anyhow::Result<ScannerOptions> {
        Ok(ScannerOptions { cache_dir: self.cache_dir(), ..ScannerOptions::default() })
    }
}

/// Which plugins run, and their options.
#[derive(Debug, Args)]
pub struct PluginArgs {
    /// Built-in scanners to run, by id, comma-separated [default: all for scan,
    /// image-lint for lint]; '' for none.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub scanners: Option<Vec<String>>,
    /// Also run the plugin component in FILE (any language); repeatable.
    #[arg(long = "plugin", value_name = "FILE.wasm")]
    pub plugins: Vec<PathBuf>,
    /// Give a plugin an option: ID:KEY=VALUE, e.g. image-lint:disable=BSN-027; repeatable.
    #[arg(long = "plugin-option", value_name = "ID:KEY=VALUE")]
    pub plugin_options: Vec<String>,
}

/// How a report is written and what exit code it gives.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: Format,
    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show only findings of this severity or worse.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub severity: Option<SeverityArg>,
    /// Exit with N when a finding at or above --fail-on exists.
    #[arg(long, value_name = "N")]
    pub exit_code: Option<u8>,
    /// The severity --exit-code reacts to [default: any finding].
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<SeverityArg>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The image to scan.
    pub source: String,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub plugins: PluginArgs,
    /// Extra secret rules (TOML, gitleaks format plus bosun's keys); same-id rules replace built-ins.
    #[arg(long, value_name = "FILE")]
    pub secret_config: Option<PathBuf>,
    /// Extra YARA rules for the malware plugin: a .yar/.yara file or a directory of them.
    #[arg(long, value_name = "DIR|FILE")]
    pub malware_rules: Vec<PathBuf>,
    /// Scan only this platform of a multi-platform image: os/arch[/variant].
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Add wall-clock timings and peak memory to the report (makes it differ run to run).
    #[arg(long)]
    pub timings: bool,
    /// Time one plugin call may take, e.g. 500ms, 10s.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub plugin_timeout: Duration,
    /// Memory one plugin instance may use, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub plugin_memory: usize,
    /// Traps (timeouts, out-of-memory, panics) after which a plugin is disabled for the scan.
    #[arg(long, value_name = "N", default_value_t = Limits::default().plugin_trap_budget)]
    pub plugin_trap_budget: u32,
    /// Files above this many bytes are not analysed.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_size)]
    pub max_file_size: u64,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub workers: usize,
    #[command(flatten)]
    pub engine: EngineArgs,
}

fn parse_platform(platform: &Option<String>) -> anyhow::Result<Option<Platform>> {
    match platform {
        Some(text) => Ok(Some(
            Platform::parse(text)
                .ok_or_else(|| anyhow::anyhow!("--platform {text:?}: expected os/arch[/variant], e.g. linux/arm64"))?,
        )),
        None => Ok(None),
    }
}

/// `ID:KEY=VALUE` options, grouped by plugin id.
fn parse_plugin_options(options: &[String]) -> anyhow::Result<BTreeMap<String, Vec<(String, String)>>> {
    let mut plugin_options: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for option in options {
        let (id, pair) = option
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("--plugin-option {option:?}: expected ID:KEY=VALUE"))?;
        let (key, value) =
            pair.split_once('=').ok_or_else(|| anyhow::anyhow!("--plugin-option {option:?}: expected ID:KEY=VALUE"))?;
        plugin_options.entry(id.to_owned()).or_default().push((key.to_owned(), value.to_owned()));
    }
    Ok(plugin_options)
}

/// `--scanners ''` runs no built-in plugin (only those given with --plugin).
fn scanner_ids(ids: &Option<Vec<String>>) -> Option<Vec<String>> {
    ids.as_ref().map(|ids| ids.iter().filter(|id| !id.is_empty()).cloned().collect())
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let value: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration like 500ms or 10s"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "s" | "" => Ok(Duration::from_secs(value)),
        "m" => Ok(Duration::from_secs(value * 60)),
        _ => Err(format!("`{text}`: use ms, s or m")),
    }
}

impl ScanArgs {
    /// The library request these flags describe.
    pub fn request(&self) -> anyhow::Result<ScanRequest> {
        let platform = parse_platform(&self.platform)?;
        let mut plugin_options = parse_plugin_options(&self.plugins.plugin_options)?;
        if let Some(path) = &self.secret_config {
            let rules = std::fs::read_to_string(path)
                .map_err(|err| anyhow::anyhow!("--secret-config {}: {err}", path.display()))?;
            plugin_options.entry("secrets".to_owned()).or_default().push(("config".to_owned(), rules));
        }
        for path in &self.malware_rules {
            for file in yara_files(path)? {
                let text = std::fs::read_to_string(&file)
                    .map_err(|err| anyhow::anyhow!("--malware-rules {}: {err}", file.display()))?;
                let value = format!("{}\n{text}", file.display());
                plugin_options.entry("malware".to_owned()).or_default().push(("rules".to_owned(), value));
            }
        }
        Ok(ScanRequest {
            source: self.source.clone(),
            platform,
            scanners: scanner_ids(&self.plugins.scanners),
            plugin_files: self.plugins.plugins.clone(),
            plugin_options,
            timings: self.timings,
        })
    }
}

impl ScanArgs {
    /// Engine options with this scan's limits.
    pub fn scanner_options(&self) -> anyhow::Result<ScannerOptions> {
        let mut options = self.engine.scanner_options()?;
        options.workers = self.workers;
        options.limits.plugin_call_timeout = self.plugin_timeout;
        options.limits.plugin_memory = self.plugin_memory << 20;
        options.limits.max_file_size = self.max_file_size;
        options.limits.plugin_trap_budget = self.plugin_trap_budget;
        Ok(options)
    }
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// The Dockerfiles; `-` reads one from standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

impl LintArgs {
    /// The library request: each file read, its build context looked at.
    pub fn request(&self) -> anyhow::Result<LintRequest> {
        let mut files = Vec::with_capacity(self.files.len());
        for path in &self.files {
            let stdin = path.as_os_str() == "-";
            let limit = bosun::scan::MAX_DOCKERFILE as u64 + 1;
            let mut content = Vec::new();
            let read = if stdin {
                std::io::Read::read_to_end(&mut std::io::Read::take(std::io::stdin().lock(), limit), &mut content)
            } else {
                std::fs::File::open(path)
                    .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, limit), &mut content))
            };
            read.map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
            let dockerignore = (!stdin).then(|| {
                let beside = path.with_file_name(".dockerignore");
                let own = PathBuf::from(format!("{}.dockerignore", path.display()));
                beside.is_file() || own.is_file()
            });
            let name = if stdin { "-".to_owned() } else { path.display().to_string() };
            files.push(LintFile { name, content, dockerignore });
        }
        Ok(LintRequest {
            files,
            scanners: scanner_ids(&self.plugins.scanners),
            plugin_files: self.plugins.plugins.clone(),
            plugin_options: parse_plugin_options(&self.plugins.plugin_options)?,
        })
    }
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// The image (same forms as for scan).
    pub source: String,
    /// SBOM format.
    #[arg(long, short = 'f', value_enum, default_value = "cyclonedx")]
    pub format: SbomFormat,
    /// Write the SBOM to FILE (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only this platform of a multi-platform image: os/arch[/variant].
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Option<String>,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

impl SbomArgs {
    /// The scan an SBOM needs: the packages plugin alone.
    pub fn request(&self) -> anyhow::Result<ScanRequest> {
        Ok(ScanRequest {
            source: self.source.clone(),
            platform: parse_platform(&self.platform)?,
            scanners: Some(vec!["packages".to_owned()]),
            ..ScanRequest::default()
        })
    }

    /// How the SBOM is written.
    pub fn report_args(&self) -> ReportArgs {
        let format = match self.format {
            SbomFormat::Cyclonedx => Format::Cyclonedx,
            SbomFormat::Spdx => Format::Spdx,
        };
        ReportArgs { format, output: self.output.clone(), severity: None, exit_code: None, fail_on: None }
    }
}

#[derive(Debug, Args)]
pub struct PluginsArgs {
    /// Also describe the plugin component in FILE; repeatable.
    #[arg(long = "plugin", value_name = "FILE.wasm")]
    pub plugin: Vec<PathBuf>,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// The YARA files `path` names: itself, or the `.yar`/`.yara` files under it, sorted.
fn yara_files(path: &std::path::Path) -> anyhow::Result<Vec<PathBuf>> {
    let read_err = |err: std::io::Error| anyhow::anyhow!("--malware-rules {}: {err}", path.display());
    if !std::fs::metadata(path).map_err(read_err)?.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut found = Vec::new();
    let mut stack = vec![path.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(read_err)? {
            let entry = entry.map_err(read_err)?;
            let file = entry.path();
            if entry.file_type().map_err(read_err)?.is_dir() {
                stack.push(file);
            } else if file.extension().is_some_and(|e| e == "yar" || e == "yara") {
                found.push(file);
            }
        }
    }
    found.sort();
    if found.is_empty() {
        anyhow::bail!("--malware-rules {}: no .yar or .yara files", path.display());
    }
    Ok(found)
}
