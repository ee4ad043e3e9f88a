/** `sudo-proxy-audit/writer`: what a daemon links to write its audit log. */
export { type AuditLog, type AuditLogOptions, openAuditLog, type OperatorOverride, type SealStep, type WriterFs, type WriterStats } from './audit-log.js';
export type { OutputOrLength, PolicyInput, PolicyValue, RequestInput, ResponseInput, StageInput } from './record-input.js';
export { ESCALATIONS, type Escalation, POLICY_BY, type PolicyBy, REJECT_KINDS, type RejectKind } from '../shared/format-constants.js';
export { type AuditArgs, AuditArgsError, parseAuditArgs } from './argv.js';
export { defaultAuditLogPath } from '../shared/paths.js';
