//! Image sources: where an image comes from and what it resolves to.
//!
//! | spelling | what it is |
//! |---|---|
//! | `oci:DIR` or a directory with `index.json` | OCI image layout |
//! | `oci-archive:FILE` or a tarball with `index.json` | OCI layout in a tar |
//! | `docker-archive:FILE` or a tarball with `manifest.json` | `docker save` output |
//! | `dir:DIR` or any other directory | an unpacked root filesystem |

mod config;
mod container;
mod docker;
mod model;
mod oci;

pub use config::{History, ImageConfig, RuntimeConfig};
pub use container::{Container, DirContainer, MemberReader, TarContainer};
pub use model::{Compression, LayerRef, Platform, ResolvedImage};

use crate::error::{Error, ErrorKind, Result};
use crate::report::Diagnostic;
use std::path::{Path, PathBuf};

/// What the user pointed bosun at.
pub enum Source {
    /// An image layout (directory or tarball).
    Layout {
        /// Its files.
        container: Box<dyn Container>,
        /// The spelling for reports.
        kind: &'static str,
    },
    /// A plain root filesystem directory, scanned as one layer.
    Rootfs(PathBuf),
}

impl Source {
    /// Open `spec`, an optional `transport:` prefix and a path. A compressed
    /// tarball expands to at most `max_expanded` bytes.
    pub fn open(spec: &str, max_expanded: u64) -> Result<Self> {
        let (transport, path) = match spec.split_once(':') {
            Some((t @ ("oci" | "oci-archive" | "docker-archive" | "dir" | "rootfs"), rest)) => (Some(t), rest),
            _ => (None, spec),
        };
        let path = Path::new(path);
        let metadata = std::fs::metadata(path)
            .map_err(|err| Error::new(ErrorKind::SourceNotFound, format!("{}: {err}", path.display())))?;
        match transport {
            Some("dir" | "rootfs") => Ok(Source::Rootfs(path.to_owned())),
            Some(_) | None if metadata.is_dir() => {
                let container = DirContainer::open(path)?;
                if container.contains("index.json") || container.contains("manifest.json") {
                    return Ok(Source::Layout { container: Box::new(container), kind: "oci-layout" });
                }
                if transport.is_some() {
                    return Err(Error::new(
                        ErrorKind::SourceNotFound,
                        format!("{}: no index.json or manifest.json: not an image layout", path.display()),
                    ));
                }
                Ok(Source::Rootfs(path.to_owned()))
            }
            _ => {
                let container = TarContainer::open(path, max_expanded)?;
                let kind = if container.contains("index.json") { "oci-archive" } else { "docker-archive" };
                if !container.contains("index.json") && !container.contains("manifest.json") {
                    return Err(Error::new(
                        ErrorKind::SourceNotFound,
                        format!(
                            "{}: a tar archive without index.json or manifest.json is not an image \
                             (to scan a single layer, unpack it and use dir:PATH)",
                            path.display()
                        ),
                    ));
                }
                Ok(Source::Layout { container: Box::new(container), kind })
            }
        }
    }

    /// The images to scan, narrowed to `platform` when given.
    pub fn resolve(
        &self,
        platform: Option<&Platform>,
        metadata_limit: u64,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Vec<ResolvedImage>> {
        let images = match self {
            Source::Rootfs(path) => vec![ResolvedImage {
                label: path.display().to_string(),
                platform: None,
                manifest_digest: None,
                config_digest: None,
                config: ImageConfig::default(),
                raw_config: "{}".to_owned(),
                layers: vec![LayerRef {
                    index: 0,
                    path: String::new(),
                    blob_digest: None,
                    diff_id: None,
                    media_type: "directory".to_owned(),
                    size: None,
                    compression: Compression::None,
                }],
                tags: Vec::new(),
            }],
            Source::Layout { container, .. } if container.contains("index.json") => {
                oci::resolve(container.as_ref(), platform, metadata_limit, diagnostics)?
            }
            Source::Layout { container, .. } => {
                select_platform(docker::resolve(container.as_ref(), metadata_limit)?, platform)
            }
        };
        if images.is_empty() {
            let wanted = platform.map(ToString::to_string).unwrap_or_default();
            return Err(Error::new(ErrorKind::NoMatchingPlatform, format!("no image for platform {wanted}")));
        }
        Ok(images)
    }

    /// The spelling of the source kind for reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Layout { kind, .. } => kind,
            Source::Rootfs(_) => "rootfs",
        }
    }
}

/// Keep the images `platform` selects (all when `None`).
fn select_platform(images: Vec<ResolvedImage>, platform: Option<&Platform>) -> Vec<ResolvedImage> {
    match platform {
        None => images,
        Some(wanted) => {
            images.into_iter().filter(|image| image.platform.as_ref().is_some_and(|p| wanted.selects(p))).collect()
        }
    }
}
