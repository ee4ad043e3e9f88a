//! The seal vectors (schema/vectors/seals.json, made by the TypeScript writer): the keys a
//! sealing state evolves into, the seal lines, the state file's bytes, and writer sessions on
//! a sealed log — the same bytes in the log and in the state file afterwards.

mod common;


use common::{operator_of, vectors, Harness, OwnedRequest, TempDir};
use serde_json::Value;
use sudo_proxy_audit::seal::{encode_seal_state, key_id, next_key, seal_line, seal_state_path, Key, SealState};
use sudo_proxy_audit::{AuditLog, OperatorOverride};

fn key(hex: &str) -> Key {
    let mut k = [0u8; 32];
    for (i, b) in k.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    Key(k)
}

fn keys(v: &Value) -> Vec<String> {
    v["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect()
}

#[test]
fn keys_evolve_as_the_vectors_say() {
    let v = vectors("seals.json");
    let k0 = key(v["k0"].as_str().unwrap());
    assert_eq!(key_id(&k0), v["key_id"].as_str().unwrap());
    let mut k = k0;
    for (epoch, hex) in keys(&v).iter().enumerate() {
        assert_eq!(sudo_proxy_audit::seal::key_hex(&k), *hex, "epoch {}", epoch);
        k = next_key(&k);
    }
}

#[test]
fn every_seal_line_and_state_file_is_byte_for_byte() {
    let v = vectors("seals.json");
    let keys = keys(&v);
    let id = v["key_id"].as_str().unwrap();
    for s in v["seal_lines"].as_array().unwrap() {
        let epoch = s["epoch"].as_u64().unwrap();
        let line = seal_line(s["seq"].as_u64().unwrap(), s["prev"].as_str().unwrap(), s["logged_ms"].as_i64().unwrap(), epoch, id, &key(&keys[epoch as usize]));
        assert_eq!(line, s["line"].as_str().unwrap());
    }
    for s in v["states"].as_array().unwrap() {
        let epoch = s["epoch"].as_u64().unwrap();
        let state = SealState { epoch, key: key(&keys[epoch as usize]), key_id: id.to_string(), pending: s["pending"].as_str().map(String::from) };
        assert_eq!(String::from_utf8(encode_seal_state(&state)).unwrap(), s["bytes"].as_str().unwrap());
        let mut bytes = encode_seal_state(&state);
        let back = sudo_proxy_audit::seal::decode_seal_state(&mut bytes).unwrap();
        assert_eq!((back.epoch, back.key.0, back.pending), (epoch, state.key.0, state.pending.clone()));
    }
}

fn write_0600(path: &std::path::Path, bytes: &[u8]) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path).unwrap();
    f.write_all(bytes).unwrap();
}

#[test]
fn every_sealed_session_leaves_its_exact_log_and_state() {
    let v = vectors("seals.json");
    let keys = keys(&v);
    let id = v["key_id"].as_str().unwrap();
    let sessions = v["sessions"].as_array().unwrap();
    assert!(sessions.len() >= 7);
    for s in sessions {
        let name = s["name"].as_str().unwrap();
        let dir = TempDir::new("seal-vectors");
        let file = dir.join("audit.log");
        if let Some(existing) = s.get("existing").and_then(Value::as_str) {
            write_0600(&file, existing.as_bytes());
        }
        if let Some(state) = s.get("state") {
            let epoch = state["epoch"].as_u64().unwrap();
            let st = SealState { epoch, key: key(&keys[epoch as usize]), key_id: id.to_string(), pending: state["pending"].as_str().map(String::from) };
            write_0600(&seal_state_path(&file), &encode_seal_state(&st));
        }
        let harness = Harness::new(s["open_at"].as_i64().unwrap());
        let mut options = harness.options(file.clone());
        options.pid = s["pid"].as_i64();
        options.settle_ms = 0;
        options.seal_interval = std::time::Duration::from_millis(s["seal_interval_ms"].as_u64().unwrap());
        match operator_of(s.get("operator").unwrap_or(&Value::Null)) {
            Some(o) => options.operator = OperatorOverride { uid: Some(o.uid), user: Some(o.user), tty: Some(o.tty), hostname: Some(o.hostname) },
            None => options.no_operator = true,
        }
        let log = AuditLog::open(options);
        for step in s["steps"].as_array().unwrap() {
            harness.set(step["at"].as_i64().unwrap());
            if let Some(r) = step.get("request") {
                OwnedRequest::from_json(r).with(|r| log.request(r));
            }
            if step.get("close").is_some() {
                log.close();
            }
        }
        log.close();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), s["expected"].as_str().unwrap(), "log of session: {}", name);
        let state = std::fs::read_to_string(seal_state_path(&file)).ok();
        assert_eq!(state.as_deref(), s["expected_state"].as_str(), "state of session: {}", name);
        assert_eq!(harness.warnings().len() as u64, s["warnings"].as_u64().unwrap(), "warnings of session {}: {:?}", name, harness.warnings());
    }
}
