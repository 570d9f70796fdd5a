//! Report formats: deterministic JSON, SARIF that validates against the
//! official schema, and a table grouped by risk class.

use crate::util::*;

#[test]
fn same_image_gives_byte_identical_json() {
    let run = || bosun().args(["scan", "-q", "-f", "json"]).arg(fixture("two-platform")).output().unwrap().stdout;
    let first = run();
    assert!(!first.is_empty());
    for _ in 0..3 {
        assert_eq!(run(), first);
    }
    let report: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(report["schema"], "bosun-report/1");
    assert!(report.get("timings").is_none(), "timings only with --timings");
}

#[test]
fn json_carries_layers_diagnostics_and_timings() {
    let (_, report) = scan_json(&fixture("demo-oci"), &["--timings"]);
    let image = &report["images"][0];
    for key in [
        "label",
        "platform",
        "manifest_digest",
        "config_digest",
        "layers",
        "findings",
        "diagnostics",
        "stats",
        "summary",
    ] {
        assert!(image.get(key).is_some(), "missing {key}");
    }
    let finding = image["findings"].as_array().unwrap().iter().find(|f| f.get("path").is_some()).unwrap();
    for key in [
        "plugin",
        "rule_id",
        "category",
        "severity",
        "confidence",
        "title",
        "path",
        "layer",
        "layer_digest",
        "file_status",
        "evidence",
    ] {
        assert!(finding.get(key).is_some(), "finding lacks {key}: {finding}");
    }
    assert!(report["timings"]["total_ms"].is_u64());
    assert_eq!(report["plugins"][0]["id"], "secrets");
    assert!(report["plugins"][0]["digest"].as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn evidence_never_carries_the_secret() {
    let (_, report) = scan_json(&fixture("demo-oci"), &[]);
    let text = report.to_string();
    for secret in ["Q3EGRJ7WXMTZ2K5B", "wJalrXUtnFEMI/K7MDENG", "s3cr3t-Passw0rd", "MIIBOgIBAAJBAKj34"] {
        assert!(!text.contains(secret), "{secret} leaked into the report");
    }
}

/// The official SARIF 2.1.0 schema, as shipped inside the `serde-sarif` crate.
fn sarif_schema() -> serde_json::Value {
    let schema = crate_dir("serde-sarif").join("src/schema.json");
    serde_json::from_slice(&std::fs::read(schema).unwrap()).unwrap()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema = sarif_schema();
    assert_eq!(schema["title"], "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");
    let validator = jsonschema::validator_for(&schema).unwrap();
    for image in ["demo-oci", "two-platform", "truncated-gzip"] {
        let output = bosun().args(["scan", "-q", "-f", "sarif"]).arg(fixture(image)).output().unwrap();
        let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path)).collect();
        assert!(errors.is_empty(), "{image}: {errors:#?}");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{image}");
        assert!(results.iter().all(|r| r["ruleIndex"].as_u64().is_some()));
    }
    // A deliberately broken log must fail, so the check above means something.
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    assert!(!validator.is_valid(&broken));
}

#[test]
fn table_groups_findings_by_risk_class() {
    let output = bosun().args(["scan", "-q"]).arg(fixture("demo-oci")).output().unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("Secrets and sensitive files (5)"), "{table}");
    assert!(
        table.contains("/root/.ssh/id_rsa:1-6  [layer 1]  (deleted by a later layer, still in the image)"),
        "{table}"
    );
    assert!(table.contains("Build and configuration risks (3)"), "{table}");
    assert!(table.contains("8 findings: critical 4, high 3, low 1"), "{table}");
    assert!(table.contains("GitHub personal access token in the image config (Env)"), "{table}");
}
