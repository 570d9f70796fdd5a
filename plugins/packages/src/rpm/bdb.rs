//! Berkeley DB hash files (`/var/lib/rpm/Packages` before rpm 4.16): the
//! metadata page says the byte order, page size and last page; hash pages
//! hold key/value pairs, and each package header is an off-page value whose
//! bytes run along a chain of overflow pages.

const MAGIC: u32 = 0x0006_1561;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_OFFPAGE: u8 = 3;
const HEADER: usize = 26;

struct File<'a> {
    bytes: &'a [u8],
    big_endian: bool,
    page_size: usize,
}

impl File<'_> {
    fn u32(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big_endian { u32::from_be_bytes(b) } else { u32::from_le_bytes(b) })
    }

    fn u16(&self, at: usize) -> Option<usize> {
        let b: [u8; 2] = self.bytes.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big_endian { u16::from_be_bytes(b) } else { u16::from_le_bytes(b) } as usize)
    }
}

fn open(bytes: &[u8]) -> Option<File<'_>> {
    let raw: [u8; 4] = bytes.get(12..16)?.try_into().ok()?;
    let big_endian = if u32::from_le_bytes(raw) == MAGIC {
        false
    } else if u32::from_be_bytes(raw) == MAGIC {
        true
    } else {
        return None;
    };
    let mut file = File { bytes, big_endian, page_size: 0 };
    let page_size = file.u32(20)? as usize;
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() || bytes.get(25) != Some(&P_HASHMETA) {
        return None;
    }
    file.page_size = page_size;
    Some(file)
}

/// True for a Berkeley DB hash file.
pub fn is_hash(bytes: &[u8]) -> bool {
    open(bytes).is_some()
}

/// The off-page values: one rpm header blob per package.
pub fn blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let file = open(bytes).ok_or("not a Berkeley DB hash file")?;
    let pages = bytes.len() / file.page_size;
    let last = (file.u32(32).ok_or("short metadata page")? as usize).min(pages.saturating_sub(1));
    let mut out = Vec::new();
    // Each overflow page belongs to one item: a page met twice is a loop or a lie.
    let mut claimed = std::collections::HashSet::new();
    let mut produced = 0usize;
    for number in 1..=last {
        let page = number * file.page_size;
        let kind = bytes[page + 25];
        if kind != P_HASH && kind != P_HASH_UNSORTED {
            continue;
        }
        let entries = file.u16(page + 20).ok_or("short page")?;
        // Index entries alternate key, value; values are at odd positions.
        for index in (1..entries).step_by(2) {
            let Some(offset) = file.u16(page + HEADER + 2 * index) else { break };
            let item = page + offset;
            if offset >= file.page_size || bytes.get(item) != Some(&H_OFFPAGE) {
                continue;
            }
            let (Some(first), Some(length)) = (file.u32(item + 4), file.u32(item + 8)) else { continue };
            let blob = overflow(&file, first, length as usize, pages, &mut claimed)?;
            produced += blob.len();
            if produced > bytes.len() {
                return Err("headers larger than the file".into());
            }
            out.push(blob);
        }
    }
    Ok(out)
}

/// The bytes of an overflow chain starting at page `first`.
fn overflow(
    file: &File<'_>,
    first: u32,
    length: usize,
    pages: usize,
    claimed: &mut std::collections::HashSet<usize>,
) -> Result<Vec<u8>, String> {
    if length > file.bytes.len() {
        return Err("an off-page item longer than the file".into());
    }
    let mut data = Vec::with_capacity(length);
    let mut next = first as usize;
    while data.len() < length {
        if next == 0 || next >= pages || !claimed.insert(next) {
            return Err("broken overflow chain".into());
        }
        let page = next * file.page_size;
        if file.bytes[page + 25] != P_OVERFLOW {
            return Err(format!("page {next} is not an overflow page"));
        }
        let used = file.u16(page + 22).ok_or("short page")?.min(file.page_size - HEADER);
        let take = used.min(length - data.len());
        data.extend_from_slice(&file.bytes[page + HEADER..page + HEADER + take]);
        next = file.u32(page + 16).ok_or("short page")? as usize;
    }
    Ok(data)
}
