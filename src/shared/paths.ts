/** Where the audit log lives by default: `$XDG_STATE_HOME/sudo-proxy/audit.log`. */
import envPaths from 'env-paths';
import path from 'node:path';

export const AUDIT_LOG_NAME = 'audit.log';

/** `$XDG_STATE_HOME/sudo-proxy/audit.log`, falling back to `~/.local/state/sudo-proxy/audit.log`. */
export function defaultAuditLogPath(): string {
  return path.join(envPaths('sudo-proxy', { suffix: '' }).log, AUDIT_LOG_NAME);
}
