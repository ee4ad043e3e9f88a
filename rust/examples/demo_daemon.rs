//! A small stand-in for sudo-proxy that drives the crate as the daemon would (and as the
//! TypeScript demo does): for each request one decision record — approved at the prompt,
//! denied, timed out, refused before any prompt, or run by policy without one — and, for what
//! runs, one completion record. The cross-language end-to-end test (test/rust/) runs it.
//!
//!   demo_daemon [--audit-log PATH | --no-audit] [--count N] [--interval-ms MS]
//!               [--enospc-after N --enospc-for M] [--seal-interval-ms MS]
//!               [--pkexec] [--approve-always] [--kill-at-seal written|replaced]
//!
//! Request ids are `<pid>-0000-4000-8000-<n>`: unique across concurrent processes, and the
//! scenario of request n is `n % 8` (what `expected_state` in the test reads back). Each
//! refusal carries its `reject` kind, each decision its `escalation`, the client's version and
//! whether it forwards its SSH agent.
//! `--enospc-*` fail writes N+1 … N+M with ENOSPC through the crate's write seam, for machines
//! where a tiny tmpfs cannot be mounted. `--seal-interval-ms`: how often a sealed log (one with
//! a state from `sudo-proxy-audit seal init`) is sealed. `--pkexec`: privileged requests are
//! decided in pkexec's dialog (`via: pkexec`, no TTY, so the operator's tty is null).
//! `--approve-always`: the first unprivileged request is approved with `a` (ApprovedAlways) at
//! a prompt, which switches `confirm_unprivileged` off: a `policy` record. `--kill-at-seal`: the
//! process SIGKILLs itself in its first seal, once the new state is written (not yet renamed
//! over the old) or once it has replaced it (the seal not yet in the log): the crash cases.

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sudo_proxy_audit::line::iso_time;
use sudo_proxy_audit::{parse_audit_args, AuditLog, Decision, Escalation, Policy, PolicyBy, PolicyValue, RejectKind, Request, Response, SealStep, Stage, Via};

/// Why a request is refused before any prompt: one message per kind of refusal the daemon makes.
const REFUSALS: [(RejectKind<'static>, &str); 11] = [
    (RejectKind::Replay, "duplicate request id (replay)"),
    (RejectKind::StaleTime, "request time is stale (more than 30 s from the daemon's clock)"),
    (RejectKind::EnvNotAllowed, "env name outside the allowlist: LD_PRELOAD"),
    (RejectKind::ForwardAgentPrivileged, "forward_agent is only allowed for unprivileged requests"),
    (RejectKind::Busy, "server busy"),
    (RejectKind::PeerUid, "peer uid 1001 is not the daemon's user"),
    (RejectKind::InvalidJson, "invalid JSON: expected value at line 1 column 1"),
    (RejectKind::InvalidRequest, "validation failed: dangerous character in argument 2"),
    (RejectKind::HandshakeTimeout, "handshake deadline exceeded"),
    (RejectKind::ReadError, "request exceeds maximum size"),
    (RejectKind::PeerCheckFailed, "peer credential check failed: Bad file descriptor (os error 9)"),
];

struct Flags {
    count: u64,
    interval: Duration,
    enospc_after: Option<u64>,
    enospc_for: u64,
    seal_interval: Option<u64>,
    pkexec: bool,
    approve_always: bool,
    kill_at_seal: Option<SealStep>,
}

fn flag_value(rest: &[String], name: &str) -> Result<Option<u64>, String> {
    match rest.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => rest
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .map(Some)
            .ok_or_else(|| format!("{} needs a number", name)),
    }
}

fn main() {
    let audit = match parse_audit_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("demo_daemon: {}", e);
            std::process::exit(2);
        }
    };
    let flags = match (|| -> Result<Flags, String> {
        Ok(Flags {
            count: flag_value(&audit.rest, "--count")?.unwrap_or(20),
            interval: Duration::from_millis(flag_value(&audit.rest, "--interval-ms")?.unwrap_or(0)),
            enospc_after: flag_value(&audit.rest, "--enospc-after")?,
            enospc_for: flag_value(&audit.rest, "--enospc-for")?.unwrap_or(0),
            seal_interval: flag_value(&audit.rest, "--seal-interval-ms")?,
            pkexec: audit.rest.iter().any(|a| a == "--pkexec"),
            approve_always: audit.rest.iter().any(|a| a == "--approve-always"),
            kill_at_seal: match audit.rest.iter().position(|a| a == "--kill-at-seal").map(|i| audit.rest.get(i + 1).map(String::as_str)) {
                None => None,
                Some(Some("written")) => Some(SealStep::StateWritten),
                Some(Some("replaced")) => Some(SealStep::StateReplaced),
                Some(_) => return Err("--kill-at-seal needs written or replaced".into()),
            },
        })
    })() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("demo_daemon: {}", e);
            std::process::exit(2);
        }
    };
    let mut options = audit.options();
    if let Some(ms) = flags.seal_interval {
        options.seal_interval = Duration::from_millis(ms);
    }
    if let Some(at) = flags.kill_at_seal {
        options.seal_step = Some(Box::new(move |step| {
            if step == at {
                // A crash, with nothing flushed or closed. SAFETY: kill and getpid have no preconditions.
                unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
            }
        }));
    }
    if flags.pkexec {
        // pkexec's own dialog decides: the daemon prompts on no terminal.
        options.operator.tty = Some(None);
    }
    if let Some(after) = flags.enospc_after {
        let until = after + flags.enospc_for;
        let mut writes = 0u64;
        options.write = Some(Box::new(move |mut f: &std::fs::File, data: &[u8]| {
            writes += 1;
            if writes > after && writes <= until {
                return Err(io::Error::from_raw_os_error(libc_enospc()));
            }
            io::Write::write(&mut f, data)
        }));
    }
    let log = AuditLog::open(options);
    let pid = std::process::id();
    let mut confirm_unprivileged = flags.approve_always;
    for n in 0..flags.count {
        handle(&log, pid, n, &flags, &mut confirm_unprivileged);
        if !flags.interval.is_zero() {
            std::thread::sleep(flags.interval);
        }
    }
    log.close();
    let s = log.stats();
    println!("done {} written {} dropped {}", flags.count, s.written, s.dropped_total);
}

const fn libc_enospc() -> i32 {
    28 // ENOSPC on Linux
}


fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// One connection: the request as sudo-proxy's client would send it, the decision, the run.
/// `confirm_unprivileged`: unprivileged requests still get a prompt.
fn handle(log: &AuditLog, pid: u32, n: u64, flags: &Flags, confirm_unprivileged: &mut bool) {
    let id = format!("{:08x}-0000-4000-8000-{:012x}", pid, n);
    // The client's own time field: seconds, as sudo-proxy sends it.
    let time = format!("{}Z", &iso_time(now_ms())[..19]);
    let session = format!("rust-demo-{}", pid);
    let scenario = n % 8;
    let pipeline: Vec<Vec<String>> = match scenario {
        3 => vec![vec!["false".into()]],
        5 => vec![vec!["apt-get".into(), "install".into(), "-y".into(), "nginx".into()]],
        6 => vec![vec!["sh".into(), "-c".into(), "echo \u{1b}[31mred\u{1b}[0m".into()]],
        7 => vec![vec!["ls".into(), "/var/log".into()], vec!["grep".into(), "audit".into()]],
        _ => vec![vec!["systemctl".into(), "restart".into(), format!("rust-demo-{}", n)]],
    };
    let resolved: Vec<Option<String>> = pipeline.iter().map(|s| Some(format!("/usr/bin/{}", s[0]))).collect();
    let env = ["PATH=/usr/bin:/bin", "LANG=C.UTF-8", "TERM=xterm"];
    let privileged = scenario != 7;
    let base = Request {
        id: &id,
        time: &time,
        host: "",
        session: &session,
        pipeline: &pipeline,
        resolved: &resolved,
        env: &env,
        reason: "rust demo daemon",
        privileged,
        escalation: Some(if !privileged {
            Escalation::None
        } else if flags.pkexec {
            Escalation::Pkexec
        } else {
            Escalation::Sudo
        }),
        forward_agent: Some(!privileged),
        client_version: Some("0.4.2"),
        ..Default::default()
    };
    // pkexec's dialog decides: no prompt of the daemon's own, so no latency either.
    let (prompted, prompt) = if flags.pkexec { (Via::Pkexec, None) } else { (Via::Operator, Some(1.0)) };
    let mut always = false;
    let (decision, via, latency) = match scenario {
        4 => (Decision::Denied, prompted, prompt.map(|_| 2_400.0)),
        5 => (Decision::Timeout, prompted, prompt.map(|_| 60_000.0)),
        6 => (Decision::Rejected, Via::Policy, None),
        // ApprovedAlways: this prompt is the last for unprivileged requests.
        7 if *confirm_unprivileged => {
            always = true;
            (Decision::Approved, Via::Operator, Some(1_200.0))
        }
        7 => (Decision::Approved, Via::Policy, None),
        _ => (Decision::Approved, prompted, prompt.map(|_| 850.5 + n as f64)),
    };
    let (reject, error) = if decision == Decision::Rejected {
        let (kind, message) = REFUSALS[(n / 8) as usize % REFUSALS.len()];
        (Some(kind), Some(message))
    } else {
        (None, None)
    };
    log.request(&Request { decision, via, latency_ms: latency, error, reject, always, ..base });
    if always {
        *confirm_unprivileged = false;
        log.policy(&Policy {
            setting: "confirm_unprivileged",
            old: PolicyValue::Bool(true),
            new: PolicyValue::Bool(false),
            request_id: Some(&id),
            by: PolicyBy::Keypress,
        });
    }
    if decision != Decision::Approved {
        return;
    }
    let exit_code = if scenario == 3 { 1 } else { 0 };
    let stages: Vec<Stage> = pipeline.iter().map(|_| Stage { exit_code, stderr_len: if exit_code == 0 { 0 } else { 42 }, stderr_truncated: false }).collect();
    log.response(&Response { id: &id, ok: true, stages: &stages, stdout_len: 1024 + n, duration_ms: 12.25, ..Default::default() });
}
