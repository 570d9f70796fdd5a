//! The inventory as a software bill of materials: CycloneDX 1.6 JSON and
//! SPDX 2.3 JSON. Both list every package of every image with its purl,
//! licences, the layer that installed it and the file it was read from.

use super::model::{ImageReport, PackageRecord, ScanReport};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A UUID (version 5 layout) derived from `seed`, so the same inventory gives
/// the same serial number.
fn uuid(seed: &str) -> String {
    let hash = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Everything that identifies the inventory, for the serial number.
fn fingerprint(report: &ScanReport) -> String {
    let mut seed = report.source.reference.clone();
    for image in &report.images {
        seed.push_str(&image.label);
        seed.push_str(image.manifest_digest.as_deref().unwrap_or_default());
        for p in &image.packages {
            seed.push_str(&p.purl);
            seed.push_str(&p.found_in);
        }
    }
    seed
}

fn properties(image: &ImageReport, package: &PackageRecord, several: bool) -> Vec<Value> {
    let mut out = vec![
        json!({"name": "bosun:found-in", "value": package.found_in}),
        json!({"name": "bosun:layer", "value": package.layer.to_string()}),
        json!({"name": "bosun:ecosystem", "value": package.ecosystem}),
    ];
    if let Some(source) = &package.source_name {
        out.push(json!({"name": "bosun:source-name", "value": source}));
    }
    if let Some(version) = &package.source_version {
        out.push(json!({"name": "bosun:source-version", "value": version}));
    }
    if let Some(diff_id) = image.layers.get(package.layer).and_then(|l| l.diff_id.as_ref()) {
        out.push(json!({"name": "bosun:layer-diff-id", "value": diff_id}));
    }
    if let Some(vendor) = &package.vendor {
        out.push(json!({"name": "bosun:vendor", "value": vendor}));
    }
    if package.third_party {
        out.push(json!({"name": "bosun:third-party", "value": "true"}));
    }
    if several {
        out.push(json!({"name": "bosun:image", "value": image.label}));
    }
    out
}

/// CycloneDX 1.6 JSON.
pub fn to_cyclonedx(report: &ScanReport) -> String {
    let several = report.images.len() > 1;
    let root_ref = "image";
    let mut components = Vec::new();
    let mut refs = Vec::new();
    for (i, image) in report.images.iter().enumerate() {
        if let Some(os) = &image.os {
            let bom_ref = format!("os-{i}");
            let mut component = json!({
                "type": "operating-system",
                "bom-ref": bom_ref,
                "name": os.id,
            });
            if let Some(version) = &os.version_id {
                component["version"] = json!(version);
            }
            if let Some(pretty) = &os.pretty_name {
                component["description"] = json!(pretty);
            }
            refs.push(bom_ref);
            components.push(component);
        }
        for (j, p) in image.packages.iter().enumerate() {
            let bom_ref = format!("pkg-{i}-{j}");
            let mut component = json!({
                "type": "library",
                "bom-ref": bom_ref,
                "name": p.name,
                "version": p.version,
                "purl": p.purl,
                "properties": properties(image, p, several),
            });
            if !p.licenses.is_empty() {
                component["licenses"] = cyclonedx_licenses(&p.licenses);
            }
            refs.push(bom_ref);
            components.push(component);
        }
    }
    let first = report.images.first();
    let mut subject = json!({
        "type": "container",
        "bom-ref": root_ref,
        "name": report.source.reference,
    });
    if let Some(digest) = first.and_then(|i| i.manifest_digest.as_ref()).filter(|_| !several) {
        subject["version"] = json!(digest);
    }
    let bom = json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid(&fingerprint(report))),
        "version": 1,
        "metadata": {
            "tools": {"components": [{"type": "application", "name": "bosun", "version": report.bosun_version}]},
            "component": subject,
        },
        "components": components,
        "dependencies": [{"ref": root_ref, "dependsOn": refs}],
    });
    let mut text = serde_json::to_string_pretty(&bom).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// SPDX licence ids packages commonly declare. A licence text made only of
/// these and the expression operators is a valid SPDX expression; anything
/// else (`GPLv2+`, `BSD`, `MIT License`) is not claimed to be one.
const SPDX_IDS: &[&str] = &[
    "0BSD",
    "AFL-2.1",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-1.0",
    "Artistic-2.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-4-Clause",
    "BSL-1.0",
    "bzip2-1.0.6",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "curl",
    "EPL-1.0",
    "EPL-2.0",
    "GFDL-1.2-only",
    "GFDL-1.2-or-later",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "Libpng",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "NCSA",
    "OFL-1.1",
    "OpenSSL",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "Unicode-DFS-2016",
    "Unlicense",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.1",
];

/// True when `text` is a licence expression over [`SPDX_IDS`].
fn is_spdx_expression(text: &str) -> bool {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let mut any = false;
    let mut depth = 0i32;
    for token in spaced.split_whitespace() {
        match token {
            "AND" | "OR" | "WITH" => {}
            "(" => depth += 1,
            ")" => depth -= 1,
            id => {
                let base = id.strip_suffix('+').unwrap_or(id);
                if !SPDX_IDS.contains(&base) && !id.ends_with("-exception") {
                    return false;
                }
                any = true;
            }
        }
        if depth < 0 {
            return false;
        }
    }
    any && depth == 0
}

/// An SPDX licence expression when every licence is one, else NOASSERTION.
fn license_expression(licenses: &[String]) -> String {
    if !licenses.is_empty() && licenses.iter().all(|l| is_spdx_expression(l)) {
        let parts: Vec<String> = licenses
            .iter()
            .map(|l| if l.contains(' ') && licenses.len() > 1 { format!("({l})") } else { l.clone() })
            .collect();
        parts.join(" AND ")
    } else {
        "NOASSERTION".to_owned()
    }
}

/// CycloneDX licences: one SPDX expression or id when the package declares a
/// single one, else each licence by name.
fn cyclonedx_licenses(licenses: &[String]) -> Value {
    match licenses {
        [one] if is_spdx_expression(one) && one.contains(' ') => json!([{"expression": one}]),
        [one] if is_spdx_expression(one) => json!([{"license": {"id": one}}]),
        _ => json!(licenses.iter().map(|l| json!({"license": {"name": l}})).collect::<Vec<_>>()),
    }
}

/// SPDX 2.3 JSON. `created` is the document's creation time (RFC 3339, UTC, seconds).
pub fn to_spdx(report: &ScanReport, created: &str) -> String {
    let mut packages = Vec::new();
    let mut relationships = vec![
        json!({"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"}),
    ];
    let several = report.images.len() > 1;
    packages.push(json!({
        "SPDXID": "SPDXRef-Image",
        "name": report.source.reference,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": false,
        "primaryPackagePurpose": "CONTAINER",
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
    }));
    for (i, image) in report.images.iter().enumerate() {
        if let Some(os) = &image.os {
            let id = format!("SPDXRef-OperatingSystem-{i}");
            let mut os_package = json!({
                "SPDXID": id,
                "name": os.id,
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": false,
                "primaryPackagePurpose": "OPERATING_SYSTEM",
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "NOASSERTION",
                "copyrightText": "NOASSERTION",
            });
            if let Some(version) = &os.version_id {
                os_package["versionInfo"] = json!(version);
            }
            packages.push(os_package);
            relationships.push(
                json!({"spdxElementId": "SPDXRef-Image", "relationshipType": "CONTAINS", "relatedSpdxElement": id}),
            );
        }
        for (j, p) in image.packages.iter().enumerate() {
            let id = format!("SPDXRef-Package-{i}-{j}");
            let mut source_info = format!("read from {} (layer {})", p.found_in, p.layer);
            if several {
                source_info.push_str(&format!(" of {}", image.label));
            }
            let mut package = json!({
                "SPDXID": id,
                "name": p.name,
                "versionInfo": p.version,
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": false,
                "primaryPackagePurpose": "LIBRARY",
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": license_expression(&p.licenses),
                "copyrightText": "NOASSERTION",
                "sourceInfo": source_info,
                "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p.purl}],
            });
            if let Some(source) = &p.source_name {
                package["comment"] = json!(format!("source package {source}"));
            }
            packages.push(package);
            relationships.push(
                json!({"spdxElementId": "SPDXRef-Image", "relationshipType": "CONTAINS", "relatedSpdxElement": id}),
            );
        }
    }
    let document = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": report.source.reference,
        "documentNamespace": format!("urn:uuid:{}", uuid(&format!("spdx {} {created}", fingerprint(report)))),
        "creationInfo": {"created": created, "creators": [format!("Tool: bosun-{}", report.bosun_version)]},
        "documentDescribes": ["SPDXRef-Image"],
        "packages": packages,
        "relationships": relationships,
    });
    let mut text = serde_json::to_string_pretty(&document).expect("a JSON value serialises");
    text.push('\n');
    text
}

/// Now, as SPDX wants it: `2026-11-25T18:00:00Z`.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_the_version_5_layout() {
        let id = uuid("x");
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "5");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_eq!(uuid("x"), id);
    }

    #[test]
    fn licence_expressions() {
        assert_eq!(license_expression(&["MIT".into(), "GPL-2.0-only".into()]), "MIT AND GPL-2.0-only");
        assert_eq!(license_expression(&["MPL-2.0 AND MIT".into()]), "MPL-2.0 AND MIT");
        assert_eq!(
            license_expression(&["( Apache-2.0 OR MIT ) AND MPL-2.0".into()]),
            "( Apache-2.0 OR MIT ) AND MPL-2.0"
        );
        assert_eq!(license_expression(&["MIT License".into()]), "NOASSERTION");
        assert_eq!(license_expression(&["GPLv2+".into()]), "NOASSERTION");
        assert_eq!(license_expression(&["BSD".into()]), "NOASSERTION");
        assert_eq!(license_expression(&[]), "NOASSERTION");
        assert_eq!(cyclonedx_licenses(&["MPL-2.0 AND MIT".into()]), json!([{"expression": "MPL-2.0 AND MIT"}]));
        assert_eq!(cyclonedx_licenses(&["GPLv2+".into()]), json!([{"license": {"name": "GPLv2+"}}]));
    }

    #[test]
    fn clock_format() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 20);
        assert!(now.ends_with('Z') && now.starts_with("20"));
    }
}
