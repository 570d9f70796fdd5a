//! SARIF 2.1.0, for code-scanning dashboards.

use super::{FindingRecord, ScanReport, category_name, severity_name};
use crate::plugin::wit::Severity;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Unknown => "note",
    }
}

/// GitHub's `security-severity` scale.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Unknown => "0.0",
    }
}

fn rule(finding: &FindingRecord) -> Value {
    let mut tags = vec!["security".to_owned(), category_name(finding.category).to_owned()];
    tags.extend(finding.tags.iter().cloned());
    let mut rule = json!({
        "id": finding.rule_id,
        "name": finding.rule_id,
        "shortDescription": { "text": finding.title },
        "fullDescription": { "text": if finding.description.is_empty() { &finding.title } else { &finding.description } },
        "defaultConfiguration": { "level": level(finding.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(finding.severity),
            "plugin": finding.plugin,
        },
    });
    if let Some(help) = finding.references.first() {
        rule["helpUri"] = json!(help);
    }
    rule
}

fn result(finding: &FindingRecord, rule_index: usize, image: &str) -> Value {
    let uri = finding
        .path
        .as_deref()
        .map(|p| p.trim_start_matches('/').to_owned())
        .unwrap_or_else(|| "image-config".to_owned());
    let mut physical = json!({ "artifactLocation": { "uri": uri, "uriBaseId": "ROOTPATH" } });
    if let Some((start, end)) = finding.lines {
        physical["region"] = json!({ "startLine": start.max(1), "endLine": end.max(start).max(1) });
        if let Some(column) = finding.column {
            physical["region"]["startColumn"] = json!(column.max(1));
        }
    } else if let Some((start, end)) = finding.bytes {
        physical["region"] = json!({ "byteOffset": start, "byteLength": end - start });
    }
    let mut text = finding.title.clone();
    if let Some(evidence) = &finding.evidence {
        text.push_str(&format!(" ({evidence})"));
    }
    if let Some(fixed) = &finding.fixed_version {
        text.push_str(&format!("; fixed in {fixed}"));
    }
    let fingerprint = Sha256::digest(
        format!(
            "{}\0{}\0{:?}\0{:?}\0{:?}",
            finding.plugin, finding.rule_id, finding.path, finding.evidence, finding.lines
        )
        .as_bytes(),
    );
    let mut properties = json!({
        "severity": severity_name(finding.severity),
        "category": category_name(finding.category),
        "image": image,
    });
    for (key, value) in [
        ("layer", finding.layer.map(|l| json!(l))),
        ("layerDigest", finding.layer_digest.as_ref().map(|d| json!(d))),
        ("fileStatus", finding.file_status.map(|s| json!(s))),
        ("packagePurl", finding.package_purl.as_ref().map(|p| json!(p))),
        ("fixedVersion", finding.fixed_version.as_ref().map(|v| json!(v))),
        ("remediation", finding.remediation.as_ref().map(|r| json!(r))),
    ] {
        if let Some(value) = value {
            properties[key] = value;
        }
    }
    if !finding.properties.is_empty() {
        properties["facts"] = json!(finding.properties);
    }
    json!({
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical }],
        "partialFingerprints": { "bosunFinding/v1": hex::encode(&fingerprint[..16]) },
        "properties": properties,
    })
}

/// The report as a SARIF 2.1.0 log: one run, one rule per rule id.
pub fn to_sarif(report: &ScanReport) -> String {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for image in &report.images {
        for finding in &image.findings {
            let index = *rule_index.entry(&finding.rule_id).or_insert_with(|| {
                rules.push(rule(finding));
                rules.len() - 1
            });
            results.push(result(finding, index, &image.label));
        }
    }
    let notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .chain(report.images.iter().flat_map(|i| &i.diagnostics))
        .map(|d| {
            json!({
                "level": match d.level { super::Level::Error => "error", super::Level::Warning => "warning", super::Level::Info => "note" },
                "message": { "text": d.message },
                "descriptor": { "id": d.code },
            })
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "bosun",
                "version": report.bosun_version,
                "semanticVersion": report.bosun_version,
                "rules": rules,
            }},
            "originalUriBaseIds": { "ROOTPATH": { "uri": "file:///" } },
            "invocations": [{
                "executionSuccessful": report.complete,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": { "source": report.source.reference, "sourceKind": report.source.kind },
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF log serialises");
    text.push('\n');
    text
}
