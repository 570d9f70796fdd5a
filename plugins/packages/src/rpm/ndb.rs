//! NDB (`Packages.db`, rpm's own format on SUSE): a slot table maps package
//! indexes to runs of 16-byte blocks, each run a blob header, the rpm header
//! blob and a tail.

const SLOT_MAGIC: u32 = 0x746f_6c53; // "Slot"
const BLOB_MAGIC: u32 = 0x5362_6c42; // "BlbS"
const SLOT_PAGE: usize = 4096;
const BLOCK: usize = 16;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}

/// The rpm header blobs, in slot order.
pub fn blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if !bytes.starts_with(b"RpmP") || le32(bytes, 4) != Some(0) {
        return Err("not an NDB package database (version 0)".into());
    }
    let slot_pages = le32(bytes, 12).ok_or("short header")? as usize;
    let slots_end =
        slot_pages.checked_mul(SLOT_PAGE).filter(|&end| end <= bytes.len()).ok_or("slot table past the end")?;
    let mut out = Vec::new();
    let mut used = std::collections::HashSet::new();
    let mut produced = 0usize;
    // The header occupies the first two slots.
    for slot in (32..slots_end).step_by(16) {
        if le32(bytes, slot) != Some(SLOT_MAGIC) {
            return Err(format!("bad slot at byte {slot}"));
        }
        let (index, offset) = (le32(bytes, slot + 4).unwrap_or(0), le32(bytes, slot + 8).unwrap_or(0) as usize);
        if index == 0 || offset == 0 {
            continue;
        }
        if !used.insert(offset) {
            return Err(format!("package {index}: its blocks belong to another package"));
        }
        let start = offset.checked_mul(BLOCK).ok_or("bad block offset")?;
        if le32(bytes, start) != Some(BLOB_MAGIC) || le32(bytes, start + 4) != Some(index) {
            return Err(format!("package {index}: bad blob header"));
        }
        let length = le32(bytes, start + 12).ok_or("short blob")? as usize;
        let blob =
            bytes.get(start + 16..start + 16 + length).ok_or_else(|| format!("package {index}: blob past the end"))?;
        produced += blob.len();
        if produced > bytes.len() {
            return Err("headers larger than the file".into());
        }
        out.push(blob.to_vec());
    }
    Ok(out)
}
