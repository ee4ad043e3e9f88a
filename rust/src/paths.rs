//! Where the audit log lives by default: `$XDG_STATE_HOME/sudo-proxy/audit.log`, falling back
//! to `~/.local/state/sudo-proxy/audit.log` (the TypeScript side's `env-paths` rule).

use std::ffi::{CStr, OsString};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

pub const AUDIT_LOG_NAME: &str = "audit.log";

/// The default log path, or None with neither `$XDG_STATE_HOME` nor a home directory.
pub fn default_audit_log_path() -> Option<PathBuf> {
    let state = match std::env::var_os("XDG_STATE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => home_dir()?.join(".local").join("state"),
    };
    Some(state.join("sudo-proxy").join(AUDIT_LOG_NAME))
}

/// `$HOME`, else the passwd entry of this user (as Node's `os.homedir()`).
fn home_dir() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(home));
    }
    let mut buf = vec![0u8; 4096];
    // SAFETY: passwd and result are plain C structs getpwuid_r fills in; `buf` outlives the
    // use of the pointers it stores in `passwd`.
    unsafe {
        let mut passwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(libc::geteuid(), &mut passwd, buf.as_mut_ptr().cast(), buf.len(), &mut result);
        if rc != 0 || result.is_null() || passwd.pw_dir.is_null() {
            return None;
        }
        let dir = CStr::from_ptr(passwd.pw_dir).to_bytes().to_vec();
        if dir.is_empty() {
            return None;
        }
        Some(PathBuf::from(OsString::from_vec(dir)))
    }
}
