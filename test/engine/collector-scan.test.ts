import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CollectorScan, hostFolder } from '../../src/engine/collector-dir.js';
import { tempDir } from './helpers.js';

/** The directory's times set well in the past: a change since is one the scan can trust to see. */
function settle(dir: string): void {
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(dir, past, past);
}

function host(dir: string, name: string, log = true): void {
  fs.mkdirSync(path.join(dir, name));
  if (log) fs.writeFileSync(path.join(dir, name, 'audit.log'), '');
}

describe('CollectorScan: a followed collector looked at again and again', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the directory again only when it changed, and finds each new host once', () => {
    const dir = tempDir('collector-scan');
    host(dir, 'web');
    settle(dir);
    const reads = vi.spyOn(fs, 'readdirSync');
    const readsOfDir = () => reads.mock.calls.filter(([p]) => p === dir).length;
    const scan = new CollectorScan(dir);
    const known = new Set<string>();
    expect(scan.newHosts(known).map((h) => h.origin)).toEqual(['web']);
    known.add(path.join(dir, 'web'));
    expect(readsOfDir()).toBe(1);
    // Nothing changed: the 10,000 folders are not listed again.
    for (let i = 0; i < 5; i++) expect(scan.newHosts(known)).toEqual([]);
    expect(readsOfDir()).toBe(1);
    // A host begins shipping: the directory changed, it is read again.
    host(dir, 'db');
    expect(scan.newHosts(known).map((h) => h.origin)).toEqual(['db']);
    known.add(path.join(dir, 'db'));
    expect(readsOfDir()).toBe(2);
  });

  it('finds a host whose folder came before its audit log, though the directory did not change since', () => {
    const dir = tempDir('collector-scan');
    host(dir, 'web');
    host(dir, 'early', false);
    settle(dir);
    const scan = new CollectorScan(dir);
    const known = new Set(scan.newHosts(new Set()).map(hostFolder));
    expect([...known]).toEqual([path.join(dir, 'web')]);
    fs.writeFileSync(path.join(dir, 'early', 'audit.log'), '');
    settle(dir);
    expect(scan.newHosts(known)).toEqual([{ origin: 'early', files: [path.join(dir, 'early', 'audit.log')] }]);
  });

  it('reads the directory again while a change may be too recent to tell by its time', () => {
    const dir = tempDir('collector-scan');
    host(dir, 'web');
    const reads = vi.spyOn(fs, 'readdirSync');
    const scan = new CollectorScan(dir);
    const known = new Set(scan.newHosts(new Set()).map(hostFolder));
    expect(scan.newHosts(known)).toEqual([]);
    expect(reads.mock.calls.filter(([p]) => p === dir).length).toBe(2);
  });

  it('a host folder named directly is a collector of one', () => {
    const dir = tempDir('collector-scan');
    host(dir, 'web');
    const scan = new CollectorScan(path.join(dir, 'web'));
    expect(scan.newHosts(new Set()).map((h) => h.origin)).toEqual(['web']);
    expect(scan.newHosts(new Set([path.join(dir, 'web')]))).toEqual([]);
  });

  it('tells hosts apart by folder: a name another collector holds is still new here', () => {
    const a = tempDir('collector-scan');
    const b = tempDir('collector-scan');
    host(a, 'web');
    host(b, 'web');
    const known = new Set(new CollectorScan(a).newHosts(new Set()).map(hostFolder));
    expect(new CollectorScan(b).newHosts(known)).toEqual([{ origin: 'web', files: [path.join(b, 'web', 'audit.log')] }]);
    expect(new CollectorScan(a).newHosts(known)).toEqual([]);
  });
});
