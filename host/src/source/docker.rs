//! `docker save` tarballs in the legacy form: `manifest.json` naming a config
//! file and one `layer.tar` per layer.

use super::config::ImageConfig;
use super::container::{Container, read_small};
use super::model::{Compression, LayerRef, ResolvedImage};
use super::oci::config_platform;
use crate::digest::Digest;
use crate::error::{Error, Result};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// Resolve the images `manifest.json` lists.
pub fn resolve(container: &dyn Container, limit: u64) -> Result<Vec<ResolvedImage>> {
    let bytes = read_small(container, "manifest.json", limit)?;
    let entries: Vec<Entry> =
        serde_json::from_slice(&bytes).map_err(|err| Error::invalid(format!("manifest.json: malformed: {err}")))?;
    if entries.is_empty() {
        return Err(Error::invalid("manifest.json lists no image"));
    }
    if entries.len() > 256 {
        return Err(Error::invalid(format!("manifest.json lists {} images; refusing more than 256", entries.len())));
    }
    entries.into_iter().map(|entry| image(container, entry, limit)).collect()
}

fn image(container: &dyn Container, entry: Entry, limit: u64) -> Result<ResolvedImage> {
    let raw = read_small(container, &entry.config, limit)?;
    // The config file is named after its digest (`<hex>.json` or `blobs/sha256/<hex>`).
    let stem = entry.config.rsplit('/').next().unwrap_or_default().trim_end_matches(".json");
    let config_digest = match Digest::parse(&format!("sha256:{stem}")) {
        Ok(expected) => {
            expected.verify(&raw, &format!("config {}", entry.config))?;
            expected
        }
        Err(_) => Digest::of(&raw),
    };
    let config: ImageConfig = serde_json::from_slice(&raw)
        .map_err(|err| Error::invalid(format!("config {}: malformed JSON: {err}", entry.config)))?;
    if config.rootfs.diff_ids.len() != entry.layers.len() {
        return Err(Error::invalid(format!(
            "manifest.json lists {} layers but config {} lists {} diff ids",
            entry.layers.len(),
            entry.config,
            config.rootfs.diff_ids.len()
        )));
    }
    let mut layers = Vec::with_capacity(entry.layers.len());
    for (index, path) in entry.layers.iter().enumerate() {
        // OCI-in-docker saves name layers `blobs/sha256/<hex>`: that is the blob digest.
        let blob_digest =
            path.strip_prefix("blobs/sha256/").and_then(|hex| Digest::parse(&format!("sha256:{hex}")).ok());
        layers.push(LayerRef {
            index,
            path: path.clone(),
            blob_digest,
            diff_id: Some(Digest::parse(&config.rootfs.diff_ids[index])?),
            media_type: String::new(),
            size: None,
            compression: Compression::Detect,
        });
    }
    let platform = config_platform(&config);
    let tags = entry.repo_tags.unwrap_or_default();
    Ok(ResolvedImage {
        label: tags.first().cloned().unwrap_or_else(|| config_digest.short().to_owned()),
        platform,
        manifest_digest: None,
        config_digest: Some(config_digest),
        raw_config: String::from_utf8_lossy(&raw).into_owned(),
        config,
        layers,
        tags,
    })
}
