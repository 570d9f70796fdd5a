//! The worker pool: each worker owns one instance per plugin, reuses it from
//! file to file, and discards it when it traps.

use super::CancelToken;
use super::LoadedPlugins;
use crate::plugin::wit::{FileMeta, LogLevel, OsRelease};
use crate::plugin::{CallError, CallFailure, Content, PluginInstance, finding_from_wit, package_from_wit};
use crate::report::{Diagnostic, FindingRecord, PackageRecord};
use crossbeam_channel::Receiver;
use std::sync::Arc;

/// One file to analyse.
pub struct Job {
    /// The file's metadata as plugins see it.
    pub meta: FileMeta,
    /// Its content.
    pub content: Arc<Content>,
    /// The plugins that asked for it.
    pub plugins: Vec<usize>,
    /// Its layer.
    pub layer: usize,
}

/// What a worker produced.
#[derive(Default)]
pub struct Output {
    /// Findings.
    pub findings: Vec<FindingRecord>,
    /// Packages.
    pub packages: Vec<PackageRecord>,
    /// OS identities, with the layer and path that declared them.
    pub os: Vec<(usize, String, OsRelease)>,
    /// Files package databases own, with the layer and path of the database.
    pub owned: Vec<(usize, String, Vec<String>)>,
    /// Diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Plugin calls made.
    pub calls: u64,
}

/// Most owned paths kept from one database file (a distribution's largest
/// package lists tens of thousands).
const MAX_OWNED: usize = 1_000_000;

/// Run jobs until the channel closes.
pub fn run(plugins: &LoadedPlugins, jobs: Receiver<Job>, cancel: &CancelToken) -> Output {
    let mut instances: Vec<Option<PluginInstance>> = (0..plugins.len()).map(|_| None).collect();
    let mut out = Output::default();
    for job in jobs.iter() {
        if cancel.is_cancelled() {
            continue; // drain, so the producer never blocks
        }
        for &index in &job.plugins {
            if plugins.is_disabled(index) {
                plugins.record_skip(index);
                continue;
            }
            let id = plugins.get(index).id();
            let instance = match &mut instances[index] {
                Some(instance) => instance,
                slot => match plugins.instantiate(index) {
                    Ok(instance) => slot.insert(instance),
                    Err(err) => {
                        failure(plugins, index, &job, &err, &mut out);
                        continue;
                    }
                },
            };
            out.calls += 1;
            let result = instance.analyze_file(&job.meta, Arc::clone(&job.content));
            collect_logs(id, &job.meta.path, instance, &mut out);
            match result {
                Ok(analysis) => {
                    let layer = Some((job.layer, job.meta.layer_digest.as_str()));
                    let total = analysis.findings.len();
                    let keep = plugins.reserve_findings(index, total.min(plugins_limit(plugins)));
                    if keep < total {
                        out.diagnostics.push(
                            Diagnostic::warning(
                                "plugin-findings-truncated",
                                format!("returned {total} findings for one file; kept {keep}"),
                            )
                            .plugin(id)
                            .path(&job.meta.path)
                            .layer(job.layer),
                        );
                    }
                    out.findings.extend(
                        analysis
                            .findings
                            .into_iter()
                            .take(keep)
                            .map(|f| finding_from_wit(id, f, Some(&job.meta.path), layer)),
                    );
                    out.packages.extend(
                        analysis
                            .packages
                            .into_iter()
                            .take(100_000)
                            .map(|p| package_from_wit(p, &job.meta.path, job.layer)),
                    );
                    if let Some(os) = analysis.os {
                        out.os.push((job.layer, job.meta.path.clone(), os));
                    }
                    if !analysis.owned_files.is_empty() {
                        let owned = analysis.owned_files.into_iter().take(MAX_OWNED).collect();
                        out.owned.push((job.layer, job.meta.path.clone(), owned));
                    }
                }
                Err(err) => {
                    if err.is_trap() {
                        instances[index] = None;
                    }
                    failure(plugins, index, &job, &err, &mut out);
                }
            }
        }
    }
    out
}

fn plugins_limit(plugins: &LoadedPlugins) -> usize {
    plugins.limits().findings_per_call
}

fn failure(plugins: &LoadedPlugins, index: usize, job: &Job, err: &CallError, out: &mut Output) {
    let id = plugins.get(index).id();
    let diagnostic = match err.failure {
        CallFailure::Returned => Diagnostic::warning(err.code(), err.message.clone()),
        _ => Diagnostic::error(err.code(), format!("{}; the file was not analysed by this plugin", err.message)),
    };
    out.diagnostics.push(diagnostic.plugin(id).path(&job.meta.path).layer(job.layer));
    if err.is_trap() {
        plugins.record_trap(index);
    }
}

fn collect_logs(id: &str, path: &str, instance: &mut PluginInstance, out: &mut Output) {
    for line in instance.drain_logs() {
        let diagnostic = match line.level {
            LogLevel::Error => Diagnostic::warning("plugin-log", line.message),
            LogLevel::Warn => Diagnostic::info("plugin-log", line.message),
            _ => continue,
        };
        out.diagnostics.push(diagnostic.plugin(id).path(path));
    }
}
