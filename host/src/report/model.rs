//! The report: what a scan found, as plain values. Serialised as the JSON
//! report (schema `bosun-report/1`, documented in docs/report-schema.md).

use crate::layer::FileStatus;
use crate::plugin::wit::{Category, Confidence, Severity};
use crate::source::Platform;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// The JSON report schema version. Bump it when a field changes meaning or goes away.
pub const SCHEMA: &str = "bosun-report/1";

/// The whole result of one scan.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The bosun version that produced it.
    pub bosun_version: &'static str,
    /// What was scanned.
    pub source: SourceInfo,
    /// False when anything was skipped because of an error (see `diagnostics`).
    pub complete: bool,
    /// One entry per image (per platform of an index).
    pub images: Vec<ImageReport>,
    /// Totals over all images: an index counts as the sum of its platforms.
    pub summary: Summary,
    /// The plugins that ran.
    pub plugins: Vec<PluginRecord>,
    /// Problems with the source as a whole.
    pub diagnostics: Vec<Diagnostic>,
    /// Wall-clock timings and peak memory; only with `--timings` (they differ run to run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timings: Option<Timings>,
}

impl ScanReport {
    /// A report over `images`: the summary is their sum, and the scan is
    /// complete when no diagnostic, of the source or of an image, is an error.
    pub fn new(
        source: SourceInfo,
        images: Vec<ImageReport>,
        plugins: Vec<PluginRecord>,
        diagnostics: Vec<Diagnostic>,
        timings: Option<Timings>,
    ) -> Self {
        let mut summary = Summary::default();
        for image in &images {
            summary.add(&image.summary);
        }
        let complete =
            diagnostics.iter().chain(images.iter().flat_map(|i| &i.diagnostics)).all(|d| d.level != Level::Error);
        ScanReport {
            schema: SCHEMA,
            bosun_version: env!("CARGO_PKG_VERSION"),
            source,
            complete,
            images,
            summary,
            plugins,
            diagnostics,
            timings,
        }
    }

    /// Drop findings below `min` and recount the summaries (`--severity`).
    pub fn retain_min_severity(&mut self, min: Severity) {
        let floor = severity_rank(min);
        let mut total = Summary::default();
        for image in &mut self.images {
            image.findings.retain(|f| severity_rank(f.severity) >= floor);
            image.summary = Summary::of(&image.findings);
            total.add(&image.summary);
        }
        self.summary = total;
    }

    /// True when any finding is at `threshold` or worse.
    pub fn has_finding_at_or_above(&self, threshold: Severity) -> bool {
        let floor = severity_rank(threshold);
        self.images.iter().flat_map(|i| &i.findings).any(|f| severity_rank(f.severity) >= floor)
    }
}

/// The scanned source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// As the user spelt it.
    pub reference: String,
    /// `oci-layout`, `oci-archive`, `docker-archive` or `rootfs`.
    pub kind: &'static str,
}

/// The result for one image.
#[derive(Debug, Clone, Serialize)]
pub struct ImageReport {
    /// A name: the platform, a tag or the path.
    pub label: String,
    /// The platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Image manifest digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Config digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_digest: Option<String>,
    /// Tags the source records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The OS, when a plugin identified it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<OsInfo>,
    /// The layers, bottom first.
    pub layers: Vec<LayerRecord>,
    /// Findings, sorted and deduplicated.
    pub findings: Vec<FindingRecord>,
    /// Installed packages reported by plugins.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PackageRecord>,
    /// Problems confined to this image.
    pub diagnostics: Vec<Diagnostic>,
    /// Counts.
    pub stats: ImageStats,
    /// Totals for this image.
    pub summary: Summary,
}

/// The OS identity.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OsInfo {
    /// `debian`, `alpine`, …
    pub id: String,
    /// `12`, `3.19.1`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `bookworm`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
}

/// Outcome of reading one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerStatus {
    /// Read to the end and verified.
    Scanned,
    /// Read, but its bytes do not match the digests the image declares.
    DigestMismatch,
    /// Could not be read to the end (corrupt, truncated, a bomb): findings up
    /// to the failure are kept.
    Failed,
}

/// One layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerRecord {
    /// Position, bottom first.
    pub index: usize,
    /// Diff id (as declared; as computed for a rootfs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
    /// Blob digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob_digest: Option<String>,
    /// Blob size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The build instruction that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Outcome.
    pub status: LayerStatus,
    /// Entries in the layer.
    pub entries: u64,
}

/// One finding, as reported.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FindingRecord {
    /// The plugin that made it.
    pub plugin: String,
    /// Rule or advisory id.
    pub rule_id: String,
    /// Risk class.
    #[serde(serialize_with = "ser_category")]
    pub category: Category,
    /// Severity.
    #[serde(serialize_with = "ser_severity")]
    pub severity: Severity,
    /// Confidence.
    #[serde(serialize_with = "ser_confidence")]
    pub confidence: Confidence,
    /// One line.
    pub title: String,
    /// Details.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Absolute image path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Layer index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// Layer diff id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_digest: Option<String>,
    /// Whether the file is still in the final filesystem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_status: Option<FileStatus>,
    /// Line span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<(u32, u32)>,
    /// Column of the start, 1-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Byte span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<(u64, u64)>,
    /// History entry, for build-instruction findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_index: Option<u32>,
    /// Redacted evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Affected package (purl).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_purl: Option<String>,
    /// Installed version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub installed_version: Option<String>,
    /// Fixed version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// What to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Links.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Named facts: `md5`, `sha256`, `malware-type`, `signature`, …
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// The file the plugin was given (and its layer), which decides
    /// `file_status` whatever path the plugin reported.
    #[serde(skip)]
    pub analyzed: Option<(String, usize)>,
}

/// One installed package.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct PackageRecord {
    /// Package URL.
    pub purl: String,
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Ecosystem.
    pub ecosystem: String,
    /// Source package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// Source version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// Architecture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Licenses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
    /// The database file it was read from.
    pub found_in: String,
    /// The layer that installed it.
    pub layer: usize,
    /// Who built it, as the package database records (rpm `Vendor`, dpkg `Origin`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// An OS package whose vendor is not the image's distribution (EPEL on
    /// RHEL, a vendor's own repository): distribution advisories do not cover it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub third_party: bool,
    /// The file the plugin read it from, which decides whether it is still installed.
    #[serde(skip)]
    pub analyzed: String,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Something was skipped because of an error: the scan is incomplete.
    Error,
    /// Something odd that bosun handled (a hostile path, a plugin log line).
    Warning,
    /// For the record.
    Info,
}

/// A problem bosun met and handled. Every one has a stable kebab-case code.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Severity.
    pub level: Level,
    /// Stable code, e.g. `digest-mismatch`, `plugin-timeout`, `path-traversal`.
    pub code: String,
    /// The plugin concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The layer concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// The image path concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// One line: what happened and what was skipped.
    pub message: String,
}

impl Diagnostic {
    fn new(level: Level, code: &str, message: impl Into<String>) -> Self {
        Diagnostic { level, code: code.to_owned(), plugin: None, layer: None, path: None, message: message.into() }
    }
    /// An error: something was skipped.
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Error, code, message)
    }
    /// A warning.
    pub fn warning(code: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Warning, code, message)
    }
    /// Information.
    pub fn info(code: &str, message: impl Into<String>) -> Self {
        Diagnostic::new(Level::Info, code, message)
    }
    /// Name the plugin concerned.
    pub fn plugin(mut self, plugin: &str) -> Self {
        self.plugin = Some(plugin.to_owned());
        self
    }
    /// Name the layer concerned.
    pub fn layer(mut self, layer: usize) -> Self {
        self.layer = Some(layer);
        self
    }
    /// Name the path concerned.
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }
}

/// Counts for one image.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImageStats {
    /// Entries across all layers.
    pub entries: u64,
    /// Regular files across all layers.
    pub files: u64,
    /// Files handed to at least one plugin.
    pub files_analyzed: u64,
    /// Bytes of those files.
    pub bytes_analyzed: u64,
    /// Plugin calls made.
    pub plugin_calls: u64,
    /// Uncompressed bytes read.
    pub bytes: u64,
}

/// Finding totals.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// All findings.
    pub total: usize,
    /// By severity name.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// By category name.
    pub by_category: BTreeMap<&'static str, usize>,
}

impl Summary {
    /// Count these findings.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a FindingRecord>) -> Self {
        let mut summary = Summary::default();
        for finding in findings {
            summary.total += 1;
            *summary.by_severity.entry(severity_name(finding.severity)).or_default() += 1;
            *summary.by_category.entry(category_name(finding.category)).or_default() += 1;
        }
        summary
    }

    /// Add another summary (an index is the sum of its platforms).
    pub fn add(&mut self, other: &Summary) {
        self.total += other.total;
        for (k, v) in &other.by_severity {
            *self.by_severity.entry(k).or_default() += v;
        }
        for (k, v) in &other.by_category {
            *self.by_category.entry(k).or_default() += v;
        }
    }
}

/// A plugin that took part.
#[derive(Debug, Clone, Serialize)]
pub struct PluginRecord {
    /// Its id.
    pub id: String,
    /// Its version.
    pub version: String,
    /// Digest of its component.
    pub digest: String,
    /// `built-in` or the file it came from.
    pub origin: String,
    /// True when it was disabled during the scan after repeated traps.
    pub disabled: bool,
}

/// Timings of one scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Whole scan, milliseconds.
    pub total_ms: u64,
    /// Loading plugins, milliseconds.
    pub plugin_load_ms: u64,
    /// Reading layers and analysing files, milliseconds.
    pub layers_ms: u64,
    /// Image-level calls, milliseconds.
    pub image_calls_ms: u64,
    /// Peak resident memory of the process, KiB (Linux only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_kib: Option<u64>,
}

/// Lower-case severity name.
pub fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Unknown => "unknown",
        Severity::Low => "low",
        Severity::Medium => "medium",
        Severity::High => "high",
        Severity::Critical => "critical",
    }
}

/// Lower-case category name.
pub fn category_name(category: Category) -> &'static str {
    match category {
        Category::Vulnerability => "vulnerability",
        Category::Malware => "malware",
        Category::Secret => "secret",
        Category::Misconfiguration => "misconfiguration",
        Category::Other => "other",
    }
}

/// Lower-case confidence name.
pub fn confidence_name(confidence: Confidence) -> &'static str {
    match confidence {
        Confidence::Low => "low",
        Confidence::Medium => "medium",
        Confidence::High => "high",
    }
}

/// Severity rank for sorting and thresholds (higher is worse).
pub fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Unknown => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// Parse a severity name.
pub fn parse_severity(text: &str) -> Option<Severity> {
    Some(match text.to_ascii_lowercase().as_str() {
        "unknown" => Severity::Unknown,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => return None,
    })
}

fn ser_severity<S: Serializer>(v: &Severity, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(severity_name(*v))
}
fn ser_category<S: Serializer>(v: &Category, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(category_name(*v))
}
fn ser_confidence<S: Serializer>(v: &Confidence, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(confidence_name(*v))
}
