//! What a plugin instance's store holds, and the host functions it may call.

use super::Datasets;
use super::blob::{BlobHandle, Content};
use super::wit::{LogLevel, bosun};
use std::sync::Arc;
use wasmtime::component::{Resource, ResourceTable};
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Longest log line kept, in bytes.
const MAX_LOG_LINE: usize = 1024;

/// Caps the instance's linear memories together (a component may hold several
/// core instances, each with its own memory) and remembers that it refused a
/// growth, so a trap can be named as out-of-memory rather than a generic failure.
pub struct MemoryCap {
    limit: usize,
    total: usize,
    /// Set when a growth beyond the cap was refused.
    pub exceeded: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        let total = self.total + desired.saturating_sub(current);
        if total > self.limit {
            self.exceeded = true;
            return Err(wasmtime::format_err!("memory cap of {} MiB exceeded", self.limit >> 20));
        }
        self.total = total;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        Ok(desired <= 1 << 20)
    }

    fn instances(&self) -> usize {
        64
    }

    fn memories(&self) -> usize {
        16
    }

    fn tables(&self) -> usize {
        64
    }
}

/// One line a plugin logged.
#[derive(Debug, Clone)]
pub struct LogLine {
    /// Its level.
    pub level: LogLevel,
    /// Its text, truncated.
    pub message: String,
}

/// The data of one plugin instance's store.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    /// The memory limiter.
    pub memory: MemoryCap,
    /// Lines logged since the last drain.
    pub logs: Vec<LogLine>,
    max_log_lines: usize,
    max_read_all: u64,
    datasets: Arc<Datasets>,
    /// Captured stderr (a panic message lands here).
    pub stderr: MemoryOutputPipe,
    /// When the current call must stop; checked on every epoch tick.
    pub deadline: std::time::Instant,
}

impl HostState {
    /// A sandbox with no preopened directories, no environment, no network and
    /// size-bounded captured stdout/stderr.
    pub fn new(
        memory_limit: usize,
        output: usize,
        max_log_lines: usize,
        max_read_all: u64,
        datasets: Arc<Datasets>,
    ) -> Self {
        let stderr = MemoryOutputPipe::new(output);
        let wasi =
            wasmtime_wasi::WasiCtx::builder().stdout(MemoryOutputPipe::new(output)).stderr(stderr.clone()).build();
        HostState {
            wasi,
            table: ResourceTable::new(),
            memory: MemoryCap { limit: memory_limit, total: 0, exceeded: false },
            logs: Vec::new(),
            max_log_lines,
            max_read_all,
            datasets,
            stderr,
            deadline: std::time::Instant::now(),
        }
    }

    /// Put a blob into the resource table for one call.
    pub fn push_blob(&mut self, content: Arc<Content>) -> Result<Resource<BlobHandle>> {
        Ok(self.table.push(BlobHandle(content))?)
    }

    /// Remove a blob after the call.
    pub fn drop_blob(&mut self, blob: Resource<BlobHandle>) -> Result<()> {
        self.table.delete(blob)?;
        Ok(())
    }

    fn content(&self, blob: &Resource<BlobHandle>) -> Result<Arc<Content>> {
        Ok(Arc::clone(&self.table.get(blob)?.0))
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl bosun::plugin::types::Host for HostState {}

impl bosun::plugin::host::Host for HostState {
    async fn log(&mut self, level: LogLevel, mut message: String) -> Result<()> {
        if self.logs.len() < self.max_log_lines {
            if message.len() > MAX_LOG_LINE {
                let mut end = MAX_LOG_LINE;
                while !message.is_char_boundary(end) {
                    end -= 1;
                }
                message.truncate(end);
                message.push('…');
            }
            self.logs.push(LogLine { level, message });
        }
        Ok(())
    }

    async fn open_dataset(&mut self, name: String) -> Result<Result<Resource<BlobHandle>, String>> {
        match self.datasets.open(&name) {
            Ok(content) => Ok(Ok(self.push_blob(content)?)),
            Err(reason) => Ok(Err(reason)),
        }
    }
}

impl bosun::plugin::host::HostBlob for HostState {
    async fn size(&mut self, blob: Resource<BlobHandle>) -> Result<u64> {
        Ok(self.content(&blob)?.size())
    }

    async fn read(&mut self, blob: Resource<BlobHandle>, offset: u64, len: u32) -> Result<Vec<u8>> {
        let len = u64::from(len).min(self.max_read_all);
        Ok(self.content(&blob)?.read_at(offset, len)?)
    }

    async fn read_all(&mut self, blob: Resource<BlobHandle>) -> Result<Result<Vec<u8>, String>> {
        let content = self.content(&blob)?;
        if content.size() > self.max_read_all {
            return Ok(Err(format!(
                "blob is {} bytes, more than the {} a plugin may copy at once; read it by range",
                content.size(),
                self.max_read_all
            )));
        }
        Ok(Ok(content.read_at(0, content.size())?))
    }

    async fn drop(&mut self, blob: Resource<BlobHandle>) -> Result<()> {
        self.table.delete(blob)?;
        Ok(())
    }
}
