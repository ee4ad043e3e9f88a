/**
 * Security events and who decided, in words (issue #15): shared by the viewer's rows and
 * detail pane and by `print`/`stats`, so each says them the same way. A replayed request (a
 * request id seen before, refused) and a change of the daemon's policy are security events.
 * Everything from the log escaped. Pure.
 */
import type { Entry, EntryFilter, Operator, PolicyChange, PolicyValue, WriterEvent } from './entry.js';
import { isSecurityEntry, operatorMatches } from './entry.js';
import type { RejectKind } from './format-constants.js';
import { escapeForTerminal } from './sanitize.js';

/** The security mark of `print` and the viewer: a flag, common in monospace fonts. */
export const SECURITY_MARK = '⚑';

/** Who decided, e.g. `alice (uid 1000) on /dev/pts/3 at build-01`; escaped. */
export function operatorText(o: Operator, max = 200): string {
  const user = o.user === '' ? `uid ${o.uid}` : `${escapeForTerminal(o.user, max)} (uid ${o.uid})`;
  const tty = o.tty === null ? ' (no terminal)' : ` on ${escapeForTerminal(o.tty, max)}`;
  return `${user}${tty} at ${escapeForTerminal(o.hostname, max)}`;
}

/** A policy value as JSON (`true`, `30`, `"strict"`, `null`); escaped. */
export function policyValueText(v: PolicyValue, max = 200): string {
  return escapeForTerminal(JSON.stringify(v), max);
}

/** `confirm_unprivileged: true → false`; escaped. */
export function policyChangeText(p: PolicyChange, max = 200): string {
  return `${escapeForTerminal(p.setting, max)}: ${policyValueText(p.old, max)} → ${policyValueText(p.new, max)}`;
}

/** What each refusal means, for the detail pane. */
export const REJECT_MEANING: Record<RejectKind, string> = {
  invalid_json: 'the request was not valid JSON',
  invalid_request: 'the request failed validation (dangerous characters, an empty pipeline…)',
  forward_agent_privileged: 'it asked to forward the SSH agent to a privileged command',
  stale_time: "the request's time was too far from the daemon's clock",
  env_not_allowed: 'it sent an environment variable outside the allowlist',
  replay: 'its request id was seen before: a replayed request',
  busy: 'the daemon was busy',
  peer_uid: 'the client ran as another user than the daemon',
  prompt_error: 'the prompt failed with an I/O error',
  handshake_timeout: 'the client was slower than the daemon\'s handshake deadline',
  read_error: 'the request could not be read whole (over the size cap, no final newline, an I/O error)',
  peer_check_failed: "the client's credentials could not be checked",
};

/** Why an entry is a security event (null: it is not one). */
export function securityReason(e: Pick<Entry, 'reject'>): string | null {
  return isSecurityEntry(e)
    ? 'a request id seen before came again: someone may be replaying a captured request. The daemon refused it.'
    : null;
}

/** Why a policy change is a security event. */
export function policySecurityReason(p: PolicyChange): string {
  return p.by === 'keypress'
    ? 'the operator changed what the daemon lets through at a prompt: later requests are decided under the new policy, without asking'
    : "the daemon's configuration changed what it lets through: later requests are decided under the new policy";
}

/** Policy changes among the log's events. */
export function isPolicyEvent(e: WriterEvent): e is WriterEvent & { policy: PolicyChange } {
  return e.event === 'policy' && e.policy !== undefined;
}

/**
 * Whether a policy change passes a filter, as entries do: its time (the writer's clock, as
 * `logged`) in the window, made by one of the filter's operators, collected from one of its
 * origins. A host filter keeps it: a policy change has no host label, and it decides every
 * later request, whatever host sent it. Other filters (states, text) are for entries.
 */
export function policyShown(w: WriterEvent, filter: EntryFilter): boolean {
  if (filter.operators && filter.operators.length > 0 && !operatorMatches(w.operator ?? null, new Set(filter.operators))) return false;
  if (filter.origins && filter.origins.length > 0 && !filter.origins.includes(w.origin ?? '')) return false;
  if (filter.sinceMs === undefined && filter.untilMs === undefined) return true;
  const ms = Date.parse(w.time);
  if (filter.sinceMs !== undefined && !(ms >= filter.sinceMs)) return false;
  return filter.untilMs === undefined || ms < filter.untilMs;
}
