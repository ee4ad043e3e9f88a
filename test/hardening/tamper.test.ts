/**
 * The tamper matrix for `verify`, in one place: a rotated set written by the real writer and
 * rotated as logrotate rotates it with the README's config (audit.log.3.gz, .2.gz, .1, audit.log;
 * renamed and gzipped here, test/helpers/rotate.ts, so no logrotate is needed),
 * tampered with on disk in every way an intruder might, then judged by the built CLI
 * (`verify --history audit.log`). Each break is exit 1 naming its kind and file:line. What the
 * chain cannot see on its own — the tail cut off, or everything after a point rewritten with
 * fresh hashes — passes without a witness and fails with `--expect-head` (the head an earlier
 * verify printed, kept elsewhere).
 * Needs `npm run build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { openAuditLog } from '../../src/writer/index.js';
import { runCli } from '../cli/helpers.js';
import { rotateLikeLogrotate } from '../helpers/rotate.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-tamper');
const NAMES = ['audit.log.3.gz', 'audit.log.2.gz', 'audit.log.1', 'audit.log'] as const;
type Name = (typeof NAMES)[number];

/** The pristine set: each file's lines, and the head an earlier verify printed. */
let pristine: Record<Name, string[]>;
let pristineDir = '';
let head = '';
let records = 0;

const readSetFile = (file: string): string[] => {
  const raw = fs.readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').slice(0, -1);
};
const writeSetFile = (file: string, lines: readonly string[], tail = '\n') => {
  const text = Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}${tail}`);
  fs.writeFileSync(file, file.endsWith('.gz') ? gzipSync(text) : text, { mode: 0o600 });
};

beforeAll(async () => {
  pristineDir = tempDir();
  const live = path.join(pristineDir, 'audit.log');
  // rotationCheckMs 0: the rotation comes between appends a few microseconds apart.
  const log = openAuditLog({ path: live, rotationCheckMs: 0, warn: (m) => expect.fail(m) });
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 8; i++) {
      const id = `r${round}-${i}`;
      const denied = i % 5 === 4;
      log.request({
        id,
        time: `2026-11-0${round + 1}T08:${String(i).padStart(2, '0')}:00Z`,
        host: i % 2 ? 'web-01' : 'db-primary',
        session: `ssh:operator-${round}`,
        pipeline: [['systemctl', 'restart', `service-${i}`]],
        resolved: ['/usr/bin/systemctl'],
        env: { PATH: '/usr/bin' },
        reason: `operation ${id}: restart after the config change`,
        privileged: true,
        decision: denied ? 'denied' : 'approved',
        latencyMs: 700 + i,
      });
      if (!denied) log.response({ id, status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 42 + i, durationMs: 80 + i });
    }
    if (round < 3) rotateLikeLogrotate(live, { delaycompress: true });
  }
  log.close();
  expect(fs.readdirSync(pristineDir).filter((n) => n.startsWith('audit.log')).sort()).toEqual([...NAMES].sort());
  pristine = Object.fromEntries(NAMES.map((n) => [n, readSetFile(path.join(pristineDir, n))])) as Record<Name, string[]>;

  // What a cron job keeps: the head printed by an earlier verify of the intact set.
  const ok = await runCli(['verify', '--history', live]);
  expect(ok.code).toBe(0);
  const m = /^ok: (\d+) records, head ([0-9a-f]{64})\n$/.exec(ok.stdout);
  expect(m).not.toBeNull();
  records = Number(m?.[1]);
  head = m?.[2] ?? '';
  expect(records).toBe(NAMES.reduce((sum, n) => sum + pristine[n].length, 0));
  expect(head).toBe(hashLine(pristine['audit.log'].at(-1) as string));
});

/** A fresh copy of the pristine set; `tamper` edits it; returns the live path. */
function tamperedCopy(tamper: (files: TamperKit) => void): { dir: string; live: string } {
  const dir = tempDir();
  for (const n of NAMES) fs.copyFileSync(path.join(pristineDir, n), path.join(dir, n));
  tamper(kit(dir));
  return { dir, live: path.join(dir, 'audit.log') };
}

interface TamperKit {
  /** Rewrites a file's lines (recompressed when .gz). */
  edit(name: Name, change: (lines: string[]) => string[], tail?: string): void;
  remove(name: Name): void;
  /** Cuts the file's last bytes. */
  cut(name: Name, bytes: number): void;
}

function kit(dir: string): TamperKit {
  const at = (name: Name) => path.join(dir, name);
  return {
    edit: (name, change, tail) => writeSetFile(at(name), change(readSetFile(at(name))), tail),
    remove: (name) => fs.rmSync(at(name)),
    cut: (name, bytes) => fs.truncateSync(at(name), fs.statSync(at(name)).size - bytes),
  };
}

/** One character of a line changed, the JSON still valid: `operation` → `Operation`. */
function flipOneByte(line: string): string {
  const at = line.indexOf('"operation ');
  expect(at).toBeGreaterThan(0);
  return `${line.slice(0, at + 1)}O${line.slice(at + 2)}`;
}

/** A record a forger writes after `after`, continuing its chain: seq + 1 and prev = its hash. */
function forgedAfter(after: string): string {
  const r = JSON.parse(after) as Record<string, unknown>;
  return JSON.stringify({
    v: 1,
    type: 'request',
    seq: (r.seq as number) + 1,
    prev: hashLine(after),
    id: 'forged-1',
    time: '2026-11-03T08:30:00Z',
    host: 'web-01',
    session: 'ssh:operator-2',
    pipeline: [['systemctl', 'stop', 'auditd']],
    resolved: ['/usr/bin/systemctl'],
    env_keys: ['PATH'],
    reason: 'routine',
    privileged: true,
    decision: 'approved',
    via: 'operator',
    latency_ms: 900,
  });
}

const swap = (lines: string[], i: number, j: number) => {
  [lines[i], lines[j]] = [lines[j], lines[i]];
  return lines;
};

interface BreakRow {
  what: string;
  tamper: (k: TamperKit) => void;
  kind: 'modified' | 'deleted' | 'inserted' | 'reordered';
  file: Name;
  /** 1-based, or 'last' for the file's last line. */
  line: number | 'last';
}

// Line numbers are those of the tampered file. Each file holds one round: request, response, …
const BREAKS: BreakRow[] = [
  { what: 'one byte modified in a plain rotated file', tamper: (k) => k.edit('audit.log.1', (l) => ((l[4] = flipOneByte(l[4])), l)), kind: 'modified', file: 'audit.log.1', line: 5 },
  { what: 'one byte modified inside a gzip file (recompressed)', tamper: (k) => k.edit('audit.log.2.gz', (l) => ((l[2] = flipOneByte(l[2])), l)), kind: 'modified', file: 'audit.log.2.gz', line: 3 },
  { what: 'one byte modified in the live file', tamper: (k) => k.edit('audit.log', (l) => ((l[2] = flipOneByte(l[2])), l)), kind: 'modified', file: 'audit.log', line: 3 },
  { what: 'a line deleted', tamper: (k) => k.edit('audit.log.1', (l) => l.filter((_, i) => i !== 6)), kind: 'deleted', file: 'audit.log.1', line: 7 },
  { what: 'the first line of a rotated file deleted', tamper: (k) => k.edit('audit.log.1', (l) => l.slice(1)), kind: 'deleted', file: 'audit.log.1', line: 1 },
  {
    what: 'a forged line inserted mid-file, its seq and prev recomputed',
    tamper: (k) => k.edit('audit.log.1', (l) => [...l.slice(0, 4), forgedAfter(l[3]), ...l.slice(4)]),
    kind: 'inserted',
    file: 'audit.log.1',
    line: 5,
  },
  { what: 'two lines swapped', tamper: (k) => k.edit('audit.log.1', (l) => swap(l, 2, 3)), kind: 'reordered', file: 'audit.log.1', line: 3 },
  {
    what: 'two lines swapped across a rotation (last of .2.gz, first of .1)',
    tamper: (k) => {
      const last = pristine['audit.log.2.gz'].at(-1) as string;
      const first = pristine['audit.log.1'][0];
      k.edit('audit.log.2.gz', (l) => [...l.slice(0, -1), first]);
      k.edit('audit.log.1', (l) => [last, ...l.slice(1)]);
    },
    kind: 'reordered',
    file: 'audit.log.2.gz',
    line: 'last',
  },
  { what: 'a whole rotated file dropped from the set', tamper: (k) => k.remove('audit.log.2.gz'), kind: 'deleted', file: 'audit.log.1', line: 1 },
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.concurrent('verify --history on a tampered rotated set: exit 1, the kind and file:line', () => {
  it.each(BREAKS)('$what → $kind at $file:$line', async ({ tamper, kind, file, line }) => {
    const { dir, live } = tamperedCopy(tamper);
    const r = await runCli(['verify', '--history', live]);
    const at = line === 'last' ? readSetFile(path.join(dir, file)).length : line;
    expect(r.stdout).toMatch(new RegExp(`^break at ${escapeRe(path.join(dir, file))}:${at} \\(${kind}\\): .+\\n$`));
    expect(r.code).toBe(1);
  });

  it('a whole rotated file dropped: the message says how many records and between which lines', async () => {
    const { dir, live } = tamperedCopy((k) => k.remove('audit.log.2.gz'));
    const r = await runCli(['verify', '--history', live]);
    const n = pristine['audit.log.2.gz'].length;
    const first = JSON.parse(pristine['audit.log.2.gz'][0]).seq as number;
    const older = path.join(dir, 'audit.log.3.gz');
    expect(r.stdout).toBe(
      `break at ${path.join(dir, 'audit.log.1')}:1 (deleted): ${n} records (seq ${first}–${first + n - 1}) missing between ${older}:${pristine['audit.log.3.gz'].length} and ${path.join(dir, 'audit.log.1')}:1\n`,
    );
  });
});

interface WitnessRow {
  what: string;
  tamper: (k: TamperKit) => void;
  /** Records verify still counts without the witness. */
  records: () => number;
  /** Lines that are not records (listed on stderr). */
  torn?: boolean;
}

/** Rewrites everything from the live file's line `from` on: one forged record, then every later record re-chained. */
function rewriteFrom(lines: string[], from: number): string[] {
  const out = lines.slice(0, from);
  out.push(forgedAfter(out[from - 1]));
  for (const line of lines.slice(from)) {
    const r = JSON.parse(line) as Record<string, unknown>;
    const prevLine = out[out.length - 1];
    const { v, type, seq, prev, ...rest } = r;
    out.push(JSON.stringify({ v, type, seq: (JSON.parse(prevLine).seq as number) + 1, prev: hashLine(prevLine), ...rest }));
  }
  return out;
}

// What the chain alone cannot see: it still runs unbroken from its first record to its last.
const UNSEEN: WitnessRow[] = [
  { what: 'tail truncated: the last 3 lines removed', tamper: (k) => k.edit('audit.log', (l) => l.slice(0, -3)), records: () => records - 3 },
  { what: 'tail truncated mid-line (the last 100 bytes cut)', tamper: (k) => k.cut('audit.log', 100), records: () => records - 1, torn: true },
  { what: 'the live file emptied', tamper: (k) => k.edit('audit.log', () => []), records: () => records - pristine['audit.log'].length },
  { what: 'a forged line inserted and every later record re-chained', tamper: (k) => k.edit('audit.log', (l) => rewriteFrom(l, 3)), records: () => records + 1 },
];

describe.concurrent('what the chain alone cannot see: passes without a witness, fails with --expect-head', () => {
  it.each(UNSEEN)('$what', async ({ tamper, records: count, torn }) => {
    const { live } = tamperedCopy(tamper);
    const alone = await runCli(['verify', '--history', live]);
    // A torn tail is counted in the ok line (and listed on stderr): a hint, not a verdict.
    const counted = torn ? '; 1 malformed line outside the chain \\(--strict fails on them\\)' : '';
    expect(alone.stdout).toMatch(new RegExp(`^ok: ${count()} records, head [0-9a-f]{64}${counted}\\n$`));
    expect(alone.stdout).not.toContain(head);
    expect(alone.code).toBe(0);
    expect(alone.stderr).toMatch(torn ? /:\d+: not a record/ : /^$/);

    const witnessed = await runCli(['verify', '--history', '--expect-head', head, live]);
    expect(witnessed.stdout).toMatch(
      new RegExp(`^break at .+:\\d+ \\(deleted\\): the expected head ${head.slice(0, 16)}… is not in the log: its tail was truncated or rewritten\\n$`),
    );
    expect(witnessed.code).toBe(1);
  });

  it('the witness does not flag honest history: appends and a further rotation after it was taken', async () => {
    const { dir, live } = tamperedCopy(() => {});
    const log = openAuditLog({ path: live, rotationCheckMs: 0, warn: (m) => expect.fail(m) });
    log.request({ id: 'later-1', time: '2026-11-05T08:00:00Z', session: 's', pipeline: [['uptime']], privileged: false, decision: 'approved', via: 'policy' });
    rotateLikeLogrotate(live, { delaycompress: true });
    log.response({ id: 'later-1', status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 1, durationMs: 1 });
    log.close();
    expect(fs.existsSync(path.join(dir, 'audit.log.4.gz'))).toBe(true);
    const r = await runCli(['verify', '--history', '--expect-head', head, live]);
    // + the writer's start, the request, the response and its stop.
    expect(r.stdout).toMatch(new RegExp(`^ok: ${records + 4} records, head [0-9a-f]{64}\\n$`));
    expect(r.code).toBe(0);
  });

  it('the oldest file expired by logrotate (rotate N) is not a break: the chain starts later', async () => {
    const { live } = tamperedCopy((k) => k.remove('audit.log.3.gz'));
    const r = await runCli(['verify', '--json', '--history', '--expect-head', head, live]);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, first_seq: pristine['audit.log.3.gz'].length + 1, head });
    expect(r.code).toBe(0);
  });
});
