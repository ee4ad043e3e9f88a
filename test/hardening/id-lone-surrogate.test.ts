/**
 * Attack on the id index (id-table.ts): ids are kept as hashes of their UTF-8 bytes, and a
 * string id with a lone surrogate (JSON allows "\ud800") encodes as U+FFFD's bytes — as does
 * every other lone surrogate, and a real U+FFFD. Two different ids must stay two entries: a
 * response must never join a request whose id is not its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Entry } from '../../src/shared/entry.js';
import { openEngine } from '../../src/engine/engine.js';
import { hashBytes, hashString } from '../../src/engine/id-table.js';
import { entriesOf, jsonl, request, response, tempDir } from '../engine/helpers.js';

describe('ids with lone surrogates', () => {
  it("hash as their UTF-8 bytes when well formed (the scan hashes an id's bytes, the parser its string)", () => {
    for (const id of ['plain', 'caf\u00e9', 's-\ufffd', 'emoji-\u{1f600}', '\u0800\uffff']) {
      const bytes = new TextEncoder().encode(id);
      expect(hashString(id), id).toBe(hashBytes(bytes, 0, bytes.length));
    }
    expect(new Set(['r-\ud800', 'r-\ud801', 'r-\ufffd', 'r-\udfff', '\ud83d', '\ude00', '\ude00\ud83d', '\u{1f600}']).size).toBe(8);
    expect(new Set(['r-\ud800', 'r-\ud801', 'r-\ufffd', 'r-\udfff', '\ud83d', '\ude00', '\ude00\ud83d', '\u{1f600}'].map(hashString)).size).toBe(8);
  });


  it('join only their own: a request and a response whose ids differ in a lone surrogate stay apart', async () => {
    const file = path.join(tempDir('id-lone-surrogate'), 'audit.log');
    fs.writeFileSync(file, jsonl(request('r-\ud800'), response('r-\ud801'), request('s-\ufffd'), request('s-\udfff')));
    const engine = openEngine([file], { follow: false });
    try {
      await engine.indexed();
      const entries = entriesOf(engine);
      // On main: the response joined 'r-\ud800' ('ok'), and the two 's-' requests were one id twice.
      const joined = (e: Entry) => [e.id, e.state, e.anomalies.filter((a) => a !== 'unchained')];
      expect(entries.map(joined)).toEqual([
        ['r-\ud800', 'running', []],
        ['r-\ud801', 'ok', ['orphan-response']],
        ['s-\ufffd', 'running', []],
        ['s-\udfff', 'running', []],
      ]);
    } finally {
      await engine.close();
    }
  });
});
