//! `print --json`'s line for an entry, written from its records' bytes (#17): what
//! src/cli/commands/entry-json-bytes.ts writes in JavaScript, for the lines `scan_plain` took
//! (lines.rs). Composing each entry in JavaScript, a copy of a few bytes at a time, was ~1.3 s of
//! `print --json`'s 5 s over 1M records.
//!
//! The caller gives the spans `scan_plain` found in the line (a plain record: no whitespace,
//! strings of printable ASCII without escapes, known keys once each, no DEL), so each value is
//! already the text JSON.stringify would write for it and is copied in entry-json.ts' order.
//! Nothing in the spans is trusted for memory: a span outside the line, a required key absent,
//! a number not in JSON.stringify's form (which JavaScript writes anew) or stages not as the
//! scanner takes them declines the entry, and the caller writes it the slow way. The test
//! test/cli/entry-json-bytes.test.ts holds this, the JavaScript and entry-json.ts to the same
//! bytes.
use crate::scan::{
    ValueSpans, KEY_COUNT, K_ALWAYS, K_CLIENT_VERSION, K_DECISION, K_DURATION, K_ENV_KEYS, K_ERROR, K_ESCALATION, K_FORWARD_AGENT, K_HOST, K_ID,
    K_LATENCY, K_LOGGED, K_OPERATOR, K_PIPELINE, K_PRIVILEGED, K_REASON, K_REJECT, K_RESOLVED, K_SESSION, K_STAGES, K_STDOUT_LEN,
    K_STATUS, K_STDOUT_TRUNCATED, K_TIME, K_VIA,
};

/// `{"id":…` to `"origin":…`: what every entry says first, from its first record (`state` is
/// `,"state":"…"` and `origin` the origin as JSON, both as the caller wrote them).
pub const PART_HEAD: u32 = 1;
/// `,"host":…` to `,"security":…`: a request's fields.
pub const PART_REQUEST: u32 = 2;
/// With PART_REQUEST: the entry is a security event (a replayed request).
pub const PART_SECURITY: u32 = 4;
/// `,"completed_time":…` to `,"duration_ms":…`: a response's fields.
pub const PART_OUTCOME: u32 = 8;
/// `,"anomalies":…` to the end of the line: the index's say and where each record is.
pub const PART_TAIL: u32 = 16;

// `entryJson`'s `io` slots (lib.rs): where to write from, the parts, and Given's places.
pub const IO_AT: usize = 0;
pub const IO_PARTS: usize = 1;
pub const IO_PLACES: usize = 2;
pub const IO_SLOTS: usize = 8;

/// What the caller knows of the entry, beside its lines: each text as the caller wrote it as
/// JSON. `state` is `,"state":"…"`, `anomalies` `,"anomalies":[…]`; `places` are the request's
/// and the response's line, offset and seq (a line of -1: no such record; a seq of -1: null).
pub struct Given<'a> {
    pub state: &'a [u8],
    pub origin: &'a [u8],
    pub anomalies: &'a [u8],
    pub request_file: &'a [u8],
    pub response_file: &'a [u8],
    pub places: &'a [f64; 6],
}

/// Why nothing was written.
#[derive(Debug, PartialEq, Eq)]
pub enum Unwritten {
    /// The line is not one this writes: the caller writes the entry the slow way.
    Declined,
    /// `out` has no room from `at` for it: the caller grows it and asks again.
    NoRoom,
}

/// Writes `parts` of the entry's line from `line` (its values at `spans`) into `out` from `at`;
/// the end of what it wrote.
pub fn write_entry_json(line: &[u8], spans: &ValueSpans, parts: u32, given: &Given, out: &mut [u8], at: usize) -> Result<usize, Unwritten> {
    let mut w = Writer { line, spans, out, at };
    if parts & PART_HEAD != 0 {
        w.put(b"{\"id\":")?;
        w.copy(K_ID)?;
        w.put(given.state)?;
        w.put(b",\"time\":")?;
        w.copy(K_TIME)?;
        w.put(b",\"logged\":")?;
        w.copy_or_null(K_LOGGED)?;
        w.put(b",\"origin\":")?;
        w.put(given.origin)?;
    }
    if parts & PART_REQUEST != 0 {
        w.request(parts & PART_SECURITY != 0)?;
    }
    if parts & PART_OUTCOME != 0 {
        w.outcome()?;
    }
    if parts & PART_TAIL != 0 {
        w.put(given.anomalies)?;
        w.put(b",\"request\":")?;
        w.place(given.request_file, &given.places[0..3])?;
        w.put(b",\"response\":")?;
        w.place(given.response_file, &given.places[3..6])?;
        w.put(b"}\n")?;
    }
    Ok(w.at)
}

struct Writer<'a> {
    line: &'a [u8],
    spans: &'a ValueSpans,
    out: &'a mut [u8],
    at: usize,
}

impl<'a> Writer<'a> {
    /// Key k's value in the line (None: absent); Declined when its span is not within the line.
    fn value(&self, k: u32) -> Result<Option<&'a [u8]>, Unwritten> {
        let k = k as usize;
        debug_assert!(k < KEY_COUNT);
        let (start, end) = (self.spans[2 * k], self.spans[2 * k + 1]);
        if start < 0 {
            return Ok(None);
        }
        let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else { return Err(Unwritten::Declined) };
        self.line.get(start..end).map(Some).ok_or(Unwritten::Declined)
    }

    fn required(&self, k: u32) -> Result<&'a [u8], Unwritten> {
        self.value(k)?.ok_or(Unwritten::Declined)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), Unwritten> {
        let to = self.at + bytes.len();
        self.out.get_mut(self.at..to).ok_or(Unwritten::NoRoom)?.copy_from_slice(bytes);
        self.at = to;
        Ok(())
    }

    /// Key k's value as it is (the scanner proved it JSON.stringify's text).
    fn copy(&mut self, k: u32) -> Result<(), Unwritten> {
        let value = self.required(k)?;
        self.put(value)
    }

    fn copy_or_null(&mut self, k: u32) -> Result<(), Unwritten> {
        match self.value(k)? {
            Some(v) => self.put(v),
            None => self.put(b"null"),
        }
    }

    /// A number (or null) only when it is in JSON.stringify's form: other forms are written anew
    /// by the slow way.
    fn number(&mut self, k: u32) -> Result<(), Unwritten> {
        let v = self.required(k)?;
        if !(plain_number(v) || v.first() == Some(&b'n')) {
            return Err(Unwritten::Declined);
        }
        self.put(v)
    }

    fn request(&mut self, security: bool) -> Result<(), Unwritten> {
        const COPIED: [(&[u8], u32); 9] = [
            (b",\"host\":", K_HOST),
            (b",\"session\":", K_SESSION),
            (b",\"privileged\":", K_PRIVILEGED),
            (b",\"pipeline\":", K_PIPELINE),
            (b",\"resolved\":", K_RESOLVED),
            (b",\"env_keys\":", K_ENV_KEYS),
            (b",\"reason\":", K_REASON),
            (b",\"decision\":", K_DECISION),
            (b",\"via\":", K_VIA),
        ];
        for (label, k) in COPIED {
            self.put(label)?;
            self.copy(k)?;
        }
        self.put(b",\"latency_ms\":")?;
        self.number(K_LATENCY)?;
        self.put(b",\"request_error\":")?;
        self.copy_or_null(K_ERROR)?;
        self.put(b",\"reject\":")?;
        self.copy_or_null(K_REJECT)?;
        // Only ever `true` when present.
        self.put(if self.value(K_ALWAYS)?.is_some() { b",\"always\":true" } else { b",\"always\":false" })?;
        for (label, k) in [(&b",\"escalation\":"[..], K_ESCALATION), (b",\"forward_agent\":", K_FORWARD_AGENT), (b",\"client_version\":", K_CLIENT_VERSION)] {
            self.put(label)?;
            self.copy_or_null(k)?;
        }
        self.put(b",\"operator\":")?;
        match self.value(K_OPERATOR)? {
            None => self.put(b"null")?,
            // `{"uid":N,…}` in the writer's key order (entry-json's), the uid in JSON.stringify's form.
            Some(v) => {
                let uid = v.get(7..).and_then(|rest| rest.iter().position(|&c| c == b',').map(|n| &rest[..n]));
                if !v.starts_with(b"{\"uid\":") || !uid.is_some_and(plain_number) {
                    return Err(Unwritten::Declined);
                }
                self.put(v)?;
            }
        }
        self.put(if security { b",\"security\":true" } else { b",\"security\":false" })
    }

    fn outcome(&mut self) -> Result<(), Unwritten> {
        self.put(b",\"completed_time\":")?;
        self.copy(K_TIME)?;
        self.put(b",\"status\":")?;
        self.copy(K_STATUS)?;
        self.put(b",\"error\":")?;
        self.copy(K_ERROR)?;
        self.stages()?;
        self.put(b",\"stdout_len\":")?;
        self.number(K_STDOUT_LEN)?;
        self.put(b",\"stdout_truncated\":")?;
        self.copy(K_STDOUT_TRUNCATED)?;
        self.put(b",\"duration_ms\":")?;
        self.number(K_DURATION)
    }

    /// `"exit_codes":[…],"stages":[{…}]` in entry-json.ts' key order, whatever the line's.
    fn stages(&mut self) -> Result<(), Unwritten> {
        let v = self.required(K_STAGES)?;
        if v.first() != Some(&b'[') {
            return Err(Unwritten::Declined);
        }
        // (`[]`: no stage, the iterator starts past its end.)
        let stages = Stages { b: v, i: if v == b"[]" { v.len() } else { 1 } };
        self.put(b",\"exit_codes\":[")?;
        for (n, stage) in stages.clone().enumerate() {
            let [exit_code, _, _] = stage?;
            if n > 0 {
                self.put(b",")?;
            }
            self.put_number(&v[exit_code.0..exit_code.1])?;
        }
        self.put(b"],\"stages\":[")?;
        for (n, stage) in stages.enumerate() {
            let [exit_code, stderr_len, truncated] = stage?;
            self.put(if n > 0 { b",{\"exit_code\":" } else { b"{\"exit_code\":" })?;
            self.put_number(&v[exit_code.0..exit_code.1])?;
            self.put(b",\"stderr_len\":")?;
            self.put_number(&v[stderr_len.0..stderr_len.1])?;
            self.put(b",\"stderr_truncated\":")?;
            self.put(&v[truncated.0..truncated.1])?;
            self.put(b"}")?;
        }
        self.put(b"]")
    }

    /// Where a record is: `{"file":…,"line":…,"offset":…,"seq":…}`, or null for none (line -1).
    fn place(&mut self, file: &[u8], place: &[f64]) -> Result<(), Unwritten> {
        let [line, offset, seq] = [place[0], place[1], place[2]];
        if line == -1.0 {
            return self.put(b"null");
        }
        self.put(b"{\"file\":")?;
        self.put(file)?;
        self.put(b",\"line\":")?;
        self.count(line)?;
        self.put(b",\"offset\":")?;
        self.count(offset)?;
        self.put(b",\"seq\":")?;
        if seq == -1.0 {
            self.put(b"null")?;
        } else {
            self.count(seq)?;
        }
        self.put(b"}")
    }

    /// A count's digits, as JSON.stringify writes a non-negative safe integer (anything else is
    /// the slow way's to write).
    fn count(&mut self, n: f64) -> Result<(), Unwritten> {
        const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;
        if !(0.0..=MAX_SAFE_INTEGER).contains(&n) || n != (n as u64) as f64 {
            return Err(Unwritten::Declined);
        }
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = n as u64;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.put(&digits[at..])
    }

    /// A stage's number, only in JSON.stringify's form.
    fn put_number(&mut self, v: &[u8]) -> Result<(), Unwritten> {
        if !plain_number(v) {
            return Err(Unwritten::Declined);
        }
        self.put(v)
    }
}

/// The stages of a `stages` value (`b`, from its `[`), each as the spans of its exit_code,
/// stderr_len and stderr_truncated values within `b`, whatever their order; an item is Declined
/// where the value is not the scanner's shape (then nothing after it is read).
#[derive(Clone)]
struct Stages<'a> {
    b: &'a [u8],
    /// Where the next stage's `{` is; past `b` once done.
    i: usize,
}

type StageSpans = [(usize, usize); 3];

impl Iterator for Stages<'_> {
    type Item = Result<StageSpans, Unwritten>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.i >= self.b.len() {
            return None;
        }
        let result = self.stage();
        if result.is_err() {
            self.i = self.b.len();
        }
        Some(result)
    }
}

impl Stages<'_> {
    fn stage(&mut self) -> Result<StageSpans, Unwritten> {
        let b = self.b;
        let byte = |i: usize| b.get(i).copied().unwrap_or(0);
        let mut i = self.i;
        if byte(i) != b'{' {
            return Err(Unwritten::Declined);
        }
        i += 1;
        let mut spans = [(usize::MAX, 0); 3];
        loop {
            if byte(i) != b'"' {
                return Err(Unwritten::Declined);
            }
            let key_start = i + 1;
            let key_end = key_start + b.get(key_start..).and_then(|r| r.iter().position(|&c| c == b'"')).ok_or(Unwritten::Declined)?;
            // exit_code (9), stderr_len (10), stderr_truncated (16): the scanner allows only these, once each.
            let slot = match &b[key_start..key_end] {
                b"exit_code" => 0,
                b"stderr_len" => 1,
                b"stderr_truncated" => 2,
                _ => return Err(Unwritten::Declined),
            };
            if byte(key_end + 1) != b':' || spans[slot].0 != usize::MAX {
                return Err(Unwritten::Declined);
            }
            let value_start = key_end + 2;
            let mut j = value_start;
            while j < b.len() && b[j] != b',' && b[j] != b'}' {
                j += 1;
            }
            if j == value_start || j >= b.len() {
                return Err(Unwritten::Declined);
            }
            spans[slot] = (value_start, j);
            i = j + 1;
            if b[j] == b'}' {
                break;
            }
        }
        if spans.iter().any(|s| s.0 == usize::MAX) {
            return Err(Unwritten::Declined);
        }
        // `,` and the next stage, or `]` and the value's end.
        match byte(i) {
            b',' => self.i = i + 1,
            b']' if i + 1 == b.len() => self.i = b.len(),
            _ => return Err(Unwritten::Declined),
        }
        Ok(spans)
    }
}

/// Whether `v` is a number as JSON.stringify writes it, for the numbers the scanner passes: an
/// integer of at most 15 digits (exact in a double), no leading zero, not -0.
fn plain_number(v: &[u8]) -> bool {
    let digits = v.strip_prefix(b"-").unwrap_or(v);
    if digits.is_empty() || digits.len() > 15 {
        return false;
    }
    if digits[0] == b'0' {
        return digits.len() == 1 && digits.len() == v.len();
    }
    digits.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::try_scan_record_spans;

    const SEED: (u32, u32) = (1, 2);
    const REQUEST: &[u8] = br#"{"v":1,"type":"request","seq":4,"prev":"f447e34853b0321d914be41eeb59330fa1151776d47226ca8a9f81c3e21dd126","logged":"2026-11-01T08:00:14.381Z","id":"2a851214-aa18-483c-9ffd-020f5bd14dcc","time":"2026-11-01T08:00:10Z","host":"web-01","session":"claude-7f3c","pipeline":[["dmesg"],["grep","-i","oom"]],"resolved":["/usr/bin/dmesg","/usr/bin/grep"],"env_keys":["HOME"],"reason":"oom?","privileged":true,"decision":"approved","via":"operator","latency_ms":4325,"operator":{"uid":1000,"user":"alice","tty":"pts/1","hostname":"web-01"}}"#;
    const RESPONSE: &[u8] = br#"{"v":1,"type":"response","seq":5,"id":"2a851214-aa18-483c-9ffd-020f5bd14dcc","time":"2026-11-01T08:00:15Z","status":"ok","error":null,"stages":[{"stderr_len":0,"exit_code":0,"stderr_truncated":false},{"exit_code":1,"stderr_len":12,"stderr_truncated":true}],"stdout_len":10,"stdout_truncated":false,"duration_ms":7}"#;

    const GIVEN: Given = Given {
        state: b",\"state\":\"ok\"",
        origin: b"\"\"",
        anomalies: b",\"anomalies\":[]",
        request_file: b"\"a.log\"",
        response_file: b"\"b.log\"",
        places: &[4.0, 1200.0, 4.0, -1.0, 0.0, 0.0],
    };

    fn write(line: &[u8], parts: u32, room: usize) -> Result<String, Unwritten> {
        write_given(line, parts, room, &GIVEN)
    }

    fn write_given(line: &[u8], parts: u32, room: usize, given: &Given) -> Result<String, Unwritten> {
        let mut spans: ValueSpans = [-1; 2 * KEY_COUNT];
        try_scan_record_spans(line, SEED, &mut spans).expect("plain");
        let mut out = vec![0u8; room];
        let end = write_entry_json(line, &spans, parts, given, &mut out, 1)?;
        Ok(String::from_utf8(out[1..end].to_vec()).unwrap())
    }

    #[test]
    fn a_request_and_its_response_in_entry_json_order() {
        let head = write(REQUEST, PART_HEAD | PART_REQUEST, 4096).unwrap();
        assert!(head.starts_with(r#"{"id":"2a851214-aa18-483c-9ffd-020f5bd14dcc","state":"ok","time":"2026-11-01T08:00:10Z","logged":"2026-11-01T08:00:14.381Z","origin":"","host":"web-01""#), "{head}");
        assert!(head.ends_with(r#","latency_ms":4325,"request_error":null,"reject":null,"always":false,"escalation":null,"forward_agent":null,"client_version":null,"operator":{"uid":1000,"user":"alice","tty":"pts/1","hostname":"web-01"},"security":false"#), "{head}");
        let outcome = write(RESPONSE, PART_OUTCOME, 4096).unwrap();
        assert_eq!(
            outcome,
            r#","completed_time":"2026-11-01T08:00:15Z","status":"ok","error":null,"exit_codes":[0,1],"stages":[{"exit_code":0,"stderr_len":0,"stderr_truncated":false},{"exit_code":1,"stderr_len":12,"stderr_truncated":true}],"stdout_len":10,"stdout_truncated":false,"duration_ms":7"#
        );
    }

    #[test]
    fn too_little_room_writes_nothing_past_it() {
        let full = write(REQUEST, PART_HEAD | PART_REQUEST, 4096).unwrap();
        for room in [0, 1, 2, 40, full.len()] {
            assert_eq!(write(REQUEST, PART_HEAD | PART_REQUEST, room), Err(Unwritten::NoRoom), "{room}");
        }
        assert_eq!(write(REQUEST, PART_HEAD | PART_REQUEST, full.len() + 1).unwrap(), full);
    }

    #[test]
    fn numbers_not_in_json_stringify_form_are_declined() {
        for (from, to) in [("\"latency_ms\":4325", "\"latency_ms\":4325.0"), ("\"latency_ms\":4325", "\"latency_ms\":1e3"), ("\"uid\":1000", "\"uid\":1000.0"), ("\"uid\":1000", "\"uid\":1e3")] {
            let line = String::from_utf8(REQUEST.to_vec()).unwrap().replace(from, to);
            assert_eq!(write(line.as_bytes(), PART_HEAD | PART_REQUEST, 4096), Err(Unwritten::Declined), "{to}");
        }
        let stage = String::from_utf8(RESPONSE.to_vec()).unwrap().replace("\"stderr_len\":12", "\"stderr_len\":12.0");
        assert_eq!(write(stage.as_bytes(), PART_OUTCOME, 4096), Err(Unwritten::Declined));
        for n in ["0", "-1", "123456789012345", "-123456789012345"] {
            assert!(plain_number(n.as_bytes()), "{n}");
        }
        for n in ["", "-", "-0", "01", "1234567890123456", "1.5", "1e2", "null"] {
            assert!(!plain_number(n.as_bytes()), "{n}");
        }
    }

    #[test]
    fn spans_outside_the_line_or_stages_of_another_shape_are_declined() {
        let mut spans: ValueSpans = [-1; 2 * KEY_COUNT];
        try_scan_record_spans(RESPONSE, SEED, &mut spans).unwrap();
        let mut out = vec![0u8; 4096];
        let mut past = spans;
        past[2 * K_ERROR as usize + 1] = RESPONSE.len() as i32 + 1;
        assert_eq!(write_entry_json(RESPONSE, &past, PART_OUTCOME, &GIVEN, &mut out, 0), Err(Unwritten::Declined));
        let mut reversed = spans;
        reversed[2 * K_ERROR as usize] = reversed[2 * K_ERROR as usize + 1] + 1;
        assert_eq!(write_entry_json(RESPONSE, &reversed, PART_OUTCOME, &GIVEN, &mut out, 0), Err(Unwritten::Declined));
        let mut absent = spans;
        absent[2 * K_STAGES as usize] = -1;
        assert_eq!(write_entry_json(RESPONSE, &absent, PART_OUTCOME, &GIVEN, &mut out, 0), Err(Unwritten::Declined));
        // A stages span cut short, or over other bytes: declined, never read past.
        for (from, to) in [(0, -1), (0, -2), (1, 0), (3, 0)] {
            let mut odd = spans;
            odd[2 * K_STAGES as usize] += from;
            odd[2 * K_STAGES as usize + 1] += to;
            assert_eq!(write_entry_json(RESPONSE, &odd, PART_OUTCOME, &GIVEN, &mut out, 0), Err(Unwritten::Declined), "{from} {to}");
        }
        let no_stages = String::from_utf8(RESPONSE.to_vec()).unwrap();
        let start = no_stages.find("[{").unwrap();
        let end = no_stages.find("}],").unwrap() + 2;
        let empty = format!("{}[]{}", &no_stages[..start], &no_stages[end..]);
        assert!(write(empty.as_bytes(), PART_OUTCOME, 4096).unwrap().contains(r#""exit_codes":[],"stages":[],"#));
    }

    #[test]
    fn the_tail_says_where_each_record_is() {
        assert_eq!(write(RESPONSE, PART_TAIL, 4096).unwrap(), ",\"anomalies\":[],\"request\":{\"file\":\"a.log\",\"line\":4,\"offset\":1200,\"seq\":4},\"response\":null}\n");
        let both = Given { places: &[1.0, 0.0, -1.0, 9_007_199_254_740_991.0, 10.0, 0.0], ..GIVEN };
        assert_eq!(
            write_given(RESPONSE, PART_TAIL, 4096, &both).unwrap(),
            ",\"anomalies\":[],\"request\":{\"file\":\"a.log\",\"line\":1,\"offset\":0,\"seq\":null},\"response\":{\"file\":\"b.log\",\"line\":9007199254740991,\"offset\":10,\"seq\":0}}\n"
        );
        for odd in [0.5, -2.0, 9_007_199_254_740_992.0, f64::NAN, f64::INFINITY] {
            let places = [1.0, odd, 0.0, -1.0, 0.0, 0.0];
            assert_eq!(write_given(RESPONSE, PART_TAIL, 4096, &Given { places: &places, ..GIVEN }), Err(Unwritten::Declined), "{odd}");
        }
    }
}
