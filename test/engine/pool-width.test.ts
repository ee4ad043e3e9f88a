/**
 * Pool ids are kept in 16 bits until one passes 65,535 (entry-columns.ts): past that, every
 * entry — those written before the columns widened and those after — still names its own
 * strings in search, filters, stats and read-back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../src/engine/engine.js';
import { request, response, tempDir } from './helpers.js';

describe('pool ids past 16 bits', () => {
  it('finds and counts the entries of a log with 70,000 distinct reasons and errors, early and late', async () => {
    const n = 70_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      lines.push(JSON.stringify(request(`r${i}`, { reason: `reason ${i}`, host: i === n - 1 ? 'h-last' : i % 2 ? 'h-odd' : 'h-even' })));
      if (i % 10 === 0) lines.push(JSON.stringify(response(`r${i}`, { status: 'error', error: `error ${i}` })));
    }
    const file = path.join(tempDir('pool-width'), 'audit.log');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const engine = openEngine([file], { follow: false });
    try {
      await engine.indexed();
      expect(engine.size()).toBe(n);
      const idsFor = (text: string) => [...engine.query({ text })].map((p) => engine.entry(p).id);
      expect(idsFor('reason 69999')).toEqual([`r${n - 1}`]);
      expect(idsFor('reason 12345')).toEqual(['r12345']);
      expect(idsFor('reason 65536')).toEqual(['r65536']);
      expect(idsFor('error 69990')).toEqual(['r69990']);
      expect(idsFor('error 12340')).toEqual(['r12340']);
      expect([...engine.query({ hosts: ['h-last'] })].map((p) => engine.entry(p).id)).toEqual([`r${n - 1}`]);
      expect(engine.query({ hosts: ['h-odd'] }).length).toBe(n / 2 - 1); // the last is h-last
      const stats = engine.stats();
      expect(stats.total).toBe(n);
      expect(JSON.stringify(stats)).toContain('h-last');
    } finally {
      await engine.close();
    }
  });
});
