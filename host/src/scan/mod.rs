//! A scan: source → layers → dispatch → plugins → merge → report.
//!
//! [`Scanner`] is the entry point for the CLI and for a scan service: it holds
//! no global state, prints nothing, and returns the report as a value.

mod image;
mod image_info;
mod inventory;
mod lint;
mod loaded;
mod worker;

pub use lint::{LintFile, LintRequest, MAX_DOCKERFILE};
pub use loaded::LoadedPlugins;

use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::plugin::{Datasets, PluginSource, Runtime};
use crate::report::{ScanReport, SourceInfo, Timings};
use crate::source::{Platform, Source};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Settings that outlive one scan.
#[derive(Debug, Clone, Default)]
pub struct ScannerOptions {
    /// Where precompiled plugins are cached (`None`: compile on every load).
    pub cache_dir: Option<PathBuf>,
    /// Where scan-private scratch directories are made (`None`: the system temp dir).
    pub scratch_parent: Option<PathBuf>,
    /// Worker threads (`0`: one per core).
    pub workers: usize,
    /// Resource limits.
    pub limits: Limits,
}

/// One scan to run.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// The source, e.g. `oci:./layout`, `image.tar`, `dir:/mnt/rootfs`.
    pub source: String,
    /// Scan only this platform of an index.
    pub platform: Option<Platform>,
    /// Built-in plugins to run, by id (`None`: all).
    pub scanners: Option<Vec<String>>,
    /// Extra plugin components to load.
    pub plugin_files: Vec<PathBuf>,
    /// `key=value` options per plugin id.
    pub plugin_options: BTreeMap<String, Vec<(String, String)>>,
    /// Include timings and peak memory in the report.
    pub timings: bool,
}

/// Lets a caller stop a scan from another thread.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token that has not fired.
    pub fn new() -> Self {
        CancelToken::default()
    }
    /// Ask the scan to stop as soon as it can.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// True once [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    fn check(&self) -> Result<()> {
        if self.is_cancelled() { Err(Error::new(ErrorKind::Cancelled, "scan cancelled")) } else { Ok(()) }
    }
}

/// What a scan reports while it runs, for progress bars and service logs.
#[derive(Debug, Clone)]
pub enum ProgressEvent {
    /// Plugins are loaded; `count` will run.
    PluginsLoaded {
        /// How many.
        count: usize,
    },
    /// An image starts.
    ImageStarted {
        /// Its label.
        label: String,
        /// Its layers.
        layers: usize,
        /// Sum of the declared layer sizes, when known.
        bytes: Option<u64>,
    },
    /// A layer starts.
    LayerStarted {
        /// Its index.
        index: usize,
    },
    /// Compressed bytes read so far in the current layer.
    LayerBytes {
        /// Bytes.
        bytes: u64,
    },
    /// Files seen so far in the current image.
    Files {
        /// Count.
        count: u64,
    },
    /// The image is done.
    ImageFinished,
}

/// Receives progress events. Must be cheap: it is called from the scan loop.
pub trait Progress: Sync {
    /// One event.
    fn event(&self, event: ProgressEvent);
}

/// Ignores progress.
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _event: ProgressEvent) {}
}

/// Runs scans. Create one and reuse it: it owns the wasmtime engine.
pub struct Scanner {
    runtime: Runtime,
    options: ScannerOptions,
    builtins: Vec<PluginSource>,
}

impl Scanner {
    /// A scanner with the built-in plugins.
    pub fn new(options: ScannerOptions) -> Result<Self> {
        Ok(Scanner {
            runtime: Runtime::new(options.cache_dir.as_deref())?,
            options,
            builtins: crate::builtin_plugins(),
        })
    }

    /// Ids of the built-in plugins.
    pub fn builtin_ids(&self) -> Vec<&'static str> {
        self.builtins
            .iter()
            .filter_map(|p| match p {
                PluginSource::Embedded { name, .. } => Some(*name),
                PluginSource::File(_) => None,
            })
            .collect()
    }

    /// Load the built-in plugins and `extra` files and return what each says
    /// about itself.
    pub fn describe_plugins(&self, extra: &[PathBuf]) -> Result<Vec<crate::plugin::wit::PluginInfo>> {
        let datasets = Arc::new(Datasets::default());
        self.builtins
            .iter()
            .cloned()
            .chain(extra.iter().cloned().map(PluginSource::File))
            .map(|source| self.runtime.load(&source, &self.options.limits, &datasets).map(|p| p.info))
            .collect()
    }

    /// Run one scan.
    pub fn scan(&self, request: &ScanRequest, cancel: &CancelToken, progress: &dyn Progress) -> Result<ScanReport> {
        let started = Instant::now();
        let source = Source::open(&request.source, self.options.limits.max_layer_size)?;
        let mut diagnostics = Vec::new();
        let images =
            source.resolve(request.platform.as_ref(), self.options.limits.max_metadata_size, &mut diagnostics)?;
        cancel.check()?;

        let load_started = Instant::now();
        let datasets = Arc::new(Datasets::default());
        let plugins = LoadedPlugins::load(
            &self.runtime,
            &self.builtins,
            request,
            &self.options.limits,
            &datasets,
            &mut diagnostics,
        )?;
        let plugin_load_ms = load_started.elapsed().as_millis() as u64;
        progress.event(ProgressEvent::PluginsLoaded { count: plugins.len() });

        let scratch_parent = match &self.options.scratch_parent {
            Some(dir) => dir.clone(),
            None => std::env::temp_dir(),
        };
        let parent = cap_std::fs::Dir::open_ambient_dir(&scratch_parent, cap_std::ambient_authority())
            .map_err(|err| Error::io(&scratch_parent, err))?;
        let scratch = crate::plugin::Scratch::new_in(&parent)?;

        let workers = match self.options.workers {
            0 => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            n => n,
        };
        let context = image::Context {
            source: &source,
            plugins: &plugins,
            limits: &self.options.limits,
            scratch: &scratch,
            cancel,
            progress,
            workers,
        };
        let layers_started = Instant::now();
        let mut reports = Vec::with_capacity(images.len());
        let mut image_calls_ms = 0;
        for image in &images {
            let (report, calls_ms) = image::scan(&context, image)?;
            image_calls_ms += calls_ms;
            reports.push(report);
        }
        let layers_ms = (layers_started.elapsed().as_millis() as u64).saturating_sub(image_calls_ms);

        diagnostics.extend(plugins.disabled_diagnostics());
        diagnostics.sort();
        let timings = request.timings.then(|| Timings {
            total_ms: started.elapsed().as_millis() as u64,
            plugin_load_ms,
            layers_ms,
            image_calls_ms,
            peak_rss_kib: peak_rss_kib(),
        });
        Ok(ScanReport::new(
            SourceInfo { reference: request.source.clone(), kind: source.kind() },
            reports,
            plugins.records(),
            diagnostics,
            timings,
        ))
    }
}

/// Peak resident set size of this process, from `/proc/self/status`.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
