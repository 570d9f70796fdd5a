//! Asks for every regular file and does nothing: measures the host's own cost.

use bosun_plugin_sdk::*;

struct Noop;

impl Detector for Noop {
    fn describe() -> PluginInfo {
        PluginInfo::new("noop", "Asks for every regular file, finds nothing (benchmarks)")
            .analyzing_files(FileInterest::globs(&["**"]))
    }
}

export_detector!(Noop);
