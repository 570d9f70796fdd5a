//! OCI image layouts (`index.json` + `blobs/`): plain manifests, image indexes
//! (multi-platform), nested indexes, and docker's OCI-in-docker save format.

use super::config::ImageConfig;
use super::container::{Container, read_small};
use super::model::{Compression, LayerRef, Platform, ResolvedImage};
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::report::Diagnostic;
use serde::Deserialize;
use std::collections::BTreeMap;

const MANIFEST_TYPES: &[&str] =
    &["application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"];
const INDEX_TYPES: &[&str] =
    &["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
/// Nested indexes deeper than this are refused (a cycle or a hostile layout).
const MAX_DEPTH: usize = 4;
/// Manifests and indexes one source may name: a hostile index cannot fan out
/// into unbounded work.
const MAX_MANIFESTS: usize = 256;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    platform: Option<DescriptorPlatform>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct DescriptorPlatform {
    os: String,
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifest {
    #[serde(default)]
    media_type: Option<String>,
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

/// Where a blob lives in a layout.
pub fn blob_path(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}

/// Read a blob fully (bounded) and verify its digest.
fn read_blob(container: &dyn Container, digest: &Digest, limit: u64, what: &str) -> Result<Vec<u8>> {
    let bytes = read_small(container, &blob_path(digest), limit)?;
    digest.verify(&bytes, what)?;
    Ok(bytes)
}

fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8], what: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|err| Error::invalid(format!("{what}: malformed JSON: {err}")))
}

/// Resolve every image of the layout, narrowed to `platform` when given.
pub fn resolve(
    container: &dyn Container,
    platform: Option<&Platform>,
    limit: u64,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<ResolvedImage>> {
    let index: Index = parse(&read_small(container, "index.json", limit)?, "index.json")?;
    let mut images = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for descriptor in &index.manifests {
        walk(container, descriptor, 0, limit, &mut images, &mut seen, diagnostics)?;
    }
    if images.is_empty() {
        return Err(Error::invalid(format!(
            "{}: the layout's index.json names no image manifest that is present",
            container.origin().display()
        )));
    }
    Ok(super::select_platform(images, platform))
}

fn walk(
    container: &dyn Container,
    descriptor: &Descriptor,
    depth: usize,
    limit: u64,
    images: &mut Vec<ResolvedImage>,
    seen: &mut std::collections::HashSet<Digest>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::invalid("image indexes are nested too deeply"));
    }
    if is_attestation(descriptor) {
        return Ok(());
    }
    let digest = Digest::parse(&descriptor.digest)?;
    if !seen.insert(digest.clone()) {
        return Ok(()); // listed twice: scanned once
    }
    if seen.len() > MAX_MANIFESTS {
        return Err(Error::invalid(format!("the layout names more than {MAX_MANIFESTS} manifests; refusing it")));
    }
    if !container.contains(&blob_path(&digest)) {
        // Docker saves an index listing every platform but only the local one's blobs.
        diagnostics.push(Diagnostic::info(
            "missing-manifest",
            format!("manifest {} is listed but not stored in the layout; skipped", digest.short()),
        ));
        return Ok(());
    }
    let bytes = read_blob(container, &digest, limit, &format!("manifest {}", digest.short()))?;
    let media_type = sniff_media_type(&descriptor.media_type, &bytes);
    if INDEX_TYPES.contains(&media_type.as_str()) {
        let index: Index = parse(&bytes, &format!("index {}", digest.short()))?;
        for child in &index.manifests {
            walk(container, child, depth + 1, limit, images, seen, diagnostics)?;
        }
        return Ok(());
    }
    if !MANIFEST_TYPES.contains(&media_type.as_str()) {
        diagnostics.push(Diagnostic::info(
            "unsupported-manifest",
            format!("{} has media type {media_type}, not an image; skipped", digest.short()),
        ));
        return Ok(());
    }
    let manifest: Manifest = parse(&bytes, &format!("manifest {}", digest.short()))?;
    images.push(image_from_manifest(container, descriptor, digest, manifest, limit)?);
    Ok(())
}

fn sniff_media_type(declared: &str, bytes: &[u8]) -> String {
    if !declared.is_empty() {
        return declared.to_owned();
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(Probe { media_type: Some(t), .. }) => t,
        Ok(Probe { manifests: Some(_), .. }) => INDEX_TYPES[0].to_owned(),
        _ => MANIFEST_TYPES[0].to_owned(),
    }
}

fn is_attestation(descriptor: &Descriptor) -> bool {
    descriptor.annotations.get("vnd.docker.reference.type").is_some_and(|t| t == "attestation-manifest")
        || descriptor.platform.as_ref().is_some_and(|p| p.os == "unknown" && p.architecture == "unknown")
}

fn image_from_manifest(
    container: &dyn Container,
    descriptor: &Descriptor,
    manifest_digest: Digest,
    manifest: Manifest,
    limit: u64,
) -> Result<ResolvedImage> {
    let what = format!("manifest {}", manifest_digest.short());
    if manifest.media_type.as_deref().is_some_and(|t| INDEX_TYPES.contains(&t)) {
        return Err(Error::invalid(format!("{what}: declared as a manifest but is an index")));
    }
    let config_digest = Digest::parse(&manifest.config.digest)?;
    let raw = read_blob(container, &config_digest, limit, &format!("config {}", config_digest.short()))?;
    let config: ImageConfig = parse(&raw, &format!("config {}", config_digest.short()))?;
    if config.rootfs.diff_ids.len() != manifest.layers.len() {
        return Err(Error::invalid(format!(
            "{what}: {} layers but the config lists {} diff ids",
            manifest.layers.len(),
            config.rootfs.diff_ids.len()
        )));
    }
    let mut layers = Vec::with_capacity(manifest.layers.len());
    for (index, layer) in manifest.layers.iter().enumerate() {
        let blob_digest = Digest::parse(&layer.digest)?;
        let compression = Compression::from_media_type(&layer.media_type).ok_or_else(|| {
            Error::invalid(format!("{what}: layer {index} has unsupported media type {}", layer.media_type))
        })?;
        layers.push(LayerRef {
            index,
            path: blob_path(&blob_digest),
            blob_digest: Some(blob_digest),
            diff_id: Some(Digest::parse(&config.rootfs.diff_ids[index])?),
            media_type: layer.media_type.clone(),
            size: layer.size,
            compression,
        });
    }
    let platform = descriptor
        .platform
        .as_ref()
        .map(|p| Platform { os: p.os.clone(), architecture: p.architecture.clone(), variant: p.variant.clone() })
        .or_else(|| config_platform(&config));
    let tags = descriptor
        .annotations
        .get("org.opencontainers.image.ref.name")
        .or_else(|| descriptor.annotations.get("io.containerd.image.name"))
        .cloned()
        .into_iter()
        .collect();
    Ok(ResolvedImage {
        label: platform.as_ref().map(ToString::to_string).unwrap_or_else(|| manifest_digest.short().to_owned()),
        platform,
        manifest_digest: Some(manifest_digest),
        config_digest: Some(config_digest),
        raw_config: String::from_utf8_lossy(&raw).into_owned(),
        config,
        layers,
        tags,
    })
}

/// The platform a config declares, if it declares one.
pub fn config_platform(config: &ImageConfig) -> Option<Platform> {
    (!config.os.is_empty() && !config.architecture.is_empty()).then(|| Platform {
        os: config.os.clone(),
        architecture: config.architecture.clone(),
        variant: config.variant.clone(),
    })
}
