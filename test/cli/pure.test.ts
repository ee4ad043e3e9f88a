/** The pure parts of the command line, tested directly (no processes). */
import { describe, expect, it } from 'vitest';
import { describeFsError } from '../../src/cli/commands/errors.js';
import { entryFilterFromFlags } from '../../src/cli/commands/filter-flags.js';
import { listValues, parseFlags } from '../../src/cli/commands/flags.js';
import { orderAsRotatedSet } from '../../src/cli/commands/rotated.js';
import { sniffAuditLog } from '../../src/cli/commands/sniff.js';
import { closest, editDistance } from '../../src/cli/commands/suggest.js';

describe('closest', () => {
  it('suggests transpositions, typos and unique prefixes; nothing when nothing is close', () => {
    const flags = ['host', 'session', 'state', 'since', 'until', 'failed', 'grep', 'privileged', 'json', 'follow'];
    expect(editDistance('hots', 'host')).toBe(1);
    expect(closest('hots', flags)).toBe('host');
    expect(closest('sesion', flags)).toBe('session');
    expect(closest('priv', flags)).toBe('privileged');
    expect(closest('jsno', flags)).toBe('json');
    expect(closest('xyzzy', flags)).toBeUndefined();
    expect(closest('s', flags)).toBeUndefined(); // ambiguous prefix, too short to guess
  });
});

describe('parseFlags', () => {
  const options = { host: { type: 'string', multiple: true }, failed: { type: 'boolean' } } as const;
  it('parses flags and positionals strictly', () => {
    const r = parseFlags(['--host', 'a', 'f1', '--failed', '--host=b', 'f2'], options);
    expect(r.values).toMatchObject({ host: ['a', 'b'], failed: true });
    expect(r.positionals).toEqual(['f1', 'f2']);
  });
  it.each([
    [['--hots', 'x'], "unknown option '--hots' (did you mean '--host'?)"],
    [['--host'], "option '--host' needs a value"],
    [['--host', '--failed'], "option '--host' needs a value (use --host=--failed if '--failed' is the value)"],
    [['--failed=1'], "option '--failed' takes no value"],
  ])('%j → %s', (argv, message) => {
    expect(() => parseFlags(argv, options)).toThrow(message);
  });
  it('takes a value that starts with a dash and a digit (a time back from now) as the value', () => {
    const timed = { since: { type: 'string' }, n: { type: 'string', short: 'n' }, failed: { type: 'boolean' } } as const;
    expect(parseFlags(['--since', '-1h', 'f1'], timed).values.since).toBe('-1h');
    expect(parseFlags(['--since', '-1 hour', '--failed'], timed).values).toMatchObject({ since: '-1 hour', failed: true });
    expect(parseFlags(['-n', '-5'], timed).values.n).toBe('-5');
    expect(() => parseFlags(['--since', '--failed'], timed)).toThrow("option '--since' needs a value");
  });
  it('rejects positionals where none are taken, but not beside --help', () => {
    expect(() => parseFlags(['x'], {}, false)).toThrow("unexpected argument 'x'");
    expect(parseFlags(['-h', 'x'], {}, false).values.help).toBe(true);
  });
  it('listValues splits comma lists and drops blanks', () => {
    expect(listValues(['denied,timeout', ' failed ', ','])).toEqual(['denied', 'timeout', 'failed']);
  });
});

describe('entryFilterFromFlags', () => {
  const now = Date.parse('2026-11-01T12:00:00Z');
  it('maps every flag onto the shared EntryFilter', () => {
    expect(
      entryFilterFromFlags(
        { state: ['denied,Timeout', 'approved'], host: ['web-01', ''], session: ['s1'], since: '2h', until: '2026-11-01T11:30:00Z', failed: true, grep: 'nginx', privileged: true },
        now,
      ),
    ).toEqual({
      states: ['denied', 'timeout', 'running', 'ok', 'failed'],
      hosts: ['web-01', ''],
      sessions: ['s1'],
      sinceMs: now - 2 * 3_600_000,
      untilMs: Date.parse('2026-11-01T11:30:00Z'),
      failedOnly: true,
      text: 'nginx',
      privileged: true,
    });
    expect(entryFilterFromFlags({}, now)).toEqual({});
  });
  it('refuses what cannot be meant', () => {
    expect(() => entryFilterFromFlags({ state: ['deneid'] }, now)).toThrow("unknown state 'deneid' (did you mean 'denied'?)");
    expect(() => entryFilterFromFlags({ state: [','] }, now)).toThrow('--state needs at least one state');
    expect(() => entryFilterFromFlags({ since: 'soon' }, now)).toThrow(/^--since: 'soon' is not a time/);
    expect(() => entryFilterFromFlags({ since: '1h', until: '2h' }, now)).toThrow('--since must be before --until');
    expect(() => entryFilterFromFlags({ time: '1h..2h' }, now)).toThrow('--time: the range ends before it starts: 1h..2h');
    expect(() => entryFilterFromFlags({ time: '2h', since: '1h' }, now)).toThrow('--time is --since and --until at once');
    expect(() => entryFilterFromFlags({ regex: 'a(b' }, now)).toThrow(/^--regex: not a regular expression: .*Unterminated group/);
    expect(() => entryFilterFromFlags({ regex: 'a', grep: 'b' }, now)).toThrow('--grep and --regex: give one or the other');
    expect(() => entryFilterFromFlags({ id: '' }, now)).toThrow('--id needs an id');
  });
  it('reads the time grammar, ranges, expressions and id prefixes', () => {
    process.env.TZ = 'UTC';
    expect(entryFilterFromFlags({ since: '-1h', until: '+30m' }, now)).toEqual({ sinceMs: now - 3_600_000, untilMs: now + 1_800_000 });
    expect(entryFilterFromFlags({ since: '2 hours ago' }, now)).toEqual({ sinceMs: now - 7_200_000 });
    expect(entryFilterFromFlags({ time: '08:00..09:30' }, now)).toEqual({ sinceMs: Date.parse('2026-11-01T08:00:00Z'), untilMs: Date.parse('2026-11-01T09:30:00Z') });
    expect(entryFilterFromFlags({ time: '..10m' }, now)).toEqual({ untilMs: now - 600_000 });
    expect(entryFilterFromFlags({ regex: 'ngin[x]' }, now).regex).toEqual(/ngin[x]/iu);
    expect(entryFilterFromFlags({ regex: 'Nginx' }, now).regex).toEqual(/Nginx/u);
    expect(entryFilterFromFlags({ id: '92bc' }, now)).toEqual({ idPrefix: '92bc' });
  });
});

describe('sniffAuditLog', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const record = '{"v":1,"type":"writer","seq":1,"prev":"0","time":"t","event":"start","pid":1}';
  it.each([
    ['an empty file', '', true, true],
    ['a record', `${record}\n`, true, true],
    ['a record after a torn first line', `{"v":1,"ty\n${record}\n`, true, true],
    ['a long first record cut by the window', `{"v":1,"type":"request","pipeline":[["${'a'.repeat(100)}`, false, true],
    ['text', 'hello\nworld\n', true, false],
    ['JSON that is not a record', '{"level":"info"}\n', true, false],
    ['a JSON array', '[1,2]\n', true, false],
  ])('%s', (_, text, whole, ok) => {
    expect(sniffAuditLog(bytes(text), whole).ok).toBe(ok);
  });
  it('binary: NUL bytes or invalid UTF-8, but not a multi-byte character cut by the window', () => {
    expect(sniffAuditLog(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1]), true)).toEqual({ ok: false, reason: 'not an audit log (binary data)' });
    expect(sniffAuditLog(new Uint8Array([0xff, 0xfe, 0x41]), true)).toEqual({ ok: false, reason: 'not an audit log (binary data: not UTF-8 text)' });
    const cut = bytes(`${record}\n{"v":1,"type":"request","reason":"é`).slice(0, -1);
    expect(sniffAuditLog(cut, false).ok).toBe(true);
  });
  const bad = (...parts: Array<string | number[]>) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...bytes(p)] : p)));
  it('one bad line is a bad line, not a file that is no audit log', () => {
    expect(sniffAuditLog(bad(`${record}\n`, [0x7b, 0, 0x7d, 0x0a]), true)).toEqual({ ok: true }); // a NUL after a record
    expect(sniffAuditLog(bad([0xff, 0x0a], `${record}\n`), true)).toEqual({ ok: true }); // a 0xff before one
    expect(sniffAuditLog(bad(`${record}\n`, new Array(4096).fill(0)), true)).toEqual({ ok: true }); // a NUL-padded tail
    expect(sniffAuditLog(bad(new Array(4096).fill(0)), true)).toEqual({ ok: true }); // padding alone: its writes were lost
  });
  it('refuses what has no record among its first lines: a PNG, random bytes', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(sniffAuditLog(png, true)).toEqual({ ok: false, reason: 'not an audit log (binary data: not UTF-8 text)' });
    let seed = 12345;
    const random = Uint8Array.from({ length: 64 * 1024 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    expect(sniffAuditLog(random, false).ok).toBe(false);
    const late = bad(...Array.from({ length: 20 }, () => 'garbage\n'), `${record}\n`);
    expect(sniffAuditLog(late, true)).toEqual({ ok: false, reason: 'not an audit log (line 1 is not JSON)' }); // only the first 20 lines count
  });
  it('names the first line that is wrong', () => {
    expect(sniffAuditLog(bytes('\n\nnot json\n'), true)).toEqual({ ok: false, reason: 'not an audit log (line 3 is not JSON)' });
  });
});

describe('orderAsRotatedSet', () => {
  it('puts one rotated set oldest first, whatever the shell glob order', () => {
    expect(orderAsRotatedSet(['/l/audit.log', '/l/audit.log.1', '/l/audit.log.10.gz', '/l/audit.log.2.gz'])).toEqual([
      '/l/audit.log.10.gz',
      '/l/audit.log.2.gz',
      '/l/audit.log.1',
      '/l/audit.log',
    ]);
    expect(orderAsRotatedSet(['/l/audit.log', '/l/audit.log-20261102.gz', '/l/audit.log-20261101'])).toEqual([
      '/l/audit.log-20261101',
      '/l/audit.log-20261102.gz',
      '/l/audit.log',
    ]);
  });
  it('keeps any other list as given', () => {
    expect(orderAsRotatedSet(['/l/b.log', '/l/a.log'])).toEqual(['/l/b.log', '/l/a.log']);
    expect(orderAsRotatedSet(['/x/audit.log', '/y/audit.log.1'])).toEqual(['/x/audit.log', '/y/audit.log.1']);
    expect(orderAsRotatedSet(['/l/audit.log.1', '/l/other.log.2'])).toEqual(['/l/audit.log.1', '/l/other.log.2']);
    expect(orderAsRotatedSet(['/l/audit.log.1', '/l/audit.log.2', '/l/notes'])).toEqual(['/l/audit.log.1', '/l/audit.log.2', '/l/notes']);
  });
  it('puts a set named without its live file (audit.log.*, or audit.log* after a nocreate rotation) oldest first', () => {
    const oldestFirst = ['/l/audit.log.11.gz', '/l/audit.log.10.gz', '/l/audit.log.2.gz', '/l/audit.log.1'];
    expect(orderAsRotatedSet(['/l/audit.log.1', '/l/audit.log.10.gz', '/l/audit.log.11.gz', '/l/audit.log.2.gz'])).toEqual(oldestFirst);
    expect(orderAsRotatedSet([...oldestFirst].reverse())).toEqual(oldestFirst);
    expect(orderAsRotatedSet(['/l/audit.log.1', '/l/audit.log.2'])).toEqual(['/l/audit.log.2', '/l/audit.log.1']);
    expect(orderAsRotatedSet(['/l/audit.log-20261102', '/l/audit.log-20261101.gz', '/l/audit.log.1'])).toEqual([
      '/l/audit.log-20261101.gz',
      '/l/audit.log-20261102',
      '/l/audit.log.1',
    ]);
  });
});

describe('describeFsError', () => {
  it.each([
    ['ENOENT', 'no such file'],
    ['EACCES', 'permission denied'],
    ['EISDIR', 'is a directory'],
    ['Z_DATA_ERROR', 'corrupt or truncated gzip data'],
  ])('%s → %s', (code, text) => {
    expect(describeFsError(Object.assign(new Error(`${code}: x, open '/a'`), { code }))).toBe(text);
  });
  it('keeps the cause of an unknown error without the repeated path', () => {
    expect(describeFsError(Object.assign(new Error("EROFS: read-only file system, open '/a'"), { code: 'EROFS' }))).toBe('read-only file system');
  });
});
