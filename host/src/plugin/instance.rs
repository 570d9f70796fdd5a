//! One instantiated plugin in its own store, and the calls into it. Every call
//! runs under an epoch deadline and a memory cap; a trap is classified so the
//! report can say *why* a plugin failed.

use super::Datasets;
use super::blob::Content;
use super::state::{HostState, LogLine};
use super::wit::{self, Analysis, FileMeta, Finding, ImageInfo, Inventory, PluginError, PluginInfo};
use crate::limits::Limits;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::{Engine, Store, Trap, UpdateDeadline};

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

/// A live plugin instance, with the single-threaded async executor its calls
/// run on. Calls are async so that a deadline stops a plugin wherever it is:
/// in its own code (epoch ticks check the deadline) or blocked in a host
/// function such as a WASI `poll` on a long sleep (the executor drops the call).
pub struct PluginInstance {
    store: Store<HostState>,
    bindings: wit::Plugin,
    executor: tokio::runtime::Runtime,
    timeout: Duration,
    memory_mib: usize,
}

/// Grace past the deadline before the executor abandons a call blocked in the host.
const HOST_GRACE: Duration = Duration::from_millis(50);

/// Run one guarded call: `$call` on the detector export with `$args`.
macro_rules! guarded {
    ($self:ident, $what:literal, $call:ident ( $($arg:expr),* ) $(, $wrap:path)?) => {{
        let PluginInstance { store, bindings, executor, timeout, .. } = $self;
        store.data_mut().deadline = Instant::now() + *timeout;
        store.set_epoch_deadline(1);
        let stderr_before = store.data().stderr.contents().len();
        let call = bindings.bosun_plugin_detector().$call(&mut *store $(, $arg)*);
        let limit = *timeout + HOST_GRACE;
        let outcome = executor.block_on(async move { tokio::time::timeout(limit, call).await });
        let outcome = outcome.map(|result| result $(.map($wrap))?);
        $self.settle($what, outcome, stderr_before)
    }};
}

impl PluginInstance {
    /// Instantiate `pre` in a fresh sandboxed store.
    pub fn new(
        engine: &Engine,
        pre: &wit::PluginPre<HostState>,
        limits: &Limits,
        datasets: Arc<Datasets>,
    ) -> Result<Self, CallError> {
        let trap = |message: String| CallError { failure: CallFailure::Trap, message };
        let state = HostState::new(
            limits.plugin_memory,
            limits.plugin_output,
            limits.plugin_log_lines,
            limits.max_read_all,
            datasets,
        );
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.memory);
        // Every epoch tick: past the deadline, stop; otherwise yield, so the
        // executor's own timeout can fire too.
        store.epoch_deadline_callback(|context| {
            Ok(if Instant::now() >= context.data().deadline {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        let executor = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(|err| trap(format!("cannot start an executor: {err}")))?;
        let timeout = limits.plugin_call_timeout;
        store.data_mut().deadline = Instant::now() + timeout;
        store.set_epoch_deadline(1);
        let bindings = executor
            .block_on(async { tokio::time::timeout(timeout + HOST_GRACE, pre.instantiate_async(&mut store)).await })
            .map_err(|_| trap(format!("instantiation ran longer than {} ms", timeout.as_millis())))?
            .map_err(|err| trap(format!("{err:#}")))?;
        Ok(PluginInstance { store, bindings, executor, timeout, memory_mib: limits.plugin_memory >> 20 })
    }

    fn settle<T>(
        &self,
        what: &str,
        outcome: Result<wasmtime::Result<Result<T, PluginError>>, tokio::time::error::Elapsed>,
        stderr_before: usize,
    ) -> Result<T, CallError> {
        match outcome {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(err))) => Err(CallError { failure: CallFailure::Returned, message: plugin_error_text(&err) }),
            Ok(Err(err)) => Err(self.classify(what, Some(&err), stderr_before)),
            Err(_elapsed) => Err(self.classify(what, None, stderr_before)),
        }
    }

    fn classify(&self, what: &str, err: Option<&wasmtime::Error>, stderr_before: usize) -> CallError {
        let stderr = self.store.data().stderr.contents();
        let said = String::from_utf8_lossy(stderr.get(stderr_before..).unwrap_or_default());
        let said = said.trim();
        let tail: String = said.chars().rev().take(400).collect::<Vec<_>>().into_iter().rev().collect();
        let trap = err.and_then(|e| e.downcast_ref::<Trap>());
        let (failure, message) = if self.store.data().memory.exceeded {
            (CallFailure::OutOfMemory, format!("{what} exceeded the memory cap of {} MiB", self.memory_mib))
        } else if err.is_none() || trap == Some(&Trap::Interrupt) {
            (CallFailure::Timeout, format!("{what} ran longer than {} ms", self.timeout.as_millis()))
        } else {
            let cause = trap.map(ToString::to_string).or_else(|| err.map(|e| format!("{e}"))).unwrap_or_default();
            (CallFailure::Trap, format!("{what} trapped: {cause}"))
        };
        let message = if tail.is_empty() { message } else { format!("{message}; stderr: {tail}") };
        CallError { failure, message }
    }

    /// `describe()`.
    pub fn describe(&mut self) -> Result<PluginInfo, CallError> {
        guarded!(self, "describe", call_describe(), Ok)
    }

    /// `configure(options)`.
    pub fn configure(&mut self, options: &[(String, String)]) -> Result<(), CallError> {
        guarded!(self, "configure", call_configure(options))
    }

    /// `analyze-file(meta, content)`.
    pub fn analyze_file(&mut self, meta: &FileMeta, content: Arc<Content>) -> Result<Analysis, CallError> {
        let blob = self
            .store
            .data_mut()
            .push_blob(content)
            .map_err(|err| CallError { failure: CallFailure::Trap, message: err.to_string() })?;
        let borrowed = wasmtime::component::Resource::new_borrow(blob.rep());
        let result = guarded!(self, "analyze-file", call_analyze_file(meta, borrowed));
        // The table entry is ours; a trapped instance is discarded anyway.
        let _ = self.store.data_mut().drop_blob(blob);
        result
    }

    /// `analyze-image(image)`.
    pub fn analyze_image(&mut self, image: &ImageInfo) -> Result<Vec<Finding>, CallError> {
        guarded!(self, "analyze-image", call_analyze_image(image))
    }

    /// `match-inventory(inventory)`.
    pub fn match_inventory(&mut self, inventory: &Inventory) -> Result<Vec<Finding>, CallError> {
        guarded!(self, "match-inventory", call_match_inventory(inventory))
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
