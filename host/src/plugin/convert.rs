//! Between the WIT records and the host's own values.

use super::wit;
use crate::report::{FindingRecord, PackageRecord};

/// Longest string kept from a plugin, in bytes: a plugin cannot bloat a report
/// with megabyte titles.
const MAX_TEXT: usize = 4096;

fn bounded(mut text: String) -> String {
    if text.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

fn bounded_opt(text: Option<String>) -> Option<String> {
    text.map(bounded).filter(|t| !t.is_empty())
}

/// Most list items (tags, references, properties) kept from one finding.
const MAX_PROPERTIES: usize = 64;

fn bounded_list(items: Vec<String>) -> Vec<String> {
    items.into_iter().take(MAX_PROPERTIES).map(bounded).collect()
}

/// A plugin's finding as a report record. `path` and `layer` fill in what the
/// plugin left empty: the file it was given.
pub fn finding_from_wit(
    plugin: &str,
    finding: wit::Finding,
    path: Option<&str>,
    layer: Option<(usize, &str)>,
) -> FindingRecord {
    let location = finding.location;
    let lines = location.line_start.map(|start| (start, location.line_end.unwrap_or(start).max(start)));
    let bytes = location.byte_start.map(|start| (start, location.byte_end.unwrap_or(start).max(start)));
    FindingRecord {
        plugin: plugin.to_owned(),
        rule_id: bounded(finding.rule_id),
        category: finding.category,
        severity: finding.severity,
        confidence: finding.confidence,
        title: bounded(finding.title),
        description: bounded(finding.description),
        path: bounded_opt(location.path).or_else(|| path.map(str::to_owned)),
        layer: layer.map(|(index, _)| index),
        layer_digest: bounded_opt(location.layer_digest)
            .or_else(|| layer.map(|(_, d)| d.to_owned()))
            .filter(|d| !d.is_empty()),
        file_status: None,
        lines,
        column: location.column,
        bytes,
        history_index: location.history_index,
        evidence: bounded_opt(finding.evidence),
        package_purl: bounded_opt(finding.package_purl),
        installed_version: bounded_opt(finding.installed_version),
        fixed_version: bounded_opt(finding.fixed_version),
        remediation: bounded_opt(finding.remediation),
        references: bounded_list(finding.references),
        tags: bounded_list(finding.tags),
        properties: finding
            .properties
            .into_iter()
            .take(MAX_PROPERTIES)
            .map(|(name, value)| (bounded(name), bounded(value)))
            .collect(),
        analyzed: path.zip(layer).map(|(p, (index, _))| (p.to_owned(), index)),
    }
}

/// A plugin's package as a report record; `analyzed` is the file the plugin was given.
pub fn package_from_wit(package: wit::InstalledPackage, analyzed: &str, layer: usize) -> PackageRecord {
    PackageRecord {
        purl: bounded(package.purl),
        name: bounded(package.name),
        version: bounded(package.version),
        ecosystem: bounded(package.ecosystem),
        source_name: bounded_opt(package.source_name),
        source_version: bounded_opt(package.source_version),
        arch: bounded_opt(package.arch),
        licenses: bounded_list(package.licenses),
        found_in: bounded(package.found_in),
        layer,
        vendor: bounded_opt(package.vendor),
        third_party: false,
        analyzed: analyzed.to_owned(),
    }
}
