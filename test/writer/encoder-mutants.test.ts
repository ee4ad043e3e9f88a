/**
 * The line encoder's edges, as fixed cases (record-line.test.ts checks it against
 * JSON.stringify on random input; a random run may miss a boundary): numbers at each digit
 * count and fraction, the day cache at a day's first and last millisecond, the env-names cache
 * as names come and go, a buffer too small by a few bytes, input that grows while it is read,
 * an argv too long to walk, and the general path's fallback for a record whose fields come in
 * another order. Each would notice a weakened check (`npm run mutate`).
 */
import { describe, expect, it } from 'vitest';
import type { RequestInput, ResponseInput } from '../../src/writer/record-input.js';
import { generalLine, RecordEncoder, toRequestRecord, toResponseRecord, type UnchainedRecord } from '../../src/writer/record-line.js';

const NOW = 1_764_200_000_123;
const DAY = 86_400_000;
const PREV = 'ab'.repeat(32);

const request = (over: Partial<RequestInput> = {}): RequestInput => ({ id: 'r', time: 't', session: 's', pipeline: [['id']], privileged: false, decision: 'approved', ...over });
const response = (over: Partial<ResponseInput> = {}): ResponseInput => ({ id: 'r', time: 't', status: 'ok', stages: [], stdout: 0, durationMs: 0, ...over });

/** The encoder's line as text, or null when it leaves the input to the general path. */
function encoded(write: (buf: Buffer) => number, size = 64 * 1024): string | null {
  const buf = Buffer.alloc(size);
  const end = write(buf);
  return end < 0 ? null : buf.toString('utf8', 0, end);
}

const requestLine = (enc: RecordEncoder, r: RequestInput, seq = 1, ms = NOW, size?: number) => encoded((buf) => enc.request(buf, 0, seq, PREV, r, ms), size);
const responseLine = (enc: RecordEncoder, r: ResponseInput, seq = 1, ms = NOW, size?: number) => encoded((buf) => enc.response(buf, 0, seq, PREV, r, ms), size);
const generalRequest = (r: RequestInput, seq = 1, ms = NOW) => generalLine(toRequestRecord(r), seq, PREV, ms);
const generalResponse = (r: ResponseInput, seq = 1, ms = NOW) => generalLine(toResponseRecord(r, ms), seq, PREV, ms);

describe('numbers, at each digit count', () => {
  const integers = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65_535, 99_999, 100_000, 1e12 - 1, 1e12, 1e15, 2 ** 53 - 2, Number.MAX_SAFE_INTEGER];

  it('seq', () => {
    const enc = new RecordEncoder();
    for (const seq of integers.filter((n) => n > 0)) {
      expect(requestLine(enc, request(), seq), String(seq)).toBe(generalRequest(request(), seq));
      expect(JSON.parse(requestLine(enc, request(), seq) as string).seq).toBe(seq);
    }
  });

  it('exit codes (either sign), lengths and durations', () => {
    const enc = new RecordEncoder();
    for (const n of integers) {
      const r = response({ stages: [{ exitCode: n, stderr: n }, { exitCode: -n, stderr: 0 }], stdout: n, durationMs: n });
      expect(responseLine(enc, r), String(n)).toBe(generalResponse(r));
    }
  });

  it('fractions: up to three decimals written digit by digit, anything else as String() writes it', () => {
    const enc = new RecordEncoder();
    const fractions = [0.5, 0.05, 0.005, 0.001, 0.0005, 0.1, 0.25, 0.125, 0.999, 1.5, 1.05, 1.005, 9.9, 10.01, 99.999, 100.1, 123.456, 1234.5, 999_999_999_999.5, 999_999_999_999.999, 1e12 + 0.5, 2 ** 52 + 0.5, 1e-7, 0.1 + 0.2, 1 / 3, 1e21, 1.5e21];
    for (const n of fractions) {
      const r = response({ durationMs: n });
      const line = responseLine(enc, r);
      expect(line, String(n)).toBe(generalResponse(r));
      expect(line).toContain(`"duration_ms":${String(n)}}`);
      const latency = request({ latencyMs: n });
      expect(requestLine(enc, latency), String(n)).toBe(generalRequest(latency));
    }
  });
});

describe("the writer's time, across the day cache", () => {
  // The cache is the module's: each case first sets it with a time of its own.
  const sequences: Array<[string, number[]]> = [
    ['the last millisecond of a day, then the first of the next', [DAY - 1, DAY]],
    ['the first millisecond of a day, then the last of the day before', [DAY, DAY - 1]],
    ['a day, then the same time a day later', [NOW, NOW + DAY]],
    ['within one day, back to its first millisecond', [NOW, NOW - (NOW % DAY)]],
    ['the epoch, then the last time with a four-digit year', [0, 253_402_300_799_999, 0]],
    ['a fraction of a millisecond (dropped, as a Date drops it)', [NOW + 0.999, DAY - 0.5]],
  ];
  for (const [name, times] of sequences) {
    it(name, () => {
      const enc = new RecordEncoder();
      for (const ms of times) {
        expect(requestLine(enc, request(), 1, ms), String(ms)).toBe(generalRequest(request(), 1, ms));
        expect(responseLine(enc, response(), 1, ms), String(ms)).toBe(generalResponse(response(), 1, ms));
      }
    });
  }

  it('every hour, minute, second and millisecond digit of a day', () => {
    const enc = new RecordEncoder();
    const base = NOW - (NOW % DAY);
    for (const inDay of [0, 1, 9, 10, 99, 100, 999, 1000, 59_999, 60_000, 3_599_999, 3_600_000, 36_000_000, 43_199_999, DAY - 1]) {
      const ms = base + inDay;
      const line = requestLine(enc, request(), 1, ms) as string;
      expect(JSON.parse(line).logged, String(inDay)).toBe(new Date(ms).toISOString());
    }
  });
});

describe('env names, as they come and go (the last-list cache)', () => {
  const namesOf = (enc: RecordEncoder, env: RequestInput['env']) => JSON.parse(requestLine(enc, request({ env })) as string).env_keys;

  it('an object: the same names, a longer list, a shorter one, none, then names again', () => {
    const enc = new RecordEncoder();
    const steps: Array<[Record<string, string>, string[]]> = [
      [{ PATH: '1', LANG: '2' }, ['LANG', 'PATH']],
      [{ PATH: '3', LANG: '4' }, ['LANG', 'PATH']],
      [{ PATH: '1', LANG: '2', TERM: '3' }, ['LANG', 'PATH', 'TERM']],
      [{ PATH: '1' }, ['PATH']],
      [{}, []],
      [{ HOME: '1' }, ['HOME']],
      [{ LANG: '1', PATH: '2' }, ['LANG', 'PATH']],
      [{ PATH: '1', LANG: '2' }, ['LANG', 'PATH']],
      [{ PATH: '1', HOME: '2' }, ['HOME', 'PATH']],
    ];
    for (const [env, names] of steps) expect(namesOf(enc, env), JSON.stringify(env)).toEqual(names);
  });

  it('an empty object first', () => {
    expect(namesOf(new RecordEncoder(), {})).toEqual([]);
  });

  it('a list or a Map of the same length but other names, one after another', () => {
    const enc = new RecordEncoder();
    expect(namesOf(enc, ['A=1', 'B=2'])).toEqual(['A', 'B']);
    expect(namesOf(enc, ['C=1', 'D=2'])).toEqual(['C', 'D']);
    expect(namesOf(enc, { 0: 'x', 1: 'y' })).toEqual(['0', '1']);
    expect(namesOf(enc, ['E', 'F'])).toEqual(['E', 'F']);
    expect(namesOf(enc, new Map([['G', '1'], ['H', '2']]))).toEqual(['G', 'H']);
    expect(namesOf(enc, new Map([['I', '1'], ['J', '2']]))).toEqual(['I', 'J']);
    expect(namesOf(enc, undefined)).toEqual([]);
    expect(namesOf(enc, ['K=secret'])).toEqual(['K']);
  });
});

describe('the room in the buffer', () => {
  /** A request whose line ends in `"error":"…"}` with `n` three-byte characters. */
  const rejected = (n: number) => request({ decision: 'rejected', error: '€'.repeat(n) });

  it('a buffer a few bytes short of the line: declined, never a cut line', () => {
    const enc = new RecordEncoder();
    for (const n of [1, 10, 100, 400, 1000, 10_000]) {
      const line = Buffer.from(generalRequest(rejected(n)));
      for (const short of [0, 1, 2, 3, 4, 5]) {
        // (Room for the newline too: a line as long as the buffer is declined.)
        expect(requestLine(enc, rejected(n), 1, NOW, line.length - short), `${n} chars, ${short} bytes short`).toBeNull();
      }
    }
  });

  it('the worst case fits: the encoder writes the line; a byte less and it declines', () => {
    // The worst case: 6 bytes per UTF-16 unit of every string (a control character becomes
    // \u001f), 3 per argv item (quotes, comma) and per stage (brackets, its resolved entry),
    // the env names' JSON and 1024 for the rest.
    const enc = new RecordEncoder();
    for (const n of [0, 1, 100, 10_000]) {
      // Every string counts: id, time, host, session, reason, decision, error, the argv and the resolved paths.
      const r = { ...rejected(n), host: 'web-01', reason: 'rotate the logs', resolved: ['/usr/bin/id'] };
      const units = 'r'.length + 't'.length + 'web-01'.length + 's'.length + 'rotate the logs'.length + 'rejected'.length + n + 'id'.length + '/usr/bin/id'.length;
      const worst = 6 * units + 3 * (1 + 3) + '[]'.length + 1024;
      expect(requestLine(enc, r, 1, NOW, worst), String(n)).toBe(generalRequest(r));
      expect(requestLine(enc, r, 1, NOW, worst - 1), String(n)).toBeNull();
      const res = response({ id: `i${'€'.repeat(n)}`, error: '"'.repeat(n), stages: [{ exitCode: 1, stderr: 1 }, { exitCode: 2, stderr: 2 }] });
      const worstResponse = 6 * (1 + n + 't'.length + n) + 128 * 2 + 1024;
      expect(responseLine(enc, res, 1, NOW, worstResponse), String(n)).toBe(generalResponse(res));
      expect(responseLine(enc, res, 1, NOW, worstResponse - 1), String(n)).toBeNull();
    }
  });

  it("the worst case with a client version and the operator: both are counted", () => {
    const who = { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'ops-1' };
    const enc = new RecordEncoder(who);
    const operatorBytes = Buffer.byteLength(`,"operator":${JSON.stringify(who)}`);
    for (const n of [0, 1, 100, 10_000]) {
      const r = { ...rejected(1), clientVersion: 'v'.repeat(n) };
      const units = 'r'.length + 't'.length + 's'.length + 'rejected'.length + 1 + n + 'id'.length;
      const worst = 6 * units + 3 * (1 + 3) + '[]'.length + operatorBytes + 1024;
      const line = generalLine(toRequestRecord(r, who), 1, PREV, NOW);
      expect(requestLine(enc, r, 1, NOW, worst), String(n)).toBe(line);
      expect(requestLine(enc, r, 1, NOW, worst - 1), String(n)).toBeNull();
    }
  });

  it('a response a few bytes short: declined', () => {
    const enc = new RecordEncoder();
    for (const n of [1, 100, 10_000]) {
      const r = response({ error: '€'.repeat(n), stages: [{ exitCode: 1, stderr: 2 }] });
      const line = Buffer.from(generalResponse(r));
      for (const short of [0, 1, 2, 3]) expect(responseLine(enc, r, 1, NOW, line.length - short), `${n}, ${short}`).toBeNull();
    }
  });

  it('input that grows while it is read (a getter): declined when the line meets or passes the buffer’s end', () => {
    const enc = new RecordEncoder();
    const size = 4096;
    // The argument is read twice: once to size the line (short then), once to write it.
    const growing = (long: string): RequestInput => {
      let reads = 0;
      const stage: string[] = ['echo'];
      Object.defineProperty(stage, 1, { get: () => (reads++ === 0 ? 'x' : long), enumerable: true });
      return request({ pipeline: [stage] });
    };
    const lengthWith = (long: string) => Buffer.byteLength(generalRequest(request({ pipeline: [['echo', long]] })));
    const fits = size - 1 - lengthWith(''); // the longest argument whose line leaves room for the newline
    expect(requestLine(enc, growing('y'.repeat(fits)), 1, NOW, size)).toBe(generalRequest(request({ pipeline: [['echo', 'y'.repeat(fits)]] })));
    for (const over of [1, 2, 3, 100, 10_000]) expect(requestLine(enc, growing('y'.repeat(fits + over)), 1, NOW, size), String(over)).toBeNull();
  });
});

describe('an argv too long for the buffer is not walked', () => {
  /** An array of `length` items that counts the items read. */
  function counted<T>(length: number, item: T): { list: T[]; reads: () => number } {
    let reads = 0;
    const list = new Proxy(new Array<T>(length).fill(item), {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    return { list, reads: () => reads };
  }

  it('a pipeline of more stages than the buffer has thirds of bytes', () => {
    const size = 3000;
    const { list, reads } = counted(size / 3 + 1, ['a']);
    expect(new RecordEncoder().request(Buffer.alloc(size), 0, 1, PREV, request({ pipeline: list }), NOW)).toBe(-1);
    expect(reads()).toBe(0);
  });

  it('a stage of more arguments than the buffer has thirds of bytes', () => {
    const size = 3000;
    const { list, reads } = counted(size / 3 + 1, 'a');
    expect(new RecordEncoder().request(Buffer.alloc(size), 0, 1, PREV, request({ pipeline: [['ls'], list] }), NOW)).toBe(-1);
    expect(reads()).toBe(0);
  });

  it('just under those bounds they are walked (and declined only for want of room)', () => {
    const size = 3000;
    const stages = counted(size / 3, ['a']);
    expect(new RecordEncoder().request(Buffer.alloc(size), 0, 1, PREV, request({ pipeline: stages.list }), NOW)).toBe(-1);
    expect(stages.reads()).toBeGreaterThan(0);
    const args = counted(size / 3, 'a');
    expect(new RecordEncoder().request(Buffer.alloc(size), 0, 1, PREV, request({ pipeline: [args.list] }), NOW)).toBe(-1);
    expect(args.reads()).toBeGreaterThan(0);
  });
});

describe("issue #15's fields, one at a time", () => {
  const who = { uid: 0, user: 'root', tty: null, hostname: 'h' };
  const same = (enc: RecordEncoder, r: RequestInput, operator: typeof who | null = null) => {
    const line = requestLine(enc, r);
    expect(line, JSON.stringify(r)).toBe(generalLine(toRequestRecord(r, operator), 1, PREV, NOW));
    return JSON.parse(line as string);
  };

  it('every reject kind on a rejected request; none on another decision; an unknown one in the error', () => {
    const enc = new RecordEncoder();
    for (const kind of ['invalid_json', 'busy', 'peer_check_failed'] as const) {
      expect(same(enc, request({ decision: 'rejected', reject: kind })).reject).toBe(kind);
      expect(same(enc, request({ decision: 'denied', reject: kind })).reject).toBeUndefined();
    }
    const odd = same(enc, request({ decision: 'rejected', reject: 'nope' as never }));
    expect(odd.reject).toBeUndefined();
    expect(odd.error).toBe('rejected (unknown reject kind "nope")');
  });

  it('always: only true on an approved request', () => {
    const enc = new RecordEncoder();
    expect(same(enc, request({ always: true })).always).toBe(true);
    expect(same(enc, request({ always: false })).always).toBeUndefined();
    expect(same(enc, request({ always: 'yes' as never })).always).toBeUndefined();
    expect(same(enc, request({ always: true, decision: 'denied' })).always).toBeUndefined();
  });

  it('escalation: each known value, nothing for another', () => {
    const enc = new RecordEncoder();
    for (const e of ['sudo', 'pkexec', 'none'] as const) expect(same(enc, request({ escalation: e })).escalation).toBe(e);
    expect(same(enc, request({ escalation: 'su' as never })).escalation).toBeUndefined();
  });

  it('forward_agent: true, false, and absent when not given', () => {
    const enc = new RecordEncoder();
    expect(same(enc, request({ forwardAgent: true })).forward_agent).toBe(true);
    expect(same(enc, request({ forwardAgent: false })).forward_agent).toBe(false);
    expect(same(enc, request({ forwardAgent: 1 as never })).forward_agent).toBe(false);
    expect(same(enc, request()).forward_agent).toBeUndefined();
  });

  it('client_version: as given (escaped like any string), absent when not given', () => {
    const enc = new RecordEncoder();
    expect(same(enc, request({ clientVersion: '1.2.3' })).client_version).toBe('1.2.3');
    expect(same(enc, request({ clientVersion: 'a"\\\u001b' })).client_version).toBe('a"\\\u001b');
    expect(same(enc, request({ clientVersion: '' })).client_version).toBe('');
    expect(same(enc, request()).client_version).toBeUndefined();
  });

  it('all of them in the format order, then the operator last', () => {
    const r = request({ decision: 'rejected', reject: 'replay', escalation: 'sudo', forwardAgent: true, clientVersion: '2', error: 'e' });
    const line = requestLine(new RecordEncoder(who), r) as string;
    expect(line).toBe(generalLine(toRequestRecord(r, who), 1, PREV, NOW));
    expect(line.endsWith(',"error":"e","reject":"replay","escalation":"sudo","forward_agent":true,"client_version":"2","operator":{"uid":0,"user":"root","tty":null,"hostname":"h"}}')).toBe(true);
    expect(requestLine(new RecordEncoder(null), r)).not.toContain('"operator":');
    expect(requestLine(new RecordEncoder(), r)).not.toContain('"operator":');
  });

  it('each via, and a latency that is not a number', () => {
    const enc = new RecordEncoder();
    for (const via of ['operator', 'policy', 'pkexec'] as const) expect(same(enc, request({ via })).via).toBe(via);
    expect(same(enc, request({ via: 'x' as never })).via).toBe('operator');
    expect(same(enc, request({ latencyMs: Number.NaN })).latency_ms).toBeNull();
    expect(same(enc, request({ latencyMs: -5 })).latency_ms).toBe(0);
  });
});

describe('the general path', () => {
  it('a record whose v and type do not come first: the same line, chain fields after v and type', () => {
    const inOrder = { v: 1, type: 'writer', time: 't', event: 'start', pid: 7 } as const;
    const shuffled = { event: 'start', pid: 7, type: 'writer', time: 't', v: 1 } as unknown as UnchainedRecord;
    const line = generalLine(shuffled, 12, PREV, NOW);
    expect(line).toBe(`{"v":1,"type":"writer","seq":12,"prev":"${PREV}","logged":"${new Date(NOW).toISOString()}","event":"start","pid":7,"time":"t"}`);
    expect(JSON.parse(line)).toEqual(JSON.parse(generalLine(inOrder, 12, PREV, NOW)));
  });
});

/*
 * The encoder's mutants that change no byte written are either gone or disabled where they are
 * (`// Stryker disable next-line <mutator>: why`): the byte loops stop at `!==` their end (a
 * `<=` wrote one byte that the next part overwrote), the day cache compares one day number,
 * `Number.isSafeInteger` is one check; String() or JSON.stringify taking more numbers or
 * strings than needed, every way of missing a cache, the general path's fallback and
 * putNumber(null) writing `null` are disabled, each with its reason.
 */
