//! The human-readable report for a terminal. Every plugin-supplied string goes
//! through [`escape`](super::escape).

use super::{FindingRecord, ImageReport, Level, ScanReport, Summary, escape, severity_name};
use crate::layer::FileStatus;
use crate::plugin::wit::Category;
use std::fmt::Write;

/// How the table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableOptions {
    /// Use ANSI colours for severities.
    pub color: bool,
}

const GROUPS: &[(Category, &str)] = &[
    (Category::Vulnerability, "Vulnerabilities"),
    (Category::Malware, "Malware"),
    (Category::Secret, "Secrets and sensitive files"),
    (Category::Misconfiguration, "Build and configuration risks"),
    (Category::Other, "Other findings"),
];

fn paint(text: &str, severity: &str, color: bool) -> String {
    let code = match severity {
        "critical" => "1;31",
        "high" => "31",
        "medium" => "33",
        "low" => "36",
        _ => "2",
    };
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
}

fn location(finding: &FindingRecord) -> String {
    let mut text = match (&finding.path, finding.history_index) {
        (Some(path), _) => escape(path),
        (None, Some(step)) => format!("history step {step}"),
        (None, None) => "image config".to_owned(),
    };
    if let Some((start, end)) = finding.lines {
        if start == end {
            let _ = write!(text, ":{start}");
        } else {
            let _ = write!(text, ":{start}-{end}");
        }
    }
    if let Some(layer) = finding.layer {
        let _ = write!(text, "  [layer {layer}]");
    }
    match finding.file_status {
        Some(FileStatus::Removed) => text.push_str("  (deleted by a later layer, still in the image)"),
        Some(FileStatus::Replaced) => text.push_str("  (replaced by a later layer, still in the image)"),
        _ => {}
    }
    text
}

fn summary_line(summary: &Summary) -> String {
    if summary.total == 0 {
        return "no findings".to_owned();
    }
    let parts: Vec<String> = ["critical", "high", "medium", "low", "unknown"]
        .iter()
        .filter_map(|s| summary.by_severity.get(s).map(|n| format!("{s} {n}")))
        .collect();
    format!("{} findings: {}", summary.total, parts.join(", "))
}

fn image_section(out: &mut String, image: &ImageReport, options: TableOptions) {
    let mut header = format!("Image {}", escape(&image.label));
    if let Some(platform) = &image.platform {
        let _ = write!(header, " ({platform})");
    }
    if let Some(os) = &image.os {
        let _ = write!(header, ", {}", escape(os.pretty_name.as_deref().unwrap_or(&os.id)));
    }
    let _ = writeln!(out, "{header}");
    if let Some(digest) = image.manifest_digest.as_ref().or(image.config_digest.as_ref()) {
        let _ = writeln!(out, "  {digest}, {} layers, {} files", image.layers.len(), image.stats.files);
    }
    for (category, title) in GROUPS {
        let findings: Vec<&FindingRecord> = image.findings.iter().filter(|f| f.category == *category).collect();
        if findings.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n  {title} ({})", findings.len());
        for finding in findings {
            let severity = severity_name(finding.severity);
            let label = paint(&format!("{:<8}", severity.to_uppercase()), severity, options.color);
            let _ = writeln!(out, "  {label}  {:<28} {}", escape(&finding.rule_id), location(finding));
            let mut detail = escape(&finding.title);
            if let Some(evidence) = &finding.evidence {
                let _ = write!(detail, ": {}", escape(evidence));
            }
            if let (Some(installed), Some(fixed)) = (&finding.installed_version, &finding.fixed_version) {
                let _ = write!(detail, " (installed {}, fixed in {})", escape(installed), escape(fixed));
            }
            let _ = writeln!(out, "            {detail}");
            if let Some(fix) = &finding.remediation {
                let _ = writeln!(out, "            fix: {}", escape(fix));
            }
        }
    }
    let _ = writeln!(out, "\n  {}", summary_line(&image.summary));
}

/// The report as text for a terminal.
pub fn to_table(report: &ScanReport, options: TableOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "bosun {} scan of {} ({})\n",
        report.bosun_version,
        escape(&report.source.reference),
        report.source.kind
    );
    for image in &report.images {
        image_section(&mut out, image, options);
        out.push('\n');
    }
    if report.images.len() > 1 {
        let _ = writeln!(out, "All {} images: {}\n", report.images.len(), summary_line(&report.summary));
    }
    let diagnostics: Vec<_> = report
        .diagnostics
        .iter()
        .chain(report.images.iter().flat_map(|i| &i.diagnostics))
        .filter(|d| d.level != Level::Info)
        .collect();
    if !diagnostics.is_empty() {
        let _ = writeln!(out, "Diagnostics ({})", diagnostics.len());
        for d in diagnostics {
            let level = match d.level {
                Level::Error => "error",
                Level::Warning => "warning",
                Level::Info => "info",
            };
            let mut subject = String::new();
            if let Some(plugin) = &d.plugin {
                let _ = write!(subject, "{} ", escape(plugin));
            }
            if let Some(path) = &d.path {
                let _ = write!(subject, "{} ", escape(path));
            }
            let _ = writeln!(out, "  {level:<7} {:<22} {subject}{}", d.code, escape(&d.message));
        }
        out.push('\n');
    }
    if !report.complete {
        let _ = writeln!(out, "SCAN INCOMPLETE: parts of the image were not analysed (see the errors above).");
    }
    out
}
