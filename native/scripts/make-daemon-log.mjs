// node --import tsx native/scripts/make-daemon-log.mjs OUT COUNT [SEED] [--tty-null]
//
// A log as a real daemon writes it, for the differential check of the Rust scanner: the demo's
// detailed traffic (escalation, client version, forward_agent, reject kinds with replays,
// ApprovedAlways and its policy record) through the real writer, every request carrying an
// `operator` object (test/bench/engine.ts's, or with `tty: null` and uid 0 with --tty-null).
import fs from 'node:fs';
import { generateLog } from '../../src/demo/generate.js';

const args = process.argv.slice(2);
const ttyNull = args.includes('--tty-null');
const [out, count, seed] = args.filter((a) => !a.startsWith('--'));
if (!out || !count) {
  process.stderr.write('usage: make-daemon-log.mjs OUT COUNT [SEED] [--tty-null]\n');
  process.exit(2);
}
fs.rmSync(out, { force: true });
const operator = ttyNull ? { uid: 0, user: 'root', tty: null, hostname: 'ci-runner-7' } : { uid: 1000, user: 'alice', tty: '/dev/pts/3', hostname: 'build-01' };
const { records } = generateLog({ path: out, count: Number(count), seed: Number(seed ?? 1), operator, detailed: true });
process.stderr.write(`${records} records into ${out}\n`);
