//! PLACEHOLDER until the port lands: declines every line.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ScannedRecord {
    pub kind: u8, pub chained: bool, pub seq: f64, pub prev_start: i32, pub id_hash: f64, pub id_start: u32, pub id_end: u32, pub time_ms: f64,
    pub host_start: u32, pub host_end: u32, pub session_start: u32, pub session_end: u32, pub reason_start: u32, pub reason_end: u32,
    pub command_start: u32, pub command_end: u32, pub resolved_start: i32, pub resolved_end: i32, pub error_start: i32, pub error_end: i32,
    pub privileged: bool, pub decision: u8, pub policy: bool, pub latency_ms: f64, pub reject: u8, pub operator_uid: f64,
    pub operator_user_start: u32, pub operator_user_end: u32, pub failed: bool, pub duration_ms: f64,
}
pub fn scan_record(_line: &[u8], _seed: (u32, u32)) -> Option<ScannedRecord> { None }
