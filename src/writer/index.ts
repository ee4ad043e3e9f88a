/** `sudo-proxy-audit/writer`: what a daemon links to write its audit log. */
export { type AuditLog, type AuditLogOptions, openAuditLog, type SealStep, type WriterFs, type WriterStats } from './audit-log.js';
export type { OutputOrLength, RequestInput, ResponseInput, StageInput } from './record-input.js';
export { type AuditArgs, AuditArgsError, parseAuditArgs } from './argv.js';
export { defaultAuditLogPath } from '../shared/paths.js';
