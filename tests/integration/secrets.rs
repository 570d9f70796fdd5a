//! The secrets plugin on the real corpora in ../shared/data/secrets.

use crate::util::*;
use std::path::Path;

/// A root filesystem holding the gitleaks and detect-secrets test data under
/// /app (where an image would hold application files).
fn corpus_rootfs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shared = workspace().parent().unwrap().join("shared/data/secrets");
    copy_tree(&shared.join("gitleaks/testdata/repos/nogit"), &dir.path().join("app/gitleaks-nogit"));
    copy_tree(&shared.join("detect-secrets/test_data"), &dir.path().join("app/detect-secrets"));
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::write(to.join(entry.file_name()), std::fs::read(entry.path()).unwrap()).unwrap();
        }
    }
}

fn found_at(report: &serde_json::Value, rule: &str, path: &str, line: u64) -> bool {
    report["images"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule_id"] == rule && f["path"] == path && f["lines"][0] == line)
}

#[test]
fn finds_the_labelled_secrets_of_the_shared_corpora() {
    let root = corpus_rootfs();
    let (code, report) = scan_json(root.path(), &["--scanners", "secrets"]);
    assert_eq!(code, 0);
    for (rule, path, line) in [
        ("aws-access-key-id", "/app/gitleaks-nogit/api.go", 20),
        ("password-assignment", "/app/gitleaks-nogit/.env.prod", 4),
        ("password-assignment", "/app/detect-secrets/config.ini", 2),
        ("url-credentials", "/app/detect-secrets/each_secret.py", 6),
        ("private-key", "/app/detect-secrets/files/private_key", 1),
        ("generic-secret-in-code", "/app/detect-secrets/each_secret.py", 4),
    ] {
        assert!(found_at(&report, rule, path, line), "missing {rule} at {path}:{line}");
    }
    let text = report.to_string();
    assert!(!text.contains("8ae31cacf141669ddfb5da"), "a secret leaked into the report");
    assert!(!text.contains("AKIALALEMEL33243OLIA"));
    // Documentation keys and values marked `pragma: allowlist secret` are not findings.
    assert!(!found_at(&report, "aws-access-key-id", "/app/detect-secrets/each_secret.py", 8));
    assert!(!found_at(&report, "password-assignment", "/app/detect-secrets/config.ini", 26));
    let placeholders = report["images"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["plugin"] == "secrets" && d["message"].as_str().unwrap().contains("placeholder"));
    assert!(placeholders, "placeholders are counted in the plugin's diagnostics");
}

#[test]
fn a_gitleaks_config_works_as_user_rules() {
    let root = corpus_rootfs();
    let config = workspace().parent().unwrap().join("shared/data/secrets/gitleaks/config/gitleaks.toml");
    let (code, report) =
        scan_json(root.path(), &["--scanners", "secrets", "--secret-config", config.to_str().unwrap()]);
    assert!(code == 0 || code == 3, "{report}");
    let rules: std::collections::BTreeSet<_> =
        report["images"][0]["findings"].as_array().unwrap().iter().map(|f| f["rule_id"].as_str().unwrap()).collect();
    assert!(rules.contains("generic-api-key"), "gitleaks' own rules ran: {rules:?}");
    assert!(rules.contains("aws-access-key-id"), "built-in rules still run: {rules:?}");
}

#[test]
fn source_disclosure_and_keys_in_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let www = dir.path().join("var/www/html");
    std::fs::create_dir_all(www.join(".git")).unwrap();
    std::fs::write(www.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(www.join("wp-config.php.bak"), "<?php define('DB_PASSWORD', 'Zq8#xLp2!mW');\n").unwrap();
    std::fs::write(dir.path().join("app.jks"), [0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1]).unwrap();
    let (code, report) = scan_json(dir.path(), &["--scanners", "secrets"]);
    assert_eq!(code, 0);
    let rules: Vec<(String, String, String)> = findings(&report, 0);
    assert!(rules.iter().any(|(r, p, _)| r == "git-repository" && p == "/var/www/html/.git/HEAD"), "{rules:?}");
    assert!(rules.iter().any(|(r, p, _)| r == "source-backup-file" && p == "/var/www/html/wp-config.php.bak"));
    assert!(rules.iter().any(|(r, p, _)| r == "password-php-define" && p == "/var/www/html/wp-config.php.bak"));
    assert!(rules.iter().any(|(r, p, _)| r == "keystore" && p == "/app.jks"), "{rules:?}");
}
