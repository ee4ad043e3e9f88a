//! Shared by the integration tests: temp directories, and the golden vectors' inputs
//! (schema/vectors/README.md) read into the crate's structs.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sudo_proxy_audit::{AuditLog, Decision, Options, Request, Response, Stage, Via};

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
            via: if v.get("via").and_then(Value::as_str) == Some("policy") { Via::Policy } else { Via::Operator },
            latency_ms: v.get("latency_ms").and_then(Value::as_f64),
            error: v.get("error").and_then(Value::as_str).map(String::from),
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
        };
        f(&r)
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
        if step.get("close").is_some() {
            log.close();
        }
    }
}

pub fn vectors(file: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schema/vectors").join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}
