//! Turning a layer blob into a verified, bounded tar stream.
//!
//! blob bytes ─► hash (blob digest) ─► decompress ─► bound ─► hash (diff id) ─► tar

use crate::digest::{Digest, HashingReader};
use crate::limits::Limits;
use crate::source::Compression;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A layer grew past a limit: a decompression bomb or an absurdly large layer.
#[derive(Debug)]
pub struct LimitExceeded(pub String);

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitExceeded {}

/// Counts bytes for progress and for the compression-ratio check.
#[derive(Debug, Default, Clone)]
pub struct ByteCounter(Arc<AtomicU64>);

impl ByteCounter {
    /// Bytes counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
    fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }
}

struct Counted<R> {
    inner: R,
    counter: ByteCounter,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.add(n as u64);
        Ok(n)
    }
}

type Blob<R> = BufReader<Counted<HashingReader<R>>>;

enum Decoder<R: Read> {
    Plain(Blob<R>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<Blob<R>>>),
    Zstd(zstd::Decoder<'static, Blob<R>>),
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }
}

impl<R: Read> Decoder<R> {
    fn into_blob(self) -> Blob<R> {
        match self {
            Decoder::Plain(r) => r,
            Decoder::Gzip(r) => (*r).into_inner(),
            Decoder::Zstd(r) => r.finish(),
        }
    }
}

/// The uncompressed tar stream of one layer. Read it to the end, then call
/// [`LayerStream::finish`] for the digests.
pub struct LayerStream<R: Read> {
    decoder: Decoder<R>,
    diff: sha2::Sha256,
    expanded: u64,
    compressed: ByteCounter,
    max_layer: u64,
    max_ratio: u64,
    ratio_after: u64,
}

/// What the bytes of a layer turned out to be.
#[derive(Debug, Clone)]
pub struct LayerDigests {
    /// Digest of the stored blob.
    pub blob: Digest,
    /// Size of the stored blob.
    pub blob_size: u64,
    /// Digest of the uncompressed tar (the diff id).
    pub diff_id: Digest,
    /// Size of the uncompressed tar.
    pub diff_size: u64,
    /// The compression found.
    pub compression: Compression,
}

impl<R: Read> LayerStream<R> {
    /// Wrap a blob reader, detecting the compression from magic bytes when the
    /// media type does not say.
    pub fn new(blob: R, declared: Compression, limits: &Limits, compressed: ByteCounter) -> io::Result<Self> {
        let mut buffered = BufReader::with_capacity(
            256 << 10,
            Counted { inner: HashingReader::new(blob), counter: compressed.clone() },
        );
        let compression = match declared {
            Compression::Detect => sniff(buffered.fill_buf()?),
            known => known,
        };
        let decoder = match compression {
            Compression::Gzip => Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(buffered))),
            Compression::Zstd => Decoder::Zstd(zstd::Decoder::with_buffer(buffered)?),
            _ => Decoder::Plain(buffered),
        };
        Ok(LayerStream {
            decoder,
            diff: <sha2::Sha256 as sha2::Digest>::new(),
            expanded: 0,
            compressed,
            max_layer: limits.max_layer_size,
            max_ratio: limits.max_compression_ratio,
            ratio_after: limits.ratio_check_after,
        })
    }

    /// Drain what the tar reader left (padding, trailers) and return the digests.
    pub fn finish(mut self) -> io::Result<LayerDigests> {
        io::copy(&mut self, &mut io::sink())?;
        let compression = match &self.decoder {
            Decoder::Plain(_) => Compression::None,
            Decoder::Gzip(_) => Compression::Gzip,
            Decoder::Zstd(_) => Compression::Zstd,
        };
        let diff_id = Digest::parse(&format!("sha256:{}", hex::encode(sha2::Digest::finalize(self.diff))))
            .expect("a sha256 digest is well-formed");
        let blob = self.decoder.into_blob().into_inner().inner;
        let (blob, blob_size) = blob.finish()?;
        Ok(LayerDigests { blob, blob_size, diff_id, diff_size: self.expanded, compression })
    }
}

fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

impl<R: Read> Read for LayerStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.decoder.read(buf)?;
        sha2::Digest::update(&mut self.diff, &buf[..n]);
        self.expanded += n as u64;
        if self.expanded > self.max_layer {
            return Err(io::Error::other(LimitExceeded(format!("layer expands beyond {} bytes", self.max_layer))));
        }
        let compressed = self.compressed.get().max(1);
        if self.expanded > self.ratio_after && self.expanded / compressed > self.max_ratio {
            return Err(io::Error::other(LimitExceeded(format!(
                "decompression bomb: {compressed} compressed bytes expanded to {} (ratio above {})",
                self.expanded, self.max_ratio
            ))));
        }
        Ok(n)
    }
}
