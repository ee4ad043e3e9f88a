/** The pure parts of reading a collector: --expect-head per host, --origin, verify's lines. */
import { describe, expect, it } from 'vitest';
import type { ChainReport } from '../../src/shared/chain.js';
import { headForFiles, headsForHosts, parseExpectedHeads } from '../../src/cli/commands/expect-head.js';
import type { Inputs } from '../../src/cli/commands/inputs.js';
import { selectOrigins } from '../../src/cli/commands/query-command.js';
import { unknownHost } from '../../src/cli/commands/unknown-host.js';
import { fleetJson, fleetLine, type HostVerdict, hostLine } from '../../src/cli/commands/verify-format.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('--expect-head', () => {
  it('parses HASH and HOST=HASH, lowercasing the hash', () => {
    expect(parseExpectedHeads(undefined)).toEqual([]);
    expect(parseExpectedHeads([A.toUpperCase(), `web1=${B}`])).toEqual([
      { host: null, hash: A },
      { host: 'web1', hash: B },
    ]);
  });

  it.each([
    [['abc'], "--expect-head takes a SHA-256 hex digest (64 hex digits), got 'abc'"],
    [['web1='], "--expect-head takes a SHA-256 hex digest (64 hex digits) after HOST=, got 'web1='"],
    [[`=${A}`], `--expect-head: HOST=HASH needs a host before '=', got '=${A}'`],
    [['\u001b[2J'], "--expect-head takes a SHA-256 hex digest (64 hex digits), got '\\e[2J'"],
  ])('rejects %j', (values, message) => {
    expect(() => parseExpectedHeads(values)).toThrow(message);
  });

  it("names a host whose folder name holds '=' (the hash has none): such a host could not be given a head", () => {
    expect(parseExpectedHeads([`role=web=${A}`])).toEqual([{ host: 'role=web', hash: A }]);
    expect(headsForHosts(parseExpectedHeads([`role=web=${A}`]), ['role=web', 'web1'])).toEqual(new Map([['role=web', A]]));
  });

  it('files take one bare head', () => {
    expect(headForFiles([])).toBeUndefined();
    expect(headForFiles(parseExpectedHeads([A]))).toBe(A);
    expect(() => headForFiles(parseExpectedHeads([A, B]))).toThrow('--expect-head given twice: files have one head');
    expect(() => headForFiles(parseExpectedHeads([`web1=${A}`]))).toThrow(/^--expect-head web1=…: hosts are named only for a collector directory/);
  });

  it('a collector takes one head per host; a bare one only when there is one host', () => {
    expect(headsForHosts(parseExpectedHeads([`web2=${B}`, `web1=${A}`]), ['web1', 'web2', 'web3'])).toEqual(
      new Map([
        ['web2', B],
        ['web1', A],
      ]),
    );
    expect(headsForHosts(parseExpectedHeads([A]), ['web1'])).toEqual(new Map([['web1', A]]));
    expect(() => headsForHosts(parseExpectedHeads([A]), ['web1', 'web2'])).toThrow('a collector directory of 2 hosts takes HOST=HASH');
    expect(() => headsForHosts(parseExpectedHeads([`web1=${A}`, `web1=${B}`]), ['web1'])).toThrow("two heads for host 'web1'");
    expect(() => headsForHosts(parseExpectedHeads([`wbe2=${A}`]), ['web1', 'web2'])).toThrow("--expect-head: no collected host 'wbe2' (did you mean 'web2'?)");
  });
});

describe('unknownHost', () => {
  it('lists at most ten hosts, escaped', () => {
    const hosts = Array.from({ length: 12 }, (_, i) => `h${String(i).padStart(2, '0')}`);
    expect(unknownHost('--origin', 'zzzz', hosts).message).toBe(
      "--origin: no collected host 'zzzz'; hosts are h00, h01, h02, h03, h04, h05, h06, h07, h08, h09, … (12 in all)",
    );
    expect(unknownHost('--origin', 'x\u001b', ['a\u0007']).message).toBe("--origin: no collected host 'x\\e'; hosts are a\\x07");
  });
});

describe('selectOrigins', () => {
  const collector: Inputs = {
    kind: 'collector',
    dirs: ['/c'],
    skipped: [],
    skippedFolders: [],
    hosts: ['web1', 'web2', 'web3'].map((origin) => ({ origin, files: [`/c/${origin}/audit.log`] })),
  };
  it('keeps only the hosts named (only those engines are opened)', () => {
    expect(selectOrigins(collector, undefined)).toBe(collector);
    const picked = selectOrigins(collector, ['web3', 'web1', 'web1']);
    expect(picked.kind === 'collector' && picked.hosts.map((h) => h.origin)).toEqual(['web1', 'web3']);
  });
  it('a host not collected, or files: usage errors', () => {
    expect(() => selectOrigins(collector, ['web4'])).toThrow("no collected host 'web4' (did you mean 'web1'?)");
    expect(() => selectOrigins({ kind: 'files', files: ['/a.log'] }, ['web1'])).toThrow('--origin selects hosts of a collector directory');
  });
});

describe("verify's lines for a collector", () => {
  const report = (over: Partial<ChainReport> = {}): ChainReport => ({
    ok: true,
    records: 10,
    unchained: 0,
    malformed: [],
    malformedCount: 0,
    head: A,
    firstSeq: 1,
    lastSeq: 10,
    break: null,
    ...over,
  });
  const verdict = (origin: string, over: Partial<ChainReport> = {}, order = { duplicates: 0, lateArrivals: 0, maxLateness: 0 }): HostVerdict => ({
    origin,
    files: [`/c/${origin}/audit.log`],
    report: report(over),
    damaged: [],
    ...order,
  });
  const broken = { ok: false, break: { kind: 'modified' as const, file: '/c/web2/audit.log', line: 7, message: 'x was modified' } };

  it('an ok host: its verdict and what the transport did', () => {
    expect(hostLine(verdict('web1', {}, { duplicates: 1, lateArrivals: 3, maxLateness: 9 }))).toBe(`web1: ok: 10 records, head ${A} (1 duplicate line dropped, 3 records arrived late)`);
    expect(hostLine(verdict('web1', { records: 1 }))).toBe(`web1: ok: 1 record, head ${A} (0 duplicate lines dropped, 0 records arrived late)`);
  });

  it('a broken host: the break, with file:line; hosts escaped', () => {
    expect(hostLine(verdict('web2', broken))).toBe('web2: break at /c/web2/audit.log:7 (modified): x was modified');
    expect(hostLine(verdict('w\u001b]0;t\u0007', broken))).toMatch(/^w\\e\]0;t\\x07: break at/);
  });

  it('the closing line names the broken hosts (ten at most)', () => {
    expect(fleetLine([verdict('a'), verdict('b')])).toBe('verified 2 hosts: all ok');
    expect(fleetLine([verdict('a'), verdict('b', broken)])).toBe('verified 2 hosts: 1 broken (b)');
    const many = Array.from({ length: 12 }, (_, i) => verdict(`h${i}`, broken));
    expect(fleetLine(many)).toBe('verified 12 hosts: 12 broken (h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, …)');
  });

  it('JSON: overall ok only when every host is', () => {
    expect(fleetJson(['/c'], [verdict('a'), verdict('b', broken)])).toMatchObject({
      ok: false,
      collector: ['/c'],
      hosts: [
        { origin: 'a', ok: true, duplicate_lines: 0, late_arrivals: 0, max_lateness: 0 },
        { origin: 'b', ok: false, break: { kind: 'modified', line: 7 } },
      ],
    });
    expect(fleetJson(['/c'], [verdict('a')]).ok).toBe(true);
  });
});
