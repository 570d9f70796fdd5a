//! An rpm header blob as the database stores it: `il` index entries of 16
//! bytes (tag, type, offset, count; big-endian) over a data store of `dl` bytes.

/// Tags read.
pub const NAME: u32 = 1000;
/// Version.
pub const VERSION: u32 = 1001;
/// Release.
pub const RELEASE: u32 = 1002;
/// Epoch (int32).
pub const EPOCH: u32 = 1003;
/// Vendor.
pub const VENDOR: u32 = 1011;
/// License.
pub const LICENSE: u32 = 1014;
/// Architecture.
pub const ARCH: u32 = 1022;
/// Source rpm file name.
pub const SOURCERPM: u32 = 1044;
/// Index into DIRNAMES for each file.
pub const DIRINDEXES: u32 = 1116;
/// File base names.
pub const BASENAMES: u32 = 1117;
/// Directory names.
pub const DIRNAMES: u32 = 1118;
/// Old-style full file names.
pub const OLDFILENAMES: u32 = 1027;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// A parsed header: its entries and data store.
pub struct Header<'a> {
    entries: Vec<(u32, u32, usize, usize)>,
    data: &'a [u8],
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    bytes.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

impl<'a> Header<'a> {
    /// Parse a blob; bounds are checked, nothing is trusted.
    pub fn parse(blob: &'a [u8]) -> Result<Self, String> {
        let il = be32(blob, 0).ok_or("short header")? as usize;
        let dl = be32(blob, 4).ok_or("short header")? as usize;
        if il > 100_000 || dl > 256 << 20 {
            return Err("implausible header sizes".into());
        }
        let start = 8 + il * 16;
        let data = blob.get(start..start + dl).ok_or("header shorter than it says")?;
        let mut entries = Vec::with_capacity(il);
        for i in 0..il {
            let at = 8 + i * 16;
            let (tag, kind, offset, count) = (
                be32(blob, at).unwrap_or(0),
                be32(blob, at + 4).unwrap_or(0),
                be32(blob, at + 8).unwrap_or(0),
                be32(blob, at + 12).unwrap_or(0),
            );
            entries.push((tag, kind, offset as usize, count as usize));
        }
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<(u32, usize, usize)> {
        self.entries.iter().find(|e| e.0 == tag).map(|e| (e.1, e.2, e.3))
    }

    fn c_string(&self, at: usize) -> Option<(String, usize)> {
        let rest = self.data.get(at..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        Some((String::from_utf8_lossy(&rest[..end]).into_owned(), at + end + 1))
    }

    /// A string tag (the first string of an i18n or array tag).
    pub fn string(&self, tag: u32) -> Option<String> {
        let (kind, offset, _) = self.entry(tag)?;
        matches!(kind, TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY)
            .then(|| self.c_string(offset).map(|(s, _)| s))?
    }

    /// All strings of an array tag.
    pub fn strings(&self, tag: u32) -> Vec<String> {
        let Some((kind, mut offset, count)) = self.entry(tag) else { return Vec::new() };
        if kind != TYPE_STRING_ARRAY && kind != TYPE_STRING {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(count.min(100_000));
        for _ in 0..count.min(1_000_000) {
            let Some((s, next)) = self.c_string(offset) else { break };
            out.push(s);
            offset = next;
        }
        out
    }

    /// The int32 values of a tag.
    pub fn ints(&self, tag: u32) -> Vec<u32> {
        let Some((kind, offset, count)) = self.entry(tag) else { return Vec::new() };
        if kind != TYPE_INT32 {
            return Vec::new();
        }
        (0..count.min(1_000_000)).map_while(|i| be32(self.data, offset.checked_add(i.checked_mul(4)?)?)).collect()
    }

    /// The first int32 value of a tag.
    pub fn int(&self, tag: u32) -> Option<u32> {
        self.ints(tag).first().copied()
    }

    /// The package's files, absolute.
    pub fn files(&self) -> Vec<String> {
        let old = self.strings(OLDFILENAMES);
        if !old.is_empty() {
            return old;
        }
        let (dirs, bases, indexes) = (self.strings(DIRNAMES), self.strings(BASENAMES), self.ints(DIRINDEXES));
        bases
            .iter()
            .zip(&indexes)
            .filter_map(|(base, &i)| dirs.get(i as usize).map(|dir| format!("{dir}{base}")))
            .collect()
    }
}
