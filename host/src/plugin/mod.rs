//! The plugin runtime: loading components into a sandbox and calling them.

pub mod blob;
mod cache;
mod convert;
mod imports;
mod instance;
mod state;
#[allow(missing_docs)]
pub mod wit;

pub use blob::{Content, Scratch};
pub use cache::ComponentCache;
pub use convert::{finding_from_wit, package_from_wit};
pub use instance::{CallError, CallFailure, PluginInstance};
pub use state::LogLine;

use crate::digest::Digest;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

/// How often the epoch advances: the granularity of call deadlines.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Where a plugin's component comes from.
#[derive(Debug, Clone)]
pub enum PluginSource {
    /// Built into the binary.
    Embedded {
        /// The plugin's expected id.
        name: &'static str,
        /// The component.
        wasm: &'static [u8],
    },
    /// A `.wasm` component file given by the user.
    File(PathBuf),
}

/// Named datasets (vulnerability DB, rule packs) plugins may open.
#[derive(Debug, Default)]
pub struct Datasets {
    by_name: BTreeMap<String, Arc<Content>>,
}

impl Datasets {
    /// Make `content` available as `name`.
    pub fn insert(&mut self, name: impl Into<String>, content: Content) {
        self.by_name.insert(name.into(), Arc::new(content));
    }

    /// Open a dataset by name.
    pub fn open(&self, name: &str) -> Result<Arc<Content>, String> {
        self.by_name.get(name).cloned().ok_or_else(|| format!("no dataset named `{name}` is installed"))
    }
}

/// The wasmtime engine and its epoch ticker. One per scanner; cheap to share.
pub struct Runtime {
    engine: Engine,
    linker: Linker<state::HostState>,
    cache: Option<ComponentCache>,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Runtime {
    /// An engine with epoch interruption, and a cache of precompiled components
    /// in `cache_dir` (none: compile every time).
    pub fn new(cache_dir: Option<&std::path::Path>) -> Result<Self> {
        let mut config = Config::new();
        config.wasm_component_model(true).epoch_interruption(true).parallel_compilation(true);
        let engine = Engine::new(&config).map_err(|err| Error::new(ErrorKind::PluginLoad, err.to_string()))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .and_then(|()| {
                wit::Plugin::add_to_linker::<_, wasmtime::component::HasSelf<state::HostState>>(&mut linker, |s| s)
            })
            .map_err(|err| Error::new(ErrorKind::PluginLoad, err.to_string()))?;
        let cache = cache_dir.map(|dir| ComponentCache::open(dir, &engine)).transpose()?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("bosun-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|err| Error::new(ErrorKind::Io, format!("cannot start the epoch ticker: {err}")))?
        };
        Ok(Runtime { engine, linker, cache, stop, ticker: Some(ticker) })
    }

    /// Load, check and describe a plugin.
    pub fn load(&self, source: &PluginSource, limits: &Limits, datasets: &Arc<Datasets>) -> Result<Plugin> {
        let (origin, wasm): (String, std::borrow::Cow<'_, [u8]>) = match source {
            PluginSource::Embedded { name, wasm } => (format!("built-in plugin {name}"), (*wasm).into()),
            PluginSource::File(path) => (
                path.display().to_string(),
                std::fs::read(path)
                    .map_err(|err| Error::new(ErrorKind::PluginLoad, format!("{}: {err}", path.display())))?
                    .into(),
            ),
        };
        let fail = |message: String| Error::new(ErrorKind::PluginLoad, format!("{origin}: {message}"));
        let digest = Digest::of(&wasm);
        let (component, cached) = match &self.cache {
            Some(cache) => cache.load(&self.engine, &wasm),
            None => Component::new(&self.engine, &wasm).map(|c| (c, false)),
        }
        .map_err(|err| fail(format!("not a loadable WebAssembly component: {err:#}")))?;
        let component_type = component.component_type();
        imports::check(component_type.imports(&self.engine).map(|(name, _)| name)).map_err(fail)?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(wit::PluginPre::new)
            .map_err(|err| fail(format!("does not implement bosun:plugin@0.1.0: {err:#}")))?;
        let mut probe = PluginInstance::new(&self.engine, &pre, limits, Arc::clone(datasets))
            .map_err(|err| fail(format!("cannot be instantiated: {err}")))?;
        let info = probe.describe().map_err(|err| fail(format!("describe() failed: {err}")))?;
        validate_info(&info).map_err(fail)?;
        Ok(Plugin { info, origin, digest, cached, pre, engine: self.engine.clone(), datasets: Arc::clone(datasets) })
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

fn validate_info(info: &wit::PluginInfo) -> Result<(), String> {
    let id_ok = !info.id.is_empty()
        && info.id.len() <= 64
        && info.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return Err(format!(
            "plugin id {:?} is not kebab-case ([a-z0-9-], at most 64)",
            crate::report::escape(&info.id)
        ));
    }
    Ok(())
}

/// A loaded, validated plugin, ready to instantiate on any worker.
pub struct Plugin {
    /// What the plugin said about itself.
    pub info: wit::PluginInfo,
    /// Where it came from, for messages.
    pub origin: String,
    /// Digest of its component.
    pub digest: Digest,
    /// Whether the compiled form came from the cache.
    pub cached: bool,
    pre: wit::PluginPre<state::HostState>,
    engine: Engine,
    datasets: Arc<Datasets>,
}

impl Plugin {
    /// A fresh instance in its own store.
    pub fn instantiate(&self, limits: &Limits) -> std::result::Result<PluginInstance, CallError> {
        PluginInstance::new(&self.engine, &self.pre, limits, Arc::clone(&self.datasets))
    }

    /// The plugin's id.
    pub fn id(&self) -> &str {
        &self.info.id
    }
}
