//! A run of lines scanned into flat slots (what `scanLines` fills for the engine): each line's
//! place, whether the fast scanner took it, its fields, and the SHA-256 of a chained line.
use crate::scan::{hash_bytes, scan_record, try_scan_record_spans, ScannedRecord, ValueSpans, KEY_COUNT};

/// The longest line a record may take (format-constants.ts MAX_LINE_BYTES): longer ones are declined.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// The slots' layout below: bumped with any change to them (native-lines.ts NATIVE_LAYOUT).
pub const LAYOUT: u32 = 6;
/// `options` bit: hash each chained record's line (the chain check is on).
pub const OPTION_HASH: u32 = 1;

// Int32 slots of a line (INT_SLOTS a line); offsets are into the whole buffer.
pub const I_START: usize = 0;
pub const I_END: usize = 1;
/// 1: a record the fast scanner took (the slots below hold it); 0: declined, read it in JavaScript.
pub const I_STATUS: usize = 2;
pub const I_KIND: usize = 3;
/// B_* bits.
pub const I_BITS: usize = 4;
pub const I_PREV_START: usize = 5;
pub const I_ID_START: usize = 6;
pub const I_ID_END: usize = 7;
pub const I_HOST_START: usize = 8;
pub const I_HOST_END: usize = 9;
pub const I_SESSION_START: usize = 10;
pub const I_SESSION_END: usize = 11;
pub const I_REASON_START: usize = 12;
pub const I_REASON_END: usize = 13;
pub const I_COMMAND_START: usize = 14;
pub const I_COMMAND_END: usize = 15;
pub const I_RESOLVED_START: usize = 16;
pub const I_RESOLVED_END: usize = 17;
pub const I_ERROR_START: usize = 18;
pub const I_ERROR_END: usize = 19;
pub const I_DECISION: usize = 20;
pub const I_REJECT: usize = 21;
pub const I_USER_START: usize = 22;
pub const I_USER_END: usize = 23;
pub const INT_SLOTS: usize = 24;

pub const B_CHAINED: i32 = 1;
pub const B_PRIVILEGED: i32 = 2;
pub const B_POLICY: i32 = 4;
pub const B_FAILED: i32 = 8;
/// The line's SHA-256 is in `hex`, as 64 lowercase hex digits at 64 × its index.
pub const B_HASHED: i32 = 16;
/// The line's `prev` is the hash of the line scanned just before it in this call (B_HASHED
/// there): the reader links it to that line's hash without comparing the bytes itself.
pub const B_LINKS_BEFORE: i32 = 32;

// Float64 slots of a line.
pub const N_SEQ: usize = 0;
pub const N_ID_HASH: usize = 1;
pub const N_TIME: usize = 2;
pub const N_LATENCY: usize = 3;
pub const N_DURATION: usize = 4;
/// The operator's uid; -1: none.
pub const N_UID: usize = 5;
/// line-fingerprints.ts's fingerprint of the line: from its SHA-256 when hashed, else from its bytes.
pub const N_PRINT: usize = 6;
pub const NUM_SLOTS: usize = 7;

pub struct Request {
    pub from: usize,
    pub to: usize,
    /// `to` is the end of the file: a last line without a newline is a line.
    pub last: bool,
    pub hash: bool,
    pub seed: (u32, u32),
}

/// OpenSSL's SHA256_CTX (sha.h): eight state words, two length words, a 64-byte block, two ints.
#[repr(C, align(8))]
struct Sha256Context([u32; 28]);

#[cfg(not(test))]
extern "C" {
    // OpenSSL's low-level SHA-256, exported by the node binary (SHA-NI where the CPU has it). Not
    // the one-shot `SHA256()`: in OpenSSL 3 it fetches the algorithm by name on every call, which
    // cost 0.7 µs a line, as much as `crypto.hash` from JavaScript.
    fn SHA256_Init(c: *mut Sha256Context) -> i32;
    fn SHA256_Update(c: *mut Sha256Context, data: *const u8, len: usize) -> i32;
    fn SHA256_Final(md: *mut u8, c: *mut Sha256Context) -> i32;
}

/// (A test binary does not link node's OpenSSL: hashing is tested from JavaScript, test/engine/plain-line.test.ts.)
#[cfg(test)]
fn sha256(_: &[u8]) -> [u8; 32] {
    panic!("SHA-256 is node's OpenSSL, not linked into tests")
}

#[cfg(not(test))]
fn sha256(data: &[u8]) -> [u8; 32] {
    let mut md = [0u8; 32];
    let mut c = Sha256Context([0; 28]);
    // SAFETY: the context is SHA256_CTX's size and alignment; OpenSSL reads `len` bytes of
    // `data` and writes 32 into `md`.
    unsafe {
        SHA256_Init(&mut c);
        SHA256_Update(&mut c, data.as_ptr(), data.len());
        SHA256_Final(md.as_mut_ptr(), &mut c);
    }
    md
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The line's SHA-256 as 64 lowercase hex digits (the chain's form) into `digest`.
fn sha256_hex(line: &[u8], digest: &mut [u8]) {
    for (k, byte) in sha256(line).iter().enumerate() {
        digest[2 * k] = HEX[(byte >> 4) as usize];
        digest[2 * k + 1] = HEX[(byte & 15) as usize];
    }
}

/// Scans the lines of `buf[from, to)` into the slots, as many as they have room for; returns
/// how many. A line ends at a newline; the bytes after the last one are a line only when `last`.
pub fn scan_lines(buf: &[u8], req: &Request, ints: &mut [i32], nums: &mut [f64], hex: &mut [u8]) -> usize {
    let mut room = (ints.len() / INT_SLOTS).min(nums.len() / NUM_SLOTS);
    if req.hash {
        // Every chained line taken is hashed: a line's fingerprint depends on it.
        room = room.min(hex.len() / 64);
    }
    let to = req.to.min(buf.len());
    // Offsets go out as int32: a buffer past 2 GiB is not scanned here.
    if to > i32::MAX as usize {
        return 0;
    }
    let mut start = req.from;
    let mut n = 0;
    // Where the line before's digest is in `hex`, when it was hashed.
    let mut digest_before: Option<usize> = None;
    while n < room && start < to {
        let end = match memchr_newline(&buf[start..to]) {
            Some(k) => start + k,
            None if req.last => to,
            None => break,
        };
        let line = &buf[start..end];
        let at = &mut ints[n * INT_SLOTS..(n + 1) * INT_SLOTS];
        let num = &mut nums[n * NUM_SLOTS..(n + 1) * NUM_SLOTS];
        at[I_START] = start as i32;
        at[I_END] = end as i32;
        at[I_STATUS] = 0;
        let before = digest_before.take();
        if line.len() <= MAX_LINE_BYTES {
            if let Some(r) = scan_record(line, req.seed) {
                let mut bits = fill(&r, start as i32, at, num);
                let digest_at = n * 64;
                if req.hash && r.chained {
                    let digest = &mut hex[digest_at..digest_at + 64];
                    sha256_hex(line, digest);
                    num[N_PRINT] = chain_hash_fingerprint(digest, req.seed);
                    bits |= B_HASHED;
                    if let (Some(b), Ok(p)) = (before, usize::try_from(r.prev_start)) {
                        if line.get(p..p + 64).is_some_and(|prev| hex.get(b..b + 64) == Some(prev)) {
                            bits |= B_LINKS_BEFORE;
                        }
                    }
                    digest_before = Some(digest_at);
                } else {
                    num[N_PRINT] = line_fingerprint(line, req.seed);
                }
                at[I_BITS] = bits;
                at[I_STATUS] = 1;
            }
        }
        n += 1;
        start = end + 1;
    }
    n
}

// What `scanPlain` leaves of one line read back (plain-line.ts reads them).
/// Int32 slots: the kind, B_CHAINED, the reject (1 + an index into REJECT_KINDS), then each
/// key's value span (scan.rs ValueSpans) from P_SPANS.
pub const P_KIND: usize = 0;
pub const P_BITS: usize = 1;
pub const P_REJECT: usize = 2;
pub const P_SPANS: usize = 3;
pub const PLAIN_INTS: usize = P_SPANS + 2 * KEY_COUNT;
/// Float64 slots: the line's fingerprint (always), then its seq and id hash.
pub const P_PRINT: usize = 0;
pub const P_SEQ: usize = 1;
pub const P_ID_HASH: usize = 2;
pub const PLAIN_NUMS: usize = 3;
/// DEL, the one byte of the scanner's subset that `print`'s JSON escapes.
const DEL: u8 = 0x7f;

/// One line read back by offset (`print --json`): its fingerprint into `nums[P_PRINT]`, from its
/// SHA-256 when `hash` (as the index made it for a chained line) else from its bytes; and true,
/// with the slots above filled, when it is a record the fast scanner takes and holds no DEL: a
/// line whose values `print --json` may copy as they are. False: read it in JavaScript.
pub fn scan_plain(line: &[u8], hash: bool, seed: (u32, u32), ints: &mut [i32; PLAIN_INTS], nums: &mut [f64; PLAIN_NUMS]) -> bool {
    nums[P_PRINT] = if hash {
        let mut digest = [0u8; 64];
        sha256_hex(line, &mut digest);
        chain_hash_fingerprint(&digest, seed)
    } else {
        line_fingerprint(line, seed)
    };
    if line.len() > MAX_LINE_BYTES || line.contains(&DEL) {
        return false;
    }
    let mut spans: ValueSpans = [-1; 2 * KEY_COUNT];
    let Ok(r) = try_scan_record_spans(line, seed, &mut spans) else { return false };
    ints[P_KIND] = r.kind as i32;
    ints[P_BITS] = if r.chained { B_CHAINED } else { 0 };
    ints[P_REJECT] = r.reject as i32;
    ints[P_SPANS..].copy_from_slice(&spans);
    nums[P_SEQ] = r.seq;
    nums[P_ID_HASH] = r.id_hash;
    true
}

/// line-fingerprints.ts `lineFingerprint`: 31 bits of the seeded cyrb53 of the line's bytes.
fn line_fingerprint(line: &[u8], seed: (u32, u32)) -> f64 {
    f64::from(low_bits(hash_bytes(line, seed)) & 0x7fff_ffff)
}

/// line-fingerprints.ts `chainHashFingerprint`: of the SHA-256's hex digits, with the top bit set.
fn chain_hash_fingerprint(hex: &[u8], seed: (u32, u32)) -> f64 {
    f64::from((low_bits(hash_bytes(hex, seed)) & 0x7fff_ffff) | 0x8000_0000)
}

/// The low 32 bits of a 53-bit hash, as JavaScript's `& mask` takes them (ToInt32).
fn low_bits(hash: f64) -> u32 {
    hash as u64 as u32
}

/// The record's fields into a line's slots, its offsets moved by `base`; returns its bits.
fn fill(r: &ScannedRecord, base: i32, at: &mut [i32], num: &mut [f64]) -> i32 {
    let off = |v: u32| base + v as i32;
    let opt = |v: i32| if v < 0 { -1 } else { base + v };
    at[I_KIND] = r.kind as i32;
    at[I_PREV_START] = opt(r.prev_start);
    at[I_ID_START] = off(r.id_start);
    at[I_ID_END] = off(r.id_end);
    at[I_HOST_START] = off(r.host_start);
    at[I_HOST_END] = off(r.host_end);
    at[I_SESSION_START] = off(r.session_start);
    at[I_SESSION_END] = off(r.session_end);
    at[I_REASON_START] = off(r.reason_start);
    at[I_REASON_END] = off(r.reason_end);
    at[I_COMMAND_START] = off(r.command_start);
    at[I_COMMAND_END] = off(r.command_end);
    at[I_RESOLVED_START] = opt(r.resolved_start);
    at[I_RESOLVED_END] = opt(r.resolved_end);
    at[I_ERROR_START] = opt(r.error_start);
    at[I_ERROR_END] = opt(r.error_end);
    at[I_DECISION] = r.decision as i32;
    at[I_REJECT] = r.reject as i32;
    at[I_USER_START] = off(r.operator_user_start);
    at[I_USER_END] = off(r.operator_user_end);
    num[N_SEQ] = r.seq;
    num[N_ID_HASH] = r.id_hash;
    num[N_TIME] = r.time_ms;
    num[N_LATENCY] = r.latency_ms;
    num[N_DURATION] = r.duration_ms;
    num[N_UID] = r.operator_uid;
    let mut bits = 0;
    if r.chained {
        bits |= B_CHAINED;
    }
    if r.privileged {
        bits |= B_PRIVILEGED;
    }
    if r.policy {
        bits |= B_POLICY;
    }
    if r.failed {
        bits |= B_FAILED;
    }
    bits
}

extern "C" {
    // libc's, which node links: SIMD, where the word-at-a-time loop this replaced cost the
    // one-thread index ~5 % of its CPU (#17).
    fn memchr(s: *const core::ffi::c_void, c: i32, n: usize) -> *mut core::ffi::c_void;
}

/// The first newline in `b`.
fn memchr_newline(b: &[u8]) -> Option<usize> {
    if b.is_empty() {
        return None;
    }
    // SAFETY: memchr reads at most `b.len()` bytes from `b`'s start, and returns null or a
    // pointer into them.
    let found = unsafe { memchr(b.as_ptr().cast(), i32::from(b'\n'), b.len()) };
    if found.is_null() {
        None
    } else {
        Some(found as usize - b.as_ptr() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: (u32, u32) = (0x1234_5678, 0x9abc_def0);
    const REQUEST: &[u8] = br#"{"v":1,"type":"request","seq":4,"prev":"f447e34853b0321d914be41eeb59330fa1151776d47226ca8a9f81c3e21dd126","logged":"2026-11-01T08:00:14.381Z","id":"2a851214-aa18-483c-9ffd-020f5bd14dcc","time":"2026-11-01T08:00:10Z","host":"web-01","session":"claude-7f3c","pipeline":[["dmesg"],["grep","-i","oom"]],"resolved":["/usr/bin/dmesg","/usr/bin/grep"],"env_keys":["HOME"],"reason":"oom?","privileged":true,"decision":"approved","via":"operator","latency_ms":4325,"operator":{"uid":1000,"user":"alice","tty":"pts/1","hostname":"web-01"}}"#;

    fn plain(line: &[u8], hash: bool) -> (bool, [i32; PLAIN_INTS], [f64; PLAIN_NUMS]) {
        let (mut ints, mut nums) = ([0; PLAIN_INTS], [0.0; PLAIN_NUMS]);
        let took = scan_plain(line, hash, SEED, &mut ints, &mut nums);
        (took, ints, nums)
    }

    fn lines_slots(line: &[u8], hash: bool) -> (i32, f64) {
        let (mut ints, mut nums, mut hex) = (vec![0; INT_SLOTS], vec![0.0; NUM_SLOTS], vec![0; 64]);
        let req = Request { from: 0, to: line.len(), last: true, hash, seed: SEED };
        assert_eq!(scan_lines(line, &req, &mut ints, &mut nums, &mut hex), 1);
        (ints[I_STATUS], nums[N_PRINT])
    }

    #[test]
    fn a_plain_line_read_back_gives_each_value_where_it_is() {
        let (took, ints, nums) = plain(REQUEST, false);
        assert!(took);
        let value = |key: usize| {
            let (s, e) = (ints[P_SPANS + 2 * key], ints[P_SPANS + 2 * key + 1]);
            if s < 0 { None } else { Some(String::from_utf8_lossy(&REQUEST[s as usize..e as usize]).into_owned()) }
        };
        // record-keys.ts KEYS' numbers: host 6, pipeline 8, privileged 12, latency_ms 15, error 16, operator 29, prev 3.
        assert_eq!(value(6).as_deref(), Some("\"web-01\""));
        assert_eq!(value(8).as_deref(), Some(r#"[["dmesg"],["grep","-i","oom"]]"#));
        assert_eq!(value(12).as_deref(), Some("true"));
        assert_eq!(value(15).as_deref(), Some("4325"));
        assert_eq!(value(16), None);
        assert_eq!(value(29).as_deref(), Some(r#"{"uid":1000,"user":"alice","tty":"pts/1","hostname":"web-01"}"#));
        assert_eq!(value(3).map(|v| v.len()), Some(66));
        assert_eq!((ints[P_KIND], ints[P_BITS], nums[P_SEQ]), (0, B_CHAINED, 4.0));
    }

    #[test]
    fn a_line_read_back_has_the_fingerprint_the_index_gave_it() {
        // (From its bytes: a line's SHA-256 is node's OpenSSL, tested from JavaScript.)
        assert_eq!(plain(REQUEST, false).2[P_PRINT], lines_slots(REQUEST, false).1);
        // Declined lines too: the fingerprint is what tells a line rewritten since it was indexed.
        let odd = br#"{"v":1,"type":"request","id":"x y"}"#;
        let (took, _, nums) = plain(odd, false);
        assert!(!took);
        assert_eq!(nums[P_PRINT], line_fingerprint(odd, SEED));
    }

    #[test]
    fn a_line_with_del_is_not_plain() {
        let with_del = String::from_utf8(REQUEST.to_vec()).unwrap().replace("oom?", "oom\u{7f}");
        assert_eq!(lines_slots(with_del.as_bytes(), false).0, 1, "the index takes it");
        assert!(!plain(with_del.as_bytes(), false).0);
    }

    #[test]
    fn finds_the_first_newline_anywhere() {
        for len in 0..40 {
            for at in 0..len {
                let mut b = vec![b'x'; len];
                b[at] = b'\n';
                if at + 1 < len {
                    b[len - 1] = b'\n';
                }
                assert_eq!(memchr_newline(&b), Some(at), "len {len} at {at}");
            }
            assert_eq!(memchr_newline(&vec![0x8a; len]), None);
        }
    }
}
