//! Content digests (`sha256:<hex>`) and a reader that hashes what passes through.

use crate::error::{Error, ErrorKind, Result};
use sha2::{Digest as _, Sha256};
use std::fmt;
use std::io::{self, Read};

/// A validated `sha256:<64 lower-case hex>` digest. Validation matters: the hex
/// part becomes a blob path inside a layout, so nothing else may pass.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// Parse and validate a digest string.
    pub fn parse(text: &str) -> Result<Self> {
        let hex = text.strip_prefix("sha256:").ok_or_else(|| {
            Error::invalid(format!("unsupported digest `{}` (only sha256 is supported)", shorten(text)))
        })?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(Error::invalid(format!("malformed digest `{}`", shorten(text))));
        }
        Ok(Digest(text.to_owned()))
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Digest(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// The hex part.
    pub fn hex(&self) -> &str {
        &self.0["sha256:".len()..]
    }

    /// The full `sha256:…` form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, for messages and tables.
    pub fn short(&self) -> &str {
        &self.hex()[..12]
    }

    /// Check `bytes` against this digest.
    pub fn verify(&self, bytes: &[u8], what: &str) -> Result<()> {
        let actual = Digest::of(bytes);
        if &actual == self { Ok(()) } else { Err(mismatch(what, self, &actual)) }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error for content that does not match its digest.
pub fn mismatch(what: &str, expected: &Digest, actual: &Digest) -> Error {
    Error::new(
        ErrorKind::DigestMismatch,
        format!("{what}: digest mismatch: expected {expected}, content hashes to {actual}"),
    )
}

fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

/// Hashes and counts every byte read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wrap `inner`.
    pub fn new(inner: R) -> Self {
        HashingReader { inner, hasher: Sha256::new(), count: 0 }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Read the rest of the stream (so the digest covers all of it) and return
    /// the digest and the total byte count.
    pub fn finish(mut self) -> io::Result<(Digest, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        let digest = Digest(format!("sha256:{}", hex::encode(self.hasher.finalize())));
        Ok((digest, self.count))
    }

    /// The wrapped reader.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_digests_that_could_become_paths() {
        assert!(Digest::parse("sha256:../../etc/passwd").is_err());
        assert!(Digest::parse(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(Digest::parse(&format!("md5:{}", "a".repeat(32))).is_err());
        assert!(Digest::parse(&format!("sha256:{}", "a".repeat(64))).is_ok());
    }

    #[test]
    fn hashing_reader_covers_the_unread_tail() {
        let data = b"hello world".to_vec();
        let mut reader = HashingReader::new(&data[..]);
        let mut first = [0u8; 5];
        reader.read_exact(&mut first).unwrap();
        let (digest, count) = reader.finish().unwrap();
        assert_eq!(count, 11);
        assert_eq!(digest, Digest::of(&data));
    }
}
