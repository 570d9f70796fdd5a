//! The history of images buildah really built (fixtures/buildah, configs
//! recorded by fixtures/buildah/build.sh) must read back as the Dockerfiles
//! they came from, and lint the same way.

use bosun_plugin_image_lint::{Settings, dockerfile, history, lint_dockerfile, lint_image};
use bosun_plugin_sdk::{HistoryEntry, ImageInfo};
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/buildah")
}

fn image_info(name: &str) -> ImageInfo {
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.config.json"))).unwrap();
    let config: Value = serde_json::from_str(&text).unwrap();
    let runtime = &config["config"];
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    };
    ImageInfo {
        reference: name.into(),
        manifest_digest: None,
        config_digest: "sha256:recorded".into(),
        os: config["os"].as_str().unwrap_or_default().into(),
        architecture: config["architecture"].as_str().unwrap_or_default().into(),
        platform_variant: None,
        user: runtime["User"].as_str().map(str::to_owned),
        env: strings(&runtime["Env"]),
        entrypoint: strings(&runtime["Entrypoint"]),
        cmd: strings(&runtime["Cmd"]),
        working_dir: runtime["WorkingDir"].as_str().map(str::to_owned),
        exposed_ports: runtime["ExposedPorts"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default(),
        labels: Vec::new(),
        healthcheck: runtime["Healthcheck"].get("Test").map(strings),
        history: config["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| HistoryEntry {
                created_by: h["created_by"].as_str().map(str::to_owned),
                created: None,
                comment: None,
                empty_layer: h["empty_layer"].as_bool().unwrap_or(false),
            })
            .collect(),
        layers: Vec::new(),
        raw_config: text,
    }
}

/// The Dockerfile's instructions after `FROM`, as (keyword, collapsed arguments).
fn dockerfile_steps(name: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.Dockerfile"))).unwrap();
    let file = dockerfile::parse(&text);
    file.instructions
        .iter()
        .filter(|i| i.keyword != "FROM")
        .map(|i| (i.keyword.clone(), i.args.split_whitespace().collect::<Vec<_>>().join(" ")))
        .collect()
}

#[test]
fn buildah_history_reads_back_as_the_dockerfile() {
    for name in ["risky", "hardened"] {
        let image = image_info(name);
        // The first two entries are the alpine base (classic Docker notation).
        let steps: Vec<(String, String)> = image.history[2..]
            .iter()
            .enumerate()
            .map(|(i, h)| history::instruction(h.created_by.as_deref().unwrap(), i as u32 + 2).expect("an instruction"))
            .map(|i| (i.keyword.clone(), i.args.split_whitespace().collect::<Vec<_>>().join(" ")))
            .collect();
        let expected = dockerfile_steps(name);
        assert_eq!(steps.len(), expected.len(), "{name}");
        for ((keyword, args), (want_keyword, want_args)) in steps.iter().zip(&expected) {
            assert_eq!(keyword, want_keyword, "{name}");
            match keyword.as_str() {
                // buildah records COPY sources as content hashes and drops ARG defaults and flags.
                "COPY" | "ADD" => assert_eq!(args.rsplit(' ').next(), want_args.rsplit(' ').next(), "{name}"),
                "ARG" => assert!(want_args.starts_with(args.as_str()), "{name}: {args}"),
                "HEALTHCHECK" => assert!(args.ends_with(want_args.as_str()) || want_args.ends_with(args.as_str())),
                "RUN" => assert_eq!(args, want_args, "{name}"),
                _ => assert_eq!(args, want_args, "{name}"),
            }
        }
    }
}

fn rules_of(hits: &[bosun_plugin_image_lint::rules::Hit]) -> Vec<&'static str> {
    let mut rules: Vec<&str> = hits.iter().map(|h| h.rule).collect();
    rules.sort_unstable();
    rules.dedup();
    rules
}

#[test]
fn the_built_image_and_its_dockerfile_lint_alike() {
    let (_, image_hits) = lint_image(&image_info("risky"));
    let text = std::fs::read_to_string(fixtures().join("risky.Dockerfile")).unwrap();
    let file_hits = lint_dockerfile(&dockerfile::parse(&text), &Settings::default());
    let from_image = rules_of(&image_hits);
    let from_file = rules_of(&file_hits);
    assert_eq!(
        from_image,
        [
            "BSN-001", "BSN-002", "BSN-005", "BSN-006", "BSN-011", "BSN-013", "BSN-016", "BSN-020", "BSN-023",
            "BSN-024", "BSN-026", "BSN-027"
        ]
    );
    // The Dockerfile also shows what the history cannot: the base is not pinned (`FROM base`).
    let mut expected_file = from_image.clone();
    expected_file.extend(["BSN-028"]);
    expected_file.sort_unstable();
    assert_eq!(from_file, expected_file);
    // The build argument's token is reported once, though buildah repeats it on every RUN.
    let token_hits = image_hits.iter().filter(|h| h.detail.contains("NPM_TOKEN")).count();
    assert_eq!(token_hits, 1);

    let (_, hardened) = lint_image(&image_info("hardened"));
    assert!(hardened.is_empty(), "{hardened:?}");
}
