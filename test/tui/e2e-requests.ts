/**
 * The request the real-terminal tests write: a privileged command an operator decided on,
 * timed now (the viewer's time filters see it as recent).
 */
import type { AuditLog } from '../../src/writer/audit-log.js';

export function writeTerminalRequest(l: AuditLog, id: string, command: string[], decision: 'approved' | 'denied' = 'approved', host = 'web-01'): string {
  l.request({
    id,
    time: `${new Date().toISOString().slice(0, 19)}Z`,
    host,
    session: 'e2e-session',
    pipeline: [command],
    resolved: [`/usr/bin/${command[0]}`],
    env: { PATH: '/usr/bin' },
    reason: `end-to-end ${command.join(' ')}`,
    privileged: true,
    decision,
    via: 'operator',
    latencyMs: 1_500,
  });
  return id;
}
