//! What a source resolves to: images with their config and layer list.

use super::config::ImageConfig;
use crate::digest::Digest;
use serde::Serialize;
use std::fmt;

/// An OS/architecture pair, with an optional variant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Platform {
    /// `linux`, `windows`, …
    pub os: String,
    /// `amd64`, `arm64`, …
    pub architecture: String,
    /// `v7`, `v8`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
}

impl Platform {
    /// Parse `os/arch[/variant]`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('/');
        let os = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let architecture = parts.next().filter(|s| !s.is_empty())?.to_owned();
        let variant = parts.next().map(str::to_owned);
        if parts.next().is_some() {
            return None;
        }
        Some(Platform { os, architecture, variant })
    }

    /// True when `self` (a request) selects `other` (an image's platform):
    /// a request without a variant selects every variant.
    pub fn selects(&self, other: &Platform) -> bool {
        self.os == other.os
            && self.architecture == other.architecture
            && (self.variant.is_none() || self.variant == other.variant)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// Plain tar.
    None,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
    /// Unknown from the media type: sniff the magic bytes.
    Detect,
}

impl Compression {
    /// The compression a layer media type declares, or `None` for a media type
    /// that is not a filesystem layer bosun can read.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        Some(match media_type {
            "application/vnd.oci.image.layer.v1.tar" | "application/vnd.oci.image.layer.nondistributable.v1.tar" => {
                Compression::None
            }
            "application/vnd.oci.image.layer.v1.tar+gzip"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Compression::Gzip,
            "application/vnd.oci.image.layer.v1.tar+zstd"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd" => Compression::Zstd,
            "application/vnd.docker.image.rootfs.diff.tar" | "" => Compression::Detect,
            _ => return None,
        })
    }
}

/// One layer of an image, located in its container.
#[derive(Debug, Clone)]
pub struct LayerRef {
    /// Position in the image, bottom first.
    pub index: usize,
    /// Member path of the blob in the container.
    pub path: String,
    /// Digest of the blob as stored, when the manifest names it.
    pub blob_digest: Option<Digest>,
    /// The diff id the config declares for this layer.
    pub diff_id: Option<Digest>,
    /// The layer's media type.
    pub media_type: String,
    /// The blob's size as the manifest declares it.
    pub size: Option<u64>,
    /// Declared compression.
    pub compression: Compression,
}

/// One image ready to scan.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    /// A name for reports: the platform, a tag, or the path.
    pub label: String,
    /// The platform, from the index or the config.
    pub platform: Option<Platform>,
    /// Digest of the image manifest, when there is one.
    pub manifest_digest: Option<Digest>,
    /// Digest of the config blob.
    pub config_digest: Option<Digest>,
    /// The parsed config.
    pub config: ImageConfig,
    /// The config as stored, for plugins that read more of it.
    pub raw_config: String,
    /// The layers, bottom first.
    pub layers: Vec<LayerRef>,
    /// Tags the source records for the image.
    pub tags: Vec<String>,
}
