/**
 * The built CLI with a native scanner it cannot use must run as it does without one: the addon
 * is an accelerator (src/engine/native-scanner.ts), and one that is damaged on disk — a copy
 * cut short by a full disk or an interrupted cp, rsync or tar — must be passed over, not
 * crash every command. Each case runs a copy of dist/bin beside a damaged
 * dist/native/sudo-proxy-audit-native.node and compares with SUDO_PROXY_AUDIT_NATIVE=0.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { cliEnv, collect, makeTempDirFactory, REPO_ROOT, runCli } from './helpers.js';

const tempDir = makeTempDirFactory('spa-native-addon');
const ADDON = path.join(REPO_ROOT, 'dist/native/sudo-proxy-audit-native.node');

/** A copy of the built CLI (dist/bin, without source maps) whose dist/native holds `addon`'s bytes. */
function cliWithAddon(addon: Buffer): string {
  const root = tempDir();
  const bin = path.join(root, 'dist/bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const name of fs.readdirSync(path.join(REPO_ROOT, 'dist/bin'))) {
    if (!name.endsWith('.map')) fs.copyFileSync(path.join(REPO_ROOT, 'dist/bin', name), path.join(bin, name));
  }
  fs.mkdirSync(path.join(root, 'dist/native'));
  fs.writeFileSync(path.join(root, 'dist/native/sudo-proxy-audit-native.node'), addon);
  return path.join(bin, 'cli.js');
}

describe.skipIf(!fs.existsSync(ADDON))('the CLI with a damaged native scanner', () => {
  let log = '';
  let expected = '';
  beforeAll(async () => {
    log = path.join(tempDir(), 'audit.log');
    // (Big enough for the engine to load the addon: reads under 16 KB never do.)
    generateLog({ path: log, count: 400, seed: 5 });
    const r = await runCli(['stats', '--json', log], { env: cliEnv({ SUDO_PROXY_AUDIT_NATIVE: '0' }) });
    expect(r.code, r.stderr).toBe(0);
    expected = r.stdout;
  });

  const whole = () => fs.readFileSync(ADDON);
  it('stats --json loads the copy\'s addon (so that the cases below test something) and gives the same', async () => {
    const cli = cliWithAddon(whole());
    // glibc's loader names each object it maps.
    const r = await collect(spawn(process.execPath, [cli, 'stats', '--json', log], { env: cliEnv({ LD_DEBUG: 'files' }), stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(path.join(path.dirname(cli), '../native/sudo-proxy-audit-native.node'));
    expect(r.stdout).toBe(expected);
  });

  const cases: Array<[string, () => Buffer]> = [
    ['cut short just past its program headers', () => whole().subarray(0, 4096)],
    ['cut short halfway', () => whole().subarray(0, whole().length >> 1)],
    ['cut short a few bytes into its last mapped segment', () => whole().subarray(0, lastSegmentStart(whole()) + 16)],
    ['not an ELF file', () => Buffer.from('not a shared object\n')],
  ];
  for (const [what, bytes] of cases) {
    it(`stats --json gives what it gives without the addon when the addon is ${what}`, async () => {
      const cli = cliWithAddon(bytes());
      const r = await collect(spawn(process.execPath, [cli, 'stats', '--json', log], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] }));
      expect(r.signal, r.stderr).toBeNull();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(expected);
    });
  }
});

describe.skipIf(!fs.existsSync(ADDON))('print --json with the native scanner', () => {
  it('writes what it writes without it, byte for byte, hostile lines among plain ones (its lines read back natively, plain-line.ts)', async () => {
    const log = path.join(tempDir(), 'audit.log');
    generateLog({ path: log, count: 600, seed: 9, detailed: true, operator: { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' } });
    const plain = fs.readFileSync(log, 'latin1').split('\n').filter(Boolean);
    // A request and its response each way the fast paths must leave (or copy exactly): a DEL, an escape, a non-ASCII byte, a number not in JSON.stringify's form, keys out of order.
    const odd = plain.filter((l) => l.includes('"type":"request"')).slice(0, 5).map((l, k) => [
      l.replace(/"reason":"/, '"reason":"\u007f'),
      l.replace(/"reason":"/, '"reason":"\\u0041'),
      l.replace(/"reason":"/, '"reason":"\u00e9'),
      l.replace(/"latency_ms":(\d+)/, '"latency_ms":$1.0'),
      (() => {
        const { host, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return JSON.stringify({ host, ...rest });
      })(),
    ][k]);
    fs.appendFileSync(log, Buffer.from(`${odd.join('\n')}\n`, 'latin1'));
    const without = await runCli(['print', '--json', log], { env: cliEnv({ SUDO_PROXY_AUDIT_NATIVE: '0' }) });
    const withAddon = await collect(spawn(process.execPath, [path.join(REPO_ROOT, 'dist/bin/cli.js'), 'print', '--json', log], { env: cliEnv({ LD_DEBUG: 'files' }), stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(without.code, without.stderr).toBe(0);
    expect(withAddon.code).toBe(0);
    // (It did load the addon.)
    expect(withAddon.stderr).toContain('sudo-proxy-audit-native.node');
    expect(withAddon.stdout).toBe(without.stdout);
    expect(without.stdout.split('\n').length).toBeGreaterThan(300);
  });
});

/** Where the last PT_LOAD segment of a 64-bit little-endian ELF file starts in the file. */
function lastSegmentStart(elf: Buffer): number {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const size = elf.readUInt16LE(0x36);
  const count = elf.readUInt16LE(0x38);
  let last = 0;
  for (let k = 0; k < count; k++) {
    const at = phoff + k * size;
    if (elf.readUInt32LE(at) === 1) last = Math.max(last, Number(elf.readBigUInt64LE(at + 8)));
  }
  return last;
}
