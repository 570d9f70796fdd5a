//! The package inventory: what an image has installed, from which layer, and
//! the SBOMs that carry it (validated against the official JSON schemas).

use crate::util::*;
use serde_json::Value;

fn packages(report: &Value) -> Vec<(String, String, u64)> {
    report["images"][0]["packages"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| {
                    (
                        p["purl"].as_str().unwrap().to_owned(),
                        p["found_in"].as_str().unwrap().to_owned(),
                        p["layer"].as_u64().unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_ecosystem_with_its_layer_and_no_double_counting() {
    let (code, report) = scan_json(&fixture("inventory"), &["--scanners", "packages"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["images"][0]["os"]["id"], "debian");
    assert_eq!(report["images"][0]["os"]["version_id"], "12", "os-release wins over debian_version");
    let mut got = packages(&report);
    got.sort();
    let dpkg = "/var/lib/dpkg/status";
    let expected = [
        ("pkg:composer/monolog/monolog@3.5.0", "/app/vendor/composer/installed.json", 2),
        ("pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12", dpkg, 0),
        ("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc", dpkg, 0),
        ("pkg:deb/debian/nodejs@20.11.1-1nodesource1?arch=amd64", dpkg, 1),
        ("pkg:deb/debian/python3-yaml@6.0-3%2Bb2?arch=amd64&distro=debian-12&upstream=pyyaml", dpkg, 1),
        ("pkg:gem/rack@3.0.8", "/usr/local/bundle/specifications/rack-3.0.8.gemspec", 2),
        ("pkg:npm/%40babel/core@7.24.0", "/app/node_modules/@babel/core/package.json", 2),
        ("pkg:npm/lodash@4.17.20", "/app/node_modules/lodash/package.json", 2),
        ("pkg:nuget/Newtonsoft.Json@13.0.1", "/app/App.deps.json", 2),
        ("pkg:pypi/requests@2.31.0", "/usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", 2),
    ];
    let expected: Vec<(String, String, u64)> =
        expected.iter().map(|(p, f, l)| ((*p).to_owned(), (*f).to_owned(), *l)).collect();
    // PyYAML's METADATA belongs to the python3-yaml deb: it is not a second package.
    // `oldpkg` was removed (only its configuration is left): not installed.
    assert_eq!(got, expected);
    // Only the vendor's own package is third-party.
    let third: Vec<&str> = report["images"][0]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["third_party"] == true)
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(third, ["nodejs"]);
}

#[test]
fn alpine_images_list_their_apk_packages_and_end_of_life() {
    for (image, version) in [("alpine/alpine-310.tar.gz", "3.10.4"), ("alpine/alpine-311.tar.gz", "3.11.5")] {
        let (code, report) = scan_json(&shared_image(image), &["--scanners", "packages"]);
        assert_eq!(code, 0, "{report}");
        let got = packages(&report);
        assert_eq!(got.len(), 14, "{image}");
        assert!(got.iter().all(|(purl, found_in, layer)| purl.starts_with("pkg:apk/alpine/")
            && purl.contains(&format!("distro=alpine-{version}"))
            && found_in == "/lib/apk/db/installed"
            && *layer == 0));
        let eol: Vec<&Value> = report["images"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule_id"] == "os-end-of-life")
            .collect();
        assert_eq!(eol.len(), 1, "{image}: one end-of-life finding");
        assert_eq!(eol[0]["path"], "/etc/os-release");
    }
}

/// The CycloneDX 1.6 schema from the `serde-cyclonedx` crate. Its two external
/// references (the SPDX licence-id list and the JSF signature schema) are not
/// shipped there; they stand in as "any string" and "anything": bosun writes
/// licences by name and signs nothing.
fn cyclonedx_schema() -> Value {
    let path = crate_dir("serde-cyclonedx").join("schemas/cyclonedx_1_6.json");
    let mut schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    fn replace_refs(value: &mut Value) {
        match value {
            Value::Object(map) => match map.get("$ref").and_then(Value::as_str) {
                Some("spdx.schema.json") => *value = serde_json::json!({"type": "string"}),
                Some(r) if r.starts_with("jsf-") => *value = serde_json::json!({}),
                _ => map.values_mut().for_each(replace_refs),
            },
            Value::Array(items) => items.iter_mut().for_each(replace_refs),
            _ => {}
        }
    }
    replace_refs(&mut schema);
    schema
}

fn sbom(source: &std::path::Path, format: &str) -> Value {
    let output = bosun().args(["sbom", "-q", "-f", format]).arg(source).output().unwrap();
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    parse(&output)
}

#[test]
fn cyclonedx_validates_against_the_official_schema() {
    let validator = jsonschema::validator_for(&cyclonedx_schema()).unwrap();
    for source in [fixture("inventory"), shared_image("planted-alpine/oci")] {
        let bom = sbom(&source, "cyclonedx");
        let errors: Vec<String> = validator.iter_errors(&bom).map(|e| format!("{e} at {}", e.instance_path)).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(bom["specVersion"], "1.6");
        assert!(bom["serialNumber"].as_str().unwrap().starts_with("urn:uuid:"));
    }
    let bom = sbom(&shared_image("planted-alpine/oci"), "cyclonedx");
    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.iter().filter(|c| c["type"] == "library").count(), 14);
    let os = components.iter().find(|c| c["type"] == "operating-system").unwrap();
    assert_eq!((os["name"].as_str(), os["version"].as_str()), (Some("alpine"), Some("3.11.5")));
    let musl = components.iter().find(|c| c["name"] == "musl").unwrap();
    assert_eq!(musl["version"], "1.1.24-r2");
    assert!(musl["properties"].as_array().unwrap().iter().any(|p| p["name"] == "bosun:layer" && p["value"] == "0"));
    // The same inventory gives the same serial number.
    assert_eq!(sbom(&shared_image("planted-alpine/oci"), "cyclonedx")["serialNumber"], bom["serialNumber"]);
    // A broken document fails, so the check means something.
    let mut broken = bom.clone();
    broken["components"][0]["type"] = Value::from("not-a-type");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn spdx_validates_against_the_official_schema() {
    let path = crate_dir("serde-spdx").join("schemas/spdx_2_3.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let document = sbom(&fixture("inventory"), "spdx");
    let errors: Vec<String> = validator.iter_errors(&document).map(|e| format!("{e} at {}", e.instance_path)).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    let packages = document["packages"].as_array().unwrap();
    // The image, its OS and ten packages.
    assert_eq!(packages.len(), 12);
    let requests = packages.iter().find(|p| p["name"] == "requests").unwrap();
    assert_eq!(requests["externalRefs"][0]["referenceLocator"], "pkg:pypi/requests@2.31.0");
    let mut broken = document.clone();
    broken["packages"][1].as_object_mut().unwrap().remove("downloadLocation");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn scan_writes_an_sbom_too() {
    let output = bosun().args(["scan", "-q", "-f", "cyclonedx"]).arg(fixture("inventory")).output().unwrap();
    assert_eq!(code(&output), 0);
    let bom = parse(&output);
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["components"].as_array().unwrap().len(), 11, "the OS and ten packages");
}
