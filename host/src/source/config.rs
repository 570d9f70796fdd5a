//! The image config (`application/vnd.oci.image.config.v1+json`), as far as a
//! scanner needs it.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The parts of an image config bosun reads.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ImageConfig {
    /// `architecture`, e.g. `amd64`.
    #[serde(default)]
    pub architecture: String,
    /// `os`, e.g. `linux`.
    #[serde(default)]
    pub os: String,
    /// `variant`, e.g. `v8`.
    #[serde(default)]
    pub variant: Option<String>,
    /// The runtime configuration.
    #[serde(default)]
    pub config: RuntimeConfig,
    /// `rootfs.diff_ids`.
    #[serde(default)]
    pub rootfs: RootFs,
    /// The build history, oldest first.
    #[serde(default)]
    pub history: Vec<History>,
}

/// `config` of an image config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimeConfig {
    /// `User`.
    #[serde(default)]
    pub user: Option<String>,
    /// `Env`.
    #[serde(default)]
    pub env: Option<Vec<String>>,
    /// `Entrypoint`.
    #[serde(default)]
    pub entrypoint: Option<Vec<String>>,
    /// `Cmd`.
    #[serde(default)]
    pub cmd: Option<Vec<String>>,
    /// `WorkingDir`.
    #[serde(default)]
    pub working_dir: Option<String>,
    /// `ExposedPorts`.
    #[serde(default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// `Labels`.
    #[serde(default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// `Healthcheck`.
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
}

/// `config.Healthcheck`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `Test`.
    #[serde(default)]
    pub test: Option<Vec<String>>,
}

/// `rootfs` of an image config.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    /// `diff_ids`: digests of the uncompressed layers.
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One `history` entry.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct History {
    /// `created_by`.
    #[serde(default)]
    pub created_by: Option<String>,
    /// `created`.
    #[serde(default)]
    pub created: Option<String>,
    /// `comment`.
    #[serde(default)]
    pub comment: Option<String>,
    /// `empty_layer`.
    #[serde(default)]
    pub empty_layer: bool,
}

impl ImageConfig {
    /// For each layer, the index of the history entry that created it.
    pub fn layer_history(&self) -> Vec<Option<usize>> {
        let mut indices =
            self.history.iter().enumerate().filter(|(_, h)| !h.empty_layer).map(|(i, _)| Some(i)).collect::<Vec<_>>();
        indices.resize(self.rootfs.diff_ids.len(), None);
        indices.truncate(self.rootfs.diff_ids.len());
        indices
    }
}
