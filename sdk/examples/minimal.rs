//! The smallest useful plugin: reports `TODO` markers in shell scripts.
//! Built by the test suite and run with `bosun scan IMAGE --plugin minimal.wasm`.

use bosun_plugin_sdk::*;

struct TodoFinder;

impl Detector for TodoFinder {
    fn describe() -> PluginInfo {
        PluginInfo::new("todo-finder", "Finds TODO markers in shell scripts")
            .analyzing_files(FileInterest::extensions(&["sh"]).max_size(1 << 20))
    }

    fn analyze_file(meta: FileMeta, content: &Blob) -> Result<Analysis, PluginError> {
        let text = read_text(content)?;
        let findings = text
            .match_indices("TODO")
            .map(|(at, _)| {
                Finding::new("todo", Category::Other, Severity::Low, "TODO left in a script")
                    .at(Location::in_file(&meta.path).with_span(&text, at, at + 4))
            })
            .collect();
        Ok(Analysis::with_findings(findings))
    }
}

export_detector!(TodoFinder);
