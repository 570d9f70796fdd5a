//! The cache of precompiled components. Compiling a plugin costs up to a second
//! (more in a debug build); loading a precompiled one costs a fraction of a
//! millisecond. Entries are keyed by the engine's compatibility hash and the
//! component's digest, written atomically, and checked against their own
//! digest before use: a damaged entry is rebuilt, never trusted.

use crate::digest::Digest;
use crate::error::{Error, Result};
use cap_std::fs::Dir;
use sha2::{Digest as _, Sha256};
use std::hash::{Hash, Hasher};
use std::io::Write;
use wasmtime::Engine;
use wasmtime::component::Component;

const MAGIC: &[u8; 8] = b"BOSUNCW1";

/// The precompiled-component cache in one directory.
pub struct ComponentCache {
    dir: Dir,
    engine_key: String,
}

/// Feeds `Hash` output into SHA-256, so the engine key is stable across runs.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

impl ComponentCache {
    /// A cache in `dir` (created if missing) for components compiled by `engine`.
    pub fn open(dir: &std::path::Path, engine: &Engine) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|err| Error::io(dir, err))?;
        let dir = Dir::open_ambient_dir(dir, cap_std::ambient_authority()).map_err(|err| Error::io(dir, err))?;
        let mut hasher = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = hex::encode(&hasher.0.finalize()[..12]);
        Ok(ComponentCache { dir, engine_key })
    }

    fn entry_name(&self, component: &Digest) -> String {
        format!("{}-{}.cwasm", self.engine_key, component.hex())
    }

    /// The compiled form of `wasm`, from the cache or freshly compiled (and stored).
    /// Returns whether it came from the cache.
    pub fn load(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<(Component, bool)> {
        let name = self.entry_name(&Digest::of(wasm));
        if let Some(component) = self.read(engine, &name) {
            return Ok((component, true));
        }
        let compiled = engine.precompile_component(wasm)?;
        // A cache that cannot be written only costs time; the scan goes on.
        let _ = self.write(&name, &compiled);
        Ok((deserialize(engine, &compiled)?, false))
    }

    fn read(&self, engine: &Engine, name: &str) -> Option<Component> {
        let bytes = self.dir.read(name).ok()?;
        let body = bytes.strip_prefix(MAGIC.as_slice())?;
        let (checksum, payload) = body.split_at_checked(32)?;
        if Sha256::digest(payload).as_slice() != checksum {
            return None;
        }
        deserialize(engine, payload).ok()
    }

    fn write(&self, name: &str, compiled: &[u8]) -> std::io::Result<()> {
        let tmp = format!("{name}.tmp-{}-{:?}", std::process::id(), std::thread::current().id());
        let mut file = self.dir.create(&tmp)?;
        file.write_all(MAGIC)?;
        file.write_all(&Sha256::digest(compiled))?;
        file.write_all(compiled)?;
        file.sync_all()?;
        drop(file);
        self.dir.rename(&tmp, &self.dir, name)
    }
}

#[allow(unsafe_code)]
fn deserialize(engine: &Engine, compiled: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: `compiled` is either what `precompile_component` just returned, or
    // a cache entry this module wrote whose SHA-256 was verified above. bosun
    // never deserializes precompiled code it did not produce itself.
    unsafe { Component::deserialize(engine, compiled) }
}
