/** False alarms (an attacker's review, session 20): untampered chains delivered over time to a followed collected host. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChainStatus } from '../../src/shared/entry.js';
import { brief, chain, collector, fleet, open, settledFollow, status, verifyDir } from './collector-chain-harness.js';

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

const L = chain(300); // 602 lines
const s = (a: number, b: number) => L.slice(a - 1, b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Step = string[] | 'rotate';

/** logrotate (nocreate, compress, delaycompress): .N.gz → .N+1.gz, .1 → .2.gz, live → .1; the next append creates live. */
function rotate(hostDir: string): void {
  const names = fs.readdirSync(hostDir);
  const gz = names.map((n) => /^audit\.log\.(\d+)\.gz$/.exec(n)).filter(Boolean).map((m) => Number((m as RegExpExecArray)[1])).sort((a, b) => b - a);
  for (const k of gz) fs.renameSync(path.join(hostDir, `audit.log.${k}.gz`), path.join(hostDir, `audit.log.${k + 1}.gz`));
  if (fs.existsSync(path.join(hostDir, 'audit.log.1'))) {
    fs.writeFileSync(path.join(hostDir, 'audit.log.2.gz'), zlib.gzipSync(fs.readFileSync(path.join(hostDir, 'audit.log.1'))));
    fs.rmSync(path.join(hostDir, 'audit.log.1'));
  }
  if (fs.existsSync(path.join(hostDir, 'audit.log'))) fs.renameSync(path.join(hostDir, 'audit.log'), path.join(hostDir, 'audit.log.1'));
}

const SCENARIOS: Array<[string, Record<string, string[]>, Step[]]> = [
  ['appends in order', { 'audit.log': s(1, 100) }, [s(101, 300), s(301, 602)]],
  ['late batch while following', { 'audit.log': s(1, 100) }, [s(131, 300), s(101, 130), s(301, 602)]],
  ['RELP resend while following', { 'audit.log': s(1, 100) }, [s(101, 300), s(281, 300), s(301, 602)]],
  ['sender restart resends whole file', { 'audit.log': s(1, 100) }, [s(101, 300), s(1, 300), s(301, 602)]],
  ['collector rotation then resend whole file', { 'audit.log': s(1, 100) }, [s(101, 300), 'rotate', s(1, 300), s(301, 602)]],
  ['two rotations (gz), then resend whole file', { 'audit.log': s(1, 100) }, [s(101, 200), 'rotate', s(201, 300), 'rotate', s(301, 400), s(1, 400), s(401, 602)]],
  ['rotation with a late batch landing after it', { 'audit.log': s(1, 100) }, [s(131, 300), 'rotate', s(101, 130), s(301, 602)]],
  ['rotated files at start, resend genesis', { 'audit.log.2.gz': s(1, 100), 'audit.log.1': s(101, 200), 'audit.log': s(201, 300) }, [s(1, 300), s(301, 602)]],
  ['rotated files at start, rotate, resend genesis', { 'audit.log.2.gz': s(1, 100), 'audit.log.1': s(101, 200), 'audit.log': s(201, 300) }, ['rotate', s(301, 350), 'rotate', s(1, 350), s(351, 602)]],
  ['first batch late', { 'audit.log': s(21, 40) }, [s(1, 20), s(41, 602)]],
  ['restart resend with a batch lost before it', { 'audit.log.1': s(1, 200) }, [s(202, 300), s(1, 300), s(301, 602)]],
];

const MODES: Array<[string, Record<string, unknown>]> = [
  ['default (small: in order, may sleep)', {}],
  ['no sleep, tailBytes 2000', { sleepHostBytes: 0, tailBytes: 2000 }],
  ['fast sleep', { sleepCheckMs: 100 }],
];

describe.each(SCENARIOS)('%s', (_name, initial, steps) => {
  it.each(MODES)('follow, %s: never broken, intact at the end; verify ok', async (_m, options) => {
    const dir = collector(initial);
    const hostDir = path.join(dir, 'web');
    const engine = await fleet(dir, { follow: true, ...options });
    const seen: ChainStatus[] = [];
    engine.on('chain', (st) => seen.push(st));
    for (const step of steps) {
      await sleep(250);
      if (step === 'rotate') rotate(hostDir);
      else fs.appendFileSync(path.join(hostDir, 'audit.log'), step.map((l) => `${l}\n`).join(''));
      seen.push(status(engine));
    }
    let final: ChainStatus;
    try {
      final = await settledFollow(engine, (st) => st.state === 'intact' || st.state === 'broken');
    } catch {
      final = status(engine);
    }
    expect(verifyDir(dir)).toMatchObject({ ok: true });
    const broken = seen.filter((st) => st.state === 'broken' || st.breakCount > 0).map(brief);
    expect({ final: brief(final), broken: broken.slice(0, 2) }).toMatchObject({ final: { state: 'intact', breakCount: 0 }, broken: [] });
  });
});
