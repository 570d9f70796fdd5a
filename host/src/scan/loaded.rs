//! The plugins of one scan: which run, their options, and how they behaved.

use super::ScanRequest;
use crate::dispatch::Dispatcher;
use crate::error::{Error, ErrorKind, Result};
use crate::limits::Limits;
use crate::plugin::wit::Roles;
use crate::plugin::{CallError, Datasets, Plugin, PluginInstance, PluginSource, Runtime};
use crate::report::{Diagnostic, PluginRecord};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};

/// How one plugin has behaved so far in this scan.
#[derive(Default)]
pub struct Health {
    traps: AtomicU32,
    disabled: AtomicBool,
    findings: AtomicUsize,
    skipped_files: AtomicU64,
}

/// The plugins taking part in one scan.
pub struct LoadedPlugins {
    plugins: Vec<Plugin>,
    options: Vec<Vec<(String, String)>>,
    health: Vec<Health>,
    limits: Limits,
    /// The compiled file interests.
    pub dispatcher: Dispatcher,
}

impl LoadedPlugins {
    /// Load the built-ins the request selects and its extra plugin files. A
    /// plugin file that cannot be loaded (not a component, a forbidden import)
    /// is left out with an error diagnostic; the other plugins still run.
    pub fn load(
        runtime: &Runtime,
        builtins: &[PluginSource],
        request: &ScanRequest,
        limits: &Limits,
        datasets: &Arc<Datasets>,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Self> {
        let builtin_ids: Vec<&str> = builtins
            .iter()
            .filter_map(|p| if let PluginSource::Embedded { name, .. } = p { Some(*name) } else { None })
            .collect();
        let mut sources: Vec<PluginSource> = match &request.scanners {
            None => builtins.to_vec(),
            Some(ids) => {
                if let Some(unknown) = ids.iter().find(|id| !builtin_ids.contains(&id.as_str())) {
                    return Err(Error::new(
                        ErrorKind::InvalidRequest,
                        format!(
                            "unknown scanner `{}`; built-in scanners: {} (load others with --plugin FILE.wasm)",
                            crate::report::escape(unknown),
                            builtin_ids.join(", ")
                        ),
                    ));
                }
                builtins
                    .iter()
                    .filter(|p| matches!(p, PluginSource::Embedded { name, .. } if ids.iter().any(|id| id == name)))
                    .cloned()
                    .collect()
            }
        };
        sources.extend(request.plugin_files.iter().cloned().map(PluginSource::File));

        let mut plugins: Vec<Plugin> = Vec::with_capacity(sources.len());
        for source in &sources {
            let plugin = match (runtime.load(source, limits, datasets), source) {
                (Ok(plugin), _) => plugin,
                (Err(err), PluginSource::File(_)) if err.kind() == ErrorKind::PluginLoad => {
                    diagnostics.push(Diagnostic::error("plugin-refused", format!("{err}; not run")));
                    continue;
                }
                (Err(err), _) => return Err(err),
            };
            if plugins.iter().any(|p| p.id() == plugin.id()) {
                return Err(Error::new(
                    ErrorKind::PluginLoad,
                    format!("{}: a plugin with id `{}` is already loaded", plugin.origin, plugin.id()),
                ));
            }
            plugins.push(plugin);
        }
        let options: Vec<Vec<(String, String)>> =
            plugins.iter().map(|p| request.plugin_options.get(p.id()).cloned().unwrap_or_default()).collect();
        for id in request.plugin_options.keys() {
            if !plugins.iter().any(|p| p.id() == id) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("options given for plugin `{id}`, which is not loaded"),
                ));
            }
        }
        let interests: Vec<(String, Option<&crate::plugin::wit::FileInterest>)> = plugins
            .iter()
            .map(|p| (p.id().to_owned(), p.info.roles.contains(Roles::ANALYZE_FILE).then_some(&p.info.interest)))
            .collect();
        let dispatcher = Dispatcher::new(&interests, limits.max_file_size)?;
        let loaded = LoadedPlugins {
            health: plugins.iter().map(|_| Health::default()).collect(),
            plugins,
            options,
            limits: limits.clone(),
            dispatcher,
        };
        // Configure each once now, so a bad option is one clear error up front.
        for index in 0..loaded.plugins.len() {
            loaded.instantiate(index).map_err(|err| {
                Error::new(ErrorKind::InvalidRequest, format!("plugin {}: {err}", loaded.plugins[index].id()))
            })?;
        }
        Ok(loaded)
    }

    /// How many plugins.
    pub fn len(&self) -> usize {
        self.plugins.len()
    }

    /// True when no plugin runs.
    pub fn is_empty(&self) -> bool {
        self.plugins.is_empty()
    }

    /// The limits of this scan.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The plugin at `index`.
    pub fn get(&self, index: usize) -> &Plugin {
        &self.plugins[index]
    }

    /// Indices of the plugins with `role`.
    pub fn with_role(&self, role: Roles) -> impl Iterator<Item = usize> + '_ {
        (0..self.plugins.len()).filter(move |&i| self.plugins[i].info.roles.contains(role))
    }

    /// A fresh, configured instance of plugin `index`.
    pub fn instantiate(&self, index: usize) -> std::result::Result<PluginInstance, CallError> {
        let mut instance = self.plugins[index].instantiate(&self.limits)?;
        instance.configure(&self.options[index])?;
        Ok(instance)
    }

    /// True when plugin `index` was disabled after repeated traps.
    pub fn is_disabled(&self, index: usize) -> bool {
        self.health[index].disabled.load(Ordering::Relaxed)
    }

    /// Count a trap; returns true when this trap disabled the plugin.
    pub fn record_trap(&self, index: usize) -> bool {
        let traps = self.health[index].traps.fetch_add(1, Ordering::Relaxed) + 1;
        traps == self.limits.plugin_trap_budget && !self.health[index].disabled.swap(true, Ordering::Relaxed)
    }

    /// Count a file a disabled plugin did not see.
    pub fn record_skip(&self, index: usize) {
        self.health[index].skipped_files.fetch_add(1, Ordering::Relaxed);
    }

    /// Reserve room for `wanted` more findings of plugin `index`; returns how many fit.
    pub fn reserve_findings(&self, index: usize, wanted: usize) -> usize {
        let cap = self.limits.findings_per_plugin;
        let before = self.health[index].findings.fetch_add(wanted, Ordering::Relaxed);
        wanted.min(cap.saturating_sub(before))
    }

    /// One diagnostic per plugin that was disabled.
    pub fn disabled_diagnostics(&self) -> Vec<Diagnostic> {
        (0..self.plugins.len())
            .filter(|&i| self.is_disabled(i))
            .map(|i| {
                let skipped = self.health[i].skipped_files.load(Ordering::Relaxed);
                Diagnostic::error(
                    "plugin-disabled",
                    format!(
                        "trapped {} times; disabled for the rest of the scan ({skipped} files it asked for were not analysed)",
                        self.limits.plugin_trap_budget
                    ),
                )
                .plugin(self.plugins[i].id())
            })
            .collect()
    }

    /// The report's record of the plugins.
    pub fn records(&self) -> Vec<PluginRecord> {
        self.plugins
            .iter()
            .enumerate()
            .map(|(i, p)| PluginRecord {
                id: p.id().to_owned(),
                version: p.info.version.clone(),
                digest: p.digest.to_string(),
                origin: if p.origin.starts_with("built-in") { "built-in".to_owned() } else { p.origin.clone() },
                disabled: self.is_disabled(i),
            })
            .collect()
    }
}
