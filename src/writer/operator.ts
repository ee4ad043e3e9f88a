/**
 * Who decides: the daemon's OS user, the terminal it prompts on and the machine, read once
 * when the writer opens its log and written on its `start` record and on every request and
 * policy record. The daemon may override any part (`openAuditLog({ operator: { tty } })`).
 */
import fs from 'node:fs';
import os from 'node:os';
import tty from 'node:tty';
import type { OperatorInfo } from '../shared/schema.js';

/** What a daemon may set: any part; the rest comes from the OS. */
export type OperatorOverride = Partial<OperatorInfo>;

const attempt = <T>(read: () => T, fallback: T): T => {
  try {
    return read();
  } catch {
    return fallback;
  }
};

/** The real uid (0 where the platform has none). */
const realUid = (): number => process.getuid?.() ?? 0;

/**
 * The name of `uid` (getpwuid): Node looks up only the effective uid's; another uid (a daemon's
 * override, a setuid process's real uid) is looked up in /etc/passwd. '' when it has none.
 */
function userName(uid: number): string {
  if ((process.geteuid?.() ?? uid) === uid) {
    const name = attempt(() => os.userInfo().username, '');
    if (name !== '') return name;
  }
  return attempt(() => passwdName(fs.readFileSync('/etc/passwd', 'utf8'), uid), '');
}

/** The first name /etc/passwd gives `uid` (name:password:uid:…), or ''. */
export function passwdName(passwd: string, uid: number): string {
  for (const line of passwd.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[2] === String(uid) && fields[0] !== '') return fields[0];
  }
  return '';
}

/** The terminal on fd 0, when fd 0 is one (readlink /proc/self/fd/0), else null. */
function terminal(): string | null {
  if (!attempt(() => tty.isatty(0), false)) return null;
  return attempt(() => fs.readlinkSync('/proc/self/fd/0'), null);
}

const isUid = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The operator written: the daemon's override where it gave one (of a valid type), else the OS's. */
export function operatorInfo(over: OperatorOverride = {}): OperatorInfo {
  const uid = isUid(over.uid) ? over.uid : realUid();
  return {
    uid,
    user: over.user == null ? userName(uid) : String(over.user),
    tty: over.tty === undefined ? terminal() : over.tty === null ? null : String(over.tty),
    hostname: over.hostname == null ? attempt(() => os.hostname(), '') : String(over.hostname),
  };
}
