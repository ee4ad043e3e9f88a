// node native/scripts/hostile-lines.mjs OUT COUNT SEED SOURCE_LOG...
//
// A hostile corpus for the differential check of the Rust scanner against the JavaScript
// scanRecord: COUNT lines made from real lines of the SOURCE_LOGs (requests and responses, with
// and without `operator`), each changed as an attacker who writes the log might, deterministic
// for SEED. Writes OUT and OUT.tags (each line's changes, comma-separated, for
// compare-scan.mjs --tags).
//
// Changes of values (the line re-serialised with one value's raw JSON text replaced): exotic
// numbers (-0, 1.0, 1e3, long mantissas at a rounding tie, past the doubles' range, subnormal,
// 2^53 ± 1, huge exponents), exotic times (2026-02-30, leap days and seconds, years 0000, 0099,
// 9999 and +275760, fractions of 1–10 digits, offsets, lowercase, garbage digits in the writer's
// form, a pair that collides in record-time.ts's day cache), strings with escapes, unicode,
// control bytes; enum values, operator objects, stages, arrays, chain fields; keys duplicated,
// dropped, added, unknown, reordered. Changes of bytes: a byte flipped to any value, deleted,
// inserted (quotes, backslashes, digits, - e E . + , : { } [ ], space, NUL, CR, DEL, UTF-8 and
// invalid UTF-8), a range deleted or duplicated, a digit changed, the line truncated.
import fs from 'node:fs';

const [out, countArg, seedArg, ...sources] = process.argv.slice(2);
if (!out || !countArg || sources.length === 0) {
  process.stderr.write('usage: hostile-lines.mjs OUT COUNT SEED SOURCE_LOG...\n');
  process.exit(2);
}
const COUNT = Number(countArg);

// mulberry32: small, deterministic.
let state = Number(seedArg ?? 1) >>> 0;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];

// ---- the source lines: requests and responses of each log, up to 60,000 from each ----
const originals = [];
for (const file of sources) {
  const text = fs.readFileSync(file, 'utf8');
  let taken = 0;
  for (const line of text.split('\n')) {
    if (taken >= 60_000) break;
    if (line.includes('"type":"request"') || line.includes('"type":"response"')) {
      originals.push(line);
      taken++;
    }
  }
}

// ---- the values an attacker might write ----
const zeros = (n) => '0'.repeat(n);
const NUMBERS = [
  '0', '-0', '0.0', '-0.0', '0e0', '-0e5', '1', '01', '-01', '-', '1.', '.5', '1.5', '-1', '-1.5', '1.0', '2.000', '1e3', '1E3', '1e+3', '1e-3', '1e', '1e+', '1e-',
  '10e-1', '100e-2', '0.1e1', '+1', '0x10', 'NaN', 'Infinity', '-Infinity', '1_000', '١', 'true', 'null', '"1"', '[1]',
  '123456789012345', '999999999999999', '1234567890123456', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740991', '-9007199254740992',
  '9007199254740991.0', '9007199254740991e0', '9.007199254740991e15', '9007199254740993.0', `9007199254740993.${zeros(800)}1`, `9007199254740993${zeros(30)}1e-31`,
  '12345678901234567890', '123456789012345678901234567890', `1${zeros(400)}`, `1${zeros(400)}e-400`, `0.${zeros(1000)}1e1001`, `${'9'.repeat(500)}`, `0.${'9'.repeat(500)}`,
  '1e308', '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308', '2e308', '1e309', '1e400', '-1e400',
  '1e-400', '-1e-400', '4.9e-324', '5e-324', '2.4703282292062327e-324', '2.4703282292062328e-324', '2.2250738585072011e-308', '2.2250738585072012e-308', '2.2250738585072014e-308',
  '0.1', '0.2', '0.30000000000000004', '1.0000000000000002', '1.00000000000000011102230246251565404236316680908203125', '1.000000000000000111022302462515654042363166809082031251',
  '1e99999999999999999999', '0e99999999999999999999', '1e-99999999999999999999', '1e000000000000000000003', '60000', '2112', '1.5e3', '86400000',
];
const randomNumber = () => {
  let s = int(5) === 0 ? '-' : '';
  const digits = 1 + int(int(3) === 0 ? 40 : 17);
  s += int(4) === 0 ? '0' : String(1 + int(9)) + Array.from({ length: digits - 1 }, () => int(10)).join('');
  if (int(3) === 0) s += `.${Array.from({ length: 1 + int(25) }, () => int(10)).join('')}`;
  if (int(3) === 0) s += `${pick(['e', 'E'])}${pick(['', '+', '-'])}${int(int(2) === 0 ? 30 : 400)}`;
  return s;
};
/**
 * A decimal at, just above or just below the exact midpoint between a random double and the
 * next: where rounding to nearest, ties to even, is hardest (up to ~770 significant digits).
 */
const halfwayNumber = () => {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, int(2 ** 31 - 1) & 0x7fefffff);
  view.setUint32(4, int(2 ** 32));
  const bits = view.getBigUint64(0);
  const exponentBits = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = m × 2^e exactly; the midpoint to the next double is (2m + 1) × 2^(e - 1).
  const m = exponentBits === 0 ? fraction : fraction | (1n << 52n);
  const e = (exponentBits === 0 ? 1 : exponentBits) - 1075;
  const mid = 2n * m + 1n;
  const shift = e - 1;
  let digits;
  let point; // digits after the decimal point
  if (shift >= 0) {
    digits = (mid << BigInt(shift)).toString();
    point = 0;
  } else {
    digits = (mid * 5n ** BigInt(-shift)).toString();
    point = -shift;
  }
  const padded = digits.padStart(point + 1, '0');
  let text = point === 0 ? padded : `${padded.slice(0, padded.length - point)}.${padded.slice(padded.length - point)}`;
  const way = int(3);
  if (way === 1) text = `${text}${point === 0 ? '.' : ''}${'0'.repeat(int(5))}1`;
  else if (way === 2) {
    // Just below: the last digit (never 0: it is a 5) one less.
    text = text.slice(0, -1) + String(Number(text.at(-1)) - 1);
  }
  if (int(3) === 0 && text.includes('.')) {
    // The same value written with an exponent.
    const [whole, frac] = text.split('.');
    text = `${whole}${frac}e-${frac.length}`;
  }
  return text;
};

const TIMES = [
  '2026-11-01T08:00:00Z', '2026-11-01T08:00:00.000Z', '2026-02-28T23:59:59.999Z', '2026-02-29T00:00:00Z', '2026-02-30T00:00:00Z', '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z',
  '2100-02-29T00:00:00Z', '2000-02-29T00:00:00.123Z', '1900-02-29T00:00:00Z', '2026-12-31T23:59:60Z', '2026-06-30T23:59:60.000Z', '2026-06-30T23:59:59.999Z',
  '0000-01-01T00:00:00Z', '0000-02-29T00:00:00Z', '0000-02-29T12:34:56.789Z', '0000-03-01T00:00:00Z', '0004-02-29T00:00:00Z', '0001-01-01T00:00:00Z', '0050-06-15T12:00:00+01:00',
  '0099-12-31T23:59:59.999Z', '0100-01-01T00:00:00Z', '0100-02-29T00:00:00Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999-23:59',
  '+275760-09-13T00:00:00Z', '-271821-04-20T00:00:00Z', '+002026-11-01T08:00:00Z', '-000001-01-01T00:00:00Z',
  '2026-11-01T08:00:00.1Z', '2026-11-01T08:00:00.12Z', '2026-11-01T08:00:00.1234Z', '2026-11-01T08:00:00.123456789Z', '2026-11-01T08:00:00.1234567891Z', '2026-11-01T08:00:00.Z',
  '2026-11-01T08:00:00.999999999Z', '2026-11-01T08:00Z', '2026-11-01T08Z', '2026-11-01T08:00:00+02:00', '2026-11-01T08:00:00-23:59', '2026-11-01T08:00:00+24:00', '2026-11-01T08:00:00+00:60',
  '2026-11-01T08:00:00.5-05:30', '2026-11-01T08:00:00+0200', '2026-11-01T08:00:00+02', '2026-11-01t08:00:00z', '2026-11-01 08:00:00Z', '2026-11-01T08:00:00', '2026-11-01', '20261101T080000Z',
  '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-11-00T00:00:00Z', '2026-11-31T00:00:00Z', '2026-11-01T24:00:00Z', '2026-11-01T23:60:00Z', '2026-11-01T08:00:00.000ZZ',
  '302:-01-15T00:00:00Z', '2026-1:-05T00:00:00Z', '2026-11-0:T00:00:00Z', '20a6-11-01T08:00:00Z', '2026-11-01T08:00:00.00xZ', '2026-11-01T08:00:00x000Z', '2026-11-01T0 :00:00Z',
  '2026-11-01T08:00:0/Z', '2026-11-01T08:00:00.0/0Z', '/026-11-01T08:00:00Z', '', 'Z', 'now', '2026-11-01T08:00:00.000+00:00', '2026-11-01T08:00:00.000-00:00',
];
// record-time.ts caches the last day: a garbage month that lands on a cached day's key (2016-10-05 and 2026-1:-05).
const CACHE_PAIRS = [['2016-10-05T01:02:03Z', '2026-1:-05T01:02:03Z'], ['2016-10-05T01:02:03.456Z', '2026-1:-05T01:02:03.456Z']];
const randomTime = (t) => {
  // A real time with one character changed to a digit or a neighbour.
  const k = int(t.length);
  return t.slice(0, k) + pick(['0', '1', '2', '3', '5', '9', ':', '/', '-', '.', 'T', 'Z', ' ']) + t.slice(k + 1);
};
const STRINGS = [
  '""', '"a"', '"a\\"b"', '"a\\\\b"', '"\\u0041"', '"\\n"', '"\\/"', '"é"', '"日本"', '"\u{1f600}"', '"\\ud800"', '"\u007f"', '"~"', '" "', `"${'x'.repeat(5000)}"`,
  '"request"', '"response"', '"approved"', '"ok"', '"error"', 'null', '1', 'true', '[]', '{}', '["a"]',
];
const ENUMS = {
  type: ['"request"', '"response"', '"writer"', '"policy"', '"seal"', '"Request"', '""'],
  decision: ['"approved"', '"denied"', '"timeout"', '"rejected"', '"Approved"', '"approve"', '""', 'null'],
  via: ['"operator"', '"policy"', '"pkexec"', '"Policy"', '""', 'null'],
  status: ['"ok"', '"error"', '"OK"', '"failed"', 'null'],
  reject: ['"invalid_json"', '"replay"', '"peer_check_failed"', '"stale_time"', '"busy"', '"none"', '""', 'null'],
  escalation: ['"sudo"', '"pkexec"', '"none"', '"doas"', '""'],
  v: ['1', '2', '0', '1.0', '"1"', '10', 'true'],
  privileged: ['true', 'false', 'null', '1', '"true"'],
  forward_agent: ['true', 'false', 'null'],
  stdout_truncated: ['true', 'false', '0'],
  truncated: ['true', 'false', 'null'],
  always: ['true', 'false'],
  error: ['null', '"boom"', '""', '1'],
  latency_ms: ['null', '0', '-0', '-1', '1.5', '1e3'],
};
const OPERATORS = [
  '{"uid":1000,"user":"alice","tty":"/dev/pts/3","hostname":"build-01"}', '{"uid":0,"user":"root","tty":null,"hostname":"h"}', '{"uid":0,"user":"","tty":"","hostname":""}',
  '{"uid":-1,"user":"a","tty":null,"hostname":"h"}', '{"uid":-0,"user":"a","tty":null,"hostname":"h"}', '{"uid":1.5,"user":"a","tty":null,"hostname":"h"}',
  '{"uid":1e3,"user":"a","tty":null,"hostname":"h"}', '{"uid":1000.0,"user":"a","tty":null,"hostname":"h"}', '{"uid":9007199254740991,"user":"a","tty":null,"hostname":"h"}',
  '{"uid":9007199254740992,"user":"a","tty":null,"hostname":"h"}', '{"uid":01,"user":"a","tty":null,"hostname":"h"}', '{"uid":1,"user":"a\\"b","tty":null,"hostname":"h"}',
  '{"uid":1,"user":"é","tty":null,"hostname":"h"}', '{"uid":1,"user":"a","tty":1,"hostname":"h"}', '{"uid":1,"user":"a","hostname":"h","tty":null}', '{"user":"a","uid":1,"tty":null,"hostname":"h"}',
  '{"uid":1,"user":"a","tty":null}', '{"uid":1,"user":"a","tty":null,"hostname":"h","x":1}', '{"uid":1,"user":"a","tty":null,"hostname":null}', '{"uid":1,"user":"a","tty":nul,"hostname":"h"}',
  '{"uid":1,"user":"[1,\\"x\\"]","tty":null,"hostname":"h"}', '{"uid":1,"user":"a~\u007f","tty":"t","hostname":"h"}', '{}', 'null', '1',
];
const stage = (e, l, t) => `{"exit_code":${e},"stderr_len":${l},"stderr_truncated":${t}}`;
const STAGES = [
  '[]', `[${stage(0, 0, false)}]`, `[${stage(1, 5, true)}]`, `[${stage('-0', 0, false)}]`, `[${stage('1.0', 0, false)}]`, `[${stage('0.0', 0, false)}]`, `[${stage('1e0', 0, false)}]`,
  `[${stage('-1', 0, false)}]`, `[${stage('1.5', 0, false)}]`, `[${stage(0, '-0', false)}]`, `[${stage(0, '-1', false)}]`, `[${stage(0, '1.5', false)}]`, `[${stage(0, 0, 'null')}]`,
  `[${stage(0, 0, false)},${stage(2, 0, false)}]`, `[${stage(0, 0, false)},${stage(0, 0, false)},${stage(0, 0, false)}]`, `[${stage('9007199254740992', 0, false)}]`,
  '[{"stderr_len":0,"exit_code":1,"stderr_truncated":false}]', '[{"stderr_truncated":true,"stderr_len":3,"exit_code":0}]', '[{"exit_code":0,"stderr_len":0}]',
  '[{"exit_code":0,"stderr_len":0,"stderr_truncated":false,"exit_code":1}]', '[{"exit_code":0,"exit_code":1,"stderr_len":0,"stderr_truncated":false}]',
  '[{"exit_code":0,"stderr_len":0,"stderr_truncated":false,"x":1}]', '[{}]', '[{"exit_code":1,"stderr_len":0,"stderr_truncated":false},]', '[null]', '[[]]', '{}',
  '[{"exit_code":1,"stderr_len":0,"stderr_truncated":false}{"exit_code":0,"stderr_len":0,"stderr_truncated":false}]',
];
const ARRAYS = ['[]', '[[]]', '[["a"],[]]', '[[],[]]', '[["a","b"],["c"]]', '[[1]]', '[["a",null]]', '[null]', '["a",null]', '[null,null]', '["a"]', '[["a"]', '[["a"]]]', '[[["a"]]]', '["é"]', '[""]', '["a",]', '[,"a"]'];
const CHAIN = {
  seq: ['1', '0', '-1', '1.5', '1.0', '1e2', '2e0', '9007199254740991', '9007199254740992', '-0', '"1"', 'null', '01'],
  prev: [`"${'a'.repeat(64)}"`, `"${'A'.repeat(64)}"`, `"${'a'.repeat(63)}"`, `"${'a'.repeat(65)}"`, `"${'g'.repeat(64)}"`, `"${'0'.repeat(63)}x"`, 'null', `"${'0'.repeat(64)}`],
};
const OPTIONAL = [
  ['error', 'null'], ['error', '"boom"'], ['reject', '"replay"'], ['reject', '"busy"'], ['always', 'true'], ['always', 'false'], ['escalation', '"sudo"'], ['forward_agent', 'true'],
  ['client_version', '"0.4.0"'], ['operator', OPERATORS[0]], ['operator', OPERATORS[1]], ['truncated', 'true'], ['truncated', 'false'], ['logged', '"2026-11-01T08:00:00.000Z"'],
  ['seq', '7'], ['prev', CHAIN.prev[0]], ['extra', '1'], ['', '1'], ['V', '1'], ['host', '"h"'], ['status', '"ok"'], ['stages', '[]'], ['duration_ms', '1'], ['latency_ms', 'null'],
  ['stdout_len', '0'], ['stdout_truncated', 'false'], ['session', '"s"'], ['reason', '"r"'], ['pipeline', '[["a"]]'], ['resolved', '[]'], ['env_keys', '[]'], ['privileged', 'true'],
  ['decision', '"approved"'], ['via', '"policy"'], ['id', '"x"'], ['time', '"2026-11-01T08:00:00Z"'], ['type', '"request"'], ['v', '1'],
];

// ---- the changes ----
/** A line as [key, raw JSON value] pairs, or null when it is not a JSON object. */
function entriesOf(line) {
  try {
    const o = JSON.parse(line);
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
    return Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)]);
  } catch {
    return null;
  }
}
const joinEntries = (entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
const setValue = (entries, key, raw) => {
  const e = entries.find(([k]) => k === key);
  if (e) e[1] = raw;
  return e !== undefined;
};
const keyOfAny = (entries, keys) => {
  const present = entries.filter(([k]) => keys.includes(k));
  return present.length === 0 ? null : pick(present)[0];
};

const valueChanges = {
  number(entries) {
    const key = keyOfAny(entries, ['seq', 'latency_ms', 'duration_ms', 'stdout_len', 'v']);
    if (key === null) return false;
    const roll = int(3);
    return setValue(entries, key, roll === 0 ? randomNumber() : roll === 1 ? halfwayNumber() : pick(NUMBERS));
  },
  stageNumber(entries) {
    const s = entries.find(([k]) => k === 'stages');
    if (!s) return false;
    const n = int(3) === 0 ? randomNumber() : pick(NUMBERS);
    s[1] = int(2) === 0 ? `[${stage(n, 0, false)}]` : `[${stage(0, n, true)}]`;
    return true;
  },
  operatorNumber(entries) {
    const n = int(3) === 0 ? randomNumber() : pick(NUMBERS);
    const raw = `{"uid":${n},"user":"alice","tty":"/dev/pts/3","hostname":"build-01"}`;
    if (!setValue(entries, 'operator', raw)) entries.push(['operator', raw]);
    return true;
  },
  time(entries) {
    const key = keyOfAny(entries, ['time', 'logged']);
    if (key === null) return false;
    let current = null;
    try {
      current = JSON.parse(entries.find(([k]) => k === key)[1]);
    } catch {}
    return setValue(entries, key, JSON.stringify(typeof current === 'string' && int(3) === 0 ? randomTime(current) : pick(TIMES)));
  },
  string(entries) {
    const key = keyOfAny(entries, ['id', 'host', 'session', 'reason', 'error', 'client_version', 'time', 'logged']);
    if (key === null) return false;
    return setValue(entries, key, pick(STRINGS));
  },
  enum(entries) {
    const key = keyOfAny(entries, Object.keys(ENUMS));
    if (key === null) return false;
    return setValue(entries, key, pick(ENUMS[key]));
  },
  operator(entries) {
    if (!setValue(entries, 'operator', pick(OPERATORS))) entries.push(['operator', pick(OPERATORS)]);
    return true;
  },
  stages: (entries) => setValue(entries, 'stages', pick(STAGES)),
  array(entries) {
    const key = keyOfAny(entries, ['pipeline', 'resolved', 'env_keys']);
    if (key === null) return false;
    return setValue(entries, key, pick(ARRAYS));
  },
  chain(entries) {
    const key = pick(['seq', 'prev']);
    if (!setValue(entries, key, pick(CHAIN[key]))) entries.splice(2, 0, [key, pick(CHAIN[key])]);
    return true;
  },
  dropChain(entries) {
    const k = entries.findIndex(([key]) => key === pick(['seq', 'prev']));
    if (k === -1) return false;
    entries.splice(k, 1);
    return true;
  },
  duplicate(entries) {
    const e = pick(entries);
    entries.splice(int(entries.length + 1), 0, [e[0], int(2) === 0 ? e[1] : pick(STRINGS)]);
    return true;
  },
  drop(entries) {
    entries.splice(int(entries.length), 1);
    return true;
  },
  add(entries) {
    const [k, v] = pick(OPTIONAL);
    entries.splice(int(entries.length + 1), 0, [k, v]);
    return true;
  },
  reorder(entries) {
    for (let k = entries.length - 1; k > 0; k--) {
      const j = int(k + 1);
      [entries[k], entries[j]] = [entries[j], entries[k]];
    }
    return true;
  },
  swap(entries) {
    const a = int(entries.length);
    const b = int(entries.length);
    [entries[a], entries[b]] = [entries[b], entries[a]];
    return true;
  },
};

const INSERTS = ['"', '\\', '0', '1', '9', '-', 'e', 'E', '.', '+', ',', ':', '{', '}', '[', ']', ' ', '\0', '\r', '\t', '\x7f', 'é', '\u{1f600}', 'null', 'true', '"a"'];
const byteChanges = {
  flip(b) {
    if (b.length === 0) return b;
    const c = Buffer.from(b);
    let v = int(256);
    if (v === 0x0a) v = 0x0b; // (a newline would make two lines: both sides would agree, but it is no longer this line)
    c[int(c.length)] = v;
    return c;
  },
  delete(b) {
    const k = int(b.length);
    return Buffer.concat([b.subarray(0, k), b.subarray(k + 1)]);
  },
  deleteRange(b) {
    const k = int(b.length);
    return Buffer.concat([b.subarray(0, k), b.subarray(Math.min(b.length, k + 1 + int(40)))]);
  },
  insert(b) {
    const k = int(b.length + 1);
    const bytes = int(8) === 0 ? Buffer.from([[0xff], [0xfe], [0xc3, 0x28], [0x80], [0xe2, 0x82]][int(5)]) : Buffer.from(pick(INSERTS), 'utf8');
    return Buffer.concat([b.subarray(0, k), bytes, b.subarray(k)]);
  },
  duplicateRange(b) {
    const k = int(b.length);
    const e = Math.min(b.length, k + 1 + int(60));
    return Buffer.concat([b.subarray(0, e), b.subarray(k, e), b.subarray(e)]);
  },
  digit(b) {
    const places = [];
    for (let k = 0; k < b.length; k++) if (b[k] >= 0x30 && b[k] <= 0x39) places.push(k);
    if (places.length === 0) return b;
    const c = Buffer.from(b);
    c[pick(places)] = 0x30 + int(10);
    return c;
  },
  truncate: (b) => b.subarray(0, int(b.length + 1)),
  trailing: (b) => Buffer.concat([b, Buffer.from(pick(['\r', ' ', '\0', '}', ',', 'x']))]),
};

// ---- the corpus ----
const lines = [];
const tags = [];
let pendingPair = null;
while (lines.length < COUNT) {
  if (pendingPair !== null) {
    lines.push(Buffer.from(pendingPair.line, 'utf8'));
    tags.push('cachePair');
    pendingPair = null;
    continue;
  }
  const source = pick(originals);
  const applied = [];
  let text = source;
  const roll = random();
  if (roll < 0.04) {
    applied.push('original');
  } else if (roll < 0.05) {
    // record-time.ts's day cache: the first time of a pair fills it, the second (garbage month) hits it.
    const [first, second] = pick(CACHE_PAIRS);
    const entries = entriesOf(source);
    const key = entries.some(([k]) => k === 'logged') ? 'logged' : 'time';
    setValue(entries, key, JSON.stringify(first));
    text = joinEntries(entries);
    setValue(entries, key, JSON.stringify(second));
    pendingPair = { line: joinEntries(entries) };
    applied.push('cachePair');
  } else if (roll < 0.8) {
    const entries = entriesOf(source);
    const names = Object.keys(valueChanges);
    const n = 1 + (int(4) === 0 ? int(3) : 0);
    for (let k = 0; k < n; k++) {
      const name = pick(names);
      if (valueChanges[name](entries)) applied.push(name);
    }
    text = joinEntries(entries);
  }
  let bytes = Buffer.from(text, 'utf8');
  if (roll >= 0.6) {
    const n = 1 + (int(3) === 0 ? int(3) : 0);
    const names = Object.keys(byteChanges);
    for (let k = 0; k < n; k++) {
      const name = pick(names);
      bytes = byteChanges[name](bytes);
      applied.push(name);
    }
  }
  // A line holds no newline (a file's lines are split at them).
  if (bytes.includes(0x0a)) bytes = Buffer.from(bytes.toString('latin1').replaceAll('\n', '\x0b'), 'latin1');
  lines.push(bytes);
  tags.push(applied.join(',') || 'none');
}
const joined = [];
for (const l of lines) joined.push(l, Buffer.from('\n'));
fs.writeFileSync(out, Buffer.concat(joined));
fs.writeFileSync(`${out}.tags`, `${tags.join('\n')}\n`);
process.stderr.write(`${lines.length} lines into ${out} (and ${out}.tags)\n`);
