// node --import tsx native/scripts/js-scan-lines.mjs FILE [--seed LO HI] [--limit N] [--bench RUNS]
//
// What the JavaScript scanRecord (src/engine/scan-record.ts) makes of each line of FILE, one
// JSON object a line (`null` when it returns false), in the shape native/examples/scan_lines.rs
// prints for the Rust port: native/scripts/compare-scan.mjs compares the two.
//
// The lines are scanned in place in the file's buffer, each followed by its '\n' (or the
// buffer's end), as the engine scans them. Before each line the one CompactRecord is filled with
// values no line gives, so a field the JavaScript does not set for a line shows instead of the
// line before's value. A field of the other kind (a response's host, a request's duration) is
// printed as its default: the JavaScript leaves whatever was there, which means nothing.
//
// `--bench RUNS` prints no lines: it times scanRecord over all of them (split beforehand), RUNS
// times in this process, and prints the seconds of each run.
import fs from 'node:fs';
import { scanRecord } from '../../src/engine/scan-record.js';
import { DECISIONS, newCompactRecord } from '../../src/engine/compact-record.js';
import { useHashSeed } from '../../src/engine/id-table.js';

const args = process.argv.slice(2);
let file = null;
let seed = [0, 0];
let limit = Infinity;
let benchRuns = 0;
for (let k = 0; k < args.length; k++) {
  if (args[k] === '--seed') seed = [Number(args[++k]), Number(args[++k])];
  else if (args[k] === '--limit') limit = Number(args[++k]);
  else if (args[k] === '--bench') benchRuns = Number(args[++k]);
  else file = args[k];
}
if (file === null) {
  process.stderr.write('usage: js-scan-lines.mjs FILE [--seed LO HI] [--limit N] [--bench RUNS]\n');
  process.exit(2);
}
useHashSeed(seed);
const buf = fs.readFileSync(file);

/** The lines' [start, end) in buf, split at '\n' as the engine splits. */
function linesOf(limit) {
  const starts = [];
  const ends = [];
  let start = 0;
  while (start < buf.length && starts.length < limit) {
    let end = buf.indexOf(0x0a, start);
    if (end === -1) end = buf.length;
    starts.push(start);
    ends.push(end);
    start = end + 1;
  }
  return { starts, ends };
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** A double as its bits ("x" + 16 hex digits, high word first), or "NaN". */
function num(v) {
  if (typeof v !== 'number') return `not a number: ${String(v)}`;
  if (Number.isNaN(v)) return 'NaN';
  f64[0] = v;
  return `x${u32[1].toString(16).padStart(8, '0')}${u32[0].toString(16).padStart(8, '0')}`;
}

const POISON = 'unset';
/** The fields jsonOf prints: each set to POISON before a line, so one the scan leaves unset shows. */
const PRINTED = [
  ...['kind', 'chained', 'seq', 'prevStart', 'prevEnd', 'idHash', 'idStart', 'idEnd', 'timeMs'],
  ...['hostStart', 'hostEnd', 'sessionStart', 'sessionEnd', 'reasonStart', 'reasonEnd'],
  ...['commandStart', 'commandEnd', 'resolvedStart', 'resolvedEnd', 'errorStart', 'errorEnd'],
  ...['privileged', 'decision', 'policy', 'latencyMs', 'reject', 'operator', 'failed', 'durationMs'],
];
function poison(r) {
  for (const field of PRINTED) r[field] = POISON;
}

/** The line's record in scan_lines.rs's shape. */
function jsonOf(r, lineStart) {
  const at = (v) => (typeof v === 'number' ? v - lineStart : v);
  const range = (s, e) => (typeof s === 'number' && s < 0 ? [-1, -1] : [at(s), at(e)]);
  const request = r.kind === 0;
  const response = r.kind === 1;
  let prevStart = at(r.prevStart);
  if (typeof r.prevStart === 'number' && r.prevStart >= 0 && r.prevEnd !== r.prevStart + 64) prevStart = `prevEnd ${r.prevEnd} is not prevStart + 64`;
  if (typeof r.prevStart === 'number' && r.prevStart < 0) prevStart = -1;
  return {
    kind: r.kind,
    chained: r.chained,
    seq: num(r.seq),
    prev_start: prevStart,
    id_hash: num(r.idHash),
    id: [at(r.idStart), at(r.idEnd)],
    time_ms: num(r.timeMs),
    host: request ? [at(r.hostStart), at(r.hostEnd)] : [0, 0],
    session: request ? [at(r.sessionStart), at(r.sessionEnd)] : [0, 0],
    reason: request ? [at(r.reasonStart), at(r.reasonEnd)] : [0, 0],
    command: request ? [at(r.commandStart), at(r.commandEnd)] : [0, 0],
    resolved: range(r.resolvedStart, r.resolvedEnd),
    error: range(r.errorStart, r.errorEnd),
    privileged: request ? r.privileged : false,
    decision: request ? DECISIONS.indexOf(r.decision) : 0,
    policy: request ? r.policy : false,
    latency_ms: request ? num(r.latencyMs) : 'NaN',
    reject: r.reject,
    operator: r.operator,
    failed: response ? r.failed : false,
    duration_ms: response ? num(r.durationMs) : 'NaN',
  };
}

const { starts, ends } = linesOf(limit);
// The bytes of the lines scanned, newlines included.
const scannedBytes = starts.length === 0 ? 0 : Math.min(buf.length, ends[ends.length - 1] + 1);
if (benchRuns > 0) {
  const r = newCompactRecord();
  for (let run = 0; run < benchRuns; run++) {
    const t0 = performance.now();
    let accepted = 0;
    let check = 0;
    for (let k = 0; k < starts.length; k++) {
      if (scanRecord(buf, starts[k], ends[k], r)) {
        accepted++;
        check += r.idHash + r.timeMs;
      }
    }
    const s = (performance.now() - t0) / 1000;
    process.stdout.write(`${JSON.stringify({ run, seconds: +s.toFixed(4), lines: starts.length, accepted, mb_per_s: +(scannedBytes / s / 1e6).toFixed(1), check })}\n`);
  }
} else {
  const r = newCompactRecord();
  const out = [];
  let pending = 0;
  const fd = 1;
  for (let k = 0; k < starts.length; k++) {
    poison(r);
    out.push(scanRecord(buf, starts[k], ends[k], r) ? JSON.stringify(jsonOf(r, starts[k])) : 'null');
    if (++pending === 10000) {
      fs.writeSync(fd, `${out.join('\n')}\n`);
      out.length = 0;
      pending = 0;
    }
  }
  if (out.length > 0) fs.writeSync(fd, `${out.join('\n')}\n`);
}
