//! Hostile images fail safely: a clear diagnostic, bounded resources, and
//! nothing written outside the scan's own scratch space.

use crate::util::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &Path) -> BTreeMap<String, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let md = entry.path().symlink_metadata().unwrap();
            if md.is_dir() {
                stack.push(entry.path());
            }
            out.insert(entry.path().display().to_string(), (md.len(), md.modified().unwrap()));
        }
    }
    out
}

#[test]
fn traversal_links_and_devices_never_escape() {
    let sandbox = tempfile::tempdir().unwrap();
    let tmp = sandbox.path().join("tmp");
    let cwd = sandbox.path().join("cwd");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    let image = fixture("traversal");
    let image_before = snapshot(&image);
    let probes = ["/tmp/bosun-escape-traversal", "/tmp/bosun-escape-through-symlink", "/etc/absolute-entry"];
    for probe in probes {
        assert!(!Path::new(probe).exists(), "{probe} exists before the test");
    }

    let output =
        bosun().current_dir(&cwd).env("TMPDIR", &tmp).args(["scan", "-q", "-f", "json"]).arg(&image).output().unwrap();
    let report = parse(&output);

    assert_eq!(code(&output), 0, "warnings do not make a scan incomplete");
    for probe in probes {
        assert!(!Path::new(probe).exists(), "{probe} was created on the host");
    }
    assert!(snapshot(&tmp).is_empty(), "scratch space left behind: {:?}", snapshot(&tmp));
    assert!(snapshot(&cwd).is_empty(), "files written to the working directory");
    assert_eq!(snapshot(&image), image_before, "the image itself was changed");

    let codes = diagnostic_codes(&report);
    assert!(codes.contains(&"path-traversal".to_owned()), "{codes:?}");
    assert!(codes.contains(&"special-file".to_owned()), "{codes:?}");
    let traversal =
        report["images"][0]["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "path-traversal").unwrap();
    assert_eq!(traversal["path"], "/tmp/bosun-escape-traversal", "resolved inside the image root");
    // The legitimate file of the same layer is still analysed.
    assert!(has(&findings(&report, 0), "password-assignment", "/etc/app.conf", "present"));
}

fn layer_diagnostic(report: &serde_json::Value, code: &str) -> serde_json::Value {
    report["images"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} diagnostic in {report:#}"))
        .clone()
}

#[test]
fn gzip_bomb_is_stopped_early_and_the_rest_survives() {
    let (code, report) = scan_json(&fixture("gzip-bomb"), &["--timings"]);
    assert_eq!(code, 3, "an unreadable layer makes the scan incomplete");
    assert_eq!(report["complete"], false);
    let diagnostic = layer_diagnostic(&report, "layer-too-large");
    assert_eq!(diagnostic["level"], "error");
    assert_eq!(diagnostic["layer"], 1);
    assert!(diagnostic["message"].as_str().unwrap().contains("decompression bomb"), "{diagnostic}");
    assert_eq!(report["images"][0]["layers"][1]["status"], "failed");
    assert!(report["images"][0]["stats"]["bytes"].as_u64().unwrap() < 1 << 30, "stopped long before 2 GiB");
    assert!(has(&findings(&report, 0), "password-assignment", "/app/config/settings.yml", "present"));
}

#[test]
fn sparse_ten_gigabyte_file_is_skipped_not_expanded() {
    let (code, report) = scan_json(&fixture("sparse"), &["--timings"]);
    assert_eq!(code, 0);
    let diagnostic = layer_diagnostic(&report, "file-too-large");
    assert_eq!(diagnostic["path"], "/sparse.img");
    assert!(diagnostic["message"].as_str().unwrap().starts_with("10737418240 bytes"));
    assert!(has(&findings(&report, 0), "password-assignment", "/note.conf", "present"));
    assert!(report["timings"]["peak_rss_kib"].as_u64().unwrap() < 256 * 1024);
}

#[test]
fn a_million_tiny_entries_in_bounded_memory() {
    let (code, report) = scan_json(&fixture("million"), &["--timings"]);
    assert_eq!(code, 0);
    assert_eq!(report["images"][0]["stats"]["entries"], 1_000_000);
    let rss = report["timings"]["peak_rss_kib"].as_u64().unwrap();
    assert!(rss < 256 * 1024, "peak RSS {rss} KiB");
}

#[test]
fn truncated_gzip_names_the_layer_and_keeps_the_rest() {
    let (code, report) = scan_json(&fixture("truncated-gzip"), &[]);
    assert_eq!(code, 3);
    let diagnostic = layer_diagnostic(&report, "layer-corrupt");
    assert_eq!(diagnostic["layer"], 1);
    assert!(diagnostic["message"].as_str().unwrap().starts_with("layer 1 (sha256:"), "{diagnostic}");
    assert_eq!(report["images"][0]["layers"][1]["status"], "failed");
    assert_eq!(report["images"][0]["layers"][2]["status"], "scanned", "later layers are still read");
    assert!(has(&findings(&report, 0), "password-assignment", "/app/config/settings.yml", "present"));
}

#[test]
fn corrupt_tar_header_names_the_layer() {
    let (code, report) = scan_json(&fixture("corrupt-tar"), &[]);
    assert_eq!(code, 3);
    let diagnostic = layer_diagnostic(&report, "layer-corrupt");
    assert!(diagnostic["message"].as_str().unwrap().contains("corrupt layer"), "{diagnostic}");
}

#[test]
fn blob_digest_mismatch_is_an_error_naming_the_layer() {
    let (code, report) = scan_json(&fixture("bad-blob-digest"), &[]);
    assert_eq!(code, 3);
    assert_eq!(report["images"][0]["layers"][1]["status"], "digest-mismatch");
    let diagnostic = layer_diagnostic(&report, "digest-mismatch");
    let message = diagnostic["message"].as_str().unwrap();
    assert!(message.starts_with("layer 1: blob digest mismatch"), "{message}");
}

#[test]
fn diff_id_mismatch_is_an_error_naming_the_layer() {
    let (code, report) = scan_json(&fixture("bad-diff-id"), &[]);
    assert_eq!(code, 3);
    let diagnostic = layer_diagnostic(&report, "digest-mismatch");
    assert!(diagnostic["message"].as_str().unwrap().contains("diff id digest mismatch"), "{diagnostic}");
    assert!(diagnostic["message"].as_str().unwrap().contains(&format!("sha256:{}", "0".repeat(64))));
}
