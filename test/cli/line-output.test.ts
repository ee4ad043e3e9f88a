/**
 * LineOutput (output.ts): after every write, a turn of the event loop — also when the stream
 * took the chunk over its high-water mark and 'drain' came (which it does without a turn). What
 * `print` read ahead of a write is dropped at a turn (file-spans.ts' read-ahead window): a write
 * may have waited for a stalled reader while a line was rewritten, and without the turn the
 * lines after it were taken from what was read before it (found under load by the attack in
 * test/hardening/two-thread-rewrite-in-printing-batch.test.ts: rewrites left unsaid).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineOutput } from '../../src/cli/commands/output.js';

/**
 * A stream that takes each chunk over its high-water mark and is done with it before the next
 * turn (as a blocking stdout is once its write returns): `write` says false, and 'drain' comes
 * in the same turn.
 */
function overItsMark(): { stream: Writable; written: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      process.nextTick(done);
    },
  });
  return { stream, written: () => Buffer.concat(chunks).toString() };
}

/** Whether a turn of the event loop passed while `write` ran. */
async function turnPassed(write: () => Promise<void>): Promise<boolean> {
  let turned = false;
  setImmediate(() => (turned = true));
  await write();
  return turned;
}

describe('LineOutput', () => {
  it('lets a turn of the event loop pass after a flush that waited for drain', async () => {
    const { stream, written } = overItsMark();
    const out = new LineOutput(stream);
    out.line('a line');
    expect(await turnPassed(() => out.flush())).toBe(true);
    expect(written()).toBe('a line\n');
  });

  it('lets a turn pass after a chunk written as it is, and tells when its bytes are no longer needed', async () => {
    const { stream, written } = overItsMark();
    const out = new LineOutput(stream);
    out.line('first');
    const chunk = Buffer.from(`${'x'.repeat(128 * 1024)}\n`);
    let done = false;
    expect(await turnPassed(() => out.bytes(chunk, () => (done = true)))).toBe(true);
    expect(done).toBe(true);
    expect(written()).toBe(`first\n${chunk.toString()}`);
  });
});
