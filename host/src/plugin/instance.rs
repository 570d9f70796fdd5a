//! One instantiated plugin in its own store, and the calls into it. Every call
//! runs under an epoch deadline and a memory cap; a trap is classified so the
//! report can say *why* a plugin failed.

use super::blob::Content;
use super::state::{HostState, LogLine};
use super::wit::{self, Analysis, FileMeta, Finding, ImageInfo, Inventory, PluginError, PluginInfo};
use super::{Datasets, EPOCH_TICK};
use crate::limits::Limits;
use std::fmt;
use std::sync::Arc;
use wasmtime::{Engine, Store, Trap};

/// Why a call did not return a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFailure {
    /// It ran past its deadline.
    Timeout,
    /// It tried to grow memory past its cap.
    OutOfMemory,
    /// It trapped: a panic, an abort, a bad memory access.
    Trap,
    /// It returned a `plugin-error`; the instance is still healthy.
    Returned,
}

/// A failed call: the kind and a one-line explanation.
#[derive(Debug, Clone)]
pub struct CallError {
    /// What kind of failure.
    pub failure: CallFailure,
    /// Details, including the tail of the plugin's stderr for traps.
    pub message: String,
}

impl CallError {
    /// True when the instance is unusable afterwards and must be discarded.
    pub fn is_trap(&self) -> bool {
        self.failure != CallFailure::Returned
    }

    /// A stable kebab-case code for diagnostics.
    pub fn code(&self) -> &'static str {
        match self.failure {
            CallFailure::Timeout => "plugin-timeout",
            CallFailure::OutOfMemory => "plugin-out-of-memory",
            CallFailure::Trap => "plugin-trap",
            CallFailure::Returned => "plugin-error",
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A live plugin instance.
pub struct PluginInstance {
    store: Store<HostState>,
    bindings: wit::Plugin,
    deadline_ticks: u64,
    timeout_ms: u128,
    memory_mib: usize,
}

impl PluginInstance {
    /// Instantiate `pre` in a fresh sandboxed store.
    pub fn new(
        engine: &Engine,
        pre: &wit::PluginPre<HostState>,
        limits: &Limits,
        datasets: Arc<Datasets>,
    ) -> Result<Self, CallError> {
        let state = HostState::new(
            limits.plugin_memory,
            limits.plugin_output,
            limits.plugin_log_lines,
            limits.max_read_all,
            datasets,
        );
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.memory);
        store.epoch_deadline_trap();
        let deadline_ticks = (limits.plugin_call_timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1;
        store.set_epoch_deadline(deadline_ticks);
        let mut instance = PluginInstance {
            bindings: match pre.instantiate(&mut store) {
                Ok(bindings) => bindings,
                Err(err) => {
                    return Err(CallError { failure: CallFailure::Trap, message: format!("{err:#}") });
                }
            },
            store,
            deadline_ticks,
            timeout_ms: limits.plugin_call_timeout.as_millis(),
            memory_mib: limits.plugin_memory >> 20,
        };
        instance.store.set_epoch_deadline(deadline_ticks);
        Ok(instance)
    }

    fn call<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&wit::Plugin, &mut Store<HostState>) -> wasmtime::Result<Result<T, PluginError>>,
    ) -> Result<T, CallError> {
        self.store.set_epoch_deadline(self.deadline_ticks);
        let stderr_before = self.store.data().stderr.contents().len();
        match f(&self.bindings, &mut self.store) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(CallError { failure: CallFailure::Returned, message: plugin_error_text(&err) }),
            Err(err) => Err(self.classify(what, &err, stderr_before)),
        }
    }

    fn classify(&self, what: &str, err: &wasmtime::Error, stderr_before: usize) -> CallError {
        let stderr = self.store.data().stderr.contents();
        let said = String::from_utf8_lossy(stderr.get(stderr_before..).unwrap_or_default());
        let said = said.trim();
        let tail: String = said.chars().rev().take(400).collect::<Vec<_>>().into_iter().rev().collect();
        let (failure, message) = if self.store.data().memory.exceeded {
            (CallFailure::OutOfMemory, format!("{what} exceeded the memory cap of {} MiB", self.memory_mib))
        } else if err.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            (CallFailure::Timeout, format!("{what} ran longer than {} ms", self.timeout_ms))
        } else {
            let cause = err.downcast_ref::<Trap>().map(ToString::to_string).unwrap_or_else(|| format!("{err}"));
            (CallFailure::Trap, format!("{what} trapped: {cause}"))
        };
        let message = if tail.is_empty() { message } else { format!("{message}; stderr: {tail}") };
        CallError { failure, message }
    }

    /// `describe()`.
    pub fn describe(&mut self) -> Result<PluginInfo, CallError> {
        self.call("describe", |b, s| b.bosun_plugin_detector().call_describe(s).map(Ok))
    }

    /// `configure(options)`.
    pub fn configure(&mut self, options: &[(String, String)]) -> Result<(), CallError> {
        self.call("configure", |b, s| b.bosun_plugin_detector().call_configure(s, options))
    }

    /// `analyze-file(meta, content)`.
    pub fn analyze_file(&mut self, meta: &FileMeta, content: Arc<Content>) -> Result<Analysis, CallError> {
        let blob = self
            .store
            .data_mut()
            .push_blob(content)
            .map_err(|err| CallError { failure: CallFailure::Trap, message: err.to_string() })?;
        let borrowed = wasmtime::component::Resource::new_borrow(blob.rep());
        let result = self.call("analyze-file", |b, s| b.bosun_plugin_detector().call_analyze_file(s, meta, borrowed));
        // The table entry is ours; a trapped instance is discarded anyway.
        let _ = self.store.data_mut().drop_blob(blob);
        result
    }

    /// `analyze-image(image)`.
    pub fn analyze_image(&mut self, image: &ImageInfo) -> Result<Vec<Finding>, CallError> {
        self.call("analyze-image", |b, s| b.bosun_plugin_detector().call_analyze_image(s, image))
    }

    /// `match-inventory(inventory)`.
    pub fn match_inventory(&mut self, inventory: &Inventory) -> Result<Vec<Finding>, CallError> {
        self.call("match-inventory", |b, s| b.bosun_plugin_detector().call_match_inventory(s, inventory))
    }

    /// Take the lines the plugin logged since the last call.
    pub fn drain_logs(&mut self) -> Vec<LogLine> {
        std::mem::take(&mut self.store.data_mut().logs)
    }
}

fn plugin_error_text(err: &PluginError) -> String {
    match err {
        PluginError::InvalidConfig(m) => format!("invalid configuration: {m}"),
        PluginError::Unsupported(m) => format!("unsupported input: {m}"),
        PluginError::Failed(m) => m.clone(),
    }
}
