/** Entries read back are cached for a screen asked again, not for a run through everything in order (print). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine/engine.js';
import { UNCACHED_RUN } from '../../src/engine/entry-read-back.js';
import { request, tempDir } from './helpers.js';

describe('entry read-back cache', () => {
  it('gives the same object for a screen asked again, and reads a long run in order without keeping it', async () => {
    const n = UNCACHED_RUN * 3;
    const file = path.join(tempDir('entry-cache'), 'audit.log');
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => `${JSON.stringify(request(`c${i}`))}\n`).join(''));
    const engine = openEngine([file], { follow: false });
    try {
      await engine.indexed();
      // A screen (rows in order, then again): cached.
      const screen = Array.from({ length: 60 }, (_, i) => engine.entry(100 + i));
      expect(Array.from({ length: 60 }, (_, i) => engine.entry(100 + i))).toEqual(screen);
      for (let i = 0; i < 60; i++) expect(engine.entry(100 + i)).toBe(screen[i]);
      // Everything in order: the entries past the run are right, and not kept.
      const all = Array.from({ length: n }, (_, p) => engine.entry(p));
      expect(all.map((e) => e.id)).toEqual(Array.from({ length: n }, (_, i) => `c${i}`));
      const late = n - 10;
      const again = engine.entry(late);
      expect(again).not.toBe(all[late]);
      expect(again).toEqual(all[late]);
      expect(engine.entry(late)).toBe(again);
    } finally {
      await engine.close();
    }
  });
});
