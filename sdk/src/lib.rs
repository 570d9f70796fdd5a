//! Write a [bosun](../README.md) detector plugin in Rust.
//!
//! A plugin is a WebAssembly component built for `wasm32-wasip2`. It implements
//! [`Detector`] — every method but [`Detector::describe`] has a default that does
//! nothing — and exports it with [`export_detector!`]:
//!
//! ```ignore
//! use bosun_plugin_sdk::*;
//!
//! struct TodoFinder;
//!
//! impl Detector for TodoFinder {
//!     fn describe() -> PluginInfo {
//!         PluginInfo::new("todo-finder", "Finds TODO markers in shell scripts")
//!             .analyzing_files(FileInterest::extensions(&["sh"]).max_size(1 << 20))
//!     }
//!
//!     fn analyze_file(meta: FileMeta, content: &Blob) -> Result<Analysis, PluginError> {
//!         let text = read_text(content)?;
//!         let findings = text
//!             .match_indices("TODO")
//!             .map(|(at, _)| {
//!                 Finding::new("todo", Category::Other, Severity::Low, "TODO left in a script")
//!                     .at(Location::in_file(&meta.path).with_span(&text, at, at + 4))
//!             })
//!             .collect();
//!         Ok(Analysis::with_findings(findings))
//!     }
//! }
//!
//! export_detector!(TodoFinder);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2` (crate type
//! `cdylib`) and run it with `bosun scan IMAGE --plugin target/wasm32-wasip2/release/NAME.wasm`.
//! `examples/minimal.rs` is that plugin, built and run by the test suite.
//!
//! Plugins run sandboxed: no filesystem, no network, no environment, a memory
//! cap and a time limit per call. Content reaches a plugin only through [`Blob`].

#![deny(missing_docs)]

mod builders;
mod text;

/// The generated WIT bindings. Plugin authors normally use the re-exports at
/// the crate root instead.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "plugin",
        pub_export_macro: true,
        export_macro_name: "__export_detector_bindings",
        default_bindings_module: "bosun_plugin_sdk::bindings",
        generate_all,
    });
}

pub use bindings::bosun::plugin::host::{Blob, LogLevel, log, open_dataset};
pub use bindings::bosun::plugin::types::{
    Analysis, Category, Confidence, FileInterest, FileKind, FileMeta, Finding, HistoryEntry, ImageInfo,
    InstalledPackage, Inventory, LayerInfo, Location, OsRelease, PluginError, PluginInfo, Roles, Severity,
};
pub use text::{line_of, read_text, redact};

/// A detector plugin. Implement [`Detector::describe`] and the calls your
/// plugin's [`Roles`] name; leave the others to their defaults.
pub trait Detector {
    /// Who the plugin is and what it wants to see. Called once when the plugin loads.
    fn describe() -> PluginInfo;

    /// Apply the user's `key=value` options. The default accepts none.
    fn configure(options: Vec<(String, String)>) -> Result<(), PluginError> {
        match options.first() {
            None => Ok(()),
            Some((key, _)) => Err(PluginError::InvalidConfig(format!("unknown option `{key}`"))),
        }
    }

    /// Analyse one file the plugin asked for in its [`FileInterest`].
    fn analyze_file(meta: FileMeta, content: &Blob) -> Result<Analysis, PluginError> {
        let _ = (meta, content);
        Ok(Analysis::default())
    }

    /// Analyse the image config and history.
    fn analyze_image(image: ImageInfo) -> Result<Vec<Finding>, PluginError> {
        let _ = image;
        Ok(Vec::new())
    }

    /// Match the merged package inventory of the image.
    fn match_inventory(inventory: Inventory) -> Result<Vec<Finding>, PluginError> {
        let _ = inventory;
        Ok(Vec::new())
    }
}

/// Export a [`Detector`] implementation as the plugin's `detector` interface.
/// Use it once per plugin crate, at the crate root.
#[macro_export]
macro_rules! export_detector {
    ($detector:ty) => {
        const _: () = {
            struct BosunExport;

            impl $crate::bindings::exports::bosun::plugin::detector::Guest for BosunExport {
                fn describe() -> $crate::PluginInfo {
                    <$detector as $crate::Detector>::describe()
                }
                fn configure(
                    options: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                ) -> ::std::result::Result<(), $crate::PluginError> {
                    <$detector as $crate::Detector>::configure(options)
                }
                fn analyze_file(
                    meta: $crate::FileMeta,
                    content: &$crate::Blob,
                ) -> ::std::result::Result<$crate::Analysis, $crate::PluginError> {
                    <$detector as $crate::Detector>::analyze_file(meta, content)
                }
                fn analyze_image(
                    image: $crate::ImageInfo,
                ) -> ::std::result::Result<::std::vec::Vec<$crate::Finding>, $crate::PluginError> {
                    <$detector as $crate::Detector>::analyze_image(image)
                }
                fn match_inventory(
                    inventory: $crate::Inventory,
                ) -> ::std::result::Result<::std::vec::Vec<$crate::Finding>, $crate::PluginError> {
                    <$detector as $crate::Detector>::match_inventory(inventory)
                }
            }

    $crate::bindings::__export_detector_bindings!(BosunExport with_types_in $crate::bindings);
        };
    };
}
