//! The indexer's fast line scanner, ported from src/engine/scan-record.ts (with scan-values.ts,
//! record-keys.ts, record-time.ts, id-table.ts's `hashBytes` and shared/chain.ts's checks).
//!
//! It recognises the same strict subset of JSON as the JavaScript: no whitespace, ASCII strings
//! without escapes, request and response records with only the schema's keys (in any order, each
//! once; an `operator` object with its four keys in the writer's order), every value checked
//! against the schema as it is read. A line it returns `Some` for is one the JavaScript
//! `scanRecord` returns true for, with every field equal to what the JavaScript leaves in its
//! CompactRecord; `None` sends the line down the JavaScript path, which is always safe.
//!
//! It declines, beyond what the JavaScript declines (see `Decline`), one shape: a time in the
//! writer's form `YYYY-MM-DDTHH:MM:SS[.mmm]Z` with a non-digit where a digit goes. The JavaScript
//! reads such a time from garbage digits (`302:-01-15T00:00:00Z` as 2020-01-15) and from a
//! one-day cache (so its answer depends on the line before); the full path calls it NaN. Neither
//! is an answer to copy, so the line goes to the JavaScript.
//!
//! The line's bytes are written by whoever may be an attacker: nothing here indexes without a
//! bound (`at` reads 0 past the end, which no token is, as the JavaScript reads the newline
//! there), nothing recurses, and every loop moves forward through the line: O(length) work.

/// A request (compact-record.ts KIND_REQUEST).
pub const KIND_REQUEST: u8 = 0;
/// A response (compact-record.ts KIND_RESPONSE).
pub const KIND_RESPONSE: u8 = 1;
/// compact-record.ts DECISIONS: `ScannedRecord::decision` is an index into it.
pub const DECISIONS: [&[u8]; 4] = [b"approved", b"denied", b"timeout", b"rejected"];
/// format-constants.ts REJECT_KINDS: `ScannedRecord::reject` is 1 + an index into it (0: none).
pub const REJECT_KINDS: [&[u8]; 12] = [
    b"invalid_json",
    b"invalid_request",
    b"forward_agent_privileged",
    b"stale_time",
    b"env_not_allowed",
    b"replay",
    b"busy",
    b"peer_uid",
    b"prompt_error",
    b"handshake_timeout",
    b"read_error",
    b"peer_check_failed",
];
/// format-constants.ts ESCALATIONS.
const ESCALATIONS: [&[u8]; 3] = [b"sudo", b"pkexec", b"none"];

/// What the index keeps of one request or response line, as scan-record.ts leaves it in a
/// CompactRecord. All offsets are relative to the start of `line` (the line's bytes without its
/// newline). Fields of the other kind (a response's host, a request's duration) are left at
/// their defaults: the JavaScript leaves whatever the line before put there.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ScannedRecord {
    /// KIND_REQUEST or KIND_RESPONSE.
    pub kind: u8,
    /// Both `seq` (a positive safe integer) and `prev` (64 lowercase hex digits) are present.
    pub chained: bool,
    /// The chain's seq; -1 when not chained (also when `seq` is present without `prev`).
    pub seq: f64,
    /// Where `prev`'s 64 digits start, -1 when absent; they end at prev_start + 64. Set when
    /// `prev` is present even without `seq` (not chained), as the JavaScript does.
    pub prev_start: i32,
    /// id-table.ts `hashBytes` over the id's bytes with the given seed.
    pub id_hash: f64,
    pub id_start: u32,
    pub id_end: u32,
    /// `timeFromBytes` of `logged` when present, else of `time`: ms since the epoch, or NaN.
    pub time_ms: f64,
    pub host_start: u32,
    pub host_end: u32,
    pub session_start: u32,
    pub session_end: u32,
    pub reason_start: u32,
    pub reason_end: u32,
    /// The pipeline's JSON text, brackets included.
    pub command_start: u32,
    pub command_end: u32,
    /// The resolved paths' JSON text, brackets included; -1 both when absent.
    pub resolved_start: i32,
    pub resolved_end: i32,
    /// The error string's contents; -1 both when absent or null.
    pub error_start: i32,
    pub error_end: i32,
    pub privileged: bool,
    /// An index into DECISIONS.
    pub decision: u8,
    /// `via` is "policy".
    pub policy: bool,
    /// NaN for null.
    pub latency_ms: f64,
    /// 1 + an index into REJECT_KINDS; 0 none.
    pub reject: u8,
    /// The operator's uid (a safe integer ≥ 0), -1 when the record has no operator. The
    /// JavaScript's operator key is `[uid,"user"]` from it and the user's bytes.
    pub operator_uid: f64,
    pub operator_user_start: u32,
    pub operator_user_end: u32,
    /// A response's status is "error" or one of its stages has a non-zero exit code.
    pub failed: bool,
    pub duration_ms: f64,
}

impl ScannedRecord {
    /// What every field holds before a line sets it (a fresh CompactRecord's values).
    fn unset() -> ScannedRecord {
        ScannedRecord {
            seq: -1.0,
            prev_start: -1,
            time_ms: f64::NAN,
            resolved_start: -1,
            resolved_end: -1,
            error_start: -1,
            error_end: -1,
            latency_ms: f64::NAN,
            operator_uid: -1.0,
            duration_ms: f64::NAN,
            ..ScannedRecord::default()
        }
    }
}

/// Why a line was declined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decline {
    /// Outside the JavaScript scanner's subset: `scanRecord` returns false for it too.
    Outside,
    /// The writer's time form with a non-digit where a digit goes (`time_from_bytes`): left to
    /// the JavaScript, which gives NaN for it as the full path does.
    TimeNotDigits,
    /// A line past 2^31 - 1 bytes, whose offsets the record's i32 fields cannot hold (the engine
    /// caps lines at 1 MiB before it scans them).
    TooLong,
    /// A number in JSON's grammar that Rust's parser refused (never seen; kept so that no
    /// number is ever guessed).
    NumberText,
}

/// The line's record, or None for a line the JavaScript path must read (`try_scan_record`).
pub fn scan_record(line: &[u8], seed: (u32, u32)) -> Option<ScannedRecord> {
    try_scan_record(line, seed).ok()
}

/// The line's record, or why it is declined.
pub fn try_scan_record(line: &[u8], seed: (u32, u32)) -> Result<ScannedRecord, Decline> {
    scan_with_spans(line, seed, &mut ())
}

/// Where each key's value is in a line: `spans[2k], spans[2k + 1]` for the key numbered k
/// (record-keys.ts KEYS), from its first byte to the byte after it; -1 both for a key absent.
pub type ValueSpans = [i32; 2 * KEY_COUNT];

/// `try_scan_record` that also says where each key's value is (`print --json` copies them).
pub fn try_scan_record_spans(line: &[u8], seed: (u32, u32), spans: &mut ValueSpans) -> Result<ScannedRecord, Decline> {
    spans.fill(-1);
    scan_with_spans(line, seed, spans)
}

/// Told each key's value as it is read; `()` is told nothing (the index's scan).
trait SpanSink {
    fn value(&mut self, key: u32, start: usize, end: usize);
}

impl SpanSink for () {
    #[inline(always)]
    fn value(&mut self, _key: u32, _start: usize, _end: usize) {}
}

impl SpanSink for ValueSpans {
    #[inline(always)]
    fn value(&mut self, key: u32, start: usize, end: usize) {
        // (The line is under 2^31 bytes, checked first; the key is below KEY_COUNT.)
        if let Some(pair) = self.get_mut(2 * key as usize..2 * key as usize + 2) {
            pair[0] = start as i32;
            pair[1] = end as i32;
        }
    }
}

fn scan_with_spans<S: SpanSink>(line: &[u8], seed: (u32, u32), spans: &mut S) -> Result<ScannedRecord, Decline> {
    use Decline::Outside;
    if line.len() > i32::MAX as usize {
        return Err(Decline::TooLong);
    }
    let b = line;
    if at(b, 0) != b'{' {
        return Err(Outside);
    }
    let mut out = ScannedRecord::unset();
    let mut i = 1usize;
    let mut seen = 0u32;
    let mut kind: Option<u8> = None;
    let mut error_is_null = false;
    let mut seq_present = false;
    let mut decision: Option<u8> = None;
    let (mut id_start, mut id_end) = (0usize, 0usize);
    let (mut time_start, mut time_end) = (0usize, 0usize);
    let mut logged: Option<(usize, usize)> = None;
    let (mut pipeline_start, mut pipeline_end) = (0usize, 0usize);
    let mut any_failed_stage = false;
    let mut predicted = K_V;
    loop {
        let key = match KEY_PATTERNS.get(predicted as usize) {
            // The writer's key order: the next key is nearly always the expected one.
            Some(pattern) if starts_with(b, i, pattern) => {
                i += pattern.len();
                predicted
            }
            _ => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                if at(b, e + 1) != b':' {
                    return Err(Outside);
                }
                i = e + 2;
                key_of(b.get(s..e).ok_or(Outside)?).ok_or(Outside)?
            }
        };
        let bit = 1u32 << key;
        if seen & bit != 0 {
            return Err(Outside);
        }
        seen |= bit;
        let value_start = i;
        match key {
            K_V => {
                if at(b, i) != b'1' {
                    return Err(Outside);
                }
                i += 1;
            }
            K_TYPE => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                i = e + 1;
                kind = Some(match b.get(s..e) {
                    Some(b"request") => KIND_REQUEST,
                    Some(b"response") => KIND_RESPONSE,
                    _ => return Err(Outside),
                });
            }
            K_SEQ => {
                let n = number(b, i)?;
                // chain.ts isChainSeq: a positive safe integer.
                if !(n.is_safe_int && n.value > 0.0) {
                    return Err(Outside);
                }
                i = n.next;
                out.seq = n.value;
                seq_present = true;
            }
            K_PREV => {
                // chain.ts isChainPrevBytes: a string of 64 lowercase hex digits.
                if at(b, i) != b'"' || at(b, i + 65) != b'"' {
                    return Err(Outside);
                }
                if !lower_hex(b.get(i + 1..i + 65).ok_or(Outside)?) {
                    return Err(Outside);
                }
                out.prev_start = (i + 1) as i32;
                i += 66;
            }
            K_ID => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                if s == e {
                    return Err(Outside);
                }
                (id_start, id_end) = (s, e);
                i = e + 1;
            }
            K_TIME => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                (time_start, time_end) = (s, e);
                i = e + 1;
            }
            K_LOGGED => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                logged = Some((s, e));
                i = e + 1;
            }
            K_HOST => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                (out.host_start, out.host_end) = (s as u32, e as u32);
                i = e + 1;
            }
            K_SESSION => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                (out.session_start, out.session_end) = (s as u32, e as u32);
                i = e + 1;
            }
            K_REASON => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                (out.reason_start, out.reason_end) = (s as u32, e as u32);
                i = e + 1;
            }
            K_PIPELINE => {
                pipeline_start = i;
                i = pipeline(b, i).ok_or(Outside)?;
                pipeline_end = i;
            }
            K_RESOLVED => {
                let start = i;
                i = string_array(b, i, true).ok_or(Outside)?;
                (out.resolved_start, out.resolved_end) = (start as i32, i as i32);
            }
            K_ENV_KEYS => i = string_array(b, i, false).ok_or(Outside)?,
            K_PRIVILEGED => {
                let (next, value) = boolean(b, i).ok_or(Outside)?;
                out.privileged = value;
                i = next;
            }
            K_DECISION => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                let d = one_of(b.get(s..e), &DECISIONS).ok_or(Outside)?;
                out.decision = d;
                decision = Some(d);
                i = e + 1;
            }
            K_VIA => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                out.policy = match b.get(s..e) {
                    Some(b"policy") => true,
                    Some(b"operator" | b"pkexec") => false,
                    _ => return Err(Outside),
                };
                i = e + 1;
            }
            K_LATENCY => {
                if is_null(b, i) {
                    i += 4;
                    out.latency_ms = f64::NAN;
                } else {
                    let n = number(b, i)?;
                    if n.value < 0.0 {
                        return Err(Outside);
                    }
                    out.latency_ms = n.value;
                    i = n.next;
                }
            }
            K_ERROR => {
                if is_null(b, i) {
                    i += 4;
                    error_is_null = true;
                } else {
                    let (s, e) = string(b, i).ok_or(Outside)?;
                    (out.error_start, out.error_end) = (s as i32, e as i32);
                    i = e + 1;
                }
            }
            // Both only ever `true`.
            K_TRUNCATED | K_ALWAYS => match boolean(b, i) {
                Some((next, true)) => i = next,
                _ => return Err(Outside),
            },
            K_STATUS => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                out.failed = match b.get(s..e) {
                    Some(b"ok") => false,
                    Some(b"error") => true,
                    _ => return Err(Outside),
                };
                i = e + 1;
            }
            K_STAGES => {
                let (next, any_failed) = stages(b, i)?;
                any_failed_stage = any_failed;
                i = next;
            }
            K_STDOUT_LEN => {
                let n = number(b, i)?;
                if !n.is_safe_int || n.value < 0.0 {
                    return Err(Outside);
                }
                i = n.next;
            }
            K_STDOUT_TRUNCATED | K_FORWARD_AGENT => i = boolean(b, i).ok_or(Outside)?.0,
            K_REJECT => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                out.reject = 1 + one_of(b.get(s..e), &REJECT_KINDS).ok_or(Outside)?;
                i = e + 1;
            }
            K_ESCALATION => {
                let (s, e) = string(b, i).ok_or(Outside)?;
                one_of(b.get(s..e), &ESCALATIONS).ok_or(Outside)?;
                i = e + 1;
            }
            K_CLIENT_VERSION => i = string(b, i).ok_or(Outside)?.1 + 1,
            K_OPERATOR => {
                let op = operator(b, i)?;
                out.operator_uid = op.uid;
                (out.operator_user_start, out.operator_user_end) = (op.user_start as u32, op.user_end as u32);
                i = op.next;
            }
            K_DURATION => {
                let n = number(b, i)?;
                if n.value < 0.0 {
                    return Err(Outside);
                }
                out.duration_ms = n.value;
                i = n.next;
            }
            _ => return Err(Outside),
        }
        spans.value(key, value_start, i);
        let next = if kind == Some(KIND_RESPONSE) { &NEXT_IN_RESPONSE } else { &NEXT_IN_REQUEST };
        predicted = next.get(key as usize).copied().unwrap_or(K_NONE);
        match at(b, i) {
            b'}' => break,
            b',' => i += 1,
            _ => return Err(Outside),
        }
    }
    if i + 1 != b.len() {
        return Err(Outside);
    }
    match kind {
        Some(KIND_REQUEST) => {
            if seen & REQUEST_REQUIRED != REQUEST_REQUIRED || seen & !REQUEST_ALLOWED != 0 {
                return Err(Outside);
            }
            let rejected = decision == Some(3);
            if error_is_null || (rejected && seen & (1 << K_ERROR) == 0) {
                return Err(Outside);
            }
            // The schema's refinements: a reject kind only on a rejected request, always only on an approved one.
            if (out.reject != 0 && !rejected) || (seen & (1 << K_ALWAYS) != 0 && decision != Some(0)) {
                return Err(Outside);
            }
            (out.command_start, out.command_end) = (pipeline_start as u32, pipeline_end as u32);
        }
        Some(KIND_RESPONSE) => {
            if seen & RESPONSE_REQUIRED != RESPONSE_REQUIRED || seen & !RESPONSE_ALLOWED != 0 {
                return Err(Outside);
            }
            out.failed |= any_failed_stage;
        }
        _ => return Err(Outside),
    }
    out.kind = kind.unwrap_or(KIND_REQUEST);
    // chainFieldsOf's rule: chained with both fields (each was checked as read), else no seq.
    out.chained = seq_present && seen & (1 << K_PREV) != 0;
    if !out.chained {
        out.seq = -1.0;
    }
    out.id_hash = hash_bytes(b.get(id_start..id_end).unwrap_or(&[]), seed);
    (out.id_start, out.id_end) = (id_start as u32, id_end as u32);
    // recordTimeMs's rule: the writer's clock when the record has it, else the time as sent.
    let (s, e) = logged.unwrap_or((time_start, time_end));
    out.time_ms = time_from_bytes(b.get(s..e).unwrap_or(&[]))?;
    Ok(out)
}

// ---- the keys (record-keys.ts) ----

// Each key's number is its place in record-keys.ts KEYS, so that the masks below are its bits.
pub(crate) const K_V: u32 = 0;
pub(crate) const K_TYPE: u32 = 1;
pub(crate) const K_SEQ: u32 = 2;
pub(crate) const K_PREV: u32 = 3;
pub(crate) const K_ID: u32 = 4;
pub(crate) const K_TIME: u32 = 5;
pub(crate) const K_HOST: u32 = 6;
pub(crate) const K_SESSION: u32 = 7;
pub(crate) const K_PIPELINE: u32 = 8;
pub(crate) const K_RESOLVED: u32 = 9;
pub(crate) const K_ENV_KEYS: u32 = 10;
pub(crate) const K_REASON: u32 = 11;
pub(crate) const K_PRIVILEGED: u32 = 12;
pub(crate) const K_DECISION: u32 = 13;
pub(crate) const K_VIA: u32 = 14;
pub(crate) const K_LATENCY: u32 = 15;
pub(crate) const K_ERROR: u32 = 16;
pub(crate) const K_TRUNCATED: u32 = 17;
pub(crate) const K_STATUS: u32 = 18;
pub(crate) const K_STAGES: u32 = 19;
pub(crate) const K_STDOUT_LEN: u32 = 20;
pub(crate) const K_STDOUT_TRUNCATED: u32 = 21;
pub(crate) const K_DURATION: u32 = 22;
pub(crate) const K_LOGGED: u32 = 23;
pub(crate) const K_REJECT: u32 = 24;
pub(crate) const K_ALWAYS: u32 = 25;
pub(crate) const K_ESCALATION: u32 = 26;
pub(crate) const K_FORWARD_AGENT: u32 = 27;
pub(crate) const K_CLIENT_VERSION: u32 = 28;
pub(crate) const K_OPERATOR: u32 = 29;

const fn bits(keys: &[u32]) -> u32 {
    let mut m = 0;
    let mut k = 0;
    while k < keys.len() {
        m |= 1 << keys[k];
        k += 1;
    }
    m
}
const REQUEST_REQUIRED: u32 = bits(&[
    K_V, K_TYPE, K_ID, K_TIME, K_HOST, K_SESSION, K_PIPELINE, K_RESOLVED, K_ENV_KEYS, K_REASON, K_PRIVILEGED, K_DECISION, K_VIA, K_LATENCY,
]);
const REQUEST_ALLOWED: u32 = REQUEST_REQUIRED
    | bits(&[K_SEQ, K_PREV, K_LOGGED, K_ERROR, K_TRUNCATED, K_REJECT, K_ALWAYS, K_ESCALATION, K_FORWARD_AGENT, K_CLIENT_VERSION, K_OPERATOR]);
const RESPONSE_REQUIRED: u32 = bits(&[K_V, K_TYPE, K_ID, K_TIME, K_STATUS, K_ERROR, K_STAGES, K_STDOUT_LEN, K_STDOUT_TRUNCATED, K_DURATION]);
const RESPONSE_ALLOWED: u32 = RESPONSE_REQUIRED | bits(&[K_SEQ, K_PREV, K_LOGGED, K_TRUNCATED]);

/// How many keys there are (record-keys.ts KEYS).
pub const KEY_COUNT: usize = 30;

/// `"key":` of each key, to recognise an expected key with one comparison.
const KEY_PATTERNS: [&[u8]; KEY_COUNT] = [
    b"\"v\":",
    b"\"type\":",
    b"\"seq\":",
    b"\"prev\":",
    b"\"id\":",
    b"\"time\":",
    b"\"host\":",
    b"\"session\":",
    b"\"pipeline\":",
    b"\"resolved\":",
    b"\"env_keys\":",
    b"\"reason\":",
    b"\"privileged\":",
    b"\"decision\":",
    b"\"via\":",
    b"\"latency_ms\":",
    b"\"error\":",
    b"\"truncated\":",
    b"\"status\":",
    b"\"stages\":",
    b"\"stdout_len\":",
    b"\"stdout_truncated\":",
    b"\"duration_ms\":",
    b"\"logged\":",
    b"\"reject\":",
    b"\"always\":",
    b"\"escalation\":",
    b"\"forward_agent\":",
    b"\"client_version\":",
    b"\"operator\":",
];

/// No key expected next (past KEY_PATTERNS: never matches).
const K_NONE: u32 = u32::MAX;

/// The key that follows each key in the writer's output (record-keys.ts NEXT_IN_REQUEST and NEXT_IN_RESPONSE).
const fn successors(order: &[u32]) -> [u32; 30] {
    let mut next = [K_NONE; 30];
    let mut k = 0;
    while k + 1 < order.len() {
        next[order[k] as usize] = order[k + 1];
        k += 1;
    }
    next
}
const NEXT_IN_REQUEST: [u32; 30] = successors(&[
    K_V, K_TYPE, K_SEQ, K_PREV, K_LOGGED, K_ID, K_TIME, K_HOST, K_SESSION, K_PIPELINE, K_RESOLVED, K_ENV_KEYS, K_REASON, K_PRIVILEGED, K_DECISION, K_VIA,
    K_LATENCY, K_ERROR, K_REJECT, K_ALWAYS, K_ESCALATION, K_FORWARD_AGENT, K_CLIENT_VERSION, K_OPERATOR, K_TRUNCATED,
]);
const NEXT_IN_RESPONSE: [u32; 30] = successors(&[
    K_V, K_TYPE, K_SEQ, K_PREV, K_LOGGED, K_ID, K_TIME, K_STATUS, K_ERROR, K_STAGES, K_STDOUT_LEN, K_STDOUT_TRUNCATED, K_DURATION,
]);

/// A key's number from its bytes (by length first: one or two comparisons a key).
fn key_of(key: &[u8]) -> Option<u32> {
    let is = |k: &[u8], n: u32| if key == k { Some(n) } else { None };
    match key.len() {
        1 => is(b"v", K_V),
        2 => is(b"id", K_ID),
        3 => is(b"seq", K_SEQ).or_else(|| is(b"via", K_VIA)),
        4 => match key.first() {
            Some(b't') => is(b"type", K_TYPE).or_else(|| is(b"time", K_TIME)),
            Some(b'p') => is(b"prev", K_PREV),
            _ => is(b"host", K_HOST),
        },
        5 => is(b"error", K_ERROR),
        6 => match key.first() {
            Some(b'r') => is(b"reason", K_REASON).or_else(|| is(b"reject", K_REJECT)),
            Some(b's') => is(b"status", K_STATUS).or_else(|| is(b"stages", K_STAGES)),
            Some(b'l') => is(b"logged", K_LOGGED),
            _ => is(b"always", K_ALWAYS),
        },
        7 => is(b"session", K_SESSION),
        8 => match key.first() {
            Some(b'p') => is(b"pipeline", K_PIPELINE),
            Some(b'r') => is(b"resolved", K_RESOLVED),
            Some(b'e') => is(b"env_keys", K_ENV_KEYS),
            Some(b'd') => is(b"decision", K_DECISION),
            _ => is(b"operator", K_OPERATOR),
        },
        9 => is(b"truncated", K_TRUNCATED),
        10 => match key.first() {
            Some(b'p') => is(b"privileged", K_PRIVILEGED),
            Some(b'l') => is(b"latency_ms", K_LATENCY),
            Some(b's') => is(b"stdout_len", K_STDOUT_LEN),
            _ => is(b"escalation", K_ESCALATION),
        },
        11 => is(b"duration_ms", K_DURATION),
        13 => is(b"forward_agent", K_FORWARD_AGENT),
        14 => is(b"client_version", K_CLIENT_VERSION),
        16 => is(b"stdout_truncated", K_STDOUT_TRUNCATED),
        _ => None,
    }
}

/// The index of `value` in `list` (None when absent or not there).
fn one_of(value: Option<&[u8]>, list: &[&[u8]]) -> Option<u8> {
    let value = value?;
    list.iter().position(|&item| item == value).map(|k| k as u8)
}

// ---- the values (scan-values.ts) ----

/// The byte at `i`, or 0 past the line's end: no token is 0, so a read past the end fails as
/// the JavaScript's read of the newline there does.
#[inline(always)]
fn at(b: &[u8], i: usize) -> u8 {
    match b.get(i) {
        Some(&c) => c,
        None => 0,
    }
}

/// Whether `lit` is at `b[i..]`.
#[inline(always)]
fn starts_with(b: &[u8], i: usize, lit: &[u8]) -> bool {
    b.get(i..i.saturating_add(lit.len())).is_some_and(|s| same(s, lit))
}

/// `a == b`, for the short slices compared here (keys' patterns, literal values) with a few
/// overlapping word loads instead of a call to memcmp (a tenth of the time over a daemon's log).
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| -> u64 {
        let mut w = [0u8; 8];
        if let Some(part) = s.get(at..at + 8) {
            w.copy_from_slice(part);
        }
        u64::from_le_bytes(w)
    };
    let half = |s: &[u8], at: usize| -> u32 {
        let mut w = [0u8; 4];
        if let Some(part) = s.get(at..at + 4) {
            w.copy_from_slice(part);
        }
        u32::from_le_bytes(w)
    };
    match n {
        0..=3 => a == b,
        4..=8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        9..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        17..=24 => word(a, 0) == word(b, 0) && word(a, 8) == word(b, 8) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

#[inline(always)]
fn is_null(b: &[u8], i: usize) -> bool {
    starts_with(b, i, b"null")
}

/// A string at `i` (its opening quote) of plain ASCII (0x20–0x7f, no escape): its contents'
/// `(start, end)`; the closing quote is at `end`.
#[inline(always)]
fn string(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if at(b, i) != b'"' {
        return None;
    }
    let end = i + 1 + plain_run(b.get(i + 1..)?);
    if at(b, end) != b'"' {
        return None;
    }
    Some((i + 1, end))
}

/// How many bytes `s` starts with that a string holds as they are: 0x20–0x7f but the quote and
/// the backslash. Eight bytes at a time: a word's lowest flagged byte is its first such byte
/// (a borrow only runs upwards, from a flagged byte).
#[inline(always)]
fn plain_run(s: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut n = 0;
    while let Some(chunk) = s.get(n..n + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let zero_in = |x: u64| x.wrapping_sub(ONES) & !x;
        // A byte below 0x20, equal to '"' or '\\', or with its high bit set.
        let flagged = (zero_in(w & !HIGH & 0xe0e0_e0e0_e0e0_e0e0) | zero_in(w ^ (ONES * 0x22)) | zero_in(w ^ (ONES * 0x5c)) | w) & HIGH;
        if flagged != 0 {
            return n + (flagged.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + s.get(n..).unwrap_or(&[]).iter().position(|&c| !(0x20..0x80).contains(&c) || c == b'"' || c == b'\\').unwrap_or(s.len() - n)
}

/// Whether every byte of `s` is a lowercase hex digit (chain.ts isChainPrevBytes), eight at a time.
#[inline(always)]
fn lower_hex(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // For bytes below 0x80 (no carry crosses a byte): the high bit of x + (0x80 - lo) is x ≥ lo,
    // and of x + (0x7f - hi) is x > hi.
    let within = |w: u64, lo: u64, hi: u64| (w + ONES * (0x80 - lo)) & !(w + ONES * (0x7f - hi)) & HIGH;
    let mut chunks = s.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if w & HIGH != 0 || within(w, 0x30, 0x39) | within(w, 0x61, 0x66) != HIGH {
            return false;
        }
    }
    chunks.remainder().iter().all(|&c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// `true`/`false` at `i`: the index after it and its value.
#[inline(always)]
fn boolean(b: &[u8], i: usize) -> Option<(usize, bool)> {
    if starts_with(b, i, b"true") {
        Some((i + 4, true))
    } else if starts_with(b, i, b"false") {
        Some((i + 5, false))
    } else {
        None
    }
}

/// A number as scan-values.ts `number` reads it.
struct Number {
    /// JavaScript's `Number()` of its text.
    value: f64,
    /// `Number.isSafeInteger(value)`.
    is_safe_int: bool,
    /// The index after it.
    next: usize,
}

/// The largest safe integer, 2^53 - 1.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A JSON number at `i`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; a finite value
/// (JavaScript's `Number()` gives Infinity past the doubles' range: outside the subset).
fn number(b: &[u8], i: usize) -> Result<Number, Decline> {
    use Decline::Outside;
    let mut j = i;
    let negative = at(b, j) == b'-';
    if negative {
        j += 1;
    }
    let mut c = at(b, j);
    let mut value = 0u64;
    let mut digits = 0usize;
    if c == b'0' {
        j += 1;
        digits = 1;
    } else if c.is_ascii_digit() {
        while c.is_ascii_digit() {
            if digits < 15 {
                value = value * 10 + u64::from(c - b'0');
            }
            digits += 1;
            j += 1;
            c = at(b, j);
        }
    } else {
        return Err(Outside);
    }
    c = at(b, j);
    // Up to 15 digits, no fraction and no exponent: exact in a double, as the JavaScript's sum is.
    let mut plain_int = digits <= 15;
    if c == b'.' {
        plain_int = false;
        j += 1;
        c = at(b, j);
        if !c.is_ascii_digit() {
            return Err(Outside);
        }
        while c.is_ascii_digit() {
            j += 1;
            c = at(b, j);
        }
    }
    if c == b'e' || c == b'E' {
        plain_int = false;
        j += 1;
        c = at(b, j);
        if c == b'+' || c == b'-' {
            j += 1;
            c = at(b, j);
        }
        if !c.is_ascii_digit() {
            return Err(Outside);
        }
        while c.is_ascii_digit() {
            j += 1;
            c = at(b, j);
        }
    }
    if plain_int {
        let v = value as f64;
        // "-0" is -0, as in JavaScript.
        return Ok(Number { value: if negative { -v } else { v }, is_safe_int: true, next: j });
    }
    // JSON's grammar is within Rust's float grammar, and both round correctly (ties to even).
    let text = b.get(i..j).and_then(|t| core::str::from_utf8(t).ok()).ok_or(Decline::NumberText)?;
    let value: f64 = text.parse().map_err(|_| Decline::NumberText)?;
    if !value.is_finite() {
        return Err(Outside);
    }
    // (An integer within ±2^53: its i64 is exact. f64::trunc is std's, not core's.)
    let is_safe_int = value.abs() <= MAX_SAFE_INTEGER && (value as i64) as f64 == value;
    Ok(Number { value, is_safe_int, next: j })
}

/// `[ "a", … ]` (any length; `nulls` allows null items): the index after it.
fn string_array(b: &[u8], i: usize, nulls: bool) -> Option<usize> {
    if at(b, i) != b'[' {
        return None;
    }
    let mut j = i + 1;
    if at(b, j) == b']' {
        return Some(j + 1);
    }
    loop {
        if nulls && is_null(b, j) {
            j += 4;
        } else {
            j = string(b, j)?.1 + 1;
        }
        match at(b, j) {
            b']' => return Some(j + 1),
            b',' => j += 1,
            _ => return None,
        }
    }
}

/// `[[…], …]` with at least one stage (each a string array, maybe empty): the index after it.
fn pipeline(b: &[u8], i: usize) -> Option<usize> {
    if at(b, i) != b'[' {
        return None;
    }
    let mut j = i + 1;
    loop {
        j = string_array(b, j, false)?;
        match at(b, j) {
            b']' => return Some(j + 1),
            b',' => j += 1,
            _ => return None,
        }
    }
}

/// A response's stages: `[{…}, …]`, each with exactly `exit_code` (safe integer), `stderr_len`
/// (safe integer ≥ 0) and `stderr_truncated` (boolean) in any order. The index after it, and
/// whether a stage's exit code is not 0. (The JavaScript first tries the writer's key order with
/// one comparison a key, then any order; both accept the same stages with the same meaning.)
fn stages(b: &[u8], i: usize) -> Result<(usize, bool), Decline> {
    use Decline::Outside;
    if at(b, i) != b'[' {
        return Err(Outside);
    }
    let mut j = i + 1;
    let mut any_failed = false;
    if at(b, j) == b']' {
        return Ok((j + 1, false));
    }
    loop {
        if at(b, j) != b'{' {
            return Err(Outside);
        }
        j += 1;
        let mut seen = 0u8;
        loop {
            let (s, e) = string(b, j).ok_or(Outside)?;
            if at(b, e + 1) != b':' {
                return Err(Outside);
            }
            j = e + 2;
            match b.get(s..e) {
                Some(b"exit_code") if seen & 1 == 0 => {
                    seen |= 1;
                    let n = number(b, j)?;
                    if !n.is_safe_int {
                        return Err(Outside);
                    }
                    // (-0 is 0: the JavaScript's `!== 0`.)
                    if n.value != 0.0 {
                        any_failed = true;
                    }
                    j = n.next;
                }
                Some(b"stderr_len") if seen & 2 == 0 => {
                    seen |= 2;
                    let n = number(b, j)?;
                    if !n.is_safe_int || n.value < 0.0 {
                        return Err(Outside);
                    }
                    j = n.next;
                }
                Some(b"stderr_truncated") if seen & 4 == 0 => {
                    seen |= 4;
                    j = boolean(b, j).ok_or(Outside)?.0;
                }
                _ => return Err(Outside),
            }
            match at(b, j) {
                b'}' => break,
                b',' => j += 1,
                _ => return Err(Outside),
            }
        }
        if seen != 7 {
            return Err(Outside);
        }
        j += 1;
        match at(b, j) {
            b']' => return Ok((j + 1, any_failed)),
            b',' => j += 1,
            _ => return Err(Outside),
        }
    }
}

/// An operator as read by scan-values.ts `operator`.
struct Operator {
    uid: f64,
    user_start: usize,
    user_end: usize,
    next: usize,
}

/// An operator object as the writer writes it, `{"uid":int≥0,"user":str,"tty":str|null,"hostname":str}`
/// (those keys, in that order: anything else is left to the full path).
fn operator(b: &[u8], i: usize) -> Result<Operator, Decline> {
    use Decline::Outside;
    const UID: &[u8] = b"{\"uid\":";
    const USER: &[u8] = b",\"user\":";
    const TTY: &[u8] = b",\"tty\":";
    const HOSTNAME: &[u8] = b",\"hostname\":";
    if !starts_with(b, i, UID) || at(b, i + UID.len()) == b'-' {
        return Err(Outside);
    }
    let n = number(b, i + UID.len())?;
    if !n.is_safe_int || !starts_with(b, n.next, USER) {
        return Err(Outside);
    }
    let (user_start, user_end) = string(b, n.next + USER.len()).ok_or(Outside)?;
    let mut j = user_end + 1;
    if !starts_with(b, j, TTY) {
        return Err(Outside);
    }
    j += TTY.len();
    if is_null(b, j) {
        j += 4;
    } else {
        j = string(b, j).ok_or(Outside)?.1 + 1;
    }
    if !starts_with(b, j, HOSTNAME) {
        return Err(Outside);
    }
    j = string(b, j + HOSTNAME.len()).ok_or(Outside)?.1 + 1;
    if at(b, j) != b'}' {
        return Err(Outside);
    }
    Ok(Operator { uid: n.value, user_start, user_end, next: j + 1 })
}

// ---- the id's hash (id-table.ts) ----

/// id-table.ts `hashBytes`: cyrb53 over `bytes`, its two starting words xored with the seed's
/// halves; a 53-bit integer, never 0. (`Math.imul` is a wrapping 32-bit multiply and `>>>` a
/// logical shift: both are u32 operations on the same bits.)
pub fn hash_bytes(bytes: &[u8], seed: (u32, u32)) -> f64 {
    let mut h1 = 0xdeadbeef_u32 ^ seed.0;
    let mut h2 = 0x41c6ce57_u32 ^ seed.1;
    for &c in bytes {
        h1 = (h1 ^ u32::from(c)).wrapping_mul(2654435761);
        h2 = (h2 ^ u32::from(c)).wrapping_mul(1597334677);
    }
    h1 = (h1 ^ (h1 >> 16)).wrapping_mul(2246822507);
    h1 ^= (h2 ^ (h2 >> 13)).wrapping_mul(3266489909);
    h2 = (h2 ^ (h2 >> 16)).wrapping_mul(2246822507);
    h2 ^= (h1 ^ (h1 >> 13)).wrapping_mul(3266489909);
    let hash = u64::from(h2 & 0x1f_ffff) << 32 | u64::from(h1);
    if hash == 0 {
        1.0
    } else {
        hash as f64
    }
}

// ---- a record's time (record-time.ts, join.ts parseRecordTime) ----

/// record-time.ts `timeFromBytes` of a time field's contents, for the lines it is sure of.
///
/// Its byte form (`YYYY-MM-DDTHH:MM:SSZ` or with `.mmm`) gives what `parseRecordTime` gives
/// whenever its digit places hold digits, so that is what this returns; with a non-digit there
/// it is declined (the JavaScript read such a time wrongly until session 11, and now gives NaN
/// as the full path does: declining stays safe, and such lines are rare).
pub fn time_from_bytes(t: &[u8]) -> Result<f64, Decline> {
    let n = t.len();
    let byte_form = (n == 20 || n == 24)
        && at(t, 4) == b'-'
        && at(t, 7) == b'-'
        && at(t, 10) == b'T'
        && at(t, 13) == b':'
        && at(t, 16) == b':'
        && at(t, n - 1) == b'Z';
    // With 24 bytes and no '.' at 19, the byte form's ms is -1 and the JavaScript goes straight to parseRecordTime.
    if byte_form && (n == 20 || at(t, 19) == b'.') {
        const DIGITS: [usize; 17] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];
        let places = if n == 20 { &DIGITS[..14] } else { &DIGITS[..] };
        if !places.iter().all(|&p| at(t, p).is_ascii_digit()) {
            return Err(Decline::TimeNotDigits);
        }
    }
    Ok(parse_record_time(t))
}

/// `count` ASCII digits at `t[i..]` as a number.
fn digits(t: &[u8], i: usize, count: usize) -> Option<i64> {
    let d = t.get(i..i.checked_add(count)?)?;
    let mut v = 0i64;
    for &c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

const DAYS_IN_MONTH: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MS_PER_DAY: i64 = 86_400_000;

/// join.ts `parseRecordTime`: ms since the epoch, NaN unless a real ISO 8601 instant of
/// `^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$`.
pub fn parse_record_time(t: &[u8]) -> f64 {
    parse_iso(t).map_or(f64::NAN, |ms| ms as f64)
}

fn parse_iso(t: &[u8]) -> Option<i64> {
    let year = digits(t, 0, 4)?;
    let month = digits(t, 5, 2)?;
    let day = digits(t, 8, 2)?;
    let hour = digits(t, 11, 2)?;
    let minute = digits(t, 14, 2)?;
    if at(t, 4) != b'-' || at(t, 7) != b'-' || at(t, 10) != b'T' || at(t, 13) != b':' {
        return None;
    }
    // The regex has one way to match (each optional part starts with a byte nothing else may
    // hold there, and the fraction's digits are followed by Z, + or -): read it left to right.
    let mut p = 16;
    let mut second = 0;
    let mut ms = 0;
    if at(t, p) == b':' {
        second = digits(t, p + 1, 2)?;
        p += 3;
        if at(t, p) == b'.' {
            let fraction = t.get(p + 1..)?;
            let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
            if count == 0 || count > 9 {
                return None;
            }
            // Sub-ms digits are cut, as Date.parse does: the first three, padded with zeros.
            for k in 0..3 {
                ms = ms * 10 + if k < count { i64::from(at(fraction, k) - b'0') } else { 0 };
            }
            p += 1 + count;
        }
    }
    // The offset east of UTC in minutes.
    let offset_minutes = match at(t, p) {
        b'Z' if p + 1 == t.len() => 0,
        sign @ (b'+' | b'-') if p + 6 == t.len() && at(t, p + 3) == b':' => {
            let (h, m) = (digits(t, p + 1, 2)?, digits(t, p + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            if sign == b'+' {
                h * 60 + m
            } else {
                -(h * 60 + m)
            }
        }
        _ => return None,
    };
    let leap = month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0);
    if !(1..=12).contains(&month) || day < 1 || day > DAYS_IN_MONTH[(month - 1) as usize] + i64::from(leap) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let time_of_day = ((hour * 60 + minute) * 60 + second) * 1000 + ms;
    // Date.UTC maps years 0–99 to 1900–1999; parseRecordTime then sets the year back with
    // setUTCFullYear, which keeps the month and day *of the 1900s date*: 0000-02-29 (1900 is
    // not a leap year) becomes 0000-03-01.
    let mut utc = days_from_civil(if year < 100 { year + 1900 } else { year }, month, day) * MS_PER_DAY + time_of_day;
    if year < 100 {
        let (_, m, d) = civil_from_days(utc.div_euclid(MS_PER_DAY));
        utc = days_from_civil(year, m, d) * MS_PER_DAY + utc.rem_euclid(MS_PER_DAY);
    }
    Some(utc - offset_minutes * 60_000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date; linear in `day`, so a day past its
/// month's end runs into the next month, as ECMAScript's MakeDay does.
/// (Howard Hinnant's `days_from_civil`.)
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real lines of a daemon's log (native/scripts/make-daemon-log.mjs); the expected values are
    // what the JavaScript scanRecord gives for them with the seed (1, 2) (js-scan-lines.mjs).
    const REJECTED: &[u8] = br#"{"v":1,"type":"request","seq":60,"prev":"5da945007ff2cf4c4bfca36ae930dfed59d8ba09d5c7a503e39207a8815cf758","logged":"2026-11-01T08:01:11.222Z","id":"767958e2-9158-48fc-bb7c-e724e9cf7579","time":"2026-11-01T08:01:11Z","host":"web-01","session":"aider-04d2","pipeline":[["curl","-fsS","http://127.0.0.1:8080/healthz"]],"resolved":["/usr/bin/curl"],"env_keys":["HOME","LC_ALL","NO_COLOR","SYSTEMD_PAGER"],"reason":"is the app healthy after restart?","privileged":false,"decision":"rejected","via":"policy","latency_ms":null,"error":"duplicate request id: 767958e2-9158-48fc-bb7c-e724e9cf7579","reject":"replay","escalation":"none","forward_agent":false,"client_version":"0.4.0","operator":{"uid":1000,"user":"alice","tty":"/dev/pts/3","hostname":"build-01"}}"#;
    const FAILED: &[u8] = br#"{"v":1,"type":"response","seq":98,"prev":"ca8c3361eb9939a5bb3cfd66f4b76ff0209805ad42b2d508c3882f20a4fe56ed","logged":"2026-11-01T08:01:57.311Z","id":"864ae39a-9279-4a14-bc5a-e39d6ca5957b","time":"2026-11-01T08:01:57.311Z","status":"error","error":"spawn cat: No such file or directory (os error 2)","stages":[],"stdout_len":0,"stdout_truncated":false,"duration_ms":3}"#;
    const ALWAYS: &[u8] = br#"{"v":1,"type":"request","seq":182,"prev":"7bac3079745df67d6b1ef9ffe6ec0f3e806dab4a4903b8f91a29b1a352459aca","logged":"2026-11-01T08:03:41.211Z","id":"b4f5c4cf-5806-4218-814a-6d54c8f797ec","time":"2026-11-01T08:03:37Z","host":"","session":"aider-04d2","pipeline":[["ps","aux"],["sort","-nrk","3"],["head","-20"]],"resolved":["/usr/bin/ps","/usr/bin/sort","/usr/bin/head"],"env_keys":["LANG","LC_ALL","SYSTEMD_PAGER","TERM"],"reason":"top CPU consumers","privileged":false,"decision":"approved","via":"operator","latency_ms":3231,"always":true,"escalation":"none","forward_agent":true,"client_version":"0.4.0","operator":{"uid":1000,"user":"alice","tty":"/dev/pts/3","hostname":"build-01"}}"#;
    const ROOT: &[u8] = br#"{"v":1,"type":"request","seq":2,"prev":"2e3e33bd0c8a922bf65bb8710a46cf6615c040cb350c70a0a41115d448806a9b","logged":"2026-11-01T08:00:06.293Z","id":"899d8189-77d6-4aa2-8466-92996dcc5940","time":"2026-11-01T08:00:03Z","host":"db-primary","session":"aider-04d2","pipeline":[["cat","/etc/shadow"]],"resolved":["/usr/bin/cat"],"env_keys":["HOME","NO_COLOR","PATH","TERM"],"reason":"verify the service account has no password","privileged":true,"decision":"approved","via":"operator","latency_ms":2617,"escalation":"sudo","forward_agent":false,"client_version":"0.4.0","operator":{"uid":0,"user":"root","tty":null,"hostname":"ci-runner-7"}}"#;
    const SEED: (u32, u32) = (1, 2);

    fn scan(line: &[u8]) -> ScannedRecord {
        match try_scan_record(line, SEED) {
            Ok(r) => r,
            Err(why) => panic!("declined ({why:?}): {}", String::from_utf8_lossy(line)),
        }
    }
    fn text(line: &[u8], start: impl TryInto<usize>, end: impl TryInto<usize>) -> &[u8] {
        let (Ok(s), Ok(e)) = (start.try_into(), end.try_into()) else { panic!("a negative offset") };
        &line[s..e]
    }
    /// `line` with `from` replaced by `to` (once: the test's own lines hold it once).
    fn with(line: &[u8], from: &str, to: &str) -> Vec<u8> {
        let s = String::from_utf8(line.to_vec()).unwrap();
        assert_eq!(s.matches(from).count(), 1, "{from} once in the line");
        s.replacen(from, to, 1).into_bytes()
    }
    fn declined(line: &[u8]) -> Decline {
        try_scan_record(line, SEED).expect_err(&String::from_utf8_lossy(line))
    }

    #[test]
    fn a_rejected_request_with_every_optional_key() {
        let r = scan(REJECTED);
        let expected = ScannedRecord {
            kind: KIND_REQUEST,
            chained: true,
            seq: 60.0,
            prev_start: 41,
            id_hash: 1861892487837037.0,
            id_start: 149,
            id_end: 185,
            time_ms: 1793520071222.0, // logged, not time
            host_start: 225,
            host_end: 231,
            session_start: 244,
            session_end: 254,
            reason_start: 412,
            reason_end: 445,
            command_start: 267,
            command_end: 316,
            resolved_start: 328,
            resolved_end: 345,
            error_start: 530,
            error_end: 588,
            privileged: false,
            decision: 3,
            policy: true,
            latency_ms: f64::NAN,
            reject: 6, // replay
            operator_uid: 1000.0,
            operator_user_start: 0,
            operator_user_end: 0,
            failed: false,
            duration_ms: f64::NAN,
        };
        // (NaN is not equal to itself: compared apart.)
        assert!(r.latency_ms.is_nan() && r.duration_ms.is_nan());
        let user = (r.operator_user_start, r.operator_user_end);
        assert_eq!(ScannedRecord { latency_ms: 0.0, duration_ms: 0.0, operator_user_start: 0, operator_user_end: 0, ..r }, ScannedRecord { latency_ms: 0.0, duration_ms: 0.0, ..expected });
        assert_eq!(text(REJECTED, user.0, user.1), b"alice");
        assert_eq!(text(REJECTED, r.prev_start, r.prev_start + 64), b"5da945007ff2cf4c4bfca36ae930dfed59d8ba09d5c7a503e39207a8815cf758");
        assert_eq!(text(REJECTED, r.host_start, r.host_end), b"web-01");
        assert_eq!(text(REJECTED, r.command_start, r.command_end), br#"[["curl","-fsS","http://127.0.0.1:8080/healthz"]]"#);
        assert_eq!(text(REJECTED, r.resolved_start, r.resolved_end), br#"["/usr/bin/curl"]"#);
        assert_eq!(text(REJECTED, r.error_start, r.error_end), b"duplicate request id: 767958e2-9158-48fc-bb7c-e724e9cf7579");
        assert_eq!(scan_record(REJECTED, SEED).map(|r| r.id_hash), Some(r.id_hash));
    }

    #[test]
    fn a_failed_response_keeps_the_request_fields_at_their_defaults() {
        let r = scan(FAILED);
        assert_eq!((r.kind, r.chained, r.seq, r.prev_start), (KIND_RESPONSE, true, 98.0, 42));
        assert_eq!((r.id_hash, r.id_start, r.id_end, r.time_ms), (8402459798124187.0, 150, 186, 1793520117311.0));
        assert_eq!((r.failed, r.duration_ms, r.error_start, r.error_end), (true, 3.0, 248, 297));
        assert_eq!((r.host_start, r.host_end, r.command_start, r.command_end, r.resolved_start, r.resolved_end), (0, 0, 0, 0, -1, -1));
        assert_eq!((r.privileged, r.decision, r.policy, r.reject, r.operator_uid), (false, 0, false, 0, -1.0));
        assert!(r.latency_ms.is_nan());
        let ok = with(FAILED, r#""status":"error""#, r#""status":"ok""#);
        assert!(!scan(&ok).failed);
        // A stage's non-zero exit code fails the response whatever its status says; -0 is 0.
        for (stages, failed) in [
            (r#"[{"exit_code":0,"stderr_len":0,"stderr_truncated":false},{"exit_code":2,"stderr_len":1,"stderr_truncated":true}]"#, true),
            (r#"[{"stderr_truncated":false,"exit_code":-1,"stderr_len":0}]"#, true),
            (r#"[{"exit_code":-0,"stderr_len":0,"stderr_truncated":false}]"#, false),
            (r#"[{"exit_code":0.0,"stderr_len":0,"stderr_truncated":false}]"#, false),
            (r#"[{"exit_code":1e0,"stderr_len":0,"stderr_truncated":false}]"#, true),
        ] {
            assert_eq!(scan(&with(&ok, "[]", stages)).failed, failed, "{stages}");
        }
        for stages in [
            r#"[{"exit_code":1.5,"stderr_len":0,"stderr_truncated":false}]"#,
            r#"[{"exit_code":0,"stderr_len":-1,"stderr_truncated":false}]"#,
            r#"[{"exit_code":0,"stderr_len":0}]"#,
            r#"[{"exit_code":0,"exit_code":0,"stderr_len":0,"stderr_truncated":false}]"#,
            r#"[{"exit_code":0,"stderr_len":0,"stderr_truncated":false},]"#,
            r#"[{"exit_code":9007199254740992,"stderr_len":0,"stderr_truncated":false}]"#,
        ] {
            assert_eq!(declined(&with(&ok, "[]", stages)), Decline::Outside, "{stages}");
        }
    }

    #[test]
    fn the_operator_and_always() {
        let r = scan(ALWAYS);
        assert_eq!((r.id_hash, r.seq, r.decision, r.policy, r.latency_ms, r.host_start, r.host_end), (6615085352200434.0, 182.0, 0, false, 3231.0, 226, 226));
        let r = scan(ROOT);
        assert_eq!((r.id_hash, r.operator_uid, r.privileged), (5058111523408258.0, 0.0, true));
        assert_eq!(text(ROOT, r.operator_user_start, r.operator_user_end), b"root");
        let op = r#""operator":{"uid":0,"user":"root","tty":null,"hostname":"ci-runner-7"}"#;
        for (uid, value) in [("1e3", 1000.0), ("1000.0", 1000.0), ("9007199254740991", 9007199254740991.0)] {
            let line = with(ROOT, op, &op.replace(r#""uid":0"#, &format!(r#""uid":{uid}"#)));
            assert_eq!(scan(&line).operator_uid, value, "{uid}");
        }
        for other in [
            r#"{"uid":-0,"user":"root","tty":null,"hostname":"h"}"#,
            r#"{"uid":1.5,"user":"root","tty":null,"hostname":"h"}"#,
            r#"{"uid":9007199254740992,"user":"root","tty":null,"hostname":"h"}"#,
            r#"{"user":"root","uid":0,"tty":null,"hostname":"h"}"#,
            r#"{"uid":0,"user":"root","tty":1,"hostname":"h"}"#,
            r#"{"uid":0,"user":"r\"t","tty":null,"hostname":"h"}"#,
            r#"{"uid":0,"user":"root","tty":null,"hostname":"h","x":1}"#,
            r#"{"uid":0,"user":"root","tty":null}"#,
        ] {
            assert_eq!(declined(&with(ROOT, op, &format!(r#""operator":{other}"#))), Decline::Outside, "{other}");
        }
        // always only on an approved request, a reject kind only on a rejected one (which has an error).
        assert_eq!(declined(&with(ALWAYS, r#""decision":"approved""#, r#""decision":"denied""#)), Decline::Outside);
        assert_eq!(declined(&with(REJECTED, r#""decision":"rejected""#, r#""decision":"denied""#)), Decline::Outside);
        let no_reject = with(REJECTED, r#","reject":"replay""#, "");
        assert_eq!(scan(&no_reject).reject, 0);
        let no_error = with(&no_reject, r#","error":"duplicate request id: 767958e2-9158-48fc-bb7c-e724e9cf7579""#, "");
        assert_eq!(declined(&no_error), Decline::Outside);
        assert_eq!(declined(&with(&no_error, r#""decision":"rejected""#, r#""decision":"denied","error":null"#)), Decline::Outside);
    }

    #[test]
    fn the_chain_fields_each_alone() {
        let seq = r#""seq":2,"#;
        let prev = r#""prev":"2e3e33bd0c8a922bf65bb8710a46cf6615c040cb350c70a0a41115d448806a9b","#;
        // prev without seq: not chained, but prev_start is where the JavaScript leaves it.
        let r = scan(&with(ROOT, seq, ""));
        assert_eq!((r.chained, r.seq, r.prev_start), (false, -1.0, 32));
        let r = scan(&with(ROOT, prev, ""));
        assert_eq!((r.chained, r.seq, r.prev_start), (false, -1.0, -1));
        for bad_seq in ["0", "-1", "1.5", "9007199254740992", "-0", "\"2\""] {
            assert_eq!(declined(&with(ROOT, seq, &format!(r#""seq":{bad_seq},"#))), Decline::Outside, "{bad_seq}");
        }
        assert_eq!(scan(&with(ROOT, seq, r#""seq":2e0,"#)).seq, 2.0);
        assert_eq!(declined(&with(ROOT, "2e3e33bd", "2E3e33bd")), Decline::Outside);
        assert_eq!(declined(&with(ROOT, "2e3e33bd", "2e3e33b")), Decline::Outside);
    }

    #[test]
    fn numbers_are_what_javascript_number_makes_of_them() {
        let latency = r#""latency_ms":2617"#;
        let cases: [(&str, f64); 10] = [
            ("-0", -0.0),
            ("0.0", 0.0),
            ("1e3", 1000.0),
            ("1.5E-3", 0.0015),
            ("123456789012345", 123456789012345.0),
            // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: to even.
            ("9007199254740993", 9007199254740992.0),
            ("9007199254740993.000000000000000000000000001", 9007199254740994.0),
            ("4.9e-324", 4.9e-324),
            ("2.4703282292062328e-324", 4.9e-324),
            ("1.7976931348623158e308", f64::MAX),
        ];
        for (number, value) in cases {
            let got = scan(&with(ROOT, latency, &format!(r#""latency_ms":{number}"#))).latency_ms;
            assert_eq!(got.to_bits(), value.to_bits(), "{number}");
        }
        let long_tie = format!("9007199254740993.{}1", "0".repeat(800));
        assert_eq!(scan(&with(ROOT, latency, &format!(r#""latency_ms":{long_tie}"#))).latency_ms, 9007199254740994.0);
        for number in ["-1", "01", "1.", ".5", "+1", "1e", "1e+", "-", "1e309", "1.7976931348623159e308", "NaN", "Infinity", "0x10", "1_0", "2.4703282292062327e-324e"] {
            assert_eq!(declined(&with(ROOT, latency, &format!(r#""latency_ms":{number}"#))), Decline::Outside, "{number}");
        }
        // Below half the smallest subnormal: 0, not a decline.
        assert_eq!(scan(&with(ROOT, latency, r#""latency_ms":2.4703282292062327e-324"#)).latency_ms.to_bits(), 0);
    }

    #[test]
    fn times_are_what_time_from_bytes_gives() {
        // Each as JavaScript's timeFromBytes (and parseRecordTime) gives it.
        let cases: [(&str, f64); 20] = [
            ("2026-11-01T08:00:00Z", 1793520000000.0),
            ("2026-11-01T08:00:00.123Z", 1793520000123.0),
            ("2024-02-29T12:00:00Z", 1709208000000.0),
            ("2000-02-29T00:00:00Z", 951782400000.0),
            // Year 0 goes through 1900 (not a leap year): its 29 February is 1 March.
            ("0000-02-29T00:00:00Z", -62162035200000.0),
            ("0000-01-01T00:00:00Z", -62167219200000.0),
            ("0004-02-29T00:00:00Z", -62035891200000.0),
            ("0099-12-31T23:59:59.999Z", -59011459200001.0),
            ("0100-01-01T00:00:00Z", -59011459200000.0),
            ("9999-12-31T23:59:59.999Z", 253402300799999.0),
            ("1969-12-31T23:59:59.999Z", -1.0),
            ("2026-11-01T08:00:00.123456789Z", 1793520000123.0),
            ("2026-11-01T08:00:00.7Z", 1793520000700.0),
            ("2026-11-01T08:00Z", 1793520000000.0),
            ("2026-11-01T08:00:00.5+05:30", 1793500200500.0),
            ("2026-11-01T08:00:00-23:59", 1793606340000.0),
            ("2026-02-30T00:00:00Z", f64::NAN),
            ("2026-12-31T23:59:60Z", f64::NAN),
            ("2100-02-29T00:00:00Z", f64::NAN),
            ("+275760-09-13T00:00:00Z", f64::NAN),
        ];
        let more_nan = ["2026-11-01T08:00:00.1234567891Z", "2026-11-01T08:00:00+24:00", "2026-11-01T08:00:00+00:60", "2026-11-01t08:00:00z", "2026-11-01T08:00:00", "", "2026-11-01T08:00:00.Z", "2026-11-01T24:00:00Z"];
        let logged = r#""logged":"2026-11-01T08:00:06.293Z""#;
        for (time, value) in cases.iter().copied().chain(more_nan.iter().map(|&t| (t, f64::NAN))) {
            let got = scan(&with(ROOT, logged, &format!(r#""logged":"{time}""#))).time_ms;
            assert!(got.to_bits() == value.to_bits() || (got.is_nan() && value.is_nan()), "{time}: {got} ≠ {value}");
        }
        // Without logged, time counts.
        let r = scan(&with(ROOT, &format!("{logged},"), ""));
        assert_eq!(r.time_ms, 1793520003000.0);
        // The writer's form with a non-digit where a digit goes: JavaScript reads 302: as the year 2020 (and may answer
        // from its day cache): declined, so the JavaScript path keeps its own answer.
        for time in ["302:-01-15T00:00:00Z", "2026-1:-05T01:02:03.456Z", "2026-11-01T08:00:0/Z", "2026-11-01T08:00:00.0/0Z"] {
            assert_eq!(declined(&with(ROOT, logged, &format!(r#""logged":"{time}""#))), Decline::TimeNotDigits, "{time}");
        }
        // ...only in the time that counts.
        assert!(scan(&with(FAILED, r#""time":"2026-11-01T08:01:57.311Z""#, r#""time":"302:-01-15T00:00:00.000Z""#)).time_ms == 1793520117311.0);
    }

    #[test]
    fn the_hash_is_cyrb53_bit_for_bit() {
        // id-table.ts hashBytes's values.
        assert_eq!(hash_bytes(b"", (0, 0)), 3338908027751811.0);
        assert_eq!(hash_bytes(b"a", (0, 0)), 7929297801672961.0);
        assert_eq!(hash_bytes(b"08ff49b6-f772-4632-916c-43069c43a8c3", (0, 0)), 8431525354689075.0);
        assert_eq!(hash_bytes(b"08ff49b6-f772-4632-916c-43069c43a8c3", (0xffff_ffff, 0x1234_5678)), 6441593531624042.0);
        assert_eq!(hash_bytes(b"r-1", (1, 2)), 8841068536459637.0);
    }

    #[test]
    fn the_subsets_edges() {
        for line in [
            &b""[..],
            b"{}",
            b"[]",
            b"null",
            b"{",
            br#"{"v":1}"#,
            // A writer's record, and a key the records do not have.
            br#"{"v":1,"type":"writer","seq":1,"prev":"0000000000000000000000000000000000000000000000000000000000000000","logged":"2026-11-01T08:00:00.000Z","time":"2026-11-01T08:00:00.000Z","event":"start","pid":4242}"#,
        ] {
            assert_eq!(declined(line), Decline::Outside);
        }
        let changes: [(&str, &str); 16] = [
            (r#""v":1"#, r#""v":2"#),
            (r#""v":1"#, r#""v":1.0"#),
            (r#""v":1,"#, r#""v":1, "#),
            (r#""host":"db-primary""#, r#""host":"db-primary","host":"db-primary""#),
            (r#""host":"db-primary","#, ""),
            (r#""host":"db-primary""#, r#""host":"db\"primary""#),
            (r#""host":"db-primary""#, r#""host":"db\u0041""#),
            (r#""host":"db-primary""#, "\"host\":\"db-pr\u{e9}mary\""),
            (r#""host":"db-primary""#, "\"host\":\"db\tprimary\""),
            (r#""host":"db-primary""#, r#""host":null"#),
            (r#""reason":"#, r#""Reason":"#),
            (r#""via":"operator""#, r#""via":"sudo""#),
            (r#""resolved":["/usr/bin/cat"]"#, r#""resolved":["/usr/bin/cat",]"#),
            (r#""pipeline":[["cat","/etc/shadow"]]"#, r#""pipeline":[]"#),
            (r#""env_keys":["HOME","NO_COLOR","PATH","TERM"]"#, r#""env_keys":["HOME",null]"#),
            (r#""forward_agent":false,"#, r#""forward_agent":false,"status":"ok","#),
        ];
        for (from, to) in changes {
            assert_eq!(declined(&with(ROOT, from, to)), Decline::Outside, "{to}");
        }
        // Accepted shapes that are less common: nulls among the resolved paths, an empty stage, keys in another order.
        let r = scan(&with(ROOT, r#""resolved":["/usr/bin/cat"]"#, r#""resolved":[null,"/bin/x"]"#));
        assert_eq!(r.resolved_end - r.resolved_start, r#"[null,"/bin/x"]"#.len() as i32);
        let r = scan(&with(ROOT, r#""pipeline":[["cat","/etc/shadow"]]"#, r#""pipeline":[[],["a"]]"#));
        assert_eq!(r.command_end - r.command_start, r#"[[],["a"]]"#.len() as u32);
        let reordered = with(ROOT, r#"{"v":1,"type":"request","#, r#"{"type":"request","#);
        let reordered = with(&reordered, r#","operator":"#, r#","v":1,"operator":"#);
        assert_eq!(scan(&reordered).id_hash, scan(ROOT).id_hash);
        // A line ends at its last byte: nothing may follow the closing brace.
        for tail in [" ", "\r", "\0", "}", ","] {
            let mut line = ROOT.to_vec();
            line.extend_from_slice(tail.as_bytes());
            assert_eq!(declined(&line), Decline::Outside, "{tail:?}");
        }
    }

    #[test]
    fn same_is_slice_equality() {
        let a: Vec<u8> = (0..40u8).map(|k| k.wrapping_mul(37).wrapping_add(11)).collect();
        for n in 0..=40 {
            assert!(same(&a[..n], &a[..n]));
            assert!(!same(&a[..n], &a[..n.saturating_sub(1)]) || n == 0);
            for k in 0..n {
                let mut b = a[..n].to_vec();
                b[k] ^= 0x20;
                assert!(!same(&a[..n], &b), "length {n}, byte {k}");
            }
        }
    }

    #[test]
    fn plain_run_stops_where_scan_values_string_class_does() {
        // STRING_CLASS: 0x20–0x7f plain (DEL too) but the quote and the backslash.
        let plain = |c: u8| (0x20..0x80).contains(&c) && c != b'"' && c != b'\\';
        for c in 0..=255u8 {
            for len in [1usize, 7, 8, 9, 16, 23] {
                for k in 0..len {
                    let mut s = vec![b'a'; len];
                    s[k] = c;
                    assert_eq!(plain_run(&s), if plain(c) { len } else { k }, "{c:#x} at {k} of {len}");
                }
            }
        }
        assert_eq!(plain_run(b""), 0);
    }

    #[test]
    fn lower_hex_is_the_chains_rule() {
        let digits = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert!(lower_hex(digits));
        for k in 0..64 {
            for c in [b'A', b'F', b'g', b'/', b':', b'`', 0, 0x80, 0xb0, 0xe1] {
                let mut d = *digits;
                d[k] = c;
                assert!(!lower_hex(&d), "{c:#x} at {k}");
            }
        }
    }

    #[test]
    fn hostile_bytes_never_panic() {
        // Every prefix, and every byte at every place set to each of a few values: a result or a decline, never a panic.
        for line in [REJECTED, FAILED, ALWAYS, ROOT] {
            for end in 0..=line.len() {
                let _ = try_scan_record(&line[..end], SEED);
                let _ = try_scan_record(&line[end..], SEED);
            }
            let mut copy = line.to_vec();
            for k in 0..line.len() {
                for v in [0u8, b'"', b'\\', b'}', b',', b':', b'[', b'{', b'0', b'-', b'e', b'.', b'n', 0x7f, 0x80, 0xff] {
                    copy[k] = v;
                    let _ = try_scan_record(&copy, SEED);
                }
                copy[k] = line[k];
            }
        }
        // Long runs of what nests or repeats: linear, no recursion.
        let n = 1 << 20;
        for filler in [b'[', b'{', b'"', b'0', b'9', b'-'] {
            let mut line = br#"{"v":1,"type":"request","latency_ms":"#.to_vec();
            line.extend(std::iter::repeat_n(filler, n));
            assert_eq!(declined(&line), Decline::Outside);
        }
        let mut stages = br#"{"v":1,"type":"response","stages":["#.to_vec();
        for _ in 0..50_000 {
            stages.extend_from_slice(br#"{"exit_code":0,"stderr_len":0,"stderr_truncated":false},"#);
        }
        assert_eq!(declined(&stages), Decline::Outside);
        // A number of a million digits is read once.
        let mut line = with(ROOT, r#""latency_ms":2617"#, r#""latency_ms":1.XXXX"#);
        let at = line.windows(4).position(|w| w == b"XXXX").unwrap();
        line.splice(at..at + 4, std::iter::repeat_n(b'3', n));
        assert_eq!(scan(&line).latency_ms, 1.3333333333333333);
    }
}
