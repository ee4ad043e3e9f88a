/** False alarms (an attacker's review, session 20): untampered chains delivered as rsyslog/logrotate deliver them, read once. */
import { afterEach, describe, expect, it } from 'vitest';
import { brief, chain, collector, fleet, open, status, verifyDir } from './collector-chain-harness.js';

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

const L = chain(300); // 602 lines, seq = line number
const s = (a: number, b: number) => L.slice(a - 1, b);

const PATTERNS: Array<[string, Record<string, string[]>]> = [
  ['in order', { 'audit.log': L }],
  ['late batch', { 'audit.log': [...s(1, 200), ...s(251, 400), ...s(201, 250), ...s(401, 602)] }],
  ['RELP resend right after', { 'audit.log': [...s(1, 300), ...s(281, 300), ...s(301, 602)] }],
  ['RELP resend 100 later', { 'audit.log': [...s(1, 400), ...s(281, 300), ...s(401, 602)] }],
  ['resend whole file at end', { 'audit.log': [...L, ...L] }],
  ['resend file so far, midway', { 'audit.log': [...s(1, 300), ...s(1, 300), ...s(301, 602)] }],
  ['sender log rotated at 200, resend current file', { 'audit.log': [...s(1, 400), ...s(201, 400), ...s(401, 602)] }],
  ['collector rotated .2.gz .1 live', { 'audit.log.2.gz': s(1, 200), 'audit.log.1': s(201, 400), 'audit.log': s(401, 602) }],
  ['collector rotated, late batch in newer file', { 'audit.log.2.gz': [...s(1, 150), ...s(171, 200)], 'audit.log.1': [...s(201, 300), ...s(151, 170), ...s(301, 400)], 'audit.log': s(401, 602) }],
  ['collector rotated, resend whole file into live', { 'audit.log.1': s(1, 300), 'audit.log': [...s(301, 400), ...s(1, 400), ...s(401, 602)] }],
  ['collector rotated, batch twice across files', { 'audit.log.1': s(1, 300), 'audit.log': [...s(281, 300), ...s(301, 602)] }],
  ['collector rotated mid-resend', { 'audit.log.1': [...s(1, 400), ...s(1, 150)], 'audit.log': [...s(151, 400), ...s(401, 602)] }],
  ['live rotated away (nocreate)', { 'audit.log.2.gz': s(1, 300), 'audit.log.1': s(301, 602) }],
  ['first batch late', { 'audit.log': [...s(21, 40), ...s(1, 20), ...s(41, 602)] }],
  ['late batch, then resend of it', { 'audit.log': [...s(1, 200), ...s(251, 400), ...s(201, 250), ...s(201, 250), ...s(401, 602)] }],
  ['resend including genesis after rotation, gz', { 'audit.log.2.gz': s(1, 100), 'audit.log.1': s(101, 300), 'audit.log': [...s(301, 500), ...s(1, 500), ...s(501, 602)] }],
  ['batches reversed (50)', { 'audit.log': Array.from({ length: 13 }, (_, k) => s(551 - 50 * k > 0 ? 551 - 50 * k : 1, 602 - 50 * k)).flat() }],
  ['restart resend, lost batch, rotated', { 'audit.log.1': s(1, 200), 'audit.log': [...s(202, 400), ...s(1, 602)] }],
  ['resend of tail of file after late batch overlapping', { 'audit.log': [...s(1, 100), ...s(131, 200), ...s(101, 130), ...s(101, 200), ...s(201, 602)] }],
];

const MODES: Array<[string, Record<string, unknown>]> = [
  ['default', {}],
  ['tailBytes 2000', { tailBytes: 2000 }],
  ['tailBytes 30000', { tailBytes: 30000 }],
  ['wholeHosts', { wholeHosts: true }],
];

describe.each(PATTERNS)('%s', (_name, files) => {
  const dir = collector(files);
  it('verify DIR says ok', () => {
    expect(verifyDir(dir)).toMatchObject({ ok: true });
  });
  it.each(MODES)('fleet engine, follow false, %s: not broken, each record checked or counted', async (_m, options) => {
    const engine = await fleet(dir, options);
    expect(brief(status(engine))).toMatchObject({ breakCount: 0 });
    expect(status(engine).state).not.toBe('broken');
    // Every record is checked or said not checked (ChainStatus.unchecked): none in silence, and none
    // said unchecked but where batches come in reverse, below the seq the check started from.
    const { checked, unchecked } = status(engine);
    expect(checked + unchecked).toBe(L.length);
    if (_name !== 'batches reversed (50)') expect(unchecked).toBe(0);
    else expect(unchecked).toBeGreaterThan(0);
  });
});
