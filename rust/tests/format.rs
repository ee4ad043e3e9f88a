//! The format additions of issue #15 part 1 (who decided, the request's new fields, reject
//! kinds, via pkexec, the policy record), in the spec's field orders. The golden vectors
//! (tests/vectors.rs) hold the same bytes to the TypeScript writer's.

mod common;

use common::{argv, lines, Harness, TempDir};
use sudo_proxy_audit::line::{encode_line, Record};
use sudo_proxy_audit::{
    AuditLog, Decision, Escalation, Operator, OperatorOverride, Policy, PolicyBy, PolicyValue, RejectKind, Request, Response, Via, GENESIS_HASH, REJECT_KINDS,
};

const T0: i64 = 1_768_469_400_000;

fn alice() -> Operator {
    Operator { uid: 1000, user: "alice".into(), tty: Some("/dev/pts/3".into()), hostname: "build-01".into() }
}

/// The line of `r` with the head fields left out: what follows `"logged":"…",`.
fn tail_of(r: &Record, operator: Option<&Operator>) -> String {
    let line = String::from_utf8(encode_line(r, operator, 7, GENESIS_HASH, T0)).unwrap();
    line.split_once("\"logged\":\"2026-01-15T09:30:00.000Z\",").unwrap().1.to_string()
}

#[test]
fn the_operator_object_and_the_new_request_fields_in_the_spec_order() {
    let pipeline = argv(&["id"]);
    let r = Request {
        id: "r1",
        time: "t",
        pipeline: &pipeline,
        decision: Decision::Approved,
        latency_ms: Some(5.0),
        always: true,
        escalation: Some(Escalation::None),
        forward_agent: Some(true),
        client_version: Some("0.4.2"),
        error: Some("note"),
        ..Default::default()
    };
    let o = alice();
    assert!(tail_of(&Record::Request(&r), Some(&o)).ends_with(
        r#""decision":"approved","via":"operator","latency_ms":5,"error":"note","always":true,"escalation":"none","forward_agent":true,"client_version":"0.4.2","operator":{"uid":1000,"user":"alice","tty":"/dev/pts/3","hostname":"build-01"}}"#
    ));
    // tty null; nothing optional given: none of the new fields.
    let bare = Request { id: "r2", pipeline: &pipeline, decision: Decision::Denied, ..Default::default() };
    let o = Operator { tty: None, ..alice() };
    assert!(tail_of(&Record::Request(&bare), Some(&o)).ends_with(r#""via":"operator","latency_ms":null,"operator":{"uid":1000,"user":"alice","tty":null,"hostname":"build-01"}}"#));
    assert!(tail_of(&Record::Request(&bare), None).ends_with(r#""via":"operator","latency_ms":null}"#));
}

#[test]
fn reject_kinds_only_with_rejected_always_only_with_approved_and_via_pkexec() {
    let names: Vec<&str> = REJECT_KINDS.iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(names, ["invalid_json", "invalid_request", "forward_agent_privileged", "stale_time", "env_not_allowed", "replay", "busy", "peer_uid", "prompt_error", "handshake_timeout", "read_error", "peer_check_failed"]);
    for k in REJECT_KINDS {
        assert_eq!(RejectKind::parse(k.as_str().unwrap()), k);
        let r = Request::rejected("r", "t", k, "why");
        assert!(tail_of(&Record::Request(&r), None).ends_with(&format!(r#""error":"why","reject":"{}"}}"#, k.as_str().unwrap())));
    }
    // An unknown kind: no `reject`, and the error says what was given; the record is kept.
    let r = Request::rejected("r", "t", RejectKind::parse("quota\"x"), "why");
    assert!(tail_of(&Record::Request(&r), None).ends_with(r#""error":"why (unknown reject kind \"quota\\\"x\")"}"#));
    // A kind with another decision, always with another decision: not written.
    let denied = Request { decision: Decision::Denied, reject: Some(RejectKind::Replay), always: true, ..Default::default() };
    let tail = tail_of(&Record::Request(&denied), None);
    assert!(!tail.contains("reject") && !tail.contains("always"), "{}", tail);
    let pk = Request { decision: Decision::Approved, via: Via::Pkexec, escalation: Some(Escalation::Pkexec), ..Default::default() };
    assert!(tail_of(&Record::Request(&pk), None).ends_with(r#""via":"pkexec","latency_ms":null,"escalation":"pkexec"}"#));
}

#[test]
fn the_policy_record_in_the_spec_order() {
    let p = Policy { setting: "confirm_unprivileged", old: PolicyValue::Bool(true), new: PolicyValue::Bool(false), request_id: Some("r1"), by: PolicyBy::Keypress };
    let line = String::from_utf8(encode_line(&Record::Policy(&p), Some(&alice()), 7, GENESIS_HASH, T0)).unwrap();
    assert_eq!(
        line,
        format!(
            r#"{{"v":1,"type":"policy","seq":7,"prev":"{}","logged":"2026-01-15T09:30:00.000Z","time":"2026-01-15T09:30:00.000Z","setting":"confirm_unprivileged","old":true,"new":false,"request_id":"r1","by":"keypress","operator":{{"uid":1000,"user":"alice","tty":"/dev/pts/3","hostname":"build-01"}}}}"#,
            GENESIS_HASH
        )
    );
    let c = Policy { setting: "timeout", old: PolicyValue::Num(30.5), new: PolicyValue::Str("60"), request_id: None, by: PolicyBy::Config };
    assert!(String::from_utf8(encode_line(&Record::Policy(&c), None, 7, GENESIS_HASH, T0)).unwrap().ends_with(r#""setting":"timeout","old":30.5,"new":"60","request_id":null,"by":"config"}"#));
}

#[test]
fn the_writer_writes_who_decided_on_start_requests_and_policy_changes_only() {
    let dir = TempDir::new("operator");
    let file = dir.join("audit.log");
    let h = Harness::new(T0);
    let mut options = h.options(file.clone());
    options.operator = OperatorOverride { tty: Some(None), hostname: Some("build-01".into()), ..Default::default() };
    let log = AuditLog::open(options);
    let pipeline = argv(&["id"]);
    log.request(&Request { id: "r1", pipeline: &pipeline, decision: Decision::Approved, always: true, ..Default::default() });
    log.policy(&Policy { setting: "confirm_unprivileged", old: PolicyValue::Bool(true), new: PolicyValue::Bool(false), request_id: Some("r1"), ..Default::default() });
    log.response(&Response { id: "r1", ok: true, ..Default::default() });
    log.close();
    let records = lines(&file);
    let kinds: Vec<(&str, bool)> = records.iter().map(|r| (r["type"].as_str().unwrap(), r.get("operator").is_some())).collect();
    assert_eq!(kinds, [("writer", true), ("request", true), ("policy", true), ("response", false), ("writer", false)]);
    // From the OS: this process's real uid and its name; the overrides as given.
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let o = &records[1]["operator"];
    assert_eq!((o["uid"].as_u64(), o["tty"].is_null(), o["hostname"].as_str()), (Some(u64::from(uid)), true, Some("build-01")));
    assert_eq!(Some(o.clone()), records[0].get("operator").cloned());
    if uid == 0 {
        assert_eq!(o["user"], "root");
    }
    assert_eq!(log.operator().map(|o| o.uid), Some(uid));
}

#[test]
fn a_uid_set_by_the_daemon_is_named_from_the_passwd_database() {
    let o = Operator::resolve(&OperatorOverride { uid: Some(0), ..Default::default() });
    assert_eq!((o.uid, o.user.as_str()), (0, "root"));
    // A uid with no passwd entry has no name.
    let o = Operator::resolve(&OperatorOverride { uid: Some(3_999_999_999), tty: Some(Some("/dev/pts/9".into())), ..Default::default() });
    assert_eq!((o.user.as_str(), o.tty.as_deref()), ("", Some("/dev/pts/9")));
}

#[test]
fn no_operator_writes_none() {
    let dir = TempDir::new("no-operator");
    let file = dir.join("audit.log");
    let h = Harness::new(T0);
    let mut options = h.options(file.clone());
    options.no_operator = true;
    let log = AuditLog::open(options);
    log.request(&Request::refusal("r", "t", "busy"));
    log.close();
    assert!(lines(&file).iter().all(|r| r.get("operator").is_none()));
}
