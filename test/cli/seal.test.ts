/**
 * `seal init|status` and `verify --verification-key` against the attacks a seal exists for:
 * whoever holds the host — and so the current state file — rewrites records, recomputes the
 * chain and re-seals with the keys it has. Each attack is first shown to pass the chain alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashLine } from '../../src/shared/chain.js';
import { keyAtEpoch, keyId, nextKey, parseSealLine, sealLine } from '../../src/shared/seal.js';
import { decodeSealState, encodeSealState, sealStatePath } from '../../src/shared/seal-state.js';
import { openAuditLog } from '../../src/writer/index.js';
import { rotateLikeLogrotate } from '../helpers/rotate.js';
import { sampleRequest } from '../writer/helpers.js';
import { initSealState } from '../writer/seal-helpers.js';
import { linesOf, makeTempDirFactory, readLines, runCli, writeLines } from './helpers.js';

const tempDir = makeTempDirFactory('spa-cli-seal');
const MIN = 60_000;

/**
 * A sealed log: 50 records a minute apart (seals at minutes 15, 30, 45 and at close), then
 * `tail` records by a writer that does not seal (the unsealed tail). Returns k₀ as hex.
 */
function sealedLog(tail = 0, file = path.join(tempDir(), 'audit.log'), rotateAt: number[] = []) {
  const k0 = initSealState(file);
  let t = Date.parse('2026-12-01T10:00:00Z');
  const log = openAuditLog({ path: file, now: () => t });
  for (let i = 0; i < 50; i++) {
    if (rotateAt.includes(i)) rotateLikeLogrotate(file, { delaycompress: true });
    log.request(sampleRequest(i));
    t += MIN;
  }
  log.close();
  if (tail > 0) {
    const after = openAuditLog({ path: file, now: () => t, sealInterval: 0 });
    for (let i = 0; i < tail; i++) after.request(sampleRequest(100 + i));
    after.close();
  }
  return { file, key: k0.toString('hex'), k0 };
}

/** Line numbers (1-based) of the seals in `lines`. */
const sealLines = (lines: readonly string[]) => lines.flatMap((l, i) => (l.includes('"type":"seal"') ? [i + 1] : []));

/**
 * The attacker's pen: recomputes seq and prev from line `from` (0-based) on, re-sealing each
 * seal with `seal(fields)` — the keys the attacker has.
 */
function rechain(lines: string[], from: number, reseal: (f: { seq: number; prev: string; time: string; epoch: number; keyId: string }) => string): string[] {
  const out = lines.slice(0, from);
  for (let i = from; i < lines.length; i++) {
    const prev = i === 0 ? '0'.repeat(64) : hashLine(out[i - 1]);
    const seq = i === 0 ? 1 : (JSON.parse(out[i - 1]) as { seq: number }).seq + 1;
    const seal = parseSealLine(lines[i]);
    if (seal) out.push(reseal({ seq, prev, time: seal.time, epoch: seal.epoch, keyId: seal.keyId }));
    else out.push(JSON.stringify({ ...JSON.parse(lines[i]), seq, prev }));
  }
  return out;
}

/** What the attacker reads from the state file: the current epoch and its key. */
function stolenState(file: string) {
  return decodeSealState(fs.readFileSync(sealStatePath(file)));
}

const verify = (args: string[]) => runCli(['verify', ...args]);

describe('seal init and status', () => {
  it('init: the key once (64 hex digits, no QR code off a terminal), the state 0600 in a 0700 directory; status never shows the key', async () => {
    const log = path.join(tempDir(), 'new', 'audit.log');
    const init = await runCli(['seal', 'init', '--audit-log', log]);
    expect(init.code).toBe(0);
    const key = /^ {2}([0-9a-f]{64})$/m.exec(init.stdout)?.[1] as string;
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(init.stdout).not.toContain('█');
    const statePath = sealStatePath(log);
    expect(fs.statSync(statePath).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(log)).mode & 0o777).toBe(0o700);
    expect(init.stdout).toContain(`key id: ${keyId(Buffer.from(key, 'hex'))}`);

    const again = await runCli(['seal', 'init', '--audit-log', log]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);
    expect(fs.readFileSync(statePath, 'utf8')).toContain(key);

    const status = await runCli(['seal', 'status', '--audit-log', log]);
    expect(status.code).toBe(0);
    expect(linesOf(status.stdout)).toEqual([`sealed: ${log}`, `state: ${statePath} (mode 0600)`, 'epoch: 0 (the next seal\'s)', `key id: ${keyId(Buffer.from(key, 'hex'))}`, 'last seal: none yet']);
    expect(status.stdout + status.stderr).not.toContain(key);

    const forced = await runCli(['seal', 'init', '--audit-log', log, '--force']);
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(statePath, 'utf8')).not.toContain(key);
  });

  it('refuses a symlink where the state goes, and says when a log is not sealed', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'audit.log');
    fs.symlinkSync(path.join(dir, 'elsewhere'), sealStatePath(log));
    const init = await runCli(['seal', 'init', '--audit-log', log, '--force']);
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/symlink: refused/);
    expect(fs.existsSync(path.join(dir, 'elsewhere'))).toBe(false);
    const status = await runCli(['seal', 'status', '--audit-log', path.join(tempDir(), 'audit.log')]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^not sealed: /);
  });

  it('init of a log whose directory cannot be made (under /proc) says why, and does not spin (Node 20 recursive mkdir did, at full CPU)', async () => {
    const { spawnCli, collect } = await import('./helpers.js');
    const child = spawnCli(['seal', 'init', '--audit-log', `/proc/spa-no-such-dir-${process.pid}/audit.log`]);
    // (Killed at the test's end if it never answers: a spinning child must not outlive the suite.)
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    try {
      const r = await collect(child);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/spa-no-such-dir/);
    } finally {
      clearTimeout(killer);
    }
  }, 30_000);

  it('status after sealing: the epoch and the last seal made', async () => {
    const { file } = sealedLog();
    const status = await runCli(['seal', 'status', '--audit-log', file, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ sealed: true, epoch: 4, last_seal: { epoch: 3, seq: 56 } }); // the close's, after stop
  });
});

describe('verify with the verification key', () => {
  it('an intact log: sealed through its last seal; the records after it counted as unsealed; --json has the fields', async () => {
    const { file, key } = sealedLog(3); // + start, 3 requests, stop: 5 records unsealed
    const ok = await verify([file, '--verification-key', key]);
    expect(ok.code).toBe(0);
    expect(linesOf(ok.stdout)[1]).toBe('sealed through seq 56 at 2026-12-01T10:50:00.000Z (epoch 3, 4 seals verified); 5 records after it unsealed');
    const json = JSON.parse((await verify([file, '--verification-key', key, '--json'])).stdout);
    expect(json.seal).toEqual({ checked: true, seals: 4, sealed_through_seq: 56, sealed_through_time: '2026-12-01T10:50:00.000Z', last_epoch: 3, unsealed: 5, failure: null, warnings: [] });
    const keyless = await verify([file]);
    expect(linesOf(keyless.stdout)[1]).toMatch(/^4 seals, the last at seq 56, .*; 5 records after it unsealed; not checked: no --verification-key$/);
  });

  it('the attacker with the current state rewrites an earlier epoch, recomputes the chain and re-seals with the current key: exit 1 at the first seal', async () => {
    const { file, key } = sealedLog();
    const lines = readLines(file);
    const stolen = stolenState(file);
    const edited = [...lines];
    edited[3] = edited[3].replace('"decision":"approved"', '"decision":"denied"');
    expect(edited[3]).not.toBe(lines[3]);
    // Same epoch numbers, MAC'd with the only key the attacker has.
    writeLines(file, rechain(edited, 3, (f) => sealLine(f, stolen.key)));
    expect((await verify([file])).code).toBe(0); // the chain alone calls it intact
    const v = await verify([file, '--verification-key', key]);
    expect(v.code).toBe(1);
    const first = sealLines(lines)[0];
    expect(v.stdout).toContain(`seal failure at ${file}:${first} (mac)`);
  });

  it('…or renumbers the seals from the current epoch (each MAC valid under k_now and its successors): exit 1, epochs missing at the first seal', async () => {
    const { file, key } = sealedLog();
    const lines = readLines(file);
    const stolen = stolenState(file);
    const edited = [...lines];
    edited[3] = edited[3].replace('"decision":"approved"', '"decision":"denied"');
    let k: Buffer = Buffer.from(stolen.key);
    let epoch = stolen.epoch;
    const forged = rechain(edited, 3, (f) => {
      const line = sealLine({ ...f, epoch }, k);
      k = nextKey(k);
      epoch++;
      return line;
    });
    writeLines(file, forged);
    // The state moved on to match, as the attacker can do.
    fs.writeFileSync(sealStatePath(file), encodeSealState({ epoch, key: k, keyId: stolen.keyId, pending: null }), { mode: 0o600 });
    const v = await verify([file, '--verification-key', key]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`seal failure at ${file}:${sealLines(lines)[0]} (missing-epoch)`);
  });

  it('the documented boundary: the same attacker rewriting only the records after the last seal is NOT caught', async () => {
    const { file, key } = sealedLog(4);
    const lines = readLines(file);
    const last = sealLines(lines).at(-1) as number;
    const edited = [...lines];
    edited[last + 1] = edited[last + 1].replace('"decision":"approved"', '"decision":"denied"');
    writeLines(file, rechain(edited, last + 1, () => {
      throw new Error('no seal after the last');
    }));
    const v = await verify([file, '--verification-key', key]);
    expect(v.code).toBe(0);
    expect(linesOf(v.stdout)[1]).toMatch(/; 6 records after it unsealed$/); // start, 4 requests, stop
  });

  it('names a deleted seal, two seals swapped, a seal from another log, and a wrong key', async () => {
    const { file, key } = sealedLog();
    const lines = readLines(file);
    const [s1, s2, s3] = sealLines(lines);
    const stolen = stolenState(file);
    const resealStolen = (f: Parameters<typeof sealLine>[0]) => sealLine(f, stolen.key);

    // Deleted: the chain names it; deleted and re-chained: the next seal's epoch does.
    writeLines(file, lines.filter((_, i) => i !== s2 - 1));
    const deleted = await verify([file, '--verification-key', key]);
    expect(deleted.code).toBe(1);
    expect(deleted.stdout).toMatch(/break at .*\(deleted\)/);
    writeLines(file, rechain(lines.filter((_, i) => i !== s2 - 1), s2 - 1, resealStolen));
    expect((await verify([file, '--verification-key', key])).stdout).toContain(`seal failure at ${file}:${s3 - 1} (missing-epoch)`);

    // Swapped and re-chained: the first seal out of place is named.
    const swapped = [...lines];
    [swapped[s1 - 1], swapped[s2 - 1]] = [lines[s2 - 1], lines[s1 - 1]];
    writeLines(file, rechain(swapped, s1 - 1, (f) => sealLine(f, stolen.key)));
    const sw = await verify([file, '--verification-key', key]);
    expect(sw.code).toBe(1);
    expect(sw.stdout).toContain(`seal failure at ${file}:${s1} (missing-epoch)`);

    // Another log's seal for the same epoch, put in place of this one's, the chain recomputed.
    const other = sealedLog(0, path.join(tempDir(), 'audit.log'));
    const theirs = parseSealLine(readLines(other.file)[sealLines(readLines(other.file))[0] - 1]);
    const spliced = rechain(lines, s1 - 1, (f) => (f.epoch === 0 && theirs ? sealLine({ ...f, keyId: theirs.keyId }, keyAtEpoch(other.k0, 0) as Buffer) : sealLine(f, stolen.key)));
    writeLines(file, spliced);
    const o = await verify([file, '--verification-key', key]);
    expect(o.code).toBe(1);
    expect(o.stdout).toContain(`seal failure at ${file}:${s1} (other-log)`);

    // The untouched log, the wrong key.
    writeLines(file, lines);
    const wrong = await verify([file, '--verification-key', other.key]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`seal failure at ${file}:${s1} (other-log)`);
    expect(wrong.stdout).toMatch(/or the wrong key/);
  });

  it('a log truncated after a seal: the state beside it says later seals were made (exit 1); without the state, the stale seal is warned about', async () => {
    const { file, key } = sealedLog(20);
    const lines = readLines(file);
    const [, s2] = sealLines(lines);
    writeLines(file, lines.slice(0, s2 + 30 - 16)); // through seal 2 and the records of the next 14 minutes
    const v = await verify([file, '--verification-key', key]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/seal failure at .*\(truncated\): .*is at epoch 4, but the log's last seal is epoch 1/);

    // The state gone too: only time tells. The writer seals every interval while records come,
    // so records long after the last seal mean a truncation (or a writer that stopped sealing).
    fs.rmSync(sealStatePath(file));
    writeLines(file, lines.slice(0, s2 + 15)); // the 15 minutes of records before seal 3
    const w = await verify([file, '--verification-key', key, '--seal-interval', '10m']);
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/^warning: the last seal .* is 15 min older than the last record .*more than the 10 min seal interval/m);
    expect((await verify([file, '--verification-key', key])).stderr).toBe('');
  });

  it('a rotated set with .gz history verifies across its files; a collector directory takes HOST=KEY from a key file', async () => {
    const { file, key } = sealedLog(0, path.join(tempDir(), 'web', 'audit.log'), [20, 40]);
    const set = await verify([file, '--history', '--verification-key', key]);
    expect(set.code).toBe(0);
    expect(linesOf(set.stdout)[1]).toMatch(/^sealed through seq \d+ at .* \(epoch 3, 4 seals verified\); 0 records after it unsealed$/);

    const collector = path.dirname(path.dirname(file));
    const db = sealedLog(0, path.join(collector, 'db', 'audit.log'));
    const dbLines = readLines(db.file);
    dbLines[2] = dbLines[2].replace('"decision":"approved"', '"decision":"denied"');
    const stolen = stolenState(db.file);
    writeLines(db.file, rechain(dbLines, 2, (f) => sealLine(f, stolen.key)));
    const keys = path.join(tempDir(), 'keys');
    fs.writeFileSync(keys, `# verification keys\nweb=${key}\ndb=${db.key}\n`);
    const fleet = await verify([collector, '--verification-key-file', keys]);
    expect(fleet.code).toBe(1);
    expect(fleet.stdout).toMatch(/^db: ok: .*; seal failure at .*db\/audit\.log:\d+ \(mac\)/m);
    expect(fleet.stdout).toMatch(/^web: ok: .*; sealed through seq/m);
    expect(linesOf(fleet.stdout).at(-1)).toBe('verified 2 hosts: 1 broken (db)');
  });

  it('a bad key is a usage error that does not echo the key', async () => {
    const { file, key } = sealedLog();
    const typo = `${key.slice(0, 63)}g`;
    const v = await verify([file, '--verification-key', typo]);
    expect(v.code).toBe(2);
    expect(v.stderr).not.toContain(typo);
  });

  it('readers take seal records in their stride: no entry, not malformed; stats reports the seals', async () => {
    const { file } = sealedLog(2);
    const stats = JSON.parse((await runCli(['stats', file, '--json'])).stdout);
    expect(stats).toMatchObject({ total: 52, malformed_count: 0, seal: { seals: 4, last_seal_seq: 56, last_seal_epoch: 3, last_seal_time: '2026-12-01T10:50:00.000Z', unsealed: 4 } });
    const text = await runCli(['stats', file]);
    expect(text.stdout).toMatch(/^Seals: {16}4 seals, the last at seq 56 \(epoch 3\), 2026-12-01T10:50:00.000Z; 4 records after it unsealed/m);
    const print = await runCli(['print', file, '--json']);
    expect(print.code).toBe(0);
    expect(linesOf(print.stdout)).toHaveLength(52); // 50 sealed requests and 2 after
    expect(print.stderr).toBe('');
  });
});

describe('view with the verification key', () => {
  it('parses the key as verify does, before anything is read: a bad one is a usage error that does not echo it', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'audit.log');
    fs.writeFileSync(log, '');
    const bad = await runCli(['view', log, '--verification-key', 'ab'.repeat(31)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--verification-key takes the 64 hex digits');
    expect(bad.stderr).not.toContain('ab'.repeat(31));
    const named = await runCli(['view', log, '--verification-key', `db-1=${'ab'.repeat(32)}`]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('hosts are named only for a collector directory');
    // A good key gets as far as the terminal check (no terminal here).
    const good = await runCli(['view', log, '--verification-key', 'ab'.repeat(32)]);
    expect(good.code).toBe(2);
    expect(good.stderr).toContain('not a terminal');
  });
});
