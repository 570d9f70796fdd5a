//! Flags and exit codes.

use crate::util::*;

#[test]
fn exit_code_follows_fail_on() {
    let image = fixture("demo-oci");
    let run =
        |args: &[&str]| code(&bosun().args(["scan", "-q", "-f", "json"]).arg(&image).args(args).output().unwrap());
    assert_eq!(run(&[]), 0, "findings alone do not fail a scan");
    assert_eq!(run(&["--exit-code", "5"]), 5, "any finding counts without --fail-on");
    assert_eq!(run(&["--exit-code", "5", "--fail-on", "critical"]), 5, "the AWS key is critical");
    let planted = fixture("rootfs");
    let rootfs = code(
        &bosun().args(["scan", "-q", "--exit-code", "5", "--fail-on", "critical"]).arg(&planted).output().unwrap(),
    );
    assert_eq!(rootfs, 0, "only a high finding there");
}

#[test]
fn severity_filters_what_is_shown() {
    let (_, all) = scan_json(&fixture("demo-oci"), &[]);
    let (_, critical) = scan_json(&fixture("demo-oci"), &["--severity", "critical"]);
    let severities: Vec<_> =
        critical["images"][0]["findings"].as_array().unwrap().iter().map(|f| f["severity"].clone()).collect();
    assert!(!severities.is_empty() && severities.iter().all(|s| s == "critical"), "{severities:?}");
    assert!(all["summary"]["total"].as_u64() > critical["summary"]["total"].as_u64());
    assert_eq!(critical["summary"]["total"].as_u64().unwrap() as usize, severities.len());
}

#[test]
fn scanners_select_built_in_plugins() {
    let (code, report) = scan_json(&fixture("demo-oci"), &["--scanners", "secrets"]);
    assert_eq!(code, 0);
    assert_eq!(report["plugins"].as_array().unwrap().len(), 1);
    let output = bosun().args(["scan", "-q", "--scanners", "nope"]).arg(fixture("demo-oci")).output().unwrap();
    assert_eq!(crate::util::code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown scanner `nope`") && stderr.contains("secrets"), "{stderr}");
}

#[test]
fn output_file_holds_the_whole_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    let status = bosun().args(["scan", "-q", "-f", "sarif", "-o"]).arg(&out).arg(fixture("demo-oci")).output().unwrap();
    assert_eq!(code(&status), 0);
    assert!(status.stdout.is_empty(), "nothing on stdout with --output");
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
}

#[test]
fn plugins_subcommand_lists_the_built_ins() {
    let output = bosun().arg("plugins").output().unwrap();
    assert_eq!(code(&output), 0);
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("secrets "));
}

#[test]
fn table_escapes_what_plugins_say() {
    let plugin = test_plugin("bosun_test_hostile.wasm");
    let output = bosun()
        .args(["scan", "-q", "--workers", "1", "--plugin-trap-budget", "100", "--plugin-timeout", "300ms"])
        .args(["--plugin-memory", "64", "--plugin"])
        .arg(&plugin)
        .arg(fixture("hostile-plugins"))
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("\\u{1b}[31mred"), "the escape is shown, not executed:\n{table}");
    assert!(!table.contains('\u{1b}'), "a raw ESC reached the terminal");
    assert!(!table.contains('\u{7}') && !table.contains('\u{202e}'));
}
