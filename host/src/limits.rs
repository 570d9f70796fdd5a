//! Resource limits that keep a hostile image or plugin from exhausting the host.

use std::time::Duration;

/// Every bound a scan enforces. The defaults suit a CI job or a registry scanner;
/// the CLI exposes the ones users most often need to change.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Files larger than this are not read for plugins (reported as skipped).
    pub max_file_size: u64,
    /// Files up to this size are held in memory; larger ones are spilled to scratch space.
    pub inline_file_size: u64,
    /// Uncompressed bytes one layer may expand to.
    pub max_layer_size: u64,
    /// Compression ratio above which a layer is treated as a decompression bomb,
    /// once it has expanded past `ratio_check_after` bytes.
    pub max_compression_ratio: u64,
    /// Expanded bytes before the ratio check applies.
    pub ratio_check_after: u64,
    /// Entries one layer may hold.
    pub max_entries_per_layer: u64,
    /// Size of a JSON document (index, manifest, config) the host will parse.
    pub max_metadata_size: u64,
    /// Wall-clock time one plugin call may take.
    pub plugin_call_timeout: Duration,
    /// Linear memory one plugin instance may use.
    pub plugin_memory: usize,
    /// Traps after which a plugin is disabled for the rest of the scan.
    pub plugin_trap_budget: u32,
    /// Findings kept from one plugin call; the rest are dropped with a diagnostic.
    pub findings_per_call: usize,
    /// Findings kept from one plugin over the whole scan.
    pub findings_per_plugin: usize,
    /// Bytes a plugin may copy out of a blob in one `read-all`.
    pub max_read_all: u64,
    /// Bytes of stdout and of stderr captured from one plugin instance.
    pub plugin_output: usize,
    /// Log lines kept per plugin.
    pub plugin_log_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 256 << 20,
            inline_file_size: 8 << 20,
            max_layer_size: 32 << 30,
            max_compression_ratio: 200,
            ratio_check_after: 256 << 20,
            max_entries_per_layer: 4_000_000,
            max_metadata_size: 4 << 20,
            plugin_call_timeout: Duration::from_secs(10),
            plugin_memory: 256 << 20,
            plugin_trap_budget: 5,
            findings_per_call: 1_000,
            findings_per_plugin: 100_000,
            max_read_all: 64 << 20,
            plugin_output: 64 << 10,
            plugin_log_lines: 100,
        }
    }
}
