/**
 * Ids are chosen by whoever writes the log: a hostile client of the daemon, or anyone with
 * write access. Under cyrb53's published constants they could be crafted — in seconds of CPU —
 * to share the low bits the id table's buckets are picked by (200,000 of them: `stats` of a
 * 122 MB log took 115 s of CPU instead of 1, the viewer frozen as long), or to share a whole
 * hash (4 s of CPU with Brent's cycle finding): the second request then took the first's
 * place, and one request's response was joined to the other. The hash is seeded per process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashString } from '../../src/engine/id-table.js';
import { openEngine } from '../../src/engine/engine.js';
import { entriesOf, jsonl, request, response, tempDir } from '../engine/helpers.js';
import { publishedLow32 } from './published-hash.js';

/** Bits 12..19 of the low half zero: every such id starts in the first 4096 buckets of any table up to 2^20. */
const CLUSTER = 0xff000;

/** Found by Brent's cycle finding over 53-bit ids: both hash to 0x173fb2fb4b37aa under the published constants. */
const TWIN_A = 'c0111de0-0000-4000-8005-90b2a8bdc047';
const TWIN_B = 'c0111de0-0000-4000-8003-38e62028f965';

describe('ids crafted against the published hash', () => {
  it('ids made to share their buckets are spread like any ids', () => {
    const crafted: string[] = [];
    for (let n = 0; crafted.length < 400; n++) {
      const id = `0badc0de-5eed-4bad-8bad-${n.toString(16).padStart(12, '0')}`;
      if ((publishedLow32(id) & CLUSTER) === 0) crafted.push(id);
    }
    const stillClustered = crafted.filter((id) => ((hashString(id) >>> 0) & CLUSTER) === 0).length;
    // By chance ~400/256 ≈ 1.6 of them; under the published constants all 400.
    expect(stillClustered).toBeLessThan(40);
  });

  it('two ids crafted to one hash stay two entries, each joined to its own response', async () => {
    expect(TWIN_A).not.toBe(TWIN_B);
    const file = path.join(tempDir('id-twins'), 'audit.log');
    fs.writeFileSync(
      file,
      jsonl(
        request(TWIN_A, { pipeline: [['rm', '-rf', '/srv/data']], resolved: ['/usr/bin/rm'] }),
        request(TWIN_B, { pipeline: [['ls', '/srv']], resolved: ['/usr/bin/ls'] }),
        response(TWIN_A, { stages: [{ exit_code: 1, stderr_len: 40, stderr_truncated: false }] }),
        response(TWIN_B),
      ),
    );
    const engine = openEngine([file], { follow: false });
    await engine.indexed();
    const shown = entriesOf(engine).map((e) => [e.id, e.pipeline[0][0], e.state, e.stages[0]?.exitCode, e.anomalies]);
    expect(shown).toEqual([
      [TWIN_A, 'rm', 'failed', 1, ['unchained']],
      [TWIN_B, 'ls', 'ok', 0, ['unchained']],
    ]);
    await engine.close();
  });
});
