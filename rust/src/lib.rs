//! `sudo-proxy-audit` for a daemon in Rust: the hash-chained JSONL audit log writer
//! `sudo-proxy` links, writing exactly the bytes the TypeScript writer writes (the golden
//! vectors in `schema/vectors/` hold both to them), so the `sudo-proxy-audit` viewer and CLI
//! read, follow and verify it.
//!
//! ```no_run
//! use sudo_proxy_audit::{AuditLog, Decision, Options, Request, Response, Stage};
//! let log = AuditLog::open(Options::default());
//! let pipeline = vec![vec!["ls".to_string(), "/root".to_string()]];
//! log.request(&Request {
//!     id: "2f1e…", time: "2026-01-01T12:00:00Z", session: "s1", pipeline: &pipeline,
//!     privileged: true, decision: Decision::Approved, latency_ms: Some(1200.0),
//!     ..Default::default()
//! });
//! log.response(&Response {
//!     id: "2f1e…", ok: true, stages: &[Stage { exit_code: 0, ..Default::default() }],
//!     duration_ms: 12.5, ..Default::default()
//! });
//! log.close();
//! ```
//!
//! See `rust/README.md` for where each call goes in sudo-proxy's `handle_connection`.

mod args;
mod audit_log;
mod fit;
mod json;
mod log_file;
mod operator;
mod paths;
mod record;
pub mod seal;
mod tail;

pub use args::{parse_audit_args, AuditArgs, AuditArgsError};
pub use audit_log::{AuditLog, Clock, Options, Stats, Warn, WriteFn};
pub use operator::{Operator, OperatorOverride};
pub use paths::{default_audit_log_path, AUDIT_LOG_NAME};
pub use record::{
    Decision, Escalation, Policy, PolicyBy, PolicyValue, RejectKind, Request, Response, Stage, Via, WriterEvent, WriterRecord, FORMAT_VERSION, GENESIS_HASH,
    MAX_SAFE_INTEGER, REJECT_KINDS,
};
pub use seal::{SealStep, DEFAULT_SEAL_INTERVAL};

/// The line encoder and chain hash, for the golden vectors and tools; a daemon needs none of it.
pub mod line {
    pub use crate::fit::MAX_LINE_BYTES;
    pub use crate::json::iso_time;
    pub use crate::record::{encode_line, env_names, Record};
    pub use crate::tail::{hash_line, head_of, ChainHead};
}
