//! The records image-level plugin calls receive.

use crate::plugin::wit;
use crate::report::{OsInfo, PackageRecord};
use crate::source::ResolvedImage;

/// The image config and history as `image-info`.
pub fn build(image: &ResolvedImage) -> wit::ImageInfo {
    let config = &image.config;
    let runtime = &config.config;
    let history_of = config.layer_history();
    wit::ImageInfo {
        reference: image.tags.first().cloned().unwrap_or_else(|| image.label.clone()),
        manifest_digest: image.manifest_digest.as_ref().map(ToString::to_string),
        config_digest: image.config_digest.as_ref().map(ToString::to_string).unwrap_or_default(),
        os: config.os.clone(),
        architecture: config.architecture.clone(),
        platform_variant: config.variant.clone(),
        user: runtime.user.clone(),
        env: runtime.env.clone().unwrap_or_default(),
        entrypoint: runtime.entrypoint.clone().unwrap_or_default(),
        cmd: runtime.cmd.clone().unwrap_or_default(),
        working_dir: runtime.working_dir.clone(),
        exposed_ports: runtime.exposed_ports.as_ref().map(|p| p.keys().cloned().collect()).unwrap_or_default(),
        labels: runtime
            .labels
            .as_ref()
            .map(|l| l.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        healthcheck: runtime.healthcheck.as_ref().and_then(|h| h.test.clone()),
        history: config
            .history
            .iter()
            .map(|h| wit::HistoryEntry {
                created_by: h.created_by.clone(),
                created: h.created.clone(),
                comment: h.comment.clone(),
                empty_layer: h.empty_layer,
            })
            .collect(),
        layers: image
            .layers
            .iter()
            .map(|l| wit::LayerInfo {
                diff_id: l.diff_id.as_ref().map(ToString::to_string).unwrap_or_default(),
                blob_digest: l.blob_digest.as_ref().map(ToString::to_string).unwrap_or_default(),
                size: l.size.unwrap_or(0),
                history_index: history_of.get(l.index).copied().flatten().map(|h| h as u32),
            })
            .collect(),
        raw_config: image.raw_config.clone(),
    }
}

/// The merged package inventory as `inventory`.
pub fn inventory(os: &Option<OsInfo>, packages: &[PackageRecord]) -> wit::Inventory {
    wit::Inventory {
        os: os.as_ref().map(|os| wit::OsRelease {
            id: os.id.clone(),
            version_id: os.version_id.clone(),
            codename: os.codename.clone(),
            pretty_name: os.pretty_name.clone(),
        }),
        packages: packages
            .iter()
            .map(|p| wit::InstalledPackage {
                name: p.name.clone(),
                version: p.version.clone(),
                ecosystem: p.ecosystem.clone(),
                purl: p.purl.clone(),
                source_name: p.source_name.clone(),
                source_version: p.source_version.clone(),
                arch: p.arch.clone(),
                licenses: p.licenses.clone(),
                found_in: p.found_in.clone(),
                vendor: p.vendor.clone(),
            })
            .collect(),
    }
}
