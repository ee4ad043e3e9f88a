/** Reads the writer's flags from a daemon's argv: `--audit-log PATH`, `--audit-log=PATH`, `--no-audit`. */

export interface AuditArgs {
  /** Undefined: use the default path. */
  path?: string;
  disabled: boolean;
  /** argv without the audit flags, for the daemon's own parser. */
  rest: string[];
}

export class AuditArgsError extends Error {}

export function parseAuditArgs(argv: readonly string[]): AuditArgs {
  const out: AuditArgs = { disabled: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--no-audit') out.disabled = true;
    else if (arg === '--audit-log') {
      const value = argv[i + 1];
      if (value === undefined || value === '') throw new AuditArgsError('--audit-log needs a PATH');
      out.path = value;
      i++;
    } else if (arg.startsWith('--audit-log=')) {
      const value = arg.slice('--audit-log='.length);
      if (value === '') throw new AuditArgsError('--audit-log needs a PATH');
      out.path = value;
    } else out.rest.push(arg);
  }
  return out;
}
