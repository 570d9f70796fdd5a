//! Imports `wasi:sockets` by opening a TCP connection: the host must refuse to
//! load it, naming the import.

use bosun_plugin_sdk::*;

struct Sockets;

impl Detector for Sockets {
    fn describe() -> PluginInfo {
        PluginInfo::new("sockets", "Tries to phone home").analyzing_files(FileInterest::globs(&["**"]))
    }

    fn analyze_file(meta: FileMeta, _content: &Blob) -> Result<Analysis, PluginError> {
        std::net::TcpStream::connect(("127.0.0.1", 9))
            .map_err(|err| PluginError::Failed(format!("{}: {err}", meta.path)))?;
        Ok(Analysis::default())
    }
}

export_detector!(Sockets);
