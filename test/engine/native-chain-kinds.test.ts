/**
 * `verify`'s lines read by the native scanner (native-chain-kinds.ts) against the
 * reference it stands in for, shared/chain.ts `classifyChainLine` with the schema's judge: a line
 * it answers for gets the very verdict — kind, seq, prev, hash, reason, `logged`, seal or not —
 * over mutated and reordered records and a real sealed log; and `verify` says the same, byte for
 * byte, with the scanner and without it (SUDO_PROXY_AUDIT_NATIVE=0), over a log big enough to
 * take it, with a break and seals in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainLinesOfFiles, recordProblem } from '../../src/cli/commands/lines.js';
import { generateLog } from '../../src/demo/generate.js';
import { NativeChainKinds } from '../../src/engine/native-chain-kinds.js';
import { nativeAddon } from '../../src/engine/native-scanner.js';
import { seededRandom } from '../../src/demo/traffic.js';
import { classifyChainLine, type ChainLine, verifyChain } from '../../src/shared/chain.js';
import { planCollectedOrder } from '../../src/shared/chain-order.js';
import { openAuditLog } from '../../src/writer/index.js';
import { sampleRequest } from '../writer/helpers.js';
import { initSealState } from '../writer/seal-helpers.js';
import { cliEnv, makeTempDirFactory, runCli } from '../cli/helpers.js';

// (native-lines.test.ts fails where cargo is and the addon is not built: this never goes unchecked there.)
const addon = nativeAddon();
const tempDir = makeTempDirFactory('spa-native-chain-kinds');

const PREV = 'f447e34853b0321d914be41eeb59330fa1151776d47226ca8a9f81c3e21dd126';
const HEAD = `{"v":1,"type":"request","seq":4,"prev":"${PREV}","logged":"2026-11-01T08:00:14.381Z",`;
const REQUEST = `${HEAD}"id":"2a85","time":"2026-11-01T08:00:10Z","host":"web-01","session":"s","pipeline":[["ls"]],"resolved":["/usr/bin/ls"],"env_keys":[],"reason":"r","privileged":true,"decision":"approved","via":"operator","latency_ms":43}`;
const RESPONSE = `{"v":1,"type":"response","seq":5,"prev":"${PREV}","logged":"2026-11-01T08:00:15.000Z","id":"2a85","time":"2026-11-01T08:00:15Z","status":"ok","error":null,"stages":[{"exit_code":0,"stderr_len":0,"stderr_truncated":false}],"stdout_len":10,"stdout_truncated":false,"duration_ms":3}`;
/** Edits that move a line out of the scanner's subset, or keep it in with another shape: `logged` elsewhere or gone, prev or seq changed or gone, escapes, non-ASCII. */
const MUTATIONS = [
  ['"logged":"2026-11-01T08:00:14.381Z",', ''],
  ['"logged":"2026-11-01T08:00:15.000Z",', ''],
  [',"logged":"2026-11-01T08:00:14.381Z"', ''],
  ['"v":1,', '"logged":"2026-11-02T00:00:00Z","v":1,'],
  ['"seq":4,', ''],
  ['"seq":5,', '"seq":5.5,'],
  [`"prev":"${PREV}",`, ''],
  ['f447', 'F447'],
  ['"r"', '"r\\u0041"'],
  ['"s"', '"sé"'],
  ['"2a85"', '"2a85","id":"x"'],
  ['"web-01"', '"web\u007f01"'],
  ['"latency_ms":43', '"latency_ms":-1'],
  ['"status":"ok"', '"status":"fine"'],
  ['"time":"2026-11-01T08:00:10Z"', '"time":"2026-13-01T08:00:10Z"'],
  ['"type":"request"', '"type":"seal"'],
  ['2026-11-01T08:00:14.381Z', '2026-11-01T08:00:14.381Z"x'],
] as const;

/** What the reference makes of a line, as verify asks it. */
const reference = (line: Buffer) => classifyChainLine(line, undefined, recordProblem);

describe.skipIf(addon === null)('verify\'s lines read by the native scanner', () => {
  it('answers only with the reference\'s verdict, over mutated and reordered records', () => {
    const kinds = new NativeChainKinds(addon as NonNullable<typeof addon>);
    const random = seededRandom(7);
    let took = 0;
    let tookWithoutLoggedFirst = 0;
    for (let n = 0; n < 20_000; n++) {
      let s = n % 2 ? REQUEST : RESPONSE;
      for (let e = Math.floor(random() * 3); e > 0; e--) {
        const [from, to] = MUTATIONS[Math.floor(random() * MUTATIONS.length)];
        s = s.replace(from, to);
      }
      // (At an odd offset of a bigger buffer, as a line of a read chunk is.)
      const b = Buffer.alloc(s.length + 2, 0x0a);
      b.write(s, 1, 'utf8');
      const line = b.subarray(1, 1 + Buffer.byteLength(s));
      const known = kinds.kindOf(line);
      if (known === undefined) continue;
      took++;
      if (!s.includes(`${PREV}","logged"`)) tookWithoutLoggedFirst++;
      expect(known, s).toEqual(reference(line));
    }
    expect(took).toBeGreaterThan(5_000);
    // (`logged` found where the writer does not put it, or absent: the slower search, held to the same answer.)
    expect(tookWithoutLoggedFirst).toBeGreaterThan(500);
  });

  it('is what verifyChain goes by for a line that comes with it', () => {
    const line = Buffer.from(REQUEST);
    const told = verifyChain([{ file: 'f', line: 1, text: line, known: { kind: 'malformed', reason: 'not JSON' } }]);
    expect(told.malformed).toEqual([{ file: 'f', line: 1, reason: 'not JSON' }]);
    expect(verifyChain([{ file: 'f', line: 1, text: line }]).malformed).toEqual([]);
  });

  it('answers for nearly every line of a real log, as the reference does', () => {
    const file = path.join(tempDir(), 'audit.log');
    generateLog({ path: file, count: 3000, seed: 5, detailed: true });
    const kinds = new NativeChainKinds(addon as NonNullable<typeof addon>);
    const lines = fs.readFileSync(file).toString('latin1').trimEnd().split('\n');
    let took = 0;
    for (const text of lines) {
      const line = Buffer.from(text, 'latin1');
      const known = kinds.kindOf(line);
      if (known === undefined) continue;
      took++;
      expect(known, text).toEqual(reference(line));
    }
    expect(took).toBeGreaterThan(0.9 * lines.length);
  });

  it('verify says the same with it and without it, over a log it reads (a break, seals, a stale tail)', async () => {
    const file = path.join(tempDir(), 'audit.log');
    const k0 = initSealState(file);
    let t = Date.parse('2026-12-01T10:00:00Z');
    const log = openAuditLog({ path: file, now: () => t });
    // Past 1 MiB (lines.ts reads smaller files without the addon): ~3,500 records a minute apart, seals every 15.
    for (let i = 0; i < 3500; i++) {
      log.request(sampleRequest(i));
      t += 60_000;
    }
    log.close();
    const after = openAuditLog({ path: file, now: () => t + 3 * 3_600_000, sealInterval: 0 });
    for (let i = 0; i < 20; i++) after.request(sampleRequest(10_000 + i));
    after.close();
    expect(fs.statSync(file).size).toBeGreaterThan(1024 * 1024);
    // In-process: the lines come with the scanner's verdicts, and the report is the reference's.
    // (Each line copied as it comes: it is a view of a buffer the reader reads into again.)
    const lines = Array.from(chainLinesOfFiles([file]), (l) => ({ ...l, text: Buffer.from(l.text) }));
    expect(lines.filter((l) => l.known !== undefined).length).toBeGreaterThan(0.9 * lines.length);
    const plain: ChainLine[] = lines.map(({ known: _, ...rest }) => rest);
    expect(verifyChain(lines, { judge: recordProblem })).toEqual(verifyChain(plain, { judge: recordProblem }));

    const args = ['verify', '--json', '--verification-key', k0.toString('hex'), file];
    const intact = [await runCli(args), await runCli(args, { env: cliEnv({ SUDO_PROXY_AUDIT_NATIVE: '0' }) })];
    expect(intact[0]).toEqual(intact[1]);
    expect(intact[0].code).toBe(0);
    expect(intact[0].stdout).toContain('"ok":true');
    // (Seals checked under the key, and the unsealed tail's warning: what the seal checker takes from each record's logged.)
    expect(intact[0].stdout).toMatch(/"seals":[1-9]/);
    expect(intact[0].stdout).toContain('older than the last record');
    // One byte of a record in the middle changed, its length kept: a break, where both say.
    const bytes = fs.readFileSync(file);
    const at = bytes.indexOf('"reason":"', bytes.length >> 1) + 10;
    bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
    fs.writeFileSync(file, bytes);
    const broken = [await runCli(args), await runCli(args, { env: cliEnv({ SUDO_PROXY_AUDIT_NATIVE: '0' }) })];
    expect(broken[0]).toEqual(broken[1]);
    expect(broken[0].code).not.toBe(0);
    expect(broken[0].stdout).toContain('"ok":false');
  }, 60_000);

  it('orders a collected host by the same plan with it and without it, and verify of the directory says the same', async () => {
    const dir = tempDir();
    const written = path.join(dir, 'written.log');
    generateLog({ path: written, count: 5000, seed: 9 });
    const lines = fs.readFileSync(written, 'latin1').split('\n').slice(0, -1);
    // A batch of 200 delivered late and 100 resent, as a shipper does after a reconnect; and a
    // forged copy of a record (its seq, other bytes), which only the lines' digests tell from a resent one.
    const forged = lines[4000].replace('"reason":"', '"reason":"X');
    const arrived = [...lines.slice(0, 1000), ...lines.slice(1200, 3000), ...lines.slice(2900, 3000), ...lines.slice(1000, 1200), ...lines.slice(3000), forged];
    const file = path.join(dir, 'collector', 'web', 'audit.log');
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, `${arrived.join('\n')}\n`, { encoding: 'latin1', mode: 0o600 });
    expect(fs.statSync(file).size).toBeGreaterThan(1024 * 1024);
    const read = Array.from(chainLinesOfFiles([file]), (l) => ({ ...l, text: Buffer.from(l.text) }));
    expect(read.filter((l) => l.known?.kind === 'chained').length).toBeGreaterThan(0.9 * read.length);
    const plan = planCollectedOrder(read);
    expect(plan.duplicates).toBe(100);
    expect(plan).toEqual(planCollectedOrder(read.map(({ known: _, ...rest }) => rest)));
    const args = ['verify', '--json', path.join(dir, 'collector')];
    const both = [await runCli(args), await runCli(args, { env: cliEnv({ SUDO_PROXY_AUDIT_NATIVE: '0' }) })];
    expect(both[0]).toEqual(both[1]);
    expect(both[0].code).not.toBe(0);
    expect(both[0].stdout).toContain('"ok":false');
  }, 60_000);
});
