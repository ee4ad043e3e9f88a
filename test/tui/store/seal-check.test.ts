import { describe, expect, it } from 'vitest';
import type { ChainStatus, RecordLocation, SealRecords } from '../../../src/shared/entry.js';
import { keyAtEpoch, keyId, sealLine } from '../../../src/shared/seal.js';
import { titleLine } from '../../../src/tui/format/header.js';
import { lineText } from '../../../src/tui/format/spans.js';
import { ViewerStore } from '../../../src/tui/store/store.js';
import { makeEntry } from '../entries.js';
import { FakeEngine } from '../fake-engine.js';

const K0 = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);
const NOW = Date.parse('2026-12-01T12:00:00Z');
const intact: ChainStatus = { state: 'intact', checked: 30, total: 30, unchained: 0, unchecked: 0, breaks: [], breakCount: 0 };
const PREV = 'a'.repeat(64);

/** Seal lines at seqs 10, 20 (epochs 0, 1: or as given) in file `file`, the chain running seq 1–`lastSeq`. */
function group(options: { epochs?: number[]; file?: string; origin?: string; lastSeq?: number; k0?: Buffer } = {}): SealRecords {
  const epochs = options.epochs ?? [0, 1];
  const k0 = options.k0 ?? K0;
  const file = options.file ?? '/var/log/sudo-proxy/audit.log';
  const lines = epochs.map((epoch, i) => {
    const seq = 10 * (i + 1);
    const time = `2026-12-01T${String(10 + i).padStart(2, '0')}:00:00.000Z`;
    return Buffer.from(sealLine({ seq, prev: PREV, time, epoch, keyId: keyId(k0) }, keyAtEpoch(k0, epoch) as Buffer));
  });
  const locations: RecordLocation[] = lines.map((l, i) => ({ file, line: 10 * (i + 1), offset: 1000 * i, length: l.length, seq: 10 * (i + 1) }));
  return { origin: options.origin ?? '', locations, firstSeq: 1, lastSeq: options.lastSeq ?? 27, line: (i) => lines[i] ?? null };
}

function badge(seals: SealRecords[], keys: Array<[string, Buffer]> = []): string {
  const engine = new FakeEngine([makeEntry()], { chain: intact, seals });
  const store = new ViewerStore({ engine, live: false, size: { columns: 200, rows: 24 }, now: () => NOW, sealKeys: new Map(keys) });
  const s = store.getState();
  return lineText(titleLine({ title: 't', files: engine.files, live: false, follow: true, unseen: 0, filter: [], search: null, stats: null, malformedCount: 0, chain: s.chain, seal: s.seal, now: NOW, width: 200 }));
}

describe('the seal badge (view --verification-key)', () => {
  it('with the key: sealed until the last seal, and the records after it unsealed', () => {
    const line = badge([group()], [['', K0]]);
    expect(line).toMatch(/✓ chain verified through 30 records  ✓ sealed until \d\d:\d\d:\d\d · 7 unsealed$/);
  });

  it('without a key: the unsealed records, and that the seals were not checked', () => {
    expect(badge([group()])).toMatch(/✓ chain verified through 30 records  7 unsealed · seals not checked \(no key\)$/);
  });

  it('no seals and no key: nothing new; no seals with a key: not sealed', () => {
    const none = { ...group({ epochs: [] }), lastSeq: 5 };
    expect(badge([none])).toMatch(/✓ chain verified through 30 records$/);
    expect(badge([none], [['', K0]])).toMatch(/⚠ not sealed · 5 unsealed$/);
  });

  it('a wrong key, a skipped epoch: the failure, its kind and file:line, in the broken style', () => {
    expect(badge([group()], [['', OTHER]])).toMatch(/✗ seal FAILED: other-log at audit\.log:10$/);
    expect(badge([group({ epochs: [0, 2] })], [['', K0]])).toMatch(/✗ seal FAILED: missing-epoch at audit\.log:20$/);
    // A chain that begins at seq 1 whose first seal is a later epoch: renumbered with a later key.
    expect(badge([group({ epochs: [3, 4] })], [['', K0]])).toMatch(/✗ seal FAILED: missing-epoch at audit\.log:10$/);
  });

  it('a fleet: each host with its key; a failure names its host; a host without a key is said', () => {
    const a = group({ origin: 'db-1' });
    const b = group({ origin: 'web-1', k0: OTHER, lastSeq: 22 });
    expect(badge([a, b], [['db-1', K0], ['web-1', OTHER]])).toMatch(/✓ sealed until \d\d:\d\d:\d\d · 9 unsealed$/);
    expect(badge([a, b], [['db-1', K0]])).toMatch(/✓ sealed until \d\d:\d\d:\d\d · 9 unsealed · 1 not checked \(no key\)$/);
    expect(badge([a, b], [['db-1', OTHER]])).toMatch(/✗ seal FAILED: other-log at db-1 audit\.log:10$/);
  });

  it('escapes a hostile file name', () => {
    const line = badge([group({ file: '/l/\x1b[2Jevil\x07.log' })], [['', OTHER]]);
    expect(line).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(line).toContain('seal FAILED: other-log at ');
  });
});
