//! Hostile plugins are contained: each failure is named, the instance is
//! replaced, a repeat offender is disabled, and the other plugins' findings arrive.

use crate::util::*;

fn hostile_scan(extra: &[&str]) -> (i32, serde_json::Value) {
    let plugin = test_plugin("bosun_test_hostile.wasm");
    let mut args = vec!["--plugin", plugin.to_str().unwrap(), "--plugin-timeout", "300ms", "--plugin-memory", "64"];
    args.extend_from_slice(extra);
    scan_json(&fixture("hostile-plugins"), &args)
}

fn diagnostic_for<'a>(report: &'a serde_json::Value, code: &str, path: &str) -> Option<&'a serde_json::Value> {
    report["images"][0]["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == code && d["path"] == path)
}

#[test]
fn loops_hogs_panics_and_floods_are_contained() {
    let (code, report) = hostile_scan(&["--workers", "1", "--plugin-trap-budget", "100"]);
    assert_eq!(code, 3, "plugin failures make the scan incomplete");

    let timeout = diagnostic_for(&report, "plugin-timeout", "/hostile/loop").expect("loop reported");
    assert_eq!(timeout["plugin"], "hostile");
    assert!(timeout["message"].as_str().unwrap().contains("ran longer than 300 ms"));
    let sleep = diagnostic_for(&report, "plugin-timeout", "/hostile/sleep").expect("a sleep in a host call is stopped");
    assert!(sleep["message"].as_str().unwrap().contains("ran longer than 300 ms"));
    let oom = diagnostic_for(&report, "plugin-out-of-memory", "/hostile/hog").expect("hog reported");
    assert!(oom["message"].as_str().unwrap().contains("memory cap of 64 MiB"));
    let flood = diagnostic_for(&report, "plugin-out-of-memory", "/hostile/flood")
        .or_else(|| diagnostic_for(&report, "plugin-findings-truncated", "/hostile/flood"))
        .expect("flood reported");
    assert_eq!(flood["plugin"], "hostile");
    let panic = diagnostic_for(&report, "plugin-trap", "/hostile/panic1").expect("panic reported");
    assert!(panic["message"].as_str().unwrap().contains("hostile plugin panics on /hostile/panic1"), "{panic}");

    // The honest call of the hostile plugin and the built-in secrets plugin still report.
    let found = findings(&report, 0);
    assert!(has(&found, "hostile-finding", "/hostile/ok", "present"), "{found:?}");
    assert!(has(&found, "password-assignment", "/etc/app.conf", "present"), "{found:?}");
    assert!(found.len() < 2000, "a flood never reaches the report whole");
}

#[test]
fn a_plugin_that_keeps_trapping_is_disabled() {
    let (_, report) = hostile_scan(&["--workers", "2"]);
    let plugin = report["plugins"].as_array().unwrap().iter().find(|p| p["id"] == "hostile").unwrap();
    assert_eq!(plugin["disabled"], true);
    let disabled = report["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "plugin-disabled").unwrap();
    assert_eq!(disabled["plugin"], "hostile");
    assert!(disabled["message"].as_str().unwrap().starts_with("trapped 5 times"));
    let traps = report["images"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["plugin"] == "hostile" && d["level"] == "error")
        .count();
    assert!(traps <= 5 + 2, "at most the budget (plus calls already running) trapped: {traps}");
}

#[test]
fn forbidden_import_is_refused_by_name_and_the_scan_goes_on() {
    let plugin = test_plugin("bosun_test_sockets.wasm");
    let (code, report) = scan_json(&fixture("demo-oci"), &["--plugin", plugin.to_str().unwrap()]);
    assert_eq!(code, 3);
    let refused = report["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "plugin-refused").unwrap();
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("wasi:sockets/"), "{message}");
    assert!(message.contains("network access"), "{message}");
    assert!(!findings(&report, 0).is_empty(), "built-in plugins still ran");
}

#[test]
fn a_file_that_is_not_a_component_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"\0asm\x0d\0\x01\0garbage").unwrap();
    let (code, report) = scan_json(&fixture("demo-oci"), &["--plugin", junk.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(diagnostic_codes(&report).contains(&"plugin-refused".to_owned()));
}
