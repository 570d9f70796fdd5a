//! Every source format resolves to the same image and the same findings.

use crate::util::*;

fn assert_demo_findings(report: &serde_json::Value) {
    let found = findings(report, 0);
    assert!(has(&found, "aws-access-key-id", "/app/.env", "present"), "{found:?}");
    assert!(has(&found, "aws-secret-access-key", "/app/.env", "present"), "{found:?}");
    assert!(has(&found, "password-assignment", "/app/config/settings.yml", "present"), "{found:?}");
    // Added in layer 1, deleted by a whiteout in layer 2: still reported, marked removed.
    assert!(has(&found, "private-key", "/root/.ssh/id_rsa", "removed"), "{found:?}");
    let in_files = found.iter().filter(|(_, path, _)| !path.is_empty()).count();
    assert_eq!(in_files, 4, "{found:?}");
    assert_eq!(report["complete"], true);
}

#[test]
fn oci_layout_directory() {
    let (code, report) = scan_json(&fixture("demo-oci"), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["source"]["kind"], "oci-layout");
    assert_eq!(report["images"][0]["layers"].as_array().unwrap().len(), 3);
    assert!(report["images"][0]["layers"].as_array().unwrap().iter().all(|l| l["status"] == "scanned"));
    assert_demo_findings(&report);
}

#[test]
fn oci_archive_tarball() {
    let (code, report) = scan_json(&fixture("demo-oci.tar"), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["source"]["kind"], "oci-archive");
    assert_demo_findings(&report);
}

#[test]
fn docker_archive_legacy_and_gzipped() {
    for name in ["demo-docker.tar", "demo-docker.tar.gz"] {
        let (code, report) = scan_json(&fixture(name), &[]);
        assert_eq!(code, 0, "{name}");
        assert_eq!(report["source"]["kind"], "docker-archive");
        assert_eq!(report["images"][0]["tags"][0], "bosun/fixture:latest");
        assert_demo_findings(&report);
    }
}

#[test]
fn docker_archive_oci_in_docker_form() {
    let (code, report) = scan_json(&fixture("demo-oci-in-docker.tar"), &[]);
    assert_eq!(code, 0);
    assert_demo_findings(&report);
}

#[test]
fn uncompressed_layers() {
    let (code, report) = scan_json(&fixture("demo-uncompressed"), &[]);
    assert_eq!(code, 0);
    assert_demo_findings(&report);
}

#[test]
fn rootfs_directory_with_a_symlink_out() {
    let (code, report) = scan_json(&fixture("rootfs"), &[]);
    assert_eq!(code, 0);
    assert_eq!(report["source"]["kind"], "rootfs");
    let found = findings(&report, 0);
    assert_eq!(found, vec![("password-assignment".into(), "/app/config/settings.yml".into(), "present".into())]);
}

#[test]
fn two_platform_index_scans_each_platform_and_sums() {
    for name in ["two-platform", "two-platform.tar"] {
        let (code, report) = scan_json(&fixture(name), &["--scanners", "secrets"]);
        assert_eq!(code, 0);
        let labels: Vec<_> = report["images"].as_array().unwrap().iter().map(|i| i["label"].clone()).collect();
        assert_eq!(labels, vec!["linux/amd64", "linux/arm64/v8"]);
        assert_eq!(findings(&report, 0)[0].0, "password-assignment");
        assert_eq!(findings(&report, 1)[0].0, "aws-access-key-id", "the zstd layer of arm64 was read");
        assert_eq!(report["summary"]["total"], 2, "the index is the sum of its platforms");
    }
}

#[test]
fn platform_flag_narrows_an_index() {
    let (code, report) = scan_json(&fixture("two-platform"), &["--platform", "linux/arm64"]);
    assert_eq!(code, 0);
    assert_eq!(report["images"].as_array().unwrap().len(), 1);
    assert_eq!(report["images"][0]["platform"]["variant"], "v8");
    let output =
        bosun().args(["scan", "-q"]).arg(fixture("two-platform")).args(["--platform", "linux/s390x"]).output().unwrap();
    assert_eq!(code_of(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("no image for platform linux/s390x"));
}

fn code_of(output: &std::process::Output) -> i32 {
    crate::util::code(output)
}

#[test]
fn missing_source_is_one_clear_line() {
    let output = bosun().args(["scan", "/nonexistent/image.tar"]).output().unwrap();
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("bosun: /nonexistent/image.tar: "), "{stderr}");
}

#[test]
fn committed_demo_image_is_what_the_script_builds() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(workspace().join("fixtures/build.py"))
        .arg("--demo")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let fresh = std::fs::read(dir.path().join("demo.tar")).unwrap();
    let committed = std::fs::read(workspace().join("fixtures/demo/demo.tar")).unwrap();
    assert!(
        fresh == committed,
        "fixtures/demo/demo.tar is stale: rerun `python3 fixtures/build.py --demo fixtures/demo`"
    );
    let (code, report) = scan_json(&workspace().join("fixtures/demo/demo.tar"), &[]);
    assert_eq!(code, 0);
    assert_demo_findings(&report);
}
