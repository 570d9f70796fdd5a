//! bosun's image-lint plugin: how an image was built and configured.
//!
//! - From the image itself (`analyze-image`): the config (`User`, `Env`,
//!   `ExposedPorts`, `Healthcheck`) and every history step, turned back into
//!   Dockerfile instructions whatever the builder (classic, BuildKit, buildah,
//!   kaniko).
//! - From files (`analyze-file`): `/etc/passwd`, `/etc/shadow`, `/etc/group`,
//!   `sshd_config`, sudoers, the mode bits of every file, and Dockerfiles —
//!   in an image, or given to `bosun lint`.
//!
//! Rules have stable ids `BSN-…` (docs/image-lint.md). Options:
//! `disable=BSN-027,BSN-044`, `severity=BSN-027:medium`,
//! `dockerignore=present|absent` (set by `bosun lint` from the build context).
//! A Dockerfile comment `# bosun ignore=BSN-020` silences rules for the next
//! instruction.

pub mod baseline;
pub mod dockerfile;
pub mod history;
pub mod rules;
pub mod secret_vars;
pub mod shell;

use bosun_plugin_sdk::*;
use dockerfile::{Dockerfile, Instruction};
use rules::{Hit, Rule};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// The user's choices.
#[derive(Debug, Default)]
pub struct Settings {
    disabled: Vec<String>,
    severities: BTreeMap<String, Severity>,
    /// `Some(false)`: the build context has no .dockerignore.
    dockerignore: Option<bool>,
}

static ACTIVE: Active<Settings> = Active::new();

fn settings() -> Arc<Settings> {
    ACTIVE.get_or(Settings::default)
}

impl Settings {
    /// Parse `configure` options.
    pub fn from_options(options: &[(String, String)]) -> Result<Settings, String> {
        let mut settings = Settings::default();
        let known = |id: &str| -> Result<String, String> {
            let id = id.trim().to_ascii_uppercase();
            match rules::rule_by_id(&id) {
                Some(_) => Ok(id),
                None => Err(format!("unknown rule `{id}` (rules are BSN-001 … BSN-048; see docs/image-lint.md)")),
            }
        };
        for (key, value) in options {
            match key.as_str() {
                "disable" => {
                    for id in value.split(',').filter(|s| !s.trim().is_empty()) {
                        settings.disabled.push(known(id)?);
                    }
                }
                "severity" => {
                    for item in value.split(',').filter(|s| !s.trim().is_empty()) {
                        let (id, level) =
                            item.split_once(':').ok_or_else(|| format!("severity wants RULE:LEVEL, got `{item}`"))?;
                        let level = match level.trim().to_ascii_lowercase().as_str() {
                            "unknown" | "info" => Severity::Unknown,
                            "low" => Severity::Low,
                            "medium" => Severity::Medium,
                            "high" => Severity::High,
                            "critical" => Severity::Critical,
                            other => return Err(format!("unknown severity `{other}`")),
                        };
                        settings.severities.insert(known(id)?, level);
                    }
                }
                "dockerignore" => {
                    settings.dockerignore = match value.as_str() {
                        "present" => Some(true),
                        "absent" => Some(false),
                        other => return Err(format!("dockerignore is `present` or `absent`, got `{other}`")),
                    }
                }
                other => return Err(format!("unknown option `{other}` (disable, severity, dockerignore)")),
            }
        }
        Ok(settings)
    }

    fn enabled(&self, id: &str) -> bool {
        !self.disabled.iter().any(|d| d == id)
    }
}

/// Where a finding points.
enum Place<'a> {
    Dockerfile { path: &'a str, instructions: &'a [Instruction] },
    History { instructions: &'a [Instruction] },
}

fn finding(
    settings: &Settings,
    rule: &Rule,
    detail: &str,
    severity: Option<Severity>,
    evidence: Option<String>,
) -> Finding {
    let severity = settings.severities.get(rule.id).copied().or(severity).unwrap_or(rule.severity);
    let mut finding = Finding::new(rule.id, Category::Misconfiguration, severity, &format!("{}{detail}", rule.title))
        .described(rule.why)
        .remediation(rule.fix)
        .confidence(Confidence::High)
        .tagged(&["image-lint"]);
    if let Some(evidence) = evidence {
        finding = finding.evidence(evidence);
    }
    if !rule.peers.is_empty() {
        finding = finding.property("peer-checks", rule.peers.join(","));
    }
    finding
}

fn hits_to_findings(settings: &Settings, hits: Vec<Hit>, place: &Place<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for hit in hits {
        let Some(rule) = rules::rule_by_id(hit.rule) else { continue };
        if !settings.enabled(rule.id) {
            continue;
        }
        let instruction = match place {
            Place::Dockerfile { instructions, .. } | Place::History { instructions } => {
                hit.at.map(|i| &instructions[i])
            }
        };
        if instruction.is_some_and(|i| i.ignored.iter().any(|id| id == rule.id)) {
            continue;
        }
        let evidence = hit.evidence.clone().or_else(|| instruction.map(Instruction::display));
        let mut f = finding(settings, rule, &hit.detail, hit.severity, evidence);
        match (place, instruction) {
            (Place::Dockerfile { path, .. }, Some(i)) => {
                f.location = Location::in_file(path);
                f.location.line_start = Some(i.line);
                f.location.line_end = Some(i.end_line);
                f.location.column = Some(1);
                f = f.tagged(&["dockerfile"]);
            }
            (Place::Dockerfile { path, .. }, None) => {
                f.location = Location::in_file(path);
                f = f.tagged(&["dockerfile"]);
            }
            (Place::History { .. }, Some(i)) => {
                f.location = i.history_index.map(Location::in_history).unwrap_or_default();
                f = f.tagged(&["image-config"]);
            }
            (Place::History { .. }, None) => f = f.tagged(&["image-config"]),
        }
        if hit.rule == "BSN-005" && hit.severity.is_none() {
            f.confidence = Confidence::Medium;
        }
        out.push(f);
    }
    out
}

/// True for a `USER` value that means root.
fn is_root(user: &str) -> bool {
    let name = user.trim().split(':').next().unwrap_or_default();
    name.is_empty() || name == "root" || name == "0"
}

/// Lint a parsed Dockerfile.
pub fn lint_dockerfile(file: &Dockerfile, settings: &Settings) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (at, instruction) in file.instructions.iter().enumerate() {
        rules::check(instruction, at, &mut hits);
        if matches!(instruction.keyword.as_str(), "COPY" | "ADD")
            && settings.dockerignore == Some(false)
            && instruction.flag("from").is_none()
        {
            let paths = instruction.copy_paths();
            if let Some((_, sources)) = paths.split_last()
                && sources.iter().any(|s| matches!(s.as_str(), "." | "./" | "*"))
            {
                hits.push(Hit::new("BSN-031", at, ""));
            }
        }
    }
    let stage_names: Vec<Option<&str>> = file.stages.iter().map(|s| s.name.as_deref()).collect();
    for (index, stage) in file.stages.iter().enumerate() {
        let from = &file.instructions[stage.from];
        if let Some(platform) = from.flag("platform")
            && !platform.contains('$')
        {
            hits.push(Hit::new("BSN-029", stage.from, format!(": {platform}")));
        }
        let base = stage.base.as_str();
        let earlier_stage = stage_names[..index].contains(&Some(base.to_ascii_lowercase().as_str()));
        if base.eq_ignore_ascii_case("scratch") || earlier_stage || base.contains('$') || base.contains('@') {
            continue;
        }
        let last = base.rsplit('/').next().unwrap_or(base);
        match last.split_once(':') {
            None => hits.push(Hit::new("BSN-028", stage.from, format!(": {base} has no tag"))),
            Some((_, "latest")) => hits.push(Hit::new("BSN-028", stage.from, format!(": {base}"))),
            Some(_) => {}
        }
    }

    // The final stage, and the stages it builds on (`FROM build AS final`).
    let Some(final_stage) = file.stages.len().checked_sub(1) else { return hits };
    let mut chain = vec![final_stage];
    while let Some(&current) = chain.last() {
        let base = file.stages[current].base.to_ascii_lowercase();
        match file.stages[..current].iter().rposition(|s| s.name.as_deref() == Some(base.as_str())) {
            Some(parent) if !chain.contains(&parent) => chain.push(parent),
            _ => break,
        }
    }
    let in_chain = |i: &&Instruction| chain.contains(&i.stage);
    let final_from = file.stages[final_stage].from;
    let last_user =
        file.instructions.iter().enumerate().filter(|(_, i)| in_chain(i)).rfind(|(_, i)| i.keyword == "USER");
    match last_user {
        Some((at, user)) => {
            let value = user.expanded.trim().to_owned();
            if is_root(&value) {
                hits.push(Hit::new("BSN-002", at, format!(": last USER is {}", bounded_user(&value))));
            }
        }
        None if file.stages[final_stage].base.eq_ignore_ascii_case("scratch") => {
            hits.push(Hit::new("BSN-002", final_from, ": no USER in the final stage (scratch runs as root)"));
        }
        None => hits.push(Hit {
            severity: Some(Severity::Medium),
            ..Hit::new("BSN-002", final_from, ": no USER in the final stage; root unless the base image sets one")
        }),
    }
    let healthcheck = file.instructions.iter().filter(in_chain).rfind(|i| i.keyword == "HEALTHCHECK");
    if healthcheck.is_none_or(|h| h.args.trim().eq_ignore_ascii_case("none")) {
        hits.push(Hit::new("BSN-027", final_from, ""));
    }
    hits
}

fn bounded_user(user: &str) -> String {
    dockerfile::bounded(user, 40)
}

/// Lint an image from its config and history.
pub fn lint_image(image: &ImageInfo) -> (Vec<Instruction>, Vec<Hit>) {
    let instructions: Vec<Instruction> = image
        .history
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| history::instruction(entry.created_by.as_deref()?, index as u32))
        .collect();
    let mut hits = Vec::new();
    for (at, instruction) in instructions.iter().enumerate() {
        rules::check(instruction, at, &mut hits);
    }
    // The config decides USER, EXPOSE and HEALTHCHECK; history only says where.
    hits.retain(|h| h.rule != "BSN-026");
    // Builders repeat build arguments on every RUN after the ARG: one finding per value.
    let mut seen_evidence: HashSet<String> = HashSet::new();
    hits.retain(|h| match h.evidence.as_ref().filter(|_| h.rule == "BSN-005") {
        Some(evidence) => seen_evidence.insert(evidence.clone()),
        None => true,
    });
    // A root filesystem directory has no config: nothing says how it runs.
    if image.config_digest.is_empty() {
        return (instructions, hits);
    }
    let last = |keyword: &str| instructions.iter().rposition(|i| i.keyword == keyword);
    let windows = image.os.eq_ignore_ascii_case("windows");
    let user = image.user.clone().unwrap_or_default();
    if !windows && is_root(&user) {
        let detail =
            if user.trim().is_empty() { ": no USER set".to_owned() } else { format!(": USER {}", bounded_user(&user)) };
        hits.push(Hit {
            rule: "BSN-002",
            at: last("USER"),
            detail,
            evidence: Some(format!("User: {user:?}")),
            severity: None,
        });
    }
    let healthy = image.healthcheck.as_ref().is_some_and(|test| test.first().is_some_and(|t| t != "NONE"));
    if !healthy {
        hits.push(Hit { rule: "BSN-027", at: None, detail: String::new(), evidence: None, severity: None });
    }
    if image.exposed_ports.iter().any(|p| rules::exposes_22(p)) {
        hits.push(Hit {
            rule: "BSN-026",
            at: last("EXPOSE"),
            detail: String::new(),
            evidence: Some(format!("ExposedPorts: {}", image.exposed_ports.join(" "))),
            severity: None,
        });
    }
    // Env the history does not explain (a config edited after the build, or a
    // history that was squashed): check it from the config.
    let from_history: HashSet<String> = instructions
        .iter()
        .filter(|i| i.keyword == "ENV")
        .flat_map(|i| i.pairs().into_iter().map(|p| p.name))
        .collect();
    for var in &image.env {
        let Some((name, value)) = var.split_once('=') else { continue };
        if from_history.contains(name) {
            continue;
        }
        let mut found = Vec::new();
        rules::check_variable(name, value, 0, "ENV", &mut found);
        hits.extend(found.into_iter().map(|h| Hit { at: None, ..h }));
    }
    (instructions, hits)
}

/// True for a Dockerfile's name: `Dockerfile`, `Containerfile`, `Dockerfile.dev`,
/// `Dockerfile-ubi8`, `app.dockerfile`.
pub fn is_dockerfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower.strip_prefix(base).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('-'))
            || lower.ends_with(&format!(".{base}"))
    })
}

/// Findings for one file's text, by what the file is.
pub fn analyze_text(path: &str, text: &str, settings: &Settings) -> Vec<Finding> {
    if is_dockerfile(path) {
        let file = dockerfile::parse(text);
        let hits = lint_dockerfile(&file, settings);
        let mut findings =
            hits_to_findings(settings, hits, &Place::Dockerfile { path, instructions: &file.instructions });
        if !file.errors.is_empty() {
            let (line, reason) = &file.errors[0];
            let more = match file.errors.len() {
                1 => String::new(),
                n => format!(" (and {} more problems)", n - 1),
            };
            log(LogLevel::Warn, &format!("Dockerfile line {line}: {reason}{more}"));
        }
        findings.sort_by(|a, b| (a.location.line_start, &a.rule_id).cmp(&(b.location.line_start, &b.rule_id)));
        return findings;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let issues = match path {
        "/etc/passwd" => baseline::passwd(text),
        "/etc/shadow" => baseline::shadow(text),
        "/etc/group" => baseline::group(text),
        _ if path == "/etc/ssh/sshd_config"
            || (path.starts_with("/etc/ssh/sshd_config.d/") && name.ends_with(".conf")) =>
        {
            baseline::sshd_config(text)
        }
        _ if path == "/etc/sudoers" || path.starts_with("/etc/sudoers.d/") => baseline::sudoers(text),
        _ => Vec::new(),
    };
    issues_to_findings(settings, issues, path)
}

fn issues_to_findings(settings: &Settings, issues: Vec<baseline::Issue>, path: &str) -> Vec<Finding> {
    issues
        .into_iter()
        .filter_map(|issue| {
            let rule = rules::rule_by_id(issue.rule)?;
            if !settings.enabled(rule.id) {
                return None;
            }
            let mut f = finding(settings, rule, &issue.detail, issue.severity, issue.evidence).tagged(&["baseline"]);
            f.location = Location::in_file(path);
            if issue.line > 0 {
                f.location.line_start = Some(issue.line);
                f.location.line_end = Some(issue.line);
            }
            Some(f)
        })
        .collect()
}

/// Largest text file read (passwd, sudoers, a Dockerfile).
const MAX_TEXT: u64 = 4 << 20;

struct ImageLint;

impl Detector for ImageLint {
    fn describe() -> PluginInfo {
        PluginInfo::new(
            "image-lint",
            "How the image was built and configured: root user, secrets in ENV/ARG, TLS and signature \
             bypasses, curl|sh, package-manager hygiene, ADD, exposed SSH, missing HEALTHCHECK; passwd/shadow, \
             sshd and sudoers baselines; setuid and world-writable files; Dockerfiles (bosun lint).",
        )
        .named("Build-instruction and baseline linter")
        .version(env!("CARGO_PKG_VERSION"))
        .analyzing_image()
        .analyzing_files(
            FileInterest::globs(&[
                "/etc/passwd",
                "/etc/shadow",
                "/etc/group",
                "/etc/ssh/sshd_config",
                "/etc/ssh/sshd_config.d/*.conf",
                "/etc/sudoers",
                "/etc/sudoers.d/*",
                "**/Dockerfile.*",
                "**/Dockerfile-*",
                "**/Containerfile.*",
            ])
            .and_basenames(&["Dockerfile", "Containerfile"])
            .and_extensions(&["dockerfile", "containerfile"])
            .and_mode(0o6002)
            .max_size(MAX_TEXT),
        )
    }

    fn configure(options: Vec<(String, String)>) -> Result<(), PluginError> {
        ACTIVE.set(Settings::from_options(&options).map_err(PluginError::InvalidConfig)?);
        Ok(())
    }

    fn analyze_file(meta: FileMeta, content: &Blob) -> Result<Analysis, PluginError> {
        let settings = settings();
        let mut findings = Vec::new();
        if meta.mode & 0o6002 != 0 && matches!(meta.kind, FileKind::Regular | FileKind::Directory) {
            let issues = baseline::mode(&meta.path, meta.mode, meta.kind == FileKind::Directory);
            findings.extend(issues_to_findings(&settings, issues, &meta.path));
        }
        let wanted_text = meta.kind == FileKind::Regular
            && (is_dockerfile(&meta.path) || meta.path.starts_with("/etc/"))
            && content.size() > 0
            && content.size() <= MAX_TEXT;
        if wanted_text {
            let text = read_text(content)?;
            findings.extend(analyze_text(&meta.path, &text, &settings));
        }
        Ok(Analysis::with_findings(findings))
    }

    fn analyze_image(image: ImageInfo) -> Result<Vec<Finding>, PluginError> {
        let settings = settings();
        let (instructions, hits) = lint_image(&image);
        Ok(hits_to_findings(&settings, hits, &Place::History { instructions: &instructions }))
    }
}

export_detector!(ImageLint);

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(text: &str) -> Vec<(String, u32)> {
        let settings = Settings::default();
        analyze_text("/src/Dockerfile", text, &settings)
            .into_iter()
            .map(|f| (f.rule_id, f.location.line_start.unwrap_or(0)))
            .collect()
    }

    #[test]
    fn user_and_healthcheck_follow_the_final_stage() {
        let got =
            lint("FROM golang:1.22 AS build\nUSER root\nRUN go build\nFROM build AS final\nHEALTHCHECK CMD true\n");
        assert_eq!(got, [("BSN-002".into(), 2)], "root inherited from the parent stage");
        let got = lint("FROM debian:12 AS build\nUSER app\nFROM alpine:3.20\nHEALTHCHECK NONE\n");
        assert_eq!(got, [("BSN-002".into(), 3), ("BSN-027".into(), 3)], "no USER in the final stage");
        assert!(lint("FROM alpine:3.20\nUSER 65534\nHEALTHCHECK CMD true\n").is_empty());
    }

    #[test]
    fn base_image_pinning_and_platform() {
        let got = lint(
            "ARG V=3.20\nFROM alpine:${V} AS a\nFROM --platform=linux/amd64 ubuntu AS b\nFROM node:latest\nFROM a\nFROM scratch\nUSER 1\nHEALTHCHECK CMD x\n",
        );
        assert_eq!(got, [("BSN-028".into(), 3), ("BSN-029".into(), 3), ("BSN-028".into(), 4)]);
    }

    #[test]
    fn inline_ignore_and_settings() {
        let text = "FROM alpine:3.20\n# bosun ignore=BSN-023\nRUN apk add curl\nRUN apk add git\nUSER app\nHEALTHCHECK CMD x\n";
        assert_eq!(lint(text), [("BSN-023".into(), 4)]);
        let settings =
            Settings::from_options(&[("disable".into(), "BSN-023".into()), ("severity".into(), "BSN-027:high".into())])
                .unwrap();
        let found = analyze_text("/Dockerfile", "FROM alpine:3.20\nRUN apk add x\nUSER app\n", &settings);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].rule_id.as_str(), found[0].severity), ("BSN-027", Severity::High));
        assert!(Settings::from_options(&[("disable".into(), "BSN-999".into())]).is_err());
        assert!(Settings::from_options(&[("nope".into(), "x".into())]).is_err());
    }

    #[test]
    fn dockerfile_names() {
        for name in [
            "/Dockerfile",
            "/a/Containerfile",
            "/root/buildinfo/Dockerfile-ubi8-8.4",
            "x/Dockerfile.dev",
            "/app.dockerfile",
        ] {
            assert!(is_dockerfile(name), "{name}");
        }
        for name in ["/etc/passwd", "/src/dockerfile_parser.go", "/Dockerfiles"] {
            assert!(!is_dockerfile(name), "{name}");
        }
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// Pieces of Dockerfile and shell syntax, to be glued at random.
    const PIECES: &[&str] = &[
        "FROM ",
        "RUN ",
        "ENV ",
        "ARG ",
        "COPY ",
        "ADD ",
        "USER ",
        "EXPOSE ",
        "HEALTHCHECK ",
        "# bosun ignore=",
        "\\\n",
        "`\n",
        "\n",
        " ",
        "\"",
        "'",
        "$(",
        ")",
        "${",
        "}",
        "$",
        "<<",
        "<<-",
        "EOF",
        "|",
        "||",
        "&&",
        ";",
        "&",
        ">",
        "2>&1",
        "<(",
        "(",
        "{",
        "--",
        "=",
        "curl -k ",
        "sh -c ",
        "apt-get install ",
        "é",
        "日本",
        "\t",
        "\r\n",
        "#",
        "[\"a\"",
        "]",
        "|2 A=B ",
        "/bin/sh -c #(nop) ",
        "map[22/tcp:{}",
        "\\",
        "`",
    ];

    #[test]
    fn random_dockerfiles_and_history_never_panic() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let settings = Settings::default();
        for _ in 0..3000 {
            let len = (next() % 60) as usize;
            let text: String = (0..len).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
            let file = dockerfile::parse(&text);
            let _ = lint_dockerfile(&file, &settings);
            let _ = shell::commands(&text);
            let _ = history::instruction(&text, 0);
            let image = ImageInfo {
                reference: String::new(),
                manifest_digest: None,
                config_digest: "sha256:x".into(),
                os: "linux".into(),
                architecture: "amd64".into(),
                platform_variant: None,
                user: Some(text.clone()),
                env: text.lines().map(str::to_owned).collect(),
                entrypoint: Vec::new(),
                cmd: Vec::new(),
                working_dir: None,
                exposed_ports: text.split_whitespace().map(str::to_owned).collect(),
                labels: Vec::new(),
                healthcheck: None,
                history: text
                    .split('\n')
                    .map(|line| HistoryEntry {
                        created_by: Some(line.to_owned()),
                        created: None,
                        comment: None,
                        empty_layer: false,
                    })
                    .collect(),
                layers: Vec::new(),
                raw_config: String::new(),
            };
            let _ = lint_image(&image);
            for instruction in &file.instructions {
                let _ = instruction.pairs();
                let _ = instruction.script();
            }
        }
    }
}
