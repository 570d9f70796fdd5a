//! `bosun lint`: Dockerfiles through the same plugins and report as a scan.
//! Each file is offered to the plugins that want a file named `/Dockerfile`,
//! on the same worker code an image scan uses; the report has one entry per
//! file, with paths as the caller named them.

use super::worker::{self, Job};
use super::{CancelToken, LoadedPlugins, ScanRequest};
use crate::error::{Error, ErrorKind, Result};
use crate::layer::EntryMeta;
use crate::plugin::wit::FileMeta;
use crate::plugin::{Content, Datasets};
use crate::report::{ImageReport, ImageStats, ScanReport, SourceInfo, Summary};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The path plugins see for a Dockerfile under lint.
const LINT_PATH: &str = "/Dockerfile";

/// Largest Dockerfile read.
pub const MAX_DOCKERFILE: usize = 4 << 20;

/// One Dockerfile to lint.
#[derive(Debug, Clone)]
pub struct LintFile {
    /// The name to report it under, e.g. `app/Dockerfile`.
    pub name: String,
    /// Its bytes.
    pub content: Vec<u8>,
    /// Whether its build context has a `.dockerignore` (`None`: unknown).
    pub dockerignore: Option<bool>,
}

/// Dockerfiles to lint.
#[derive(Debug, Clone, Default)]
pub struct LintRequest {
    /// The files.
    pub files: Vec<LintFile>,
    /// Built-in plugins to run, by id (`None`: `image-lint`).
    pub scanners: Option<Vec<String>>,
    /// Extra plugin components to load.
    pub plugin_files: Vec<std::path::PathBuf>,
    /// `key=value` options per plugin id.
    pub plugin_options: BTreeMap<String, Vec<(String, String)>>,
}

impl super::Scanner {
    /// Lint Dockerfiles. Files whose build contexts differ (with and without a
    /// `.dockerignore`) run with the plugin told which.
    pub fn lint(&self, request: &LintRequest, cancel: &CancelToken) -> Result<ScanReport> {
        if request.files.iter().any(|f| f.content.len() > MAX_DOCKERFILE) {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!("a Dockerfile above {MAX_DOCKERFILE} bytes is not a Dockerfile"),
            ));
        }
        let mut images: Vec<(usize, ImageReport)> = Vec::new();
        let mut diagnostics = Vec::new();
        let mut records = Vec::new();
        for context in [None, Some(true), Some(false)] {
            let group: Vec<(usize, &LintFile)> =
                request.files.iter().enumerate().filter(|(_, f)| f.dockerignore == context).collect();
            if group.is_empty() {
                continue;
            }
            let mut options = request.plugin_options.clone();
            let user_set = options.get("image-lint").is_some_and(|o| o.iter().any(|(k, _)| k == "dockerignore"));
            let runs_lint = request.scanners.as_ref().is_none_or(|ids| ids.iter().any(|id| id == "image-lint"));
            if let (Some(present), false, true) = (context, user_set, runs_lint) {
                let value = if present { "present" } else { "absent" };
                options.entry("image-lint".to_owned()).or_default().push(("dockerignore".into(), value.into()));
            }
            let scan_request = ScanRequest {
                source: String::new(),
                platform: None,
                scanners: Some(request.scanners.clone().unwrap_or_else(|| vec!["image-lint".to_owned()])),
                plugin_files: request.plugin_files.clone(),
                plugin_options: options,
                timings: false,
            };
            let datasets = Arc::new(Datasets::default());
            let plugins = LoadedPlugins::load(
                &self.runtime,
                &self.builtins,
                &scan_request,
                &self.options.limits,
                &datasets,
                &mut diagnostics,
            )?;
            for (index, file) in group {
                cancel.check()?;
                images.push((index, lint_one(&plugins, file, cancel)));
            }
            diagnostics.extend(plugins.disabled_diagnostics());
            records = plugins.records();
        }
        images.sort_by_key(|(index, _)| *index);
        let images: Vec<ImageReport> = images.into_iter().map(|(_, image)| image).collect();
        diagnostics.sort();
        diagnostics.dedup();
        let source = SourceInfo {
            reference: request.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(" "),
            kind: "dockerfile",
        };
        Ok(ScanReport::new(source, images, records, diagnostics, None))
    }
}

fn lint_one(plugins: &LoadedPlugins, file: &LintFile, cancel: &CancelToken) -> ImageReport {
    let size = file.content.len() as u64;
    let entry = EntryMeta::regular(LINT_PATH, size);
    let mut wanted = Vec::new();
    plugins.dispatcher.by_path(&entry, &mut wanted);
    let meta = FileMeta {
        path: entry.path,
        kind: entry.kind,
        size,
        mode: entry.mode,
        uid: 0,
        gid: 0,
        mtime: 0,
        link_target: None,
        layer_index: 0,
        layer_digest: String::new(),
    };
    let (sender, receiver) = crossbeam_channel::bounded(1);
    let calls = wanted.len() as u64;
    let _ =
        sender.send(Job { meta, content: Arc::new(Content::Memory(file.content.clone())), plugins: wanted, layer: 0 });
    drop(sender);
    let output = worker::run(plugins, receiver, cancel);

    let rename = |path: &mut Option<String>| {
        if path.as_deref() == Some(LINT_PATH) {
            *path = Some(file.name.clone());
        }
    };
    let mut findings = output.findings;
    for finding in &mut findings {
        rename(&mut finding.path);
        finding.layer = None;
        finding.layer_digest = None;
        finding.analyzed = None;
    }
    findings
        .sort_by(|a, b| (a.lines, &a.rule_id, &a.plugin, &a.title).cmp(&(b.lines, &b.rule_id, &b.plugin, &b.title)));
    findings.dedup();
    let mut diagnostics = output.diagnostics;
    for diagnostic in &mut diagnostics {
        rename(&mut diagnostic.path);
        diagnostic.layer = None;
    }
    diagnostics.sort();
    let summary = Summary::of(&findings);
    ImageReport {
        label: file.name.clone(),
        platform: None,
        manifest_digest: None,
        config_digest: None,
        tags: Vec::new(),
        os: None,
        layers: Vec::new(),
        findings,
        packages: Vec::new(),
        diagnostics,
        stats: ImageStats {
            files: 1,
            files_analyzed: u64::from(calls > 0),
            bytes_analyzed: size,
            plugin_calls: calls,
            ..ImageStats::default()
        },
        summary,
    }
}
