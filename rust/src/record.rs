//! What the daemon hands the writer — a decision ([`Request`]), an execution ([`Response`]) —
//! and the one line each becomes. Conversion, not validation: a record with an odd field is
//! still evidence and is written, never dropped.
//!
//! The input structs implement `Default`: build them with `..Default::default()` so that
//! fields the format gains later (who decided, `forward_agent`, a `reject` kind…) are added
//! without breaking a caller.

use crate::fit::{shortened_record, within_bound, RECORD_LIMIT};
use crate::json::{iso_time, write_fields_after, write_iso_time, write_str, Json};
use crate::operator::Operator;

pub const FORMAT_VERSION: u32 = 1;
/// `prev` of the first record of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The largest integer readers accept (2^53 − 1): counts and exit codes saturate there.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// How the daemon decided a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Decision {
    Approved,
    Denied,
    /// The prompt timed out.
    Timeout,
    /// Refused before any prompt (invalid request, replay, busy…): `error` says why.
    #[default]
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Denied => "denied",
            Decision::Timeout => "timeout",
            Decision::Rejected => "rejected",
        }
    }
}

/// Who decided: the operator at the prompt, the daemon's policy without one, or pkexec's own
/// dialog (`--pkexec` mode: no TTY prompt).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Via {
    #[default]
    Operator,
    Policy,
    Pkexec,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Operator => "operator",
            Via::Policy => "policy",
            Via::Pkexec => "pkexec",
        }
    }
}

/// Why a request was refused before (or instead of) a prompt: the format's closed list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectKind<'a> {
    /// The request was not valid JSON.
    InvalidJson,
    /// It failed validation: dangerous characters, an empty pipeline…
    InvalidRequest,
    /// `forward_agent` with `privileged`.
    ForwardAgentPrivileged,
    /// The request's time too far from the daemon's clock.
    StaleTime,
    /// An env name outside the allowlist.
    EnvNotAllowed,
    /// A duplicate request id: a security event.
    Replay,
    /// Server busy.
    Busy,
    /// A peer of another uid.
    PeerUid,
    /// The prompt failed with an I/O error.
    PromptError,
    /// A client slower than the daemon's handshake deadline.
    HandshakeTimeout,
    /// The request could not be read whole: over the size cap, no final newline, an I/O error.
    ReadError,
    /// The peer's credentials could not be checked (SO_PEERCRED failed).
    PeerCheckFailed,
    /// A kind this version of the format does not know (read from elsewhere by name): written
    /// as no `reject`, and `error` says what was given, as the TypeScript writer does.
    Unknown(&'a str),
}

/// Every kind the format knows, in its order.
pub const REJECT_KINDS: [RejectKind<'static>; 12] = [
    RejectKind::InvalidJson,
    RejectKind::InvalidRequest,
    RejectKind::ForwardAgentPrivileged,
    RejectKind::StaleTime,
    RejectKind::EnvNotAllowed,
    RejectKind::Replay,
    RejectKind::Busy,
    RejectKind::PeerUid,
    RejectKind::PromptError,
    RejectKind::HandshakeTimeout,
    RejectKind::ReadError,
    RejectKind::PeerCheckFailed,
];

impl<'a> RejectKind<'a> {
    /// The format's name of the kind; None for `Unknown`.
    pub fn as_str(self) -> Option<&'static str> {
        Some(match self {
            RejectKind::InvalidJson => "invalid_json",
            RejectKind::InvalidRequest => "invalid_request",
            RejectKind::ForwardAgentPrivileged => "forward_agent_privileged",
            RejectKind::StaleTime => "stale_time",
            RejectKind::EnvNotAllowed => "env_not_allowed",
            RejectKind::Replay => "replay",
            RejectKind::Busy => "busy",
            RejectKind::PeerUid => "peer_uid",
            RejectKind::PromptError => "prompt_error",
            RejectKind::HandshakeTimeout => "handshake_timeout",
            RejectKind::ReadError => "read_error",
            RejectKind::PeerCheckFailed => "peer_check_failed",
            RejectKind::Unknown(_) => return None,
        })
    }

    /// The kind of a name: one of the list, else `Unknown(name)`.
    pub fn parse(name: &'a str) -> RejectKind<'a> {
        REJECT_KINDS.iter().copied().find(|k| k.as_str() == Some(name)).unwrap_or(RejectKind::Unknown(name))
    }
}

/// How a privileged request is run: `sudo`, `pkexec` (`--pkexec` mode), or `None` — an
/// unprivileged request, run directly (written `"none"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escalation {
    Sudo,
    Pkexec,
    None,
}

impl Escalation {
    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::Sudo => "sudo",
            Escalation::Pkexec => "pkexec",
            Escalation::None => "none",
        }
    }
}

/// A decision on a request: one per request, including each refusal before a prompt.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    /// The request's id as the client sent it (sudo-proxy: a UUID); empty is written `(none)`.
    pub id: &'a str,
    /// The request's own time field, as the client sent it (never replaced by a clock).
    pub time: &'a str,
    /// Host label; empty means local.
    pub host: &'a str,
    pub session: &'a str,
    /// The pipeline's stages, each an argv. An empty pipeline is written as one empty stage.
    pub pipeline: &'a [Vec<String>],
    /// The resolved absolute path of each stage's argv[0] (None: unresolved); missing entries are None.
    pub resolved: &'a [Option<String>],
    /// The environment sent: names, or execve-style `NAME=value` (only the name is kept).
    pub env: &'a [&'a str],
    pub reason: &'a str,
    pub privileged: bool,
    pub decision: Decision,
    pub via: Via,
    /// Prompt shown to decision, in ms; None when there was no prompt.
    pub latency_ms: Option<f64>,
    /// Why a `Rejected` request was refused (written as `rejected` when None).
    pub error: Option<&'a str>,
    /// The kind of refusal (only with `Rejected`), beside `error`'s message.
    pub reject: Option<RejectKind<'a>>,
    /// ApprovedAlways (`a` at an unprivileged prompt): written only with `Approved`.
    pub always: bool,
    pub escalation: Option<Escalation>,
    /// The request asked for the SSH agent to be forwarded (written only when given).
    pub forward_agent: Option<bool>,
    /// The request's `version` field (written only when given).
    pub client_version: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// A refusal before any prompt: `message` says why.
    pub fn refusal(id: &'a str, time: &'a str, message: &'a str) -> Request<'a> {
        Request { id, time, decision: Decision::Rejected, via: Via::Policy, error: Some(message), ..Default::default() }
    }

    /// A refusal of a known kind: `Request::refusal` with its `reject` kind.
    pub fn rejected(id: &'a str, time: &'a str, kind: RejectKind<'a>, message: &'a str) -> Request<'a> {
        Request { reject: Some(kind), ..Request::refusal(id, time, message) }
    }
}

/// A policy setting's value.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum PolicyValue<'a> {
    #[default]
    Null,
    Bool(bool),
    /// A number (written as JavaScript writes it; not finite: null).
    Num(f64),
    Str(&'a str),
}

/// What changed the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PolicyBy {
    /// The operator pressed a key at a prompt (`a`: ApprovedAlways).
    #[default]
    Keypress,
    /// The daemon's configuration changed it (a reload).
    Config,
}

impl PolicyBy {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyBy::Keypress => "keypress",
            PolicyBy::Config => "config",
        }
    }
}

/// A change of the daemon's policy (a security event): one call per change.
#[derive(Clone, Debug, Default)]
pub struct Policy<'a> {
    /// The setting's name, as the daemon's configuration calls it (`confirm_unprivileged`).
    pub setting: &'a str,
    pub old: PolicyValue<'a>,
    pub new: PolicyValue<'a>,
    /// The request whose prompt caused it; None for a change by configuration.
    pub request_id: Option<&'a str>,
    pub by: PolicyBy,
}

/// One stage's result.
#[derive(Clone, Debug, Default)]
pub struct Stage {
    /// Exit code; -1 for a child killed by a signal.
    pub exit_code: i64,
    /// Bytes of stderr (only the length is written).
    pub stderr_len: u64,
    pub stderr_truncated: bool,
}

/// The completion of an approved request's execution.
#[derive(Clone, Debug, Default)]
pub struct Response<'a> {
    pub id: &'a str,
    /// Completion time (ISO 8601); None: the writer's clock.
    pub time: Option<&'a str>,
    /// false: a spawn failure or an execution timeout (`error` says which).
    pub ok: bool,
    pub error: Option<&'a str>,
    pub stages: &'a [Stage],
    pub stdout_len: u64,
    pub stdout_truncated: bool,
    /// Wall-clock duration from a monotonic clock.
    pub duration_ms: f64,
}

/// The writer's own events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriterEvent {
    Start,
    Stop,
    /// `dropped` records were lost while the log was unwritable (0: only a notice).
    Dropped,
}

impl WriterEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            WriterEvent::Start => "start",
            WriterEvent::Stop => "stop",
            WriterEvent::Dropped => "dropped",
        }
    }
}

/// A `writer` record.
#[derive(Clone, Debug)]
pub struct WriterRecord<'a> {
    pub time_ms: i64,
    pub event: WriterEvent,
    pub pid: i64,
    pub dropped: Option<u64>,
    pub error: Option<&'a str>,
}

/// Any record the writer appends.
#[derive(Clone, Debug)]
pub enum Record<'a> {
    Request(&'a Request<'a>),
    Response(&'a Response<'a>),
    Writer(WriterRecord<'a>),
    Policy(&'a Policy<'a>),
}

impl Record<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Record::Request(_) => "request",
            Record::Response(_) => "response",
            Record::Writer(_) => "writer",
            Record::Policy(_) => "policy",
        }
    }
}

fn saturate(n: i64) -> f64 {
    n.clamp(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER) as f64
}

fn size(n: u64) -> f64 {
    n.min(MAX_SAFE_INTEGER as u64) as f64
}

fn finite(n: f64) -> f64 {
    if n.is_finite() {
        n
    } else {
        0.0
    }
}

fn request_id(id: &str) -> &str {
    if id.is_empty() {
        "(none)"
    } else {
        id
    }
}

/// The names of the environment sent: unique, sorted as JavaScript sorts (by UTF-16 units).
pub fn env_names<'a>(env: &[&'a str]) -> Vec<&'a str> {
    let mut names: Vec<&'a str> = env.iter().map(|e| e.split('=').next().unwrap_or("")).collect();
    names.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    names.dedup();
    names
}

fn operator_json<'a>(o: &'a Operator) -> Json<'a> {
    Json::Obj(vec![
        ("uid", Json::Num(f64::from(o.uid))),
        ("user", Json::str(&o.user)),
        ("tty", o.tty.as_deref().map_or(Json::Null, Json::str)),
        ("hostname", Json::str(&o.hostname)),
    ])
}

fn policy_value<'a>(v: &PolicyValue<'a>) -> Json<'a> {
    match *v {
        PolicyValue::Null => Json::Null,
        PolicyValue::Bool(b) => Json::Bool(b),
        PolicyValue::Num(n) => Json::Num(n),
        PolicyValue::Str(s) => Json::str(s),
    }
}

fn request_json<'a>(r: &'a Request<'a>, operator: Option<&'a Operator>) -> Json<'a> {
    let stages: Vec<Json> = if r.pipeline.is_empty() {
        vec![Json::Arr(Vec::new())]
    } else {
        r.pipeline.iter().map(|stage| Json::Arr(stage.iter().map(|a| Json::str(a)).collect())).collect()
    };
    // As the TS writer: one entry per stage sent (none for an empty pipeline).
    let resolved = (0..r.pipeline.len())
        .map(|i| match r.resolved.get(i) {
            Some(Some(p)) => Json::str(p),
            _ => Json::Null,
        })
        .collect();
    // Room for the optional fields too: one allocation per record.
    let mut fields = Vec::with_capacity(21);
    fields.extend([
        ("v", Json::Num(FORMAT_VERSION.into())),
        ("type", Json::str("request")),
        ("id", Json::str(request_id(r.id))),
        ("time", Json::str(r.time)),
        ("host", Json::str(r.host)),
        ("session", Json::str(r.session)),
        ("pipeline", Json::Arr(stages)),
        ("resolved", Json::Arr(resolved)),
        ("env_keys", Json::Arr(env_names(r.env).into_iter().map(Json::str).collect())),
        ("reason", Json::str(r.reason)),
        ("privileged", Json::Bool(r.privileged)),
        ("decision", Json::str(r.decision.as_str())),
        ("via", Json::str(r.via.as_str())),
        ("latency_ms", r.latency_ms.filter(|l| l.is_finite()).map_or(Json::Null, |l| Json::Num(l.max(0.0)))),
    ]);
    let rejected = r.decision == Decision::Rejected;
    let reject = r.reject.filter(|_| rejected);
    if rejected || r.error.is_some() {
        let error = r.error.unwrap_or("rejected");
        let error = match reject {
            // Never dropped for it: the record says what the daemon gave.
            Some(RejectKind::Unknown(kind)) => {
                let mut quoted = Vec::new();
                write_str(&mut quoted, kind);
                Json::string(format!("{} (unknown reject kind {})", error, String::from_utf8_lossy(&quoted)))
            }
            _ => Json::str(error),
        };
        fields.push(("error", error));
    }
    if let Some(kind) = reject.and_then(RejectKind::as_str) {
        fields.push(("reject", Json::str(kind)));
    }
    if r.always && r.decision == Decision::Approved {
        fields.push(("always", Json::Bool(true)));
    }
    if let Some(e) = r.escalation {
        fields.push(("escalation", Json::str(e.as_str())));
    }
    if let Some(f) = r.forward_agent {
        fields.push(("forward_agent", Json::Bool(f)));
    }
    if let Some(v) = r.client_version {
        fields.push(("client_version", Json::str(v)));
    }
    if let Some(o) = operator {
        fields.push(("operator", operator_json(o)));
    }
    Json::Obj(fields)
}

fn policy_json<'a>(p: &'a Policy<'a>, logged_ms: i64, operator: Option<&'a Operator>) -> Json<'a> {
    let mut fields = vec![
        ("v", Json::Num(FORMAT_VERSION.into())),
        ("type", Json::str("policy")),
        ("time", Json::string(iso_time(logged_ms))),
        ("setting", Json::str(p.setting)),
        ("old", policy_value(&p.old)),
        ("new", policy_value(&p.new)),
        ("request_id", p.request_id.map_or(Json::Null, Json::str)),
        ("by", Json::str(p.by.as_str())),
    ];
    if let Some(o) = operator {
        fields.push(("operator", operator_json(o)));
    }
    Json::Obj(fields)
}

fn response_json<'a>(r: &'a Response<'a>, logged_ms: i64) -> Json<'a> {
    Json::Obj(vec![
        ("v", Json::Num(FORMAT_VERSION.into())),
        ("type", Json::str("response")),
        ("id", Json::str(request_id(r.id))),
        ("time", r.time.map_or_else(|| Json::string(iso_time(logged_ms)), Json::str)),
        ("status", Json::str(if r.ok { "ok" } else { "error" })),
        ("error", r.error.map_or(Json::Null, Json::str)),
        (
            "stages",
            Json::Arr(
                r.stages
                    .iter()
                    .map(|s| {
                        Json::Obj(vec![
                            ("exit_code", Json::Num(saturate(s.exit_code))),
                            ("stderr_len", Json::Num(size(s.stderr_len))),
                            ("stderr_truncated", Json::Bool(s.stderr_truncated)),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("stdout_len", Json::Num(size(r.stdout_len))),
        ("stdout_truncated", Json::Bool(r.stdout_truncated)),
        ("duration_ms", Json::Num(finite(r.duration_ms).max(0.0))),
    ])
}

fn writer_json<'a>(w: &WriterRecord<'a>, operator: Option<&'a Operator>) -> Json<'a> {
    let mut fields = vec![
        ("v", Json::Num(FORMAT_VERSION.into())),
        ("type", Json::str("writer")),
        ("time", Json::string(iso_time(w.time_ms))),
        ("event", Json::str(w.event.as_str())),
        ("pid", Json::Num(saturate(w.pid))),
    ];
    if let Some(d) = w.dropped {
        fields.push(("dropped", Json::Num(size(d))));
    }
    if let Some(e) = w.error {
        fields.push(("error", Json::str(e)));
    }
    if let (WriterEvent::Start, Some(o)) = (w.event, operator) {
        fields.push(("operator", operator_json(o)));
    }
    Json::Obj(fields)
}

/// The record as JSON, before the writer adds its chain position and time. `operator`: who
/// decided, written on requests, policy changes and the `start` record.
pub fn record_json<'a>(record: &Record<'a>, operator: Option<&'a Operator>, logged_ms: i64) -> Json<'a> {
    match record {
        Record::Request(r) => request_json(r, operator),
        Record::Response(r) => response_json(r, logged_ms),
        Record::Writer(w) => writer_json(w, operator),
        Record::Policy(p) => policy_json(p, logged_ms, operator),
    }
}

/// The record's line, without its newline: `{"v":1,"type":"…","seq":N,"prev":"…","logged":"…",`
/// then the rest of the record, cut to the line cap when too long. `logged_ms`: the writer's
/// clock as it writes the record; `operator`: who decided (None: not written).
pub fn encode_line(record: &Record, operator: Option<&Operator>, seq: u64, prev: &str, logged_ms: i64) -> Vec<u8> {
    let mut line = Vec::new();
    encode_line_into(&mut line, record, operator, seq, prev, logged_ms);
    line
}

/// `encode_line`, appended to `line` (the writer reuses one buffer). The record's JSON after
/// its first two fields (v and type, which every record starts with) is written straight
/// after the chain fields; a record over the line cap is written again, cut.
pub fn encode_line_into(line: &mut Vec<u8>, record: &Record, operator: Option<&Operator>, seq: u64, prev: &str, logged_ms: i64) {
    let json = record_json(record, operator, logged_ms);
    let head = format!("{{\"v\":{},\"type\":\"{}\",", FORMAT_VERSION, record.kind());
    line.extend_from_slice(head.as_bytes());
    line.extend_from_slice(b"\"seq\":");
    line.extend_from_slice(seq.min(MAX_SAFE_INTEGER as u64).to_string().as_bytes());
    line.extend_from_slice(b",\"prev\":");
    write_str(line, prev);
    line.extend_from_slice(b",\"logged\":\"");
    write_iso_time(line, logged_ms);
    line.extend_from_slice(b"\",");
    let rest = line.len();
    let bound = within_bound(&json);
    if bound {
        write_fields_after(line, &json, 2);
        // The record's own JSON is the head and what was just written.
        if head.len() + line.len() - rest <= RECORD_LIMIT {
            return;
        }
        line.truncate(rest);
    }
    write_fields_after(line, &shortened_record(&json, bound), 2);
}
