// node native/scripts/compare-scan.mjs NATIVE_OUT JS_OUT [LINES_FILE] [--examples N]
//
// Compares, line by line, what the Rust port made of each line (scan_lines --reasons: a record,
// or {"declined": reason}) with what the JavaScript scanRecord made of it (js-scan-lines.mjs: a
// record, or null), and prints the counts as JSON:
//
//   agree                  both accepted, every field equal
//   bothDecline            both declined
//   jsOnly: {reason: n}    the JavaScript accepted, the port declined (safe: the JS path reads it)
//   disagree               both accepted, some field differs          (must be 0)
//   nativeOnly             the port accepted, the JavaScript declined (must be 0)
//
// With LINES_FILE, the first N (default 5) lines of each kind of difference are shown on stderr.
// With --tags FILE (hostile-lines.mjs's OUT.tags), the counts are also given by change made.
// Exits 1 when disagree or nativeOnly is not 0, or the two outputs differ in length.
import fs from 'node:fs';

const args = process.argv.slice(2);
let examples = 5;
let tagsFile = null;
const files = [];
for (let k = 0; k < args.length; k++) {
  if (args[k] === '--examples') examples = Number(args[++k]);
  else if (args[k] === '--tags') tagsFile = args[++k];
  else files.push(args[k]);
}
const [nativeFile, jsFile, linesFile] = files;
if (!nativeFile || !jsFile) {
  process.stderr.write('usage: compare-scan.mjs NATIVE_OUT JS_OUT [LINES_FILE] [--examples N]\n');
  process.exit(2);
}

/** A file's lines as strings, split at '\n' (the last piece dropped when the file ends with one). */
function textLines(file) {
  const text = fs.readFileSync(file, 'latin1');
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}
const nativeLines = textLines(nativeFile);
const jsLines = textLines(jsFile);
const sourceLines = linesFile ? textLines(linesFile) : null;
const tagLines = tagsFile ? textLines(tagsFile) : null;
/** By change made: how its lines came out. */
const byTag = {};
function tally(k, outcome) {
  if (!tagLines) return;
  for (const tag of new Set((tagLines[k] ?? '?').split(','))) {
    byTag[tag] ??= { agree: 0, bothDecline: 0, jsOnly: 0, disagree: 0, nativeOnly: 0 };
    byTag[tag][outcome]++;
  }
}

const counts = { lines: jsLines.length, agree: 0, bothDecline: 0, jsOnly: {}, disagree: 0, nativeOnly: 0, lengthMismatch: nativeLines.length !== jsLines.length };
const shown = { disagree: 0, nativeOnly: 0, jsOnly: {} };

/** A double's bits as printed ("x…") back to its value, for a readable example. */
function valueOf(bits) {
  if (typeof bits !== 'string' || !bits.startsWith('x')) return bits;
  const v = new DataView(new ArrayBuffer(8));
  v.setBigUint64(0, BigInt(`0${bits}`));
  const n = v.getFloat64(0);
  return Object.is(n, -0) ? '-0' : String(n);
}

function show(kind, k, detail) {
  if (!sourceLines) return;
  const line = sourceLines[k] ?? '';
  process.stderr.write(`--- ${kind} at line ${k + 1}: ${JSON.stringify(line.length > 600 ? `${line.slice(0, 600)}…` : line)}\n${detail}\n`);
}

const n = Math.min(nativeLines.length, jsLines.length);
for (let k = 0; k < n; k++) {
  const native = JSON.parse(nativeLines[k]);
  const js = JSON.parse(jsLines[k]);
  const nativeDeclined = native !== null && typeof native.declined === 'string';
  if (js === null) {
    if (nativeDeclined) {
      counts.bothDecline++;
      tally(k, 'bothDecline');
    } else {
      tally(k, 'nativeOnly');
      counts.nativeOnly++;
      if (shown.nativeOnly++ < examples) show('native accepts, JS declines', k, nativeLines[k]);
    }
    continue;
  }
  if (nativeDeclined) {
    tally(k, 'jsOnly');
    const why = native.declined;
    counts.jsOnly[why] = (counts.jsOnly[why] ?? 0) + 1;
    shown.jsOnly[why] = (shown.jsOnly[why] ?? 0) + 1;
    if (shown.jsOnly[why] <= examples) show(`JS accepts, native declines (${why})`, k, `js: time_ms ${valueOf(js.time_ms)}`);
    continue;
  }
  const differing = Object.keys({ ...js, ...native }).filter((key) => JSON.stringify(js[key]) !== JSON.stringify(native[key]));
  tally(k, differing.length === 0 ? 'agree' : 'disagree');
  if (differing.length === 0) counts.agree++;
  else {
    counts.disagree++;
    if (shown.disagree++ < examples) show('disagree', k, differing.map((key) => `  ${key}: js ${JSON.stringify(js[key])} (${valueOf(js[key])}) native ${JSON.stringify(native[key])} (${valueOf(native[key])})`).join('\n'));
  }
}
process.stdout.write(`${JSON.stringify(counts)}\n`);
if (tagLines) for (const [tag, c] of Object.entries(byTag).sort()) process.stdout.write(`  ${tag.padEnd(16)} ${JSON.stringify(c)}\n`);
process.exit(counts.disagree === 0 && counts.nativeOnly === 0 && !counts.lengthMismatch ? 0 : 1);
