//! Scanning one image: stream its layers, hand files to the worker pool, merge
//! what comes back with the layers' whiteouts, then the image-level calls.

use super::worker::{self, Job, Output};
use super::{CancelToken, LoadedPlugins, Progress, ProgressEvent};
use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::layer::{self, ByteCounter, EntryMeta, Event, FileStatus, Flow, LayerChanges, LayerStream, MergedView};
use crate::limits::Limits;
use crate::plugin::wit::{self, FileKind, Roles};
use crate::plugin::{Content, Scratch, finding_from_wit};
use crate::report::{
    Diagnostic, FindingRecord, ImageReport, ImageStats, LayerRecord, LayerStatus, OsInfo, PackageRecord, Summary,
    category_name, severity_rank,
};
use crate::source::{LayerRef, ResolvedImage, Source};
use crossbeam_channel::Sender;
use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

/// Diagnostics of one kind kept per layer before they are summarised.
const MAX_REPEATS: usize = 20;

/// Everything one image scan needs.
pub struct Context<'a> {
    pub source: &'a Source,
    pub plugins: &'a LoadedPlugins,
    pub limits: &'a Limits,
    pub scratch: &'a Scratch,
    pub cancel: &'a CancelToken,
    pub progress: &'a dyn Progress,
    pub workers: usize,
}

/// Per-layer bookkeeping while its entries stream past.
struct LayerScan<'a> {
    ctx: &'a Context<'a>,
    index: usize,
    digest: String,
    jobs: &'a Sender<Job>,
    changes: LayerChanges,
    diagnostics: Vec<Diagnostic>,
    repeats: std::collections::BTreeMap<&'static str, usize>,
    stats: &'a mut ImageStats,
    wanted: Vec<usize>,
    content_bytes: u64,
}

impl LayerScan<'_> {
    fn note(&mut self, code: &'static str, diagnostic: Diagnostic) {
        let seen = self.repeats.entry(code).or_default();
        *seen += 1;
        if *seen <= MAX_REPEATS {
            self.diagnostics.push(diagnostic.layer(self.index));
        }
    }

    fn visit(&mut self, event: Event<'_>) -> Flow {
        if self.ctx.cancel.is_cancelled() {
            return Flow::Break(Error::new(ErrorKind::Cancelled, "scan cancelled"));
        }
        match event {
            Event::Whiteout(path) => self.changes.deleted(&path),
            Event::Opaque(dir) => self.changes.made_opaque(&dir),
            Event::Unreadable { path, reason } => self.note(
                "unreadable-entry",
                Diagnostic::warning("unreadable-entry", format!("cannot be read ({reason}); skipped")).path(&path),
            ),
            Event::Escaped { raw, resolved } => self.note(
                "path-traversal",
                Diagnostic::warning(
                    "path-traversal",
                    format!("entry {:?} climbs out of the image root; resolved inside it", raw),
                )
                .path(&resolved),
            ),
            Event::Entry { meta, content } => return self.entry(meta, content),
        }
        Flow::Continue(())
    }

    fn entry(&mut self, meta: EntryMeta, content: &mut dyn Read) -> Flow {
        self.changes.wrote(&meta.path, meta.kind == FileKind::Directory);
        self.stats.entries += 1;
        if self.stats.entries.is_multiple_of(4096) {
            self.ctx.progress.event(ProgressEvent::Files { count: self.stats.entries });
        }
        let dispatcher = &self.ctx.plugins.dispatcher;
        let mut wanted = std::mem::take(&mut self.wanted);
        dispatcher.by_path(&meta, &mut wanted);
        let flow = self.dispatch(meta, content, &mut wanted);
        self.wanted = wanted;
        flow
    }

    fn dispatch(&mut self, meta: EntryMeta, content: &mut dyn Read, wanted: &mut Vec<usize>) -> Flow {
        let dispatcher = &self.ctx.plugins.dispatcher;
        match meta.kind {
            FileKind::Regular => self.stats.files += 1,
            FileKind::CharDevice | FileKind::BlockDevice | FileKind::Fifo => self.note(
                "special-file",
                Diagnostic::info("special-file", "device or fifo entry; recorded, never created").path(&meta.path),
            ),
            _ => {}
        }
        let mut head = Vec::new();
        if meta.kind == FileKind::Regular && dispatcher.max_magic() > 0 && meta.size <= dispatcher.largest_wanted() {
            let want = (dispatcher.max_magic() as u64).min(meta.size);
            if let Err(err) = content.take(want).read_to_end(&mut head) {
                return Flow::Break(Error::invalid(format!("{}: {err}", meta.path)));
            }
            dispatcher.by_magic(&meta.path, meta.size, &head, wanted);
        }
        let metadata_only = meta.kind == FileKind::Regular && dispatcher.metadata_only(meta.size, wanted);
        if (wanted.is_empty() || metadata_only)
            && meta.kind == FileKind::Regular
            && meta.size > self.ctx.limits.max_file_size
        {
            self.note(
                "file-too-large",
                Diagnostic::info(
                    "file-too-large",
                    format!(
                        "{} bytes, above the {}-byte analysis cap; not analysed",
                        meta.size, self.ctx.limits.max_file_size
                    ),
                )
                .path(&meta.path),
            );
        }
        if wanted.is_empty() {
            return Flow::Continue(());
        }
        // Sparse entries expand to zeros that never pass through the layer's
        // own limits: count what is handed to plugins against the same budget.
        if !metadata_only {
            self.content_bytes += meta.size;
        }
        if self.content_bytes > self.ctx.limits.max_layer_size {
            return Flow::Break(Error::invalid(format!(
                "layer expands beyond {} bytes of file content (sparse entries?)",
                self.ctx.limits.max_layer_size
            )));
        }
        let content = if metadata_only {
            Content::Memory(Vec::new())
        } else if meta.kind == FileKind::Regular {
            match self.read_content(&meta, head, content) {
                Ok(content) => content,
                Err(err) => return Flow::Break(Error::invalid(format!("{}: {err}", meta.path))),
            }
        } else {
            Content::Memory(Vec::new())
        };
        self.stats.files_analyzed += 1;
        if !metadata_only {
            self.stats.bytes_analyzed += meta.size;
        }
        let job =
            Job { meta: self.wit_meta(meta), content: Arc::new(content), plugins: wanted.clone(), layer: self.index };
        if self.jobs.send(job).is_err() {
            return Flow::Break(Error::new(ErrorKind::Cancelled, "worker pool stopped"));
        }
        Flow::Continue(())
    }

    fn read_content(&self, meta: &EntryMeta, head: Vec<u8>, rest: &mut dyn Read) -> std::io::Result<Content> {
        let remaining = meta.size - head.len() as u64;
        if meta.size <= self.ctx.limits.inline_file_size {
            let mut bytes = head;
            bytes.reserve_exact(remaining as usize);
            rest.take(remaining).read_to_end(&mut bytes)?;
            if bytes.len() as u64 != meta.size {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "file content is truncated"));
            }
            return Ok(Content::Memory(bytes));
        }
        let mut chained = std::io::Cursor::new(head).chain(rest);
        self.ctx.scratch.spill(&mut chained, meta.size)
    }

    fn wit_meta(&self, meta: EntryMeta) -> wit::FileMeta {
        wit::FileMeta {
            path: meta.path,
            kind: meta.kind,
            size: meta.size,
            mode: meta.mode,
            uid: meta.uid,
            gid: meta.gid,
            mtime: meta.mtime,
            link_target: meta.link_target,
            layer_index: self.index as u32,
            layer_digest: self.digest.clone(),
        }
    }
}

/// Scan one image; returns its report and the milliseconds spent in image-level calls.
pub fn scan(ctx: &Context<'_>, image: &ResolvedImage) -> Result<(ImageReport, u64)> {
    ctx.progress.event(ProgressEvent::ImageStarted {
        label: image.label.clone(),
        layers: image.layers.len(),
        bytes: image.layers.iter().map(|l| l.size).sum(),
    });
    let mut stats = ImageStats::default();
    let mut diagnostics = Vec::new();
    let mut layer_records = Vec::with_capacity(image.layers.len());
    let mut all_changes = Vec::with_capacity(image.layers.len());
    let history = image.config.layer_history();
    let path_key = std::hash::RandomState::new();

    let (sender, receiver) = crossbeam_channel::bounded::<Job>(ctx.workers * 4);
    let outputs: Vec<Output> = std::thread::scope(|scope| -> Result<Vec<Output>> {
        let handles: Vec<_> = (0..ctx.workers)
            .map(|_| {
                let receiver = receiver.clone();
                scope.spawn(move || worker::run(ctx.plugins, receiver, ctx.cancel))
            })
            .collect();
        drop(receiver);
        let walked = (|| -> Result<()> {
            for layer in &image.layers {
                ctx.cancel.check()?;
                ctx.progress.event(ProgressEvent::LayerStarted { index: layer.index });
                let mut scan = LayerScan {
                    ctx,
                    index: layer.index,
                    digest: layer.diff_id.as_ref().map(|d| d.to_string()).unwrap_or_default(),
                    jobs: &sender,
                    changes: LayerChanges::new(path_key.clone()),
                    diagnostics: Vec::new(),
                    repeats: Default::default(),
                    stats: &mut stats,
                    wanted: Vec::new(),
                    content_bytes: 0,
                };
                let (status, entries) = read_layer(ctx, layer, &mut scan)?;
                for (code, count) in &scan.repeats {
                    if *count > MAX_REPEATS {
                        scan.diagnostics.push(
                            Diagnostic::info(
                                code,
                                format!("{} more `{code}` diagnostics in this layer not listed", count - MAX_REPEATS),
                            )
                            .layer(layer.index),
                        );
                    }
                }
                diagnostics.append(&mut scan.diagnostics);
                all_changes.push(scan.changes);
                layer_records.push(LayerRecord {
                    index: layer.index,
                    diff_id: layer.diff_id.as_ref().map(ToString::to_string),
                    blob_digest: layer.blob_digest.as_ref().map(ToString::to_string),
                    size: layer.size,
                    created_by: history
                        .get(layer.index)
                        .copied()
                        .flatten()
                        .and_then(|h| image.config.history[h].created_by.clone()),
                    status,
                    entries,
                });
            }
            Ok(())
        })();
        drop(sender);
        let outputs = handles
            .into_iter()
            .map(|handle| {
                handle.join().unwrap_or_else(|_| {
                    let mut lost = Output::default();
                    lost.diagnostics.push(Diagnostic::error(
                        "worker-failed",
                        "a worker thread failed; the files it was analysing have no results",
                    ));
                    lost
                })
            })
            .collect();
        walked.map(|()| outputs)
    })?;
    ctx.cancel.check()?;

    let view = MergedView::new(all_changes);
    let mut findings = Vec::new();
    let mut packages: Vec<PackageRecord> = Vec::new();
    let mut os_candidates = Vec::new();
    let mut owned = Vec::new();
    for output in outputs {
        stats.plugin_calls += output.calls;
        findings.extend(output.findings);
        packages.extend(output.packages);
        os_candidates.extend(output.os);
        owned.extend(output.owned);
        diagnostics.extend(output.diagnostics);
    }
    for finding in &mut findings {
        if let Some((path, layer)) = &finding.analyzed {
            finding.file_status = Some(view.status(path, *layer));
        }
    }
    // A secret or malware in a deleted file is still in the image; a risky
    // setting is not: only the final filesystem is configured. A setuid bit a
    // later layer removed, or a shadow file it fixed, is not reported.
    findings.retain(|f| {
        f.category != crate::plugin::wit::Category::Misconfiguration
            || f.file_status.is_none_or(|status| status == FileStatus::Present)
    });
    os_candidates.retain(|(layer, path, _)| view.status(path, *layer) == FileStatus::Present);
    // An os-release file wins over older release files; then the top-most
    // layer; within a layer, the first path in sort order.
    let os = os_candidates
        .into_iter()
        .min_by(|a, b| {
            let release = |path: &str| !path.ends_with("os-release");
            release(&a.1).cmp(&release(&b.1)).then_with(|| b.0.cmp(&a.0)).then_with(|| a.1.cmp(&b.1))
        })
        .map(|(_, _, os)| OsInfo {
            id: os.id,
            version_id: os.version_id,
            codename: os.codename,
            pretty_name: os.pretty_name,
        });
    let packages = super::inventory::merge(packages, owned, &view, os.as_ref());
    if os.is_none() {
        // A plugin that reads os-release found none: say so rather than guess.
        let mut readers = Vec::new();
        ctx.plugins.dispatcher.by_path(&EntryMeta::regular("/etc/os-release", 0), &mut readers);
        if !readers.is_empty() {
            diagnostics.push(Diagnostic::info(
                "os-unknown",
                "no /etc/os-release or release file in the final filesystem: the distribution is unknown, so OS \
                 packages carry no distro in their purls",
            ));
        }
    }

    let calls_started = Instant::now();
    image_calls(ctx, image, &os, &packages, &mut findings, &mut diagnostics);
    let calls_ms = calls_started.elapsed().as_millis() as u64;

    sort_findings(&mut findings);
    diagnostics.sort();
    diagnostics.dedup();
    let diagnostics = cap_repeats(diagnostics);
    ctx.progress.event(ProgressEvent::ImageFinished);
    let summary = Summary::of(&findings);
    Ok((
        ImageReport {
            label: image.label.clone(),
            platform: image.platform.clone(),
            manifest_digest: image.manifest_digest.as_ref().map(ToString::to_string),
            config_digest: image.config_digest.as_ref().map(ToString::to_string),
            tags: image.tags.clone(),
            os,
            layers: layer_records,
            findings,
            packages,
            diagnostics,
            stats,
            summary,
        },
        calls_ms,
    ))
}

/// Read one layer through `scan`. Problems with the layer's bytes become
/// diagnostics and a status; only cancellation stops the scan.
fn read_layer(ctx: &Context<'_>, layer: &LayerRef, scan: &mut LayerScan<'_>) -> Result<(LayerStatus, u64)> {
    let fail = |scan: &mut LayerScan<'_>, code: &str, err: String| {
        scan.diagnostics.push(
            Diagnostic::error(
                code,
                format!("layer {} ({}): {err}; the rest of the layer was not analysed", layer.index, short(layer)),
            )
            .layer(layer.index),
        );
    };
    let container = match ctx.source {
        Source::Rootfs(path) => {
            let dir = cap_std::fs::Dir::open_ambient_dir(path, cap_std::ambient_authority())
                .map_err(|err| Error::new(ErrorKind::SourceNotFound, format!("{}: {err}", path.display())))?;
            let result = layer::walk_dir(&dir, ctx.limits.max_entries_per_layer, |event| scan.visit(event));
            return match result {
                Ok(entries) => Ok((LayerStatus::Scanned, entries)),
                Err(err) if err.kind() == ErrorKind::Cancelled => Err(err),
                Err(err) => {
                    fail(scan, "layer-unreadable", err.to_string());
                    Ok((LayerStatus::Failed, scan.stats.entries))
                }
            };
        }
        Source::Layout { container, .. } => container,
    };
    let blob = match container.open(&layer.path) {
        Ok(blob) => blob,
        Err(err) => {
            fail(scan, "layer-missing", err.to_string());
            return Ok((LayerStatus::Failed, 0));
        }
    };
    let counter = ByteCounter::default();
    let mut stream = match LayerStream::new(blob, layer.compression, ctx.limits, counter) {
        Ok(stream) => stream,
        Err(err) => {
            fail(scan, "layer-unreadable", err.to_string());
            return Ok((LayerStatus::Failed, 0));
        }
    };
    let entries_before = scan.stats.entries;
    let walked = layer::walk_tar(&mut stream, ctx.limits.max_entries_per_layer, |event| scan.visit(event));
    let entries = scan.stats.entries - entries_before;
    match walked {
        Err(err) if err.kind() == ErrorKind::Cancelled => return Err(err),
        Err(err) => {
            let code = if err.to_string().contains("decompression bomb") || err.to_string().contains("expands beyond") {
                "layer-too-large"
            } else {
                "layer-corrupt"
            };
            fail(scan, code, err.to_string());
            return Ok((LayerStatus::Failed, entries));
        }
        Ok(_) => {}
    }
    let digests = match stream.finish() {
        Ok(digests) => digests,
        Err(err) => {
            let code = if layer::limit_exceeded(&err).is_some() { "layer-too-large" } else { "layer-corrupt" };
            fail(scan, code, format!("reading past the end of the tar: {err}"));
            return Ok((LayerStatus::Failed, entries));
        }
    };
    scan.stats.bytes += digests.diff_size;
    let mut status = LayerStatus::Scanned;
    let checks: [(&str, Option<&Digest>, &Digest); 2] =
        [("blob", layer.blob_digest.as_ref(), &digests.blob), ("diff id", layer.diff_id.as_ref(), &digests.diff_id)];
    for (what, expected, actual) in checks {
        if let Some(expected) = expected
            && expected != actual
        {
            status = LayerStatus::DigestMismatch;
            scan.diagnostics.push(
                Diagnostic::error(
                    "digest-mismatch",
                    format!(
                        "layer {}: {what} digest mismatch: the image declares {expected}, the content hashes to {actual}; \
                         the layer is corrupt or was tampered with (its findings are kept but unverified)",
                        layer.index
                    ),
                )
                .layer(layer.index),
            );
        }
    }
    Ok((status, entries))
}

fn short(layer: &LayerRef) -> String {
    layer
        .diff_id
        .as_ref()
        .or(layer.blob_digest.as_ref())
        .map(|d| format!("sha256:{}", d.short()))
        .unwrap_or_else(|| layer.path.clone())
}

/// `analyze-image` and `match-inventory`, each on a fresh instance.
fn image_calls(
    ctx: &Context<'_>,
    image: &ResolvedImage,
    os: &Option<OsInfo>,
    packages: &[PackageRecord],
    findings: &mut Vec<FindingRecord>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let plugins = ctx.plugins;
    let wanted_image: Vec<usize> = plugins.with_role(Roles::ANALYZE_IMAGE).collect();
    let wanted_inventory: Vec<usize> = plugins.with_role(Roles::MATCH_INVENTORY).collect();
    if wanted_image.is_empty() && wanted_inventory.is_empty() {
        return;
    }
    let info = super::image_info::build(image);
    let inventory = super::image_info::inventory(os, packages);
    let calls = wanted_image.iter().map(|&i| (i, true)).chain(wanted_inventory.iter().map(|&i| (i, false)));
    for (index, is_image_call) in calls {
        if ctx.cancel.is_cancelled() || plugins.is_disabled(index) {
            continue;
        }
        let id = plugins.get(index).id();
        let result = plugins.instantiate(index).and_then(|mut instance| {
            if is_image_call { instance.analyze_image(&info) } else { instance.match_inventory(&inventory) }
        });
        match result {
            Ok(list) => {
                let keep = plugins.reserve_findings(index, list.len().min(ctx.limits.findings_per_call));
                findings.extend(list.into_iter().take(keep).map(|f| finding_from_wit(id, f, None, None)));
            }
            Err(err) => {
                if err.is_trap() {
                    plugins.record_trap(index);
                }
                diagnostics.push(Diagnostic::error(err.code(), err.message.clone()).plugin(id));
            }
        }
    }
}

/// Keep at most [`MAX_REPEATS`] diagnostics per (plugin, code, layer) and say
/// how many more there were: a plugin that warns on every file of a million
/// cannot bloat the report.
fn cap_repeats(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut kept = Vec::with_capacity(diagnostics.len().min(1024));
    let mut counts: std::collections::BTreeMap<(Option<String>, String, Option<usize>), usize> = Default::default();
    for diagnostic in diagnostics {
        let key = (diagnostic.plugin.clone(), diagnostic.code.clone(), diagnostic.layer);
        let seen = counts.entry(key).or_default();
        *seen += 1;
        if *seen <= MAX_REPEATS {
            kept.push(diagnostic);
        }
    }
    for ((plugin, code, layer), count) in counts {
        if count > MAX_REPEATS {
            let mut summary =
                Diagnostic::info("repeated", format!("{} more `{code}` diagnostics not listed", count - MAX_REPEATS));
            summary.plugin = plugin;
            summary.layer = layer;
            kept.push(summary);
        }
    }
    kept.sort();
    kept
}

fn sort_findings(findings: &mut Vec<FindingRecord>) {
    let category_order = |f: &FindingRecord| match category_name(f.category) {
        "vulnerability" => 0,
        "malware" => 1,
        "secret" => 2,
        "misconfiguration" => 3,
        _ => 4,
    };
    findings.sort_by(|a, b| {
        category_order(a)
            .cmp(&category_order(b))
            .then_with(|| severity_rank(b.severity).cmp(&severity_rank(a.severity)))
            .then_with(|| a.path.cmp(&b.path))
            .then_with(|| a.layer.cmp(&b.layer))
            .then_with(|| a.lines.cmp(&b.lines))
            .then_with(|| a.bytes.cmp(&b.bytes))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.plugin.cmp(&b.plugin))
            .then_with(|| a.evidence.cmp(&b.evidence))
            .then_with(|| a.title.cmp(&b.title))
            .then_with(|| a.history_index.cmp(&b.history_index))
            .then_with(|| a.package_purl.cmp(&b.package_purl))
            // Ties between records that differ elsewhere: fall back to every field.
            .then_with(|| {
                serde_json::to_string(a).unwrap_or_default().cmp(&serde_json::to_string(b).unwrap_or_default())
            })
    });
    findings.dedup();
}
