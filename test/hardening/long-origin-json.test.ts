/**
 * Attack on 221202d (the addon writes `print --json`'s entries): a collected host's origin is
 * whatever the fleet names it. Two collectors holding a host of one name: the second is named
 * by its folder as given (`DIR/web`, collector-dir.ts namedApartFrom), so whoever picks the
 * collector's path picks an origin of kilobytes.
 *
 * EntryJsonBytes.natively asks the addon for the head (id … origin) at length 0 and, on -2,
 * calls `room(this.bytes.length)`, which does nothing at length 0: an origin longer than the
 * room readPlain made spins forever (100% CPU, nothing written). When the head just fits,
 * `put(L.noResponse)` / `put(L.noRequest)` follow with no room made: the typed array drops the
 * bytes past its end, `length` passes it, and the next entryJson call throws ("io's at must be
 * … within out"): `print --json` dies with an internal error, nothing written.
 *
 * Either way the same command with SUDO_PROXY_AUDIT_NATIVE=0 writes every entry.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, linesOf } from '../cli/helpers.js';
import { makeTempDirFactory } from '../helpers/temp-dir.js';

const tempDir = makeTempDirFactory('spa-long-origin');

const requestLine = (id: string, time: string, reason: string) =>
  JSON.stringify({ v: 1, type: 'request', id, time, host: 'h', session: 's', pipeline: [['x']], resolved: ['/x'], env_keys: [], reason, privileged: false, decision: 'approved', via: 'operator', latency_ms: 1 });
const responseLine = (id: string, time: string) =>
  JSON.stringify({ v: 1, type: 'response', id, time, status: 'ok', error: null, stages: [], stdout_len: 0, stdout_truncated: false, duration_ms: 1 });

/**
 * `c1/web` (one entry) and `<long>/web` (200 entries, requests without responses or orphan
 * responses: >16 KB, so the index loads the addon) under `root`; `long` is relative to it.
 */
function fleet(root: string, long: string, kind: 'request' | 'response'): void {
  fs.mkdirSync(path.join(root, 'c1', 'web'), { recursive: true });
  fs.mkdirSync(path.join(root, long, 'web'), { recursive: true });
  fs.writeFileSync(path.join(root, 'c1', 'web', 'audit.log'), `${requestLine('c1-only', '2026-10-01T00:00:00Z', 'r')}\n`);
  const lines: string[] = [];
  for (let n = 0; n < 200; n++) {
    const time = new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString();
    lines.push(kind === 'request' ? requestLine(`id-${n}`, time, 'r'.repeat(n)) : responseLine(`id-${n}-${'i'.repeat(n)}`, time));
  }
  fs.writeFileSync(path.join(root, long, 'web', 'audit.log'), `${lines.join('\n')}\n`);
}

/** `print --json c1 LONG` in `root`, killed after `ms`. */
function print(root: string, long: string, native: boolean, ms = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env = cliEnv(native ? {} : { SUDO_PROXY_AUDIT_NATIVE: '0' });
  const child = spawn(process.execPath, [CLI, 'print', '--json', 'c1', long], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

/** `c2/aaa…/bbb…/…` of `parts` names of 250 letters, then one of `last` letters (plain ASCII). */
const longPath = (parts: number, last: number) =>
  path.join('c2', ...Array.from({ length: parts }, (_, k) => String.fromCharCode(0x61 + k).repeat(250)), ...(last > 0 ? ['z'.repeat(last)] : []));

describe('print --json of a collected host whose origin (the collector path as given) is long', () => {
  it.each([
    // The head fits the 4 KB buffer but for the fixed text after it: put past the end, then a throw.
    ['a request without response, head just fits', longPath(14, 100), 'request'],
    ['an orphan response, head just fits', longPath(14, 250), 'response'],
    // The head does not fit at length 0: room(bytes.length) grows nothing, retried forever.
    ['a head that does not fit the buffer', longPath(15, 0), 'request'],
  ] as const)('writes every entry as without the addon: %s', async (_name, long, kind) => {
    const root = tempDir();
    fleet(root, long, kind);
    const [native, reference] = [await print(root, long, true), await print(root, long, false)];
    expect(reference.code).toBe(0);
    expect(linesOf(reference.stdout)).toHaveLength(201);
    expect({ code: native.code, signal: native.signal, stderr: native.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(native.stdout).toBe(reference.stdout);
  }, 60_000);
});
