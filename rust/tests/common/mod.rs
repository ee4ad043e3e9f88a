//! Shared by the integration tests: temp directories, and the golden vectors' inputs
//! (schema/vectors/README.md) read into the crate's structs.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sudo_proxy_audit::line::{encode_line, Record};
use sudo_proxy_audit::{
    AuditLog, Decision, Escalation, Operator, OperatorOverride, Options, Policy, PolicyBy, PolicyValue, RejectKind, Request, Response, Stage, Via, WriterEvent,
    WriterRecord,
};

/// A fresh directory under the temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicI64 = AtomicI64::new(0);
        let dir = std::env::temp_dir().join(format!("spa-{}-{}-{}", name, std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A clock a test sets; and the warnings a writer gave.
#[derive(Clone, Default)]
pub struct Harness {
    pub clock: Arc<AtomicI64>,
    pub warnings: Arc<Mutex<Vec<String>>>,
}

impl Harness {
    pub fn new(at: i64) -> Harness {
        let h = Harness::default();
        h.clock.store(at, Ordering::SeqCst);
        h
    }
    pub fn set(&self, at: i64) {
        self.clock.store(at, Ordering::SeqCst);
    }
    pub fn advance(&self, ms: i64) {
        self.clock.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().unwrap().clone()
    }
    /// Options with this clock and warning sink, pid 4242.
    pub fn options(&self, path: PathBuf) -> Options {
        let clock = self.clock.clone();
        let warnings = self.warnings.clone();
        Options {
            path: Some(path),
            pid: Some(4242),
            now: Some(Box::new(move || clock.load(Ordering::SeqCst))),
            warn: Some(Box::new(move |m: &str| warnings.lock().unwrap().push(m.to_string()))),
            ..Default::default()
        }
    }
}

/// Expands the vectors' `repeat`, `items` and `numbered` shorthands.
pub fn expand(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                let times = item.get("times").and_then(Value::as_u64).unwrap_or(0);
                if let Some(one) = item.get("items") {
                    let one = expand(one);
                    out.extend(std::iter::repeat(one).take(times as usize));
                } else if let Some(prefix) = item.get("numbered").and_then(Value::as_str) {
                    out.extend((0..times).map(|i| Value::String(format!("{}{}", prefix, i))));
                } else {
                    out.push(expand(item));
                }
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            if let (Some(s), Some(times)) = (map.get("repeat").and_then(Value::as_str), map.get("times").and_then(Value::as_u64)) {
                return Value::String(s.repeat(times as usize));
            }
            Value::Object(map.iter().map(|(k, v)| (k.clone(), expand(v))).collect())
        }
        other => other.clone(),
    }
}

fn s(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().map(|x| x.as_str().unwrap_or("").to_string()).collect()).unwrap_or_default()
}

/// A request's owned data; `with` lends it as the crate's `Request`.
pub struct OwnedRequest {
    id: String,
    time: String,
    host: String,
    session: String,
    pipeline: Vec<Vec<String>>,
    resolved: Vec<Option<String>>,
    env: Vec<String>,
    reason: String,
    privileged: bool,
    decision: Decision,
    via: Via,
    latency_ms: Option<f64>,
    error: Option<String>,
    reject: Option<String>,
    always: bool,
    escalation: Option<Escalation>,
    forward_agent: Option<bool>,
    client_version: Option<String>,
}

/// A vector's `operator` object.
pub fn operator_of(raw: &Value) -> Option<Operator> {
    let v = expand(raw);
    let o = v.as_object()?;
    Some(Operator {
        uid: o.get("uid").and_then(Value::as_u64).unwrap_or(0) as u32,
        user: o.get("user").and_then(Value::as_str).unwrap_or("").to_string(),
        tty: o.get("tty").and_then(Value::as_str).map(String::from),
        hostname: o.get("hostname").and_then(Value::as_str).unwrap_or("").to_string(),
    })
}

impl OwnedRequest {
    pub fn from_json(raw: &Value) -> OwnedRequest {
        let v = expand(raw);
        OwnedRequest {
            id: s(&v, "id"),
            time: s(&v, "time"),
            host: s(&v, "host"),
            session: s(&v, "session"),
            pipeline: v.get("pipeline").and_then(Value::as_array).map(|a| a.iter().map(strings).collect()).unwrap_or_default(),
            resolved: v
                .get("resolved")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|x| x.as_str().map(String::from)).collect())
                .unwrap_or_default(),
            env: v.get("env").map(strings).unwrap_or_default(),
            reason: s(&v, "reason"),
            privileged: v.get("privileged").and_then(Value::as_bool).unwrap_or(false),
            decision: match v.get("decision").and_then(Value::as_str) {
                Some("approved") => Decision::Approved,
                Some("denied") => Decision::Denied,
                Some("timeout") => Decision::Timeout,
                _ => Decision::Rejected,
            },
            via: match v.get("via").and_then(Value::as_str) {
                Some("policy") => Via::Policy,
                Some("pkexec") => Via::Pkexec,
                _ => Via::Operator,
            },
            latency_ms: v.get("latency_ms").and_then(Value::as_f64),
            error: v.get("error").and_then(Value::as_str).map(String::from),
            reject: v.get("reject").and_then(Value::as_str).map(String::from),
            always: v.get("always").and_then(Value::as_bool).unwrap_or(false),
            escalation: match v.get("escalation").and_then(Value::as_str) {
                Some("sudo") => Some(Escalation::Sudo),
                Some("pkexec") => Some(Escalation::Pkexec),
                Some("none") => Some(Escalation::None),
                _ => None,
            },
            forward_agent: v.get("forward_agent").and_then(Value::as_bool),
            client_version: v.get("client_version").and_then(Value::as_str).map(String::from),
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&Request) -> T) -> T {
        let env: Vec<&str> = self.env.iter().map(String::as_str).collect();
        let r = Request {
            id: &self.id,
            time: &self.time,
            host: &self.host,
            session: &self.session,
            pipeline: &self.pipeline,
            resolved: &self.resolved,
            env: &env,
            reason: &self.reason,
            privileged: self.privileged,
            decision: self.decision,
            via: self.via,
            latency_ms: self.latency_ms,
            error: self.error.as_deref(),
            reject: self.reject.as_deref().map(RejectKind::parse),
            always: self.always,
            escalation: self.escalation,
            forward_agent: self.forward_agent,
            client_version: self.client_version.as_deref(),
        };
        f(&r)
    }
}

/// A policy change's owned data; `with` lends it as the crate's `Policy`.
pub struct OwnedPolicy {
    setting: String,
    old: Value,
    new: Value,
    request_id: Option<String>,
    by: PolicyBy,
}

fn policy_value(v: &Value) -> PolicyValue<'_> {
    match v {
        Value::Bool(b) => PolicyValue::Bool(*b),
        Value::Number(n) => PolicyValue::Num(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => PolicyValue::Str(s),
        _ => PolicyValue::Null,
    }
}

impl OwnedPolicy {
    pub fn from_json(raw: &Value) -> OwnedPolicy {
        let v = expand(raw);
        OwnedPolicy {
            setting: s(&v, "setting"),
            old: v.get("old").cloned().unwrap_or(Value::Null),
            new: v.get("new").cloned().unwrap_or(Value::Null),
            request_id: v.get("request_id").and_then(Value::as_str).map(String::from),
            // As the TypeScript writer: anything but `keypress` is written `config`.
            by: if v.get("by").and_then(Value::as_str) == Some("keypress") { PolicyBy::Keypress } else { PolicyBy::Config },
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&Policy) -> T) -> T {
        let p = Policy { setting: &self.setting, old: policy_value(&self.old), new: policy_value(&self.new), request_id: self.request_id.as_deref(), by: self.by };
        f(&p)
    }
}

pub struct OwnedResponse {
    id: String,
    time: Option<String>,
    ok: bool,
    error: Option<String>,
    stages: Vec<Stage>,
    stdout_len: u64,
    stdout_truncated: bool,
    duration_ms: f64,
}

/// A JSON number as a count: saturating, as the vectors hold numbers past u64 and i64.
fn count(v: Option<&Value>) -> u64 {
    v.and_then(Value::as_f64).map_or(0, |n| n as u64)
}

impl OwnedResponse {
    pub fn from_json(raw: &Value) -> OwnedResponse {
        let v = expand(raw);
        OwnedResponse {
            id: s(&v, "id"),
            time: v.get("time").and_then(Value::as_str).map(String::from),
            ok: v.get("ok").and_then(Value::as_bool).unwrap_or(false),
            error: v.get("error").and_then(Value::as_str).map(String::from),
            stages: v
                .get("stages")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|st| Stage {
                            exit_code: st.get("exit_code").and_then(Value::as_f64).map_or(0, |n| n as i64),
                            stderr_len: count(st.get("stderr_len")),
                            stderr_truncated: st.get("stderr_truncated").and_then(Value::as_bool).unwrap_or(false),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            stdout_len: count(v.get("stdout_len")),
            stdout_truncated: v.get("stdout_truncated").and_then(Value::as_bool).unwrap_or(false),
            duration_ms: v.get("duration_ms").and_then(Value::as_f64).unwrap_or(0.0),
        }
    }

    pub fn with<T>(&self, f: impl FnOnce(&Response) -> T) -> T {
        let r = Response {
            id: &self.id,
            time: self.time.as_deref(),
            ok: self.ok,
            error: self.error.as_deref(),
            stages: &self.stages,
            stdout_len: self.stdout_len,
            stdout_truncated: self.stdout_truncated,
            duration_ms: self.duration_ms,
        };
        f(&r)
    }
}

/// Runs one session vector's steps on `log`.
pub fn drive(log: &AuditLog, harness: &Harness, steps: &[Value]) {
    for step in steps {
        harness.set(step["at"].as_i64().unwrap());
        if let Some(r) = step.get("request") {
            OwnedRequest::from_json(r).with(|r| log.request(r));
        }
        if let Some(r) = step.get("response") {
            OwnedResponse::from_json(r).with(|r| log.response(r));
        }
        if let Some(p) = step.get("policy") {
            OwnedPolicy::from_json(p).with(|p| log.policy(p));
        }
        if step.get("close").is_some() {
            log.close();
        }
    }
}

/// A line vector's input (`{"seq", "prev", "logged_ms", "record": {KIND: …}}`, and who decided
/// in `operator`, beside `record` or in the record's input) encoded as the writer encodes it.
pub fn encode_vector_line(v: &Value) -> Vec<u8> {
    let (seq, prev, logged) = (v["seq"].as_u64().unwrap_or(1), v["prev"].as_str().unwrap_or(""), v["logged_ms"].as_i64().unwrap_or(0));
    let record = &v["record"];
    let input = record.as_object().and_then(|o| o.values().next()).unwrap_or(&Value::Null);
    let operator = operator_of(v.get("operator").unwrap_or(&Value::Null)).or_else(|| operator_of(input.get("operator").unwrap_or(&Value::Null)));
    let operator = operator.as_ref();
    if let Some(r) = record.get("request") {
        OwnedRequest::from_json(r).with(|r| encode_line(&Record::Request(r), operator, seq, prev, logged))
    } else if let Some(r) = record.get("response") {
        OwnedResponse::from_json(r).with(|r| encode_line(&Record::Response(r), operator, seq, prev, logged))
    } else if let Some(p) = record.get("policy") {
        OwnedPolicy::from_json(p).with(|p| encode_line(&Record::Policy(p), operator, seq, prev, logged))
    } else {
        let w = &record["writer"];
        let event = match w["event"].as_str() {
            Some("start") => WriterEvent::Start,
            Some("stop") => WriterEvent::Stop,
            _ => WriterEvent::Dropped,
        };
        let error = w.get("error").and_then(Value::as_str);
        let record = WriterRecord { time_ms: w["time_ms"].as_i64().unwrap_or(0), event, pid: w["pid"].as_i64().unwrap_or(0), dropped: w.get("dropped").and_then(Value::as_u64), error };
        encode_line(&Record::Writer(record), operator, seq, prev, logged)
    }
}

/// Options for a session vector: its clock, pid and operator (none when it gives none).
pub fn session_options(v: &Value, harness: &Harness, file: PathBuf) -> Options {
    let mut options = harness.options(file);
    options.pid = v["pid"].as_i64();
    options.settle_ms = 0;
    match operator_of(v.get("operator").unwrap_or(&Value::Null)) {
        Some(o) => options.operator = OperatorOverride { uid: Some(o.uid), user: Some(o.user), tty: Some(o.tty), hostname: Some(o.hostname) },
        None => options.no_operator = true,
    }
    options
}

/// The records of a log file, parsed.
pub fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// A pipeline of one stage.
pub fn argv(words: &[&str]) -> Vec<Vec<String>> {
    vec![words.iter().map(|w| w.to_string()).collect()]
}

pub fn vectors(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/vectors").join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}
