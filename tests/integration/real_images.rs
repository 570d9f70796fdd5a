//! The real images in ../shared/data/images.

use crate::util::*;

#[test]
fn alpine_docker_saves_scan_clean() {
    for name in ["alpine/alpine-310.tar.gz", "alpine/alpine-311.tar.gz"] {
        let (code, report) = scan_json(&shared_image(name), &[]);
        assert_eq!(code, 0, "{name}");
        assert_eq!(report["complete"], true);
        let image = &report["images"][0];
        assert_eq!(image["layers"].as_array().unwrap().len(), 1);
        assert_eq!(image["layers"][0]["status"], "scanned", "diff id verified");
        assert!(image["stats"]["files"].as_u64().unwrap() > 50);
    }
}

/// Every secret Trivy 0.59.1 found in the planted image's files, bosun finds
/// too, at the same line.
#[test]
fn planted_image_secrets_match_the_peer_verdict() {
    let peer: serde_json::Value = serde_json::from_slice(
        &std::fs::read(shared_image("planted-alpine/peer-trivy-0.59.1-secret-misconfig.json")).unwrap(),
    )
    .unwrap();
    let expected: Vec<(String, String, u64)> = peer["Results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["Target"].as_str().unwrap().starts_with('/') && r["Class"] == "secret")
        .filter(|r| !r["Target"].as_str().unwrap().ends_with(".tar"))
        .flat_map(|r| {
            r["Secrets"].as_array().unwrap().iter().map(move |s| {
                (
                    s["RuleID"].as_str().unwrap().to_owned(),
                    r["Target"].as_str().unwrap().to_owned(),
                    s["StartLine"].as_u64().unwrap(),
                )
            })
        })
        .collect();
    assert_eq!(expected.len(), 3);
    for source in ["planted-alpine/oci", "planted-alpine/planted-alpine-3.11.docker.tar.gz"] {
        let (code, report) = scan_json(&shared_image(source), &[]);
        assert_eq!(code, 0, "{source}");
        let ours = report["images"][0]["findings"].as_array().unwrap();
        for (rule, path, line) in &expected {
            assert!(
                ours.iter()
                    .any(|f| f["rule_id"] == rule.as_str() && f["path"] == path.as_str() && f["lines"][0] == *line),
                "{source}: missing {rule} at {path}:{line}"
            );
        }
        // Trivy's two config findings: the token in Env and in the history entry that set it.
        let in_config = ours.iter().filter(|f| f["rule_id"] == "github-pat" && f.get("path").is_none()).count();
        assert_eq!(in_config, 2, "{source}");
        // The key exists only in the layer history: a whiteout deleted it.
        let key = ours.iter().find(|f| f["rule_id"] == "private-key").unwrap();
        assert_eq!(key["file_status"], "removed");
        assert_eq!(key["layer"], 4);
    }
}
