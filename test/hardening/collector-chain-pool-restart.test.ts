/**
 * False alarms (an attacker's review, session 20): a followed collected host in a fleet of more hosts than the descriptor
 * pool holds. The collector's logrotate (nocreate, compress, delaycompress) compresses the rotated
 * file holding seq 1 (its plain file is deleted, so the pooled descriptor cannot be reopened),
 * then the sender restarts and re-sends its current file from genesis (the unit's ExecStartPre).
 * Untampered; verify DIR says ok.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, expect, it, vi } from 'vitest';
import type { ChainStatus } from '../../src/shared/entry.js';
import { brief, chain, collector, fleet, open, status, tempDir, verifyDir, WAIT } from './collector-chain-harness.js';

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a sender restart re-sending from genesis after the collector compressed the file seq 1 was in: not broken', { timeout: 120_000 }, async () => {
  const L = chain(200); // 402 lines
  const s = (a: number, b: number) => L.slice(a - 1, b);
  const dir = tempDir('atk2pool');
  const other = chain(5);
  // Other hosts: more rotated files than the pool's 64 descriptors.
  for (let h = 0; h < 80; h++) collector({ 'audit.log.1': other.slice(0, 6), 'audit.log': other.slice(6) }, `h${String(h).padStart(2, '0')}`, dir);
  // (Written last: the most recently written host is read first, and its pooled files are the first evicted.)
  collector({ 'audit.log.1': s(1, 300), 'audit.log': s(301, 350) }, 'web', dir);
  const old = new Date(Date.now() - 3_600_000);
  for (const h of fs.readdirSync(dir)) if (h !== 'web') for (const f of fs.readdirSync(path.join(dir, h))) fs.utimesSync(path.join(dir, h, f), old, old);
  const engine = await fleet(dir, { follow: true, sleepHostBytes: 0 });
  const seen: ChainStatus[] = [];
  engine.on('chain', (st) => seen.push(st));
  await vi.waitFor(() => expect(engine.progress().done).toBe(true), WAIT);
  await sleep(500);
  expect(status(engine)).toMatchObject({ state: 'intact', breakCount: 0 });
  const web = path.join(dir, 'web');
  // logrotate: .1 → .2.gz (delaycompress compresses it now), live → .1; rsyslog creates live with the next record.
  fs.writeFileSync(path.join(web, 'audit.log.2.gz'), zlib.gzipSync(fs.readFileSync(path.join(web, 'audit.log.1'))));
  fs.rmSync(path.join(web, 'audit.log.1'));
  fs.renameSync(path.join(web, 'audit.log'), path.join(web, 'audit.log.1'));
  await sleep(Number(process.env.ATK_AFTER_ROTATE ?? 2000));
  // A viewer scrolls over the other hosts' entries: their lines are read back through the pool,
  // which closes the least recently used descriptors (web's deleted audit.log.1 among them).
  const deletedOpen = () => fs.readdirSync('/proc/self/fd').some((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith('web/audit.log.1 (deleted)');
    } catch {
      return false;
    }
  });
  for (let round = 0; round < 10 && deletedOpen(); round++) {
    for (let i = 0; i < engine.size(); i++) if (engine.entry(i).origin !== 'web') engine.entryLines?.(i);
    await sleep(50);
  }
  // The sender restarts: its current file re-sent from genesis, then new records.
  fs.appendFileSync(path.join(web, 'audit.log'), [...s(1, 350), ...s(351, 402)].map((l) => `${l}\n`).join(''));
  await sleep(1500);
  const final = status(engine);
  const v = verifyDir(dir);
  expect(v.ok).toBe(true);
  expect(brief(final)).toMatchObject({ state: 'intact', breakCount: 0 });
});
