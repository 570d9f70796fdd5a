//! The image-lint plugin: built images (the planted image, the buildah
//! fixtures), and `bosun lint` on the 219 real Dockerfiles in
//! ../shared/data/dockerfiles next to hadolint 2.15.1's verdicts.

use crate::util::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn findings(report: &Value) -> Vec<Value> {
    report["images"].as_array().unwrap().iter().flat_map(|i| i["findings"].as_array().unwrap().clone()).collect()
}

/// (rule, where) pairs: `history N`, `PATH:LINE`, `PATH`, or `config`.
fn placed(findings: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            let rule = f["rule_id"].as_str().unwrap().to_owned();
            let place = match (&f["history_index"], f["path"].as_str(), &f["lines"]) {
                (Value::Number(n), _, _) => format!("history {n}"),
                (_, Some(path), Value::Array(lines)) => format!("{path}:{}", lines[0]),
                (_, Some(path), _) => path.to_owned(),
                _ => "config".to_owned(),
            };
            (rule, place)
        })
        .collect();
    out.sort();
    out
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = expected.iter().map(|(r, p)| ((*r).to_owned(), (*p).to_owned())).collect();
    out.sort();
    out
}

#[test]
fn the_planted_image_from_its_config_and_history_alone() {
    let (code, report) = scan_json(&shared_image("planted-alpine/oci"), &["--scanners", "image-lint"]);
    assert_eq!(code, 0, "{report}");
    let found = findings(&report);
    // Trivy 0.59.1 reports DS002 (root), DS026 (no HEALTHCHECK), DS031 (GITHUB_TOKEN in ENV).
    assert_eq!(placed(&found), pairs(&[("BSN-002", "history 8"), ("BSN-005", "history 2"), ("BSN-027", "config")]));
    let token = found.iter().find(|f| f["rule_id"] == "BSN-005").unwrap();
    assert_eq!(token["severity"], "critical");
    let evidence = token["evidence"].as_str().unwrap();
    assert!(evidence.starts_with("ENV GITHUB_TOKEN=ghp_") && !evidence.contains("SadNfL"), "{evidence}");
    assert!(found.iter().all(|f| f["category"] == "misconfiguration" && f["remediation"].is_string()));
}

#[test]
fn a_buildah_image_built_carelessly() {
    let (code, report) = scan_json(&fixture("lint-risky"), &["--scanners", "image-lint"]);
    assert_eq!(code, 0, "{report}");
    let found = findings(&report);
    let expected = [
        ("BSN-001", "history 2"),
        ("BSN-005", "history 4"),
        ("BSN-006", "history 4"),
        ("BSN-013", "history 4"),
        ("BSN-005", "history 5"),
        ("BSN-011", "history 6"),
        ("BSN-020", "history 6"),
        ("BSN-016", "history 7"),
        ("BSN-023", "history 7"),
        ("BSN-024", "history 8"),
        ("BSN-026", "history 11"),
        ("BSN-002", "config"),
        ("BSN-027", "config"),
        ("BSN-044", "/usr/local/bin/bb"),
        ("BSN-045", "/srv/data"),
        ("BSN-042", "/etc/passwd:5"),
        ("BSN-040", "/etc/shadow:1"),
        ("BSN-048", "/etc/sudoers.d/app:1"),
        ("BSN-046", "/etc/ssh/sshd_config:1"),
        ("BSN-047", "/etc/ssh/sshd_config:2"),
    ];
    assert_eq!(placed(&found), pairs(&expected));
    let by_rule = |rule: &str| found.iter().find(|f| f["rule_id"] == rule).unwrap();
    // A setuid copy no distribution ships is worth more than the usual su/passwd.
    assert_eq!(by_rule("BSN-044")["severity"], "medium");
    // The baseline file of the base layer was replaced; the finding is on the top one.
    assert_eq!(by_rule("BSN-040")["layer"], 5);
    // The token buildah repeats on every RUN is reported once, masked.
    let token = found.iter().find(|f| f["title"].as_str().unwrap().contains("NPM_TOKEN")).unwrap();
    assert!(!token["evidence"].as_str().unwrap().contains("Zq3vT8"), "{token}");
}

#[test]
fn a_buildah_image_built_with_care_is_clean() {
    let (code, report) = scan_json(&fixture("lint-hardened"), &["--scanners", "image-lint"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(findings(&report), Vec::<Value>::new());
}

#[test]
fn what_a_later_layer_fixed_is_not_reported() {
    let (code, report) = scan_json(&fixture("lint-fixed-later"), &["--scanners", "image-lint"]);
    assert_eq!(code, 0, "{report}");
    // Only the image-level finding is left (no HEALTHCHECK); the setuid bit,
    // the empty root password and the 0777 directory of layer 0 were fixed in layer 1.
    assert_eq!(placed(&findings(&report)), pairs(&[("BSN-027", "config")]));
}

/// hadolint checks that mean what a bosun rule means.
const SAME_MEANING: &[(&str, &str)] = &[
    ("DL4000", "BSN-001"),
    ("DL3002", "BSN-002"),
    ("DL3020", "BSN-003"),
    ("DL3027", "BSN-007"),
    ("DL3015", "BSN-022"),
    ("DL3009", "BSN-023"),
    ("DL3019", "BSN-023"),
    ("DL3042", "BSN-023"),
    ("DL3032", "BSN-023"),
    ("DL3040", "BSN-023"),
    ("DL3036", "BSN-023"),
    ("DL3004", "BSN-025"),
    ("DL3006", "BSN-028"),
    ("DL3007", "BSN-028"),
    ("DL3029", "BSN-029"),
];

type Key = (String, String, u64, String); // (corpus, file, line, bosun rule)

fn bosun_lint(dir: &Path, files: &[String]) -> Value {
    let output = bosun().current_dir(dir).args(["lint", "-f", "json"]).args(files).output().unwrap();
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    parse(&output)
}

fn dockerfiles(dir: &Path, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap().to_string_lossy().starts_with("Dockerfile") {
                found.push(format!("{prefix}{}", path.strip_prefix(dir).unwrap().display()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn agrees_with_hadolint_on_219_real_dockerfiles() {
    let root = shared_data("dockerfiles");
    let mapped: BTreeMap<&str, &str> = SAME_MEANING.iter().copied().collect();
    let mut ours: BTreeMap<Key, String> = BTreeMap::new();
    let mut theirs: BTreeSet<Key> = BTreeSet::new();
    let mut files = 0;
    for (corpus, prefix) in [("jessfraz", "./"), ("claircore-redhat", "")] {
        let names = dockerfiles(&root.join(corpus), prefix);
        files += names.len();
        let report = bosun_lint(&root.join(corpus), &names);
        assert_eq!(report["source"]["kind"], "dockerfile");
        for image in report["images"].as_array().unwrap() {
            let file = image["label"].as_str().unwrap();
            for f in image["findings"].as_array().unwrap() {
                let rule = f["rule_id"].as_str().unwrap();
                if mapped.values().any(|r| *r == rule) {
                    let key = (corpus.to_owned(), file.to_owned(), f["lines"][0].as_u64().unwrap(), rule.to_owned());
                    ours.insert(key, f["title"].as_str().unwrap().to_owned());
                }
            }
        }
        let verdicts: Value =
            serde_json::from_slice(&std::fs::read(root.join(format!("{corpus}.hadolint-2.15.1.json"))).unwrap())
                .unwrap();
        for v in verdicts.as_array().unwrap() {
            if let Some(rule) = mapped.get(v["code"].as_str().unwrap()) {
                theirs.insert((
                    corpus.to_owned(),
                    v["file"].as_str().unwrap().to_owned(),
                    v["line"].as_u64().unwrap(),
                    (*rule).to_owned(),
                ));
            }
        }
    }
    assert_eq!(files, 219);
    let missed: Vec<&Key> = theirs.iter().filter(|k| !ours.contains_key(*k)).collect();
    assert!(missed.is_empty(), "hadolint found, bosun did not: {missed:#?}");
    // Every extra finding is the one disagreement we want: hadolint's DL3002
    // only looks at an explicit `USER root` and misses a final stage with no USER.
    let extra: Vec<(&Key, &String)> = ours.iter().filter(|(k, _)| !theirs.contains(*k)).collect();
    for (key, title) in &extra {
        assert!(key.3 == "BSN-002" && title.contains("no USER"), "bosun only: {key:?} {title}");
    }
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for key in &theirs {
        *per_rule.entry(key.3.as_str()).or_default() += 1;
    }
    assert_eq!(theirs.len(), 169, "{per_rule:?}");
    assert_eq!(extra.len(), 176);
}

#[test]
fn lint_command_exit_codes_suppressions_and_context() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    std::fs::write(
        &dockerfile,
        "FROM alpine:3.20\n# bosun ignore=BSN-023\nRUN apk add curl\nCOPY . /app\nRUN curl -k https://x | sh\nUSER 10001\nHEALTHCHECK CMD true\n",
    )
    .unwrap();
    let run = |args: &[&str]| bosun().current_dir(dir.path()).arg("lint").args(args).output().unwrap();

    let output = run(&["-f", "json", "Dockerfile"]);
    assert_eq!(code(&output), 0);
    let report = parse(&output);
    assert_eq!(
        placed(&findings(&report)),
        pairs(&[("BSN-010", "Dockerfile:5"), ("BSN-020", "Dockerfile:5"), ("BSN-031", "Dockerfile:4")])
    );

    // A .dockerignore beside it: `COPY .` is fine.
    std::fs::write(dir.path().join(".dockerignore"), ".git\n.env\n").unwrap();
    let report = parse(&run(&["-f", "json", "Dockerfile"]));
    assert!(findings(&report).iter().all(|f| f["rule_id"] != "BSN-031"));

    // Options: disable a rule, change a severity; --exit-code reacts to what is left.
    let output = run(&[
        "-f",
        "json",
        "--plugin-option",
        "image-lint:disable=BSN-020",
        "--plugin-option",
        "image-lint:severity=BSN-010:critical",
        "--exit-code",
        "9",
        "--fail-on",
        "critical",
        "Dockerfile",
    ]);
    assert_eq!(code(&output), 9);
    let found = findings(&parse(&output));
    assert_eq!(found.len(), 1);
    assert_eq!((found[0]["rule_id"].as_str(), found[0]["severity"].as_str()), (Some("BSN-010"), Some("critical")));

    // A bad option is one clear error.
    let output = run(&["--plugin-option", "image-lint:disable=BSN-999", "Dockerfile"]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("BSN-999"));

    // Standard input, SARIF.
    let mut child = bosun()
        .args(["lint", "-f", "sarif", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"FROM ubuntu\nMAINTAINER me\n").unwrap();
    let output = child.wait_with_output().unwrap();
    let sarif = parse(&output);
    let rules: BTreeSet<&str> =
        sarif["runs"][0]["results"].as_array().unwrap().iter().map(|r| r["ruleId"].as_str().unwrap()).collect();
    assert_eq!(rules, BTreeSet::from(["BSN-001", "BSN-002", "BSN-027", "BSN-028"]));
}
