/**
 * A followed collector gains a link to a host folder it already has (or a link to a folder
 * outside it): the first is that host again, read once; the second a host of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineNotice } from '../../src/shared/entry.js';
import { findCollectedHosts } from '../../src/engine/collector-dir.js';
import { openFleetEngine } from '../../src/engine/fleet-engine.js';
import { jsonl, request, tempDir } from './helpers.js';

describe('a link among the host folders, found while following', () => {
  it('to a host already read: not a new host; to a folder elsewhere: a new host', async () => {
    const dir = tempDir('linked-host');
    fs.mkdirSync(path.join(dir, 'web1'));
    fs.writeFileSync(path.join(dir, 'web1', 'audit.log'), jsonl(request('a')));
    const engine = openFleetEngine(findCollectedHosts(dir), { follow: true }, [dir]);
    const announced: string[] = [];
    const db = new Promise<void>((resolve) =>
      engine.on('notice', (n: EngineNotice) => {
        if (n.kind !== 'host') return;
        announced.push(path.basename(n.file));
        if (n.file.endsWith('db-link')) resolve();
      }),
    );
    await engine.indexed();
    const elsewhere = path.join(tempDir('linked-host-target'), 'db1');
    fs.mkdirSync(elsewhere);
    fs.writeFileSync(path.join(elsewhere, 'audit.log'), jsonl(request('n')));
    fs.symlinkSync(path.join(dir, 'web1'), path.join(dir, 'web1-again'));
    fs.symlinkSync(elsewhere, path.join(dir, 'db-link'));
    await db; // one look at the collector announces every host it finds new
    await engine.close();
    expect(announced).toEqual(['db-link']);
  }, 20_000);
});
