//! A read-only reader for SQLite database files, enough to list a table's
//! rows: the header, `sqlite_schema`, table B-trees (interior and leaf pages),
//! records with overflow chains. Every offset is checked; a cycle or a bad
//! page number ends the walk with an error instead of a loop.

/// The page size and usable size of a database.
struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    usable: usize,
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2).map(|x| u16::from_be_bytes([x[0], x[1]]) as usize)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).map(|x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
}

/// An SQLite varint at `at`: (value, bytes used).
fn varint(b: &[u8], at: usize) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for i in 0..9 {
        let byte = *b.get(at + i)?;
        if i == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// One column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL.
    Null,
    /// An integer.
    Int(i64),
    /// A blob.
    Blob(Vec<u8>),
    /// Text.
    Text(String),
    /// A float (kept as bits; not needed here).
    Float(u64),
}

impl<'a> Db<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, String> {
        if !bytes.starts_with(b"SQLite format 3\0") {
            return Err("not an SQLite database".into());
        }
        let raw = be16(bytes, 16).ok_or("short header")?;
        let page_size = if raw == 1 { 65_536 } else { raw };
        if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(format!("bad page size {page_size}"));
        }
        let reserved = *bytes.get(20).ok_or("short header")? as usize;
        Ok(Db { bytes, page_size, usable: page_size - reserved })
    }

    fn page(&self, number: u32) -> Result<&'a [u8], String> {
        let start = (number as usize).checked_sub(1).ok_or("page 0")? * self.page_size;
        self.bytes.get(start..start + self.page_size).ok_or_else(|| format!("page {number} is past the end"))
    }

    /// Every row payload of the table B-tree rooted at `root`, in rowid order.
    fn rows(&self, root: u32, out: &mut Vec<Vec<u8>>) -> Result<(), String> {
        let mut stack = vec![root];
        let mut visited = std::collections::HashSet::new();
        // All payloads together cannot be larger than the file: a cell that is
        // pointed at twice, or an overflow chain that loops, would make them so.
        let mut produced = 0usize;
        // Children are pushed in reverse so rows come out in order.
        while let Some(number) = stack.pop() {
            if !visited.insert(number) {
                return Err("the B-tree visits a page twice".into());
            }
            let page = self.page(number)?;
            let header = if number == 1 { 100 } else { 0 };
            let kind = *page.get(header).ok_or("short page")?;
            let cells = be16(page, header + 3).ok_or("short page")?;
            let pointers = header + if kind == 0x05 { 12 } else { 8 };
            match kind {
                0x05 => {
                    let right = be32(page, header + 8).ok_or("short page")?;
                    let mut children = Vec::with_capacity(cells + 1);
                    for i in 0..cells {
                        let cell = be16(page, pointers + 2 * i).ok_or("short page")?;
                        children.push(be32(page, cell).ok_or("bad cell")?);
                    }
                    children.push(right);
                    stack.extend(children.into_iter().rev());
                }
                0x0D => {
                    let mut seen_cells = std::collections::HashSet::new();
                    for i in 0..cells {
                        let cell = be16(page, pointers + 2 * i).ok_or("short page")?;
                        if !seen_cells.insert(cell) {
                            return Err(format!("page {number}: a cell is listed twice"));
                        }
                        let payload = self.leaf_payload(page, cell)?;
                        produced += payload.len();
                        if produced > self.bytes.len() {
                            return Err("rows larger than the file".into());
                        }
                        out.push(payload);
                    }
                }
                other => return Err(format!("page {number}: type {other:#x} is not a table B-tree page")),
            }
        }
        Ok(())
    }

    /// The payload of a table-leaf cell, following its overflow chain.
    fn leaf_payload(&self, page: &[u8], cell: usize) -> Result<Vec<u8>, String> {
        let (size, n1) = varint(page, cell).ok_or("bad cell")?;
        let (_rowid, n2) = varint(page, cell + n1).ok_or("bad cell")?;
        let size = usize::try_from(size).map_err(|_| "huge payload")?;
        if size > self.bytes.len() {
            return Err("payload larger than the file".into());
        }
        let start = cell + n1 + n2;
        let u = self.usable;
        let max_local = u - 35;
        let local = if size <= max_local {
            size
        } else {
            let min_local = (u - 12) * 32 / 255 - 23;
            let k = min_local + (size - min_local) % (u - 4);
            if k <= max_local { k } else { min_local }
        };
        let mut payload = page.get(start..start + local).ok_or("cell past the page")?.to_vec();
        if local < size {
            let mut next = be32(page, start + local).ok_or("bad overflow pointer")?;
            let mut chain = std::collections::HashSet::new();
            while payload.len() < size {
                if next == 0 || !chain.insert(next) {
                    return Err("broken overflow chain".into());
                }
                let overflow = self.page(next)?;
                next = be32(overflow, 0).ok_or("short overflow page")?;
                let take = (size - payload.len()).min(u - 4);
                payload.extend_from_slice(overflow.get(4..4 + take).ok_or("short overflow page")?);
            }
        }
        Ok(payload)
    }
}

/// Decode a record: its header of serial types, then the values.
pub fn record(payload: &[u8]) -> Result<Vec<Value>, String> {
    let (header_len, mut at) = varint(payload, 0).ok_or("bad record")?;
    let header_len = header_len as usize;
    let mut types = Vec::new();
    while at < header_len {
        let (t, n) = varint(payload, at).ok_or("bad record header")?;
        types.push(t);
        at += n;
    }
    let mut body = header_len;
    let mut values = Vec::with_capacity(types.len());
    for t in types {
        let int = |len: usize, body: usize| -> Result<i64, String> {
            let bytes = payload.get(body..body + len).ok_or("record shorter than its header")?;
            let mut v: i64 = if bytes.first().is_some_and(|b| b & 0x80 != 0) { -1 } else { 0 };
            for &b in bytes {
                v = (v << 8) | i64::from(b);
            }
            Ok(v)
        };
        let (value, len) = match t {
            0 => (Value::Null, 0),
            1..=4 => (Value::Int(int(t as usize, body)?), t as usize),
            5 => (Value::Int(int(6, body)?), 6),
            6 => (Value::Int(int(8, body)?), 8),
            7 => (Value::Float(int(8, body)? as u64), 8),
            8 => (Value::Int(0), 0),
            9 => (Value::Int(1), 0),
            n if n >= 12 && n % 2 == 0 => {
                let len = ((n - 12) / 2) as usize;
                (Value::Blob(payload.get(body..body + len).ok_or("blob past the record")?.to_vec()), len)
            }
            n if n >= 13 => {
                let len = ((n - 13) / 2) as usize;
                let text = payload.get(body..body + len).ok_or("text past the record")?;
                (Value::Text(String::from_utf8_lossy(text).into_owned()), len)
            }
            _ => return Err(format!("reserved serial type {t}")),
        };
        values.push(value);
        body += len;
    }
    Ok(values)
}

/// Column `column` (a blob) of every row of `table`.
pub fn table_blobs(bytes: &[u8], table: &str, column: usize) -> Result<Vec<Vec<u8>>, String> {
    let db = Db::open(bytes)?;
    let mut schema = Vec::new();
    db.rows(1, &mut schema)?;
    // sqlite_schema: type, name, tbl_name, rootpage, sql.
    let root = schema
        .iter()
        .filter_map(|payload| record(payload).ok())
        .find_map(|row| match (row.first(), row.get(1), row.get(3)) {
            (Some(Value::Text(kind)), Some(Value::Text(name)), Some(Value::Int(root)))
                if kind == "table" && name == table =>
            {
                u32::try_from(*root).ok()
            }
            _ => None,
        })
        .ok_or_else(|| format!("no table `{table}`"))?;
    let mut rows = Vec::new();
    db.rows(root, &mut rows)?;
    Ok(rows
        .iter()
        .filter_map(|payload| record(payload).ok())
        .filter_map(|row| match row.into_iter().nth(column) {
            Some(Value::Blob(blob)) => Some(blob),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints() {
        assert_eq!(varint(&[0x05], 0), Some((5, 1)));
        assert_eq!(varint(&[0x81, 0x00], 0), Some((128, 2)));
        assert_eq!(varint(&[0xff; 9], 0).map(|(_, n)| n), Some(9));
        assert_eq!(varint(&[0x81], 0), None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut bytes = b"SQLite format 3\0".to_vec();
        bytes.extend_from_slice(&[0x10, 0x00, 1, 1, 0, 64, 32, 32]);
        bytes.resize(4096 * 2, 0xff);
        assert!(table_blobs(&bytes, "Packages", 1).is_err());
        assert!(table_blobs(b"SQLite format 3\0", "Packages", 1).is_err());
    }
}
