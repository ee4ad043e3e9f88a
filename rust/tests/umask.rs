//! Directory 0700 and file 0600 whatever the umask: alone in its test binary, since the umask
//! is the process's.

mod common;

use std::os::unix::fs::MetadataExt;

use common::{Harness, TempDir};
use sudo_proxy_audit::AuditLog;

#[test]
fn modes_are_exact_whatever_the_umask() {
    for mask in [0o000, 0o277, 0o022] {
        let dir = TempDir::new("umask");
        let file = dir.join("state/sudo-proxy/audit.log");
        // SAFETY: umask only sets the process's file mode mask.
        let old = unsafe { libc::umask(mask) };
        AuditLog::open(Harness::new(0).options(file.clone())).close();
        unsafe { libc::umask(old) };
        assert_eq!(std::fs::metadata(&file).unwrap().mode() & 0o7777, 0o600, "umask {:o}", mask);
        assert_eq!(std::fs::metadata(file.parent().unwrap()).unwrap().mode() & 0o7777, 0o700, "umask {:o}", mask);
    }
}
