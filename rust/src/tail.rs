//! What the writer reads from an existing log at open: its last complete line, what follows
//! it, and so the chain head to continue from (as the TypeScript writer's `tail.ts`).
//!
//! Several writer processes may append to one log. One that opens it while another's append
//! is in flight can see that record half-written, so an incomplete last line is looked at
//! again for a few milliseconds before it is called torn, and the newline that separates a new
//! record from a torn line is written only if the file still ends without one just before the
//! write.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::time::Duration;

use sha2::{Digest, Sha256};

const CHUNK: u64 = 64 * 1024;
/// A line longer than the readers' cap cannot be a record; stop looking past this.
const MAX_SCAN: u64 = 2 * 1024 * 1024 + CHUNK;
/// How long in all, at most, opening the log waits for another writer's append in flight.
pub const SETTLE_MS: u64 = 5;

#[derive(Debug, Default)]
pub struct TailInfo {
    /// The last complete line (without its newline).
    pub last_line: Option<Vec<u8>>,
    /// The file does not end in a newline.
    pub torn: bool,
    /// When torn: the bytes after the last newline (None if longer than any line could be).
    pub fragment: Option<Vec<u8>>,
    pub size: u64,
}

/// The chain position a line continues from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: u64,
    pub hash: String,
}

/// SHA-256 of a line's exact bytes, as 64 lowercase hex digits.
pub fn hash_line(line: &[u8]) -> String {
    let digest = Sha256::digest(line);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// Reads backwards from the end of an open regular file to its last complete line.
pub fn read_tail(file: &File) -> std::io::Result<TailInfo> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::Other, "not a regular file"));
    }
    let size = meta.len();
    if size == 0 {
        return Ok(TailInfo { size, ..Default::default() });
    }
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, size - 1)?;
    let torn = last[0] != b'\n';
    let mut all: Vec<u8> = Vec::new(); // the bytes from `pos` to the end
    let mut pos = size;
    let mut end: Option<u64> = None; // offset of the newline ending the last complete line
    let mut start: Option<u64> = None; // where that line starts
    while pos > 0 && size - pos < MAX_SCAN {
        let len = CHUNK.min(pos);
        pos -= len;
        let mut buf = vec![0u8; len as usize];
        file.read_exact_at(&mut buf, pos)?;
        for i in (0..buf.len()).rev() {
            if buf[i] != b'\n' {
                continue;
            }
            let abs = pos + i as u64;
            if end.is_none() {
                end = Some(abs);
            } else {
                start = Some(abs + 1);
                break;
            }
        }
        buf.extend_from_slice(&all);
        all = buf;
        if start.is_some() {
            break;
        }
    }
    let fragment_from = match end {
        Some(e) => Some(e + 1),
        None if pos == 0 => Some(0),
        None => None,
    };
    let fragment = match fragment_from {
        Some(f) if torn => Some(all[(f - pos) as usize..].to_vec()),
        _ => None,
    };
    let end = match end {
        Some(e) => e,
        None => return Ok(TailInfo { last_line: None, torn, fragment, size }),
    };
    let start = match start {
        Some(s) => s,
        None if pos == 0 => 0,
        None => return Ok(TailInfo { last_line: None, torn, fragment, size }), // absurdly long line
    };
    let line = all[(start - pos) as usize..(end - pos) as usize].to_vec();
    Ok(TailInfo { last_line: Some(line), torn, fragment, size })
}

/// A JSON object: what verify reads as a record even without its newline.
fn is_whole_record(fragment: &[u8]) -> bool {
    matches!(parse_lenient(fragment), Some(serde_json::Value::Object(_)))
}

/// JSON.parse as the readers do it: invalid UTF-8 decoded lossily, and a lone surrogate
/// escape (which JavaScript accepts and serde_json does not; a cut string can end in one)
/// read as U+FFFD.
fn parse_lenient(line: &[u8]) -> Option<serde_json::Value> {
    let text = String::from_utf8_lossy(line);
    if let Ok(v) = serde_json::from_str(&text) {
        return Some(v);
    }
    serde_json::from_str(&replace_surrogate_escapes(&text)).ok()
}

/// Every `\uD800`–`\uDFFF` escape inside a string replaced by `\ufffd`.
fn replace_surrogate_escapes(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut from = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'u' {
                // (get: four bytes that are not a char boundary are not hex digits either)
                let hex = text.get(i + 2..i + 6).unwrap_or("");
                if let Ok(u) = u16::from_str_radix(hex, 16) {
                    if (0xd800..=0xdfff).contains(&u) {
                        out.push_str(&text[from..i]);
                        out.push_str("\\ufffd");
                        i += 6;
                        from = i;
                        continue;
                    }
                }
            }
            i += 2; // an escaped character, whatever it is
            continue;
        }
        i += 1;
    }
    out.push_str(&text[from..]);
    out
}

/// The chain head a line continues from: its seq when it is chained (a positive safe integer
/// `seq` and a 64-hex `prev`), else 0 — the next record starts a chain at seq 1 — and its hash.
pub fn head_of(line: &[u8]) -> ChainHead {
    let seq = parse_lenient(line)
        .and_then(|v| {
            let seq = v.get("seq")?.as_f64()?;
            let prev = v.get("prev")?.as_str()?;
            let chained = seq.fract() == 0.0
                && seq > 0.0
                && seq <= crate::record::MAX_SAFE_INTEGER as f64
                && prev.len() == 64
                && prev.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
            if chained {
                Some(seq as u64)
            } else {
                None
            }
        })
        .unwrap_or(0);
    ChainHead { seq, hash: hash_line(line) }
}

/// The line a chain continues from: the last complete line, unless the file ends in a whole
/// record that lost only its newline — verify reads that as a record.
pub fn last_record_line(tail: &TailInfo) -> Option<&[u8]> {
    match &tail.fragment {
        Some(f) if is_whole_record(f) => Some(f),
        _ => tail.last_line.as_deref(),
    }
}

/// The file ends in something that is not a record: torn by a crash, or another writer's append not yet complete.
pub fn ends_incomplete(tail: &TailInfo) -> bool {
    tail.torn && !matches!(&tail.fragment, Some(f) if is_whole_record(f))
}

/// `read_tail`, but a last line that is not a record is read again as the file grows, for up
/// to `settle_ms` in all, before it is taken for a torn one.
pub fn read_settled_tail(file: &File, settle_ms: u64) -> std::io::Result<TailInfo> {
    let mut tail = read_tail(file)?;
    let mut waited = 0;
    while ends_incomplete(&tail) && waited < settle_ms {
        std::thread::sleep(Duration::from_millis(1));
        waited += 1;
        if file.metadata()?.len() != tail.size {
            tail = read_tail(file)?;
        }
    }
    Ok(tail)
}

/// True when the file does not end in a newline now, so a record appended must start with
/// one. On an error, true: a blank line is harmless, a merged one is not.
pub fn ends_mid_line(file: &File) -> bool {
    let size = match file.metadata() {
        Ok(m) => m.len(),
        Err(_) => return true,
    };
    if size == 0 {
        return false; // truncated (copytruncate): nothing to separate from
    }
    let mut last = [0u8; 1];
    !matches!(file.read_at(&mut last, size - 1), Ok(1)) || last[0] != b'\n'
}

/// `ends_mid_line`, waiting for up to `settle_ms` in all for the file to end in a newline: the
/// fragment a writer found at open may be another writer's append still in flight (descheduled
/// mid-copy past the open's wait, on a loaded machine), which ends in its own newline once it
/// completes; a newline put before ours then would leave a blank line. A crash's fragment never
/// completes: it costs the wait once. (As the TypeScript writer's `endsMidLineSettled`.)
pub fn ends_mid_line_settled(file: &File, settle_ms: u64) -> bool {
    let mut mid = ends_mid_line(file);
    let mut waited = 0;
    while mid && waited < settle_ms {
        std::thread::sleep(Duration::from_millis(1));
        waited += 1;
        mid = ends_mid_line(file);
    }
    mid
}

/// How far back from the end `line_near_end` looks.
const LINE_SEARCH_BYTES: u64 = 1 << 20;

/// Whether the file holds `line` (whole, newline-terminated) in its last MiB; false on an error.
pub fn line_near_end(file: &File, line: &str) -> bool {
    let size = match file.metadata() {
        Ok(m) => m.len(),
        Err(_) => return false,
    };
    let length = size.min(LINE_SEARCH_BYTES);
    let mut buf = vec![0u8; length as usize];
    if file.read_exact_at(&mut buf, size - length).is_err() {
        return false;
    }
    let needle = format!("{}\n", line).into_bytes();
    buf.windows(needle.len()).any(|w| w == needle.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_surrogate_escape_still_reads_as_a_record() {
        let line = br#"{"v":1,"type":"request","seq":7,"prev":"0000000000000000000000000000000000000000000000000000000000000000","x":"a\ud83d\u2026\\ud800"}"#;
        assert_eq!(head_of(line).seq, 7);
        assert!(is_whole_record(line));
    }

    #[test]
    fn a_broken_escape_before_multibyte_text_is_no_record_and_no_panic() {
        for fragment in ["{\"a\":\"\\u\u{e9}\u{e9}\"", "{\"a\":\"\\u12\u{1F600}\"}", "\\", "{\"a\":\"\\ud8"] {
            assert!(!is_whole_record(fragment.as_bytes()), "{}", fragment);
            assert_eq!(head_of(fragment.as_bytes()).seq, 0);
        }
    }

    #[test]
    fn a_fragment_that_another_append_completes_is_waited_for_and_a_static_one_is_not() {
        use std::io::Write;
        let path = std::env::temp_dir().join(format!("spa-tail-{}", std::process::id()));
        std::fs::write(&path, b"{\"seq\":1}\n{\"half").unwrap();
        let file = File::open(&path).unwrap();
        // Nothing completes it: mid-line after the wait (a crash's fragment).
        assert!(ends_mid_line_settled(&file, 3));
        // Another writer's append completes during the wait: not mid-line, no newline needed.
        let other = path.clone();
        let completing = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            std::fs::OpenOptions::new().append(true).open(other).unwrap().write_all(b"\":1}\n").unwrap();
        });
        assert!(!ends_mid_line_settled(&file, 100));
        completing.join().unwrap();
        let _ = std::fs::remove_file(&path);
    }
}
