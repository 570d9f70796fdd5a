//! The secrets plugin on the real corpora in ../shared/data/secrets.

use crate::util::*;

/// A root filesystem holding the gitleaks and detect-secrets test data under
/// /app (where an image would hold application files).
fn corpus_rootfs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shared = workspace().parent().unwrap().join("shared/data/secrets");
    copy_tree(&shared.join("gitleaks/testdata/repos/nogit"), &dir.path().join("app/gitleaks-nogit"));
    copy_tree(&shared.join("detect-secrets/test_data"), &dir.path().join("app/detect-secrets"));
    dir
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

/// The fixture image with one fake credential of each kind (fixtures/build.py,
/// `secrets_image`): every one found where it is, with its line, and nothing
/// else; no secret in the report.
#[test]
fn every_kind_of_credential_in_the_fixture_image() {
    let (code, report) = scan_json(&fixture("secrets"), &["--scanners", "secrets"]);
    assert_eq!(code, 0, "{report}");
    let image = &report["images"][0];
    // "rule path:line status", one per finding; the image config has no path.
    let mut got: Vec<String> = image["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("(config)");
            format!(
                "{} {path}:{} {}",
                f["rule_id"].as_str().unwrap(),
                f["lines"][0],
                f["file_status"].as_str().unwrap_or("")
            )
        })
        .collect();
    got.sort();
    let mut want = [
        "aws-access-key-id /root/.aws/credentials:2 removed",
        "aws-secret-access-key /root/.aws/credentials:3 removed",
        "azure-sas-token /app/.env:2 present",
        "azure-storage-connection-string /app/.env:1 present",
        "docker-config-auth /root/.docker/config.json:4 present",
        "gcp-api-key /app/static/app.min.js:1 present",
        "gcp-service-account-key /app/gcp-service-account.json:4 present",
        "git-credentials /root/.git-credentials:1 present",
        "git-repository /var/www/html/.git/HEAD:null present",
        "github-pat (config):null ",
        "gitlab-pat (config):null ",
        "htpasswd-hash /etc/nginx/.htpasswd:1 present",
        "kubeconfig-credential /root/.kube/config:6 present",
        "netrc-password /root/.netrc:1 present",
        "npm-access-token /root/.npmrc:1 present",
        "npmrc-auth-token /root/.npmrc:1 present",
        "password-assignment /app/latin1.properties:3 present",
        "password-php-define /var/www/html/config.php.bak:2 present",
        "pgpass-password /root/.pgpass:1 present",
        "private-key /app/gcp-service-account.json:5 present",
        "private-key /app/keys/deploy.ppk:1 present",
        "private-key /app/keys/encrypted.pem:1 present",
        "private-key /home/app/.ssh/id_ed25519:1 present",
        "pypi-upload-token /root/.pypirc:3 present",
        "slack-token (config):null ",
        "slack-token /app/.env:4 present",
        "source-backup-file /var/www/html/config.php.bak:null present",
        "stripe-secret-key /app/.env:3 present",
        "url-credentials /app/.env:5 present",
    ];
    want.sort();
    assert_eq!(got, want);

    let find = |rule: &str, path: &str| {
        image["findings"].as_array().unwrap().iter().find(|f| f["rule_id"] == rule && f["path"] == path).unwrap()
    };
    // Columns are byte columns, also after Latin-1 bytes and 100 KB into a line.
    assert_eq!(find("password-assignment", "/app/latin1.properties")["column"], 4);
    assert!(find("gcp-api-key", "/app/static/app.min.js")["column"].as_u64().unwrap() > 100_000);
    assert!(find("private-key", "/app/keys/encrypted.pem")["title"].as_str().unwrap().contains("encrypted"));
    let slack =
        image["findings"].as_array().unwrap().iter().find(|f| f["rule_id"] == "slack-token" && f["path"].is_null());
    assert_eq!(slack.unwrap()["history_index"], 2, "the history entry that set it");
    // The placeholder is counted, not reported; the binary's token is not read.
    assert!(image["diagnostics"].as_array().unwrap().iter().any(|d| d["plugin"] == "secrets"
        && d["path"] == "/app/.env"
        && d["message"].as_str().unwrap().contains("1 placeholder")));
    // No finding carries more of a secret than its type marker.
    for finding in image["findings"].as_array().unwrap() {
        let evidence = finding["evidence"].as_str().unwrap_or("");
        for run in evidence.split(|c: char| !c.is_ascii_alphanumeric()) {
            assert!(run.len() < 24, "{evidence:?} shows too much of a secret");
        }
    }
}
