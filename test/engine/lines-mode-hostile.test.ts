/**
 * Scan workers that scan lines (chunk-work.ts `linesWork`) must index any log — hostile bytes,
 * tampered chains, short and over-cap lines, rotated and gzip'd sets — exactly as one thread
 * reading line by line without the native scanner: entries, statistics, malformed lines (line,
 * offset, reason), chain verdict, line fingerprints, notices, writer events and duplicates. In
 * chunks of any size, with workers or without, and with this thread scanning some chunks itself.
 * (A helper's attack of session 13, kept: it found no difference.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateLog } from '../../src/demo/generate.js';
import { type HostEngine, openEngine, type OpenEngineOptions } from '../../src/engine/engine.js';
import { forgetScannedAhead, scannedAhead } from '../../src/engine/native-lines.js';
import { forgetNativeAddon, nativeAddon } from '../../src/engine/native-scanner.js';
import { findRotatedSet } from '../../src/engine/rotated-set.js';
import { MAX_LINE_BYTES } from '../../src/shared/schema.js';
import { entriesOf, tempDir } from './helpers.js';

const OPERATOR = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
// (native-lines.test.ts fails where cargo is and the addon is not built: this never goes unchecked there.)
const addon = nativeAddon();

/** Everything an index says of `files`, read with the native scanner or without; and how many lines came from chunks' slots. */
async function indexed(files: string[], native: boolean, options: OpenEngineOptions) {
  if (native) delete process.env.SUDO_PROXY_AUDIT_NATIVE;
  else process.env.SUDO_PROXY_AUDIT_NATIVE = '0';
  forgetNativeAddon();
  forgetScannedAhead();
  try {
    const engine = openEngine(files, { follow: false, ...options });
    await engine.indexed();
    const result = {
      stats: engine.stats(),
      entries: entriesOf(engine),
      chain: engine.chainStatus?.(),
      malformed: engine.malformed(),
      malformedCount: engine.malformedCount(),
      prints: Array.from((engine as unknown as Required<HostEngine>).linePrints()),
      notices: engine.notices().map((n) => ({ ...n })),
      writers: engine.writerEvents(),
      duplicates: engine.duplicateLines(),
    };
    const fromChunks = (scannedAhead(true)?.takenFromChunks ?? 0) + (scannedAhead(false)?.takenFromChunks ?? 0);
    await engine.close();
    return { result, fromChunks };
  } finally {
    delete process.env.SUDO_PROXY_AUDIT_NATIVE;
  }
}

const READINGS: Array<[string, OpenEngineOptions]> = [
  ['64-byte chunks here', { scanWorkers: 0, scanChunkBytes: 64 }],
  ['3000-byte chunks, a worker', { scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 3000 }],
  ['333-byte chunks, a worker, every other chunk here', { scanWorkers: 1, queueForStartingWorkers: true, scanChunkBytes: 333, localChunks: (c) => c % 2 === 1 }],
  ['default chunks, two workers', { scanWorkers: 2, queueForStartingWorkers: true }],
];

async function sameAsOneThread(files: string[], extra: OpenEngineOptions = {}) {
  const reference = (await indexed(files, false, { tailBytes: 1000, ...extra })).result;
  let fromChunks = 0;
  for (const [how, options] of READINGS) {
    const got = await indexed(files, true, { tailBytes: 1000, parallelMinBytes: 0, scanInto: 'lines', ...options, ...extra });
    expect(got.result, how).toEqual(reference);
    fromChunks += got.fromChunks;
  }
  // The lines came from the chunks' slots (agreeing is not enough: the JavaScript alone agrees too).
  expect(fromChunks).toBeGreaterThan(0);
}

function generated(count: number, seed: number): string[] {
  const file = path.join(tempDir('lines-hostile-gen'), 'g.log');
  generateLog({ path: file, count, seed, runningShare: 0.05, operator: OPERATOR, detailed: true });
  return fs.readFileSync(file).toString('latin1').split('\n').slice(0, -1);
}

const joined = (lines: string[]) => Buffer.from(lines.map((l) => `${l}\n`).join(''), 'latin1');

function written(bytes: Buffer, dir = tempDir('lines-hostile')): string[] {
  const file = path.join(dir, 'audit.log');
  fs.writeFileSync(file, bytes);
  return [file];
}

describe.runIf(addon !== null)('scan workers that scan lines, against one thread line by line', () => {
  const lines = generated(1200, 7);

  it('hostile bytes: CRLF, blank lines, non-UTF-8, NUL runs, lines of exactly the cap and over it, no last newline', async () => {
    const parts: Buffer[] = [];
    lines.slice(0, 400).forEach((l, i) => {
      if (i % 53 === 7) parts.push(Buffer.from('\n\n'));
      if (i % 61 === 9) parts.push(Buffer.from([0xff, 0xfe, 0x80, 0x0a]));
      if (i % 71 === 11) parts.push(Buffer.concat([Buffer.alloc(500, 0), Buffer.from('\n')]));
      parts.push(Buffer.from(l, 'latin1'), Buffer.from(i % 37 === 5 ? '\r\n' : '\n'));
      if (i === 150) parts.push(Buffer.concat([Buffer.from('{"pad":"'), Buffer.alloc(MAX_LINE_BYTES - 10, 0x78), Buffer.from('"}\n')]));
      if (i === 151) parts.push(Buffer.concat([Buffer.alloc(MAX_LINE_BYTES + 1, 0), Buffer.from('\n')]));
    });
    parts.push(Buffer.from(lines[400].replace('"seq":', '"seq":9'), 'latin1'));
    await sameAsOneThread(written(Buffer.concat(parts)));
  });

  it('a tampered chain: a byte changed, a record deleted, two swapped, one duplicated', async () => {
    const changed = joined(lines);
    changed[changed.indexOf('"host":"', changed.length >> 1) + 8] ^= 1;
    const swapped = [...lines];
    [swapped[500], swapped[501]] = [swapped[501], swapped[500]];
    const duplicated = [...lines];
    duplicated.splice(800, 0, lines[800]);
    await sameAsOneThread(written(changed));
    await sameAsOneThread(written(joined(lines.filter((_, i) => i !== 700))));
    await sameAsOneThread(written(joined(swapped)));
    await sameAsOneThread(written(joined(duplicated)));
  });

  it('tens of thousands of tiny lines (past a chunk’s line cap), and NUL padding past the line cap with no newline', async () => {
    await sameAsOneThread(written(Buffer.concat([joined(lines.slice(0, 300)), Buffer.from('x\n'.repeat(20000)), Buffer.from('\n'.repeat(15000)), joined(lines.slice(300))])));
    await sameAsOneThread(written(Buffer.concat([joined(lines), Buffer.alloc(MAX_LINE_BYTES + 3000, 0)])));
  });

  it('a rotated set with gzip history, one file cut short mid-line, and one damaged', async () => {
    const dir = tempDir('lines-hostile-rot');
    fs.writeFileSync(path.join(dir, 'audit.log.2.gz'), gzipSync(joined(lines.slice(0, 400))));
    fs.writeFileSync(path.join(dir, 'audit.log.1.gz'), gzipSync(Buffer.concat([joined(lines.slice(400, 900)), Buffer.from('{"partial":')])));
    fs.writeFileSync(path.join(dir, 'audit.log'), joined(lines.slice(900)));
    await sameAsOneThread(findRotatedSet(path.join(dir, 'audit.log')));
    const damaged = tempDir('lines-hostile-gz');
    const gz = gzipSync(joined(lines.slice(0, 900)));
    fs.writeFileSync(path.join(damaged, 'audit.log.1.gz'), gz.subarray(0, gz.length - 5000));
    fs.writeFileSync(path.join(damaged, 'audit.log'), joined(lines.slice(900)));
    await sameAsOneThread(findRotatedSet(path.join(damaged, 'audit.log')));
  });

  it('without the chain checked', async () => {
    await sameAsOneThread(written(joined(lines)), { checkChain: false });
  });
});
