//! Helpers: build the fixtures once, run the binary, read its JSON.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(|d| workspace().join(d)).unwrap_or_else(|| workspace().join("target"))
}

/// The fixture images, built once per test run (and reused while the script is unchanged).
pub fn fixture(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let script = workspace().join("fixtures/build.py");
            let out = target_dir().join("test-fixtures");
            let stamp = out.join(".stamp");
            let digest = format!("{:x}", sha(&std::fs::read(&script).unwrap()));
            if std::fs::read_to_string(&stamp).ok().as_deref() != Some(digest.as_str()) {
                let _ = std::fs::remove_dir_all(&out);
                let status = Command::new("python3").arg(&script).arg(&out).status().expect("python3 runs");
                assert!(status.success(), "fixtures/build.py failed");
                std::fs::write(&stamp, &digest).unwrap();
            }
            out
        })
        .join(name)
}

fn sha(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// The source directory of a (dev-)dependency crate, from `cargo metadata`.
pub fn crate_dir(name: &str) -> PathBuf {
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1"])
        .current_dir(workspace())
        .output()
        .expect("cargo metadata");
    let metadata: Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{name} is a dev-dependency"))["manifest_path"]
        .as_str()
        .unwrap()
        .to_owned();
    Path::new(&manifest).parent().unwrap().to_path_buf()
}

/// Copy a directory tree (contents only, default permissions); returns the number of files.
pub fn copy_tree(from: &Path, to: &Path) -> usize {
    std::fs::create_dir_all(to).unwrap();
    let mut files = 0;
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            files += copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::write(to.join(entry.file_name()), std::fs::read(entry.path()).unwrap()).unwrap();
            files += 1;
        }
    }
    files
}

/// ../shared/data, beside the checkout.
pub fn shared_data(rel: &str) -> PathBuf {
    let path = workspace().parent().unwrap().join("shared/data").join(rel);
    assert!(path.exists(), "{} is missing: the tests need ../shared/data beside the checkout", path.display());
    path
}

/// A real image from ../shared/data/images.
pub fn shared_image(rel: &str) -> PathBuf {
    let path = workspace().parent().unwrap().join("shared/data/images").join(rel);
    assert!(path.exists(), "{} is missing: the tests need ../shared/data beside the checkout", path.display());
    path
}

/// A test-only plugin component built by host/build.rs.
pub fn test_plugin(file: &str) -> PathBuf {
    Path::new(env!("BOSUN_TEST_PLUGIN_DIR")).join(file)
}

/// `bosun` with a plugin cache shared by all tests.
pub fn bosun() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bosun"));
    command.env("XDG_CACHE_HOME", target_dir().join("test-cache")).env_remove("NO_COLOR");
    command
}

/// Run `bosun scan SOURCE -f json ARGS…`: the exit code and the parsed report.
pub fn scan_json(source: &Path, args: &[&str]) -> (i32, Value) {
    let output = bosun().arg("scan").arg(source).args(["-q", "-f", "json"]).args(args).output().unwrap();
    (code(&output), parse(&output))
}

pub fn parse(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}); exit {:?}\nstdout: {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("bosun exits normally")
}

/// (rule, path, file status) of every finding of image `index`.
pub fn findings(report: &Value, index: usize) -> Vec<(String, String, String)> {
    report["images"][index]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
                f["file_status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Codes of every diagnostic, source-level and per image.
pub fn diagnostic_codes(report: &Value) -> Vec<String> {
    let mut codes: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .chain(report["images"].as_array().unwrap().iter().flat_map(|i| i["diagnostics"].as_array().unwrap()))
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

pub fn has(findings: &[(String, String, String)], rule: &str, path: &str, status: &str) -> bool {
    findings.iter().any(|(r, p, s)| r == rule && p == path && s == status)
}
