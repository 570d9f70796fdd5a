//! Host-side bindings of the `bosun:plugin@0.1.0` world. A later contract
//! version gets its own module next to this one, so older plugins keep working.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "plugin",
    imports: { default: async | trappable },
    exports: { default: async },
    with: {
        "bosun:plugin/host.blob": crate::plugin::blob::BlobHandle,
    },
});

pub use self::bosun::plugin::host::LogLevel;
pub use self::bosun::plugin::types::{
    Analysis, Category, Confidence, FileInterest, FileKind, FileMeta, Finding, HistoryEntry, ImageInfo,
    InstalledPackage, Inventory, LayerInfo, Location, OsRelease, PluginError, PluginInfo, Roles, Severity,
};
