//! Forward-secure seals (issue #14), as the TypeScript writer makes them (`src/shared/seal.ts`,
//! `src/shared/seal-state.ts`, `src/writer/seal.ts`, `src/writer/seal-state-file.ts`): the same
//! seal lines, the same state file, the same order of steps, so `sudo-proxy-audit verify
//! --verification-key` checks what this writer sealed.
//!
//! A forward-secure MAC by key evolution (Bellare–Yee; Schneier–Kelsey): k_{i+1} =
//! HMAC-SHA256(k_i, KEY_EVOLUTION_LABEL); each seal is MAC'd under its epoch's key, after which
//! only the next key is kept. A seal line:
//!
//!   {"v":1,"type":"seal","seq":S,"prev":"P","logged":"T","time":"T","epoch":E,"key_id":"K","mac":"M"}
//!
//! M = HMAC-SHA256(k_E, SEAL_MAC_DOMAIN ‖ the line's bytes before `,"mac":"`).
//!
//! The state file `.audit.log.seal` beside the log (one line):
//!
//!   {"v":1,"epoch":E,"key":"<64 hex: k_E>","key_id":"<16 hex>","pending":"<last seal line>"|null}
//!
//! The order of a seal (a crash may stop the writer between any two steps): under the state's
//! lock read k_E and build the seal line; replace the state with {E+1, k_{E+1}, pending: the
//! line} (write a temporary file, fsync, rename, fsync the directory); wipe k_E; append the
//! line. A key that has sealed is gone from the disk before its seal exists, so no key seals
//! twice; a crash before the append leaves the line in the state, and the next writer appends
//! it first when the log still ends where it belongs.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::json::{iso_time, write_str};

pub const KEY_BYTES: usize = 32;
/// What each key is MAC'd with to give the next one.
pub const KEY_EVOLUTION_LABEL: &str = "sudo-proxy-audit seal key evolution v1";
/// Prefixed to a seal's content before it is MAC'd.
pub const SEAL_MAC_DOMAIN: &str = "sudo-proxy-audit seal v1\n";
pub const KEY_ID_DOMAIN: &str = "sudo-proxy-audit key id v1\n";
/// The default sealing interval: a seal at most this often, when records were written since the last.
pub const DEFAULT_SEAL_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// The most a state file may hold (a key and one seal line).
const MAX_STATE_BYTES: u64 = 4096;
/// A lock older than this whose holder cannot be checked is taken as stale.
const STALE_LOCK: Duration = Duration::from_secs(10);

type HmacSha256 = Hmac<Sha256>;

/// A key that is overwritten with zeros when dropped.
pub struct Key(pub [u8; KEY_BYTES]);

impl Drop for Key {
    fn drop(&mut self) {
        for b in self.0.iter_mut() {
            // SAFETY: a valid, aligned, exclusive pointer to a byte of the array; the volatile
            // write keeps the compiler from dropping the wipe of memory about to be freed.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length: new_from_slice cannot fail.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}

/// k_{i+1} from k_i.
pub fn next_key(key: &Key) -> Key {
    Key(hmac(&key.0, &[KEY_EVOLUTION_LABEL.as_bytes()]))
}

/// The verification key's id: the first 16 hex digits of SHA-256(KEY_ID_DOMAIN ‖ k₀).
pub fn key_id(k0: &Key) -> String {
    let mut h = Sha256::new();
    h.update(KEY_ID_DOMAIN.as_bytes());
    h.update(k0.0);
    hex(&h.finalize())[..16].to_string()
}

/// HMAC-SHA256 of a seal's content, as hex.
pub fn seal_mac(key: &Key, content: &[u8]) -> String {
    hex(&hmac(&key.0, &[SEAL_MAC_DOMAIN.as_bytes(), content]))
}

/// The whole seal line (without newline) for chain position (seq, prev) at `logged_ms`, MAC'd
/// under `key` (k_epoch).
pub fn seal_line(seq: u64, prev: &str, logged_ms: i64, epoch: u64, key_id: &str, key: &Key) -> String {
    let time = iso_time(logged_ms);
    let content = format!(
        "{{\"v\":1,\"type\":\"seal\",\"seq\":{},\"prev\":\"{}\",\"logged\":\"{}\",\"time\":\"{}\",\"epoch\":{},\"key_id\":\"{}\"",
        seq, prev, time, time, epoch, key_id
    );
    let mac = seal_mac(key, content.as_bytes());
    format!("{},\"mac\":\"{}\"}}", content, mac)
}

/// A seal line's (seq, prev, epoch), when it is in the one canonical form (`parseSealLine`).
pub fn parse_seal_position(line: &str) -> Option<(u64, String, u64)> {
    fn take<'l>(rest: &'l str, lit: &str) -> Option<&'l str> {
        rest.strip_prefix(lit)
    }
    /// A number `[1-9][0-9]{0,15}` (or `0` when `zero`), and what follows it.
    fn number(rest: &str, zero: bool) -> Option<(u64, &str)> {
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let digits = &rest[..end];
        let ok = (zero && digits == "0") || (!digits.is_empty() && digits.len() <= 16 && !digits.starts_with('0'));
        let n: u64 = if ok { digits.parse().ok()? } else { return None };
        (n <= crate::record::MAX_SAFE_INTEGER as u64).then_some((n, &rest[end..]))
    }
    fn hex_run(rest: &str, n: usize) -> Option<(&str, &str)> {
        let run = rest.get(..n)?;
        run.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)).then(|| (run, &rest[n..]))
    }
    fn time(rest: &str) -> Option<(&str, &str)> {
        let end = rest.find(['"', '\\'])?;
        (1..=40).contains(&end).then(|| (&rest[..end], &rest[end..]))
    }
    if line.len() > 400 {
        return None;
    }
    let rest = take(line, "{\"v\":1,\"type\":\"seal\",\"seq\":")?;
    let (seq, rest) = number(rest, false)?;
    let (prev, rest) = hex_run(take(rest, ",\"prev\":\"")?, 64)?;
    let (logged, rest) = time(take(rest, "\",\"logged\":\"")?)?;
    let (t, rest) = time(take(rest, "\",\"time\":\"")?)?;
    let (epoch, rest) = number(take(rest, "\",\"epoch\":")?, true)?;
    let (_, rest) = hex_run(take(rest, ",\"key_id\":\"")?, 16)?;
    let (_, rest) = hex_run(take(rest, "\",\"mac\":\"")?, 64)?;
    (rest == "\"}" && logged == t).then(|| (seq, prev.to_string(), epoch))
}

/// `.audit.log.seal` beside `audit.log`.
pub fn seal_state_path(log: &Path) -> PathBuf {
    let dir = log.parent().unwrap_or_else(|| Path::new("/"));
    let mut name = OsString::from(".");
    name.push(log.file_name().unwrap_or_default());
    name.push(".seal");
    dir.join(name)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_os_string();
    p.push(suffix);
    PathBuf::from(p)
}

/// A sealing state, as `seal init` and the writers keep it.
pub struct SealState {
    pub epoch: u64,
    /// k_epoch.
    pub key: Key,
    pub key_id: String,
    /// The last seal line made (maybe not yet in the log after a crash).
    pub pending: Option<String>,
}

/// The state file's bytes: `{"v":1,"epoch":E,"key":"…","key_id":"…","pending":…}\n`.
pub fn encode_seal_state(s: &SealState) -> Vec<u8> {
    let mut out = format!("{{\"v\":1,\"epoch\":{},\"key\":\"", s.epoch).into_bytes();
    for b in s.key.0.iter() {
        out.push(b"0123456789abcdef"[usize::from(b >> 4)]);
        out.push(b"0123456789abcdef"[usize::from(b & 15)]);
    }
    out.extend_from_slice(b"\",\"key_id\":\"");
    out.extend_from_slice(s.key_id.as_bytes());
    out.extend_from_slice(b"\",\"pending\":");
    match &s.pending {
        Some(line) => write_str(&mut out, line),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b"}\n");
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn wipe(bytes: &mut [u8]) {
    for b in bytes.iter_mut() {
        // SAFETY: as in Key::drop.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
}

/// Reads a state file's bytes (as `decodeSealState`): the key's digits are overwritten in
/// `bytes` once read. An error says what is wrong.
pub fn decode_seal_state(bytes: &mut [u8]) -> Result<SealState, String> {
    const MARK: &[u8] = b"\"key\":\"";
    let at = bytes.windows(MARK.len()).position(|w| w == MARK).ok_or("no key")?;
    let start = at + MARK.len();
    let mut key = Key([0; KEY_BYTES]);
    for i in 0..KEY_BYTES {
        let hi = bytes.get(start + 2 * i).copied().and_then(hex_value);
        let lo = bytes.get(start + 2 * i + 1).copied().and_then(hex_value);
        match (hi, lo) {
            (Some(h), Some(l)) => key.0[i] = (h << 4) | l,
            _ => return Err("the key is not 64 lowercase hex digits".into()),
        }
    }
    for b in &mut bytes[start..start + KEY_BYTES * 2] {
        // SAFETY: as in Key::drop.
        unsafe { std::ptr::write_volatile(b, b'0') };
    }
    let parsed: serde_json::Value = std::str::from_utf8(bytes).ok().and_then(|t| serde_json::from_str(t).ok()).ok_or("not JSON")?;
    let epoch = parsed.get("epoch").and_then(serde_json::Value::as_f64);
    let key_id = parsed.get("key_id").and_then(serde_json::Value::as_str);
    let pending = parsed.get("pending");
    let ok = parsed.get("v").and_then(serde_json::Value::as_f64) == Some(1.0)
        && matches!(epoch, Some(e) if e.fract() == 0.0 && (0.0..=crate::record::MAX_SAFE_INTEGER as f64).contains(&e))
        && matches!(key_id, Some(k) if k.len() == 16 && k.bytes().all(|b| hex_value(b).is_some()))
        && matches!(pending, Some(serde_json::Value::Null) | Some(serde_json::Value::String(_)))
        && bytes.get(start + KEY_BYTES * 2) == Some(&b'"');
    if !ok {
        return Err("not a sealing state (v, epoch, key, key_id, pending)".into());
    }
    Ok(SealState {
        epoch: epoch.unwrap_or(0.0) as u64,
        key,
        key_id: key_id.unwrap_or("").to_string(),
        pending: pending.and_then(serde_json::Value::as_str).map(String::from),
    })
}

/// The state's bytes, or None without a state file; an error for one that cannot be used.
fn read_state_bytes(state: &Path) -> Result<Option<Vec<u8>>, String> {
    let file = match OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(state) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(format!("{} is a symlink: refused", state.display())),
        Err(e) => return Err(format!("cannot read {}: {}", state.display(), e)),
    };
    let st = file.metadata().map_err(|e| format!("cannot read {}: {}", state.display(), e))?;
    if !st.is_file() {
        return Err(format!("{} is not a regular file", state.display()));
    }
    if st.mode() & 0o077 != 0 {
        return Err(format!("{} is readable or writable by others (mode 0{:o}): refused", state.display(), st.mode() & 0o777));
    }
    if st.len() > MAX_STATE_BYTES {
        return Err(format!("{} is too large to be a sealing state", state.display()));
    }
    let mut bytes = Vec::with_capacity(st.len() as usize);
    (&file).take(MAX_STATE_BYTES).read_to_end(&mut bytes).map_err(|e| format!("cannot read {}: {}", state.display(), e))?;
    Ok(Some(bytes))
}

/// The state, or None without a state file.
pub fn read_seal_state(state: &Path) -> Result<Option<SealState>, String> {
    let mut bytes = match read_state_bytes(state)? {
        Some(b) => b,
        None => return Ok(None),
    };
    let decoded = decode_seal_state(&mut bytes).map_err(|e| format!("{}: {}", state.display(), e));
    wipe(&mut bytes);
    decoded.map(Some)
}

/// Replaces the state atomically and durably: a temporary file (0600, created O_EXCL) written
/// and fsynced, renamed over the state, the directory fsynced. `after_write` runs between the
/// fsync and the rename (a test seam: a crash there). The temporary file is removed on failure.
pub fn replace_seal_state(state_path: &Path, state: &SealState, after_write: &mut dyn FnMut()) -> io::Result<()> {
    let tmp = with_suffix(state_path, &format!(".tmp-{}", std::process::id()));
    let mut bytes = encode_seal_state(state);
    let result = (|| -> io::Result<()> {
        let _ = std::fs::remove_file(&tmp); // left by a crash of an earlier process with this pid
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(&tmp)?;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        drop(f);
        after_write();
        std::fs::rename(&tmp, state_path)
    })();
    wipe(&mut bytes);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let dir = state_path.parent().unwrap_or_else(|| Path::new("/"));
    OpenOptions::new().read(true).custom_flags(libc::O_DIRECTORY).open(dir)?.sync_all()
}

/// The state's lock (`STATE.lock`, created O_EXCL, holding the holder's pid): released on drop.
/// The file stays open while held, so its inode cannot be reused by a lock made after it was
/// broken, and the drop removes only this lock (same device and inode), never one another
/// process took after breaking it.
pub struct SealLock(PathBuf, File);

impl Drop for SealLock {
    fn drop(&mut self) {
        // Broken by someone who judged it stale: nothing to release.
        if let Ok(own) = self.1.metadata() {
            if is_at(&self.0, &own) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }
}

/// Whether the file at `path` (not followed) is `id`'s file (same device and inode).
fn is_at(path: &Path, id: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).map_or(false, |m| m.dev() == id.dev() && m.ino() == id.ino())
}

/// Takes the state's lock, or None when another live process holds it. A lock whose holder
/// has died (or, unreadable, older than STALE_LOCK) is broken and taken: only while the file
/// judged stale is still the one at the path, so two processes never hold it at once.
pub fn lock_seal_state(state: &Path) -> Option<SealLock> {
    let lock = with_suffix(state, ".lock");
    for attempt in 0..2 {
        match OpenOptions::new().write(true).create_new(true).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(&lock) {
            Ok(mut f) => {
                let _ = f.write_all(format!("{}\n", std::process::id()).as_bytes());
                return Some(SealLock(lock, f));
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::AlreadyExists || attempt > 0 || !break_stale_lock(&lock) {
                    return None;
                }
            }
        }
    }
    None
}

fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    if unsafe { libc::kill(pid, 0) } == 0 {
        return true;
    }
    io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Removes the lock when stale; true when removed. It stays open while judged and removed (its
/// inode cannot be reused) and is removed only if it is still the file at the path.
fn break_stale_lock(lock: &Path) -> bool {
    let file: File = match OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(lock) {
        Ok(f) => f,
        Err(_) => return false,
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(_) => return false,
    };
    let modified = meta.modified().unwrap_or_else(|_| SystemTime::now());
    let mut buf = Vec::new();
    if (&file).take(32).read_to_end(&mut buf).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&buf);
    // parseInt: the leading digits.
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let stale = match digits.parse::<i32>() {
        Ok(pid) if pid > 0 && text.ends_with('\n') => pid as u32 != std::process::id() && !alive(pid),
        _ => SystemTime::now().duration_since(modified).map_or(false, |age| age > STALE_LOCK),
    };
    stale && is_at(lock, &meta) && std::fs::remove_file(lock).is_ok()
}

/// Points in a seal where a test can stop the process (a SIGKILL seam).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealStep {
    /// The new state is written and fsynced, not yet renamed over the old one.
    StateWritten,
    /// The state is replaced; the seal line is not yet appended.
    StateReplaced,
}

/// A test seam called at each `SealStep`.
pub type SealStepFn = Box<dyn Fn(SealStep) + Send + Sync>;

/// Why there is no seal this time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealSkip {
    /// No state file.
    Unsealed,
    /// Another process holds the state's lock.
    Busy,
    /// A state that cannot be read or replaced (warned; the key stays unused).
    Failed,
}

/// The writer's side of sealing, for one log.
pub struct Sealer {
    pub state_path: PathBuf,
    last_warning: String,
    step: Option<SealStepFn>,
}

impl Sealer {
    pub fn new(log: &Path, step: Option<SealStepFn>) -> Sealer {
        Sealer { state_path: seal_state_path(log), last_warning: String::new(), step }
    }

    pub(crate) fn state_exists(&self) -> bool {
        std::fs::symlink_metadata(&self.state_path).is_ok()
    }

    /// The seal line for chain position (seq, prev) at `logged_ms`, the state moved to the next
    /// epoch; or why not. `warn` hears of a state that cannot be used, once per distinct failure.
    /// The lock comes back with the line: the caller appends the line, then drops the lock, so a
    /// writer reading the pending line under the lock (at open) never appends a live writer's seal.
    pub fn seal(&mut self, seq: u64, prev: &str, logged_ms: i64, warn: &dyn Fn(&str)) -> Result<(String, SealLock), SealSkip> {
        // A stat first: a log without sealing never takes (or leaves) a lock file.
        if !self.state_exists() {
            return Err(SealSkip::Unsealed);
        }
        let lock = lock_seal_state(&self.state_path).ok_or(SealSkip::Busy)?;
        let made = (|| -> Result<Option<String>, String> {
            let state = match read_seal_state(&self.state_path)? {
                Some(s) => s,
                None => return Ok(None),
            };
            let line = seal_line(seq, prev, logged_ms, state.epoch, &state.key_id, &state.key);
            let next = SealState { epoch: state.epoch + 1, key: next_key(&state.key), key_id: state.key_id.clone(), pending: Some(line.clone()) };
            let step = &self.step;
            replace_seal_state(&self.state_path, &next, &mut || {
                if let Some(s) = step {
                    s(SealStep::StateWritten);
                }
            })
            .map_err(|e| format!("cannot replace {}: {}", self.state_path.display(), crate::audit_log::error_text(&e)))?;
            Ok(Some(line))
            // `state.key` (k_E) and `next.key` are wiped as they drop here.
        })();
        match made {
            Ok(Some(line)) => {
                self.last_warning.clear();
                Ok((line, lock))
            }
            Ok(None) => Err(SealSkip::Unsealed),
            Err(e) => {
                let message = format!("cannot seal the audit log ({}); the key is kept for the next attempt", e);
                if message != self.last_warning {
                    warn(&message);
                }
                self.last_warning = message;
                Err(SealSkip::Failed)
            }
        }
    }

    /// The state's last seal line, to append at open if a crash kept it out of the log; read
    /// under the lock (None when another process holds it: that one seals, and appends its own).
    pub fn pending_line(&self) -> Option<String> {
        if !self.state_exists() {
            return None;
        }
        let _lock = lock_seal_state(&self.state_path)?;
        read_seal_state(&self.state_path).ok().flatten().and_then(|s| s.pending.clone())
    }

    /// The seam, called once the state is replaced (before the seal is appended).
    pub fn replaced(&self) {
        if let Some(s) = &self.step {
            s(SealStep::StateReplaced);
        }
    }
}

/// Where a pending seal line stands against the log's head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingFit {
    /// Right after the head: append it.
    Fits,
    /// Written already, or another writer's chain.
    Stale,
    /// Another record took its place: its epoch is missing from the log.
    Lost,
}

pub fn pending_seal_fits(line: &str, head: Option<(u64, &str)>) -> PendingFit {
    let (seq, prev, _) = match parse_seal_position(line) {
        Some(p) => p,
        None => return PendingFit::Stale,
    };
    if head.map_or(0, |h| h.0) != seq - 1 {
        return PendingFit::Stale;
    }
    if head.map_or(crate::record::GENESIS_HASH, |h| h.1) == prev {
        PendingFit::Fits
    } else {
        PendingFit::Lost
    }
}

/// A fresh state for `seal init`-like tools and tests: k₀ from /dev/urandom, epoch 0. Returns k₀.
pub fn random_key() -> io::Result<Key> {
    let mut key = Key([0; KEY_BYTES]);
    File::open("/dev/urandom")?.read_exact(&mut key.0)?;
    Ok(key)
}

/// The verification key (k₀) as 64 hex digits.
pub fn key_hex(key: &Key) -> String {
    hex(&key.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_canonical_seal_form_is_a_seal() {
        let key = Key([1; 32]);
        let prev = "ab".repeat(32);
        let line = seal_line(42, &prev, 0, 3, "0123456789abcdef", &key);
        assert_eq!(parse_seal_position(&line), Some((42, prev.clone(), 3)));
        for bad in [
            line.replace("\"seq\":42", "\"seq\":042"),
            line.replace("\"epoch\":3", "\"epoch\":03"),
            line.replace(&prev, &prev.to_uppercase()),
            line.replacen("1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.001Z", 1),
            line.replace("\"key_id\"", "\"x\":1,\"key_id\""),
            format!("{} ", line),
            line.replace("\"seq\":42", &format!("\"seq\":{}", "9".repeat(17))),
            line.replace("\"logged\":\"1970-01-01T00:00:00.000Z\",\"time\":\"1970-01-01T00:00:00.000Z\"", &format!("\"logged\":\"{0}\",\"time\":\"{0}\"", "x".repeat(41))),
        ] {
            assert_eq!(parse_seal_position(&bad), None, "{}", bad);
        }
    }
}
