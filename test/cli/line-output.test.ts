/**
 * LineOutput: what it writes, and how often it gives the event loop a turn. A turn ends the
 * engine's read-ahead window (file-spans.ts), so a turn per 64 KB batch made `print --json`
 * read its file six times over; a stream that keeps up gets one turn a megabyte, a slow one
 * waits for 'drain', and an explicit flush always waits a turn (an EPIPE surfaces before the
 * command says how it ended).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineOutput } from '../../src/cli/commands/output.js';

/** A stream that takes everything at once (as a file or /dev/null does), keeping the bytes. */
function keepingUp(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 16 * 1024 * 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

/** Counts the event loop's turns (setImmediate callbacks run) while `work` runs. */
async function turnsDuring(work: () => Promise<void>): Promise<number> {
  let turns = 0;
  let on = true;
  const tick = () => {
    if (!on) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  on = false;
  return turns;
}

describe('LineOutput', () => {
  it('writes 5.5 MB of lines, bytes and text mixed, in order, with about one turn a megabyte', async () => {
    const { stream, bytes } = keepingUp();
    const out = new LineOutput(stream);
    const line = Buffer.from(`${'x'.repeat(998)}\n`);
    const expected: Buffer[] = [];
    const turns = await turnsDuring(async () => {
      for (let i = 0; i < 8 * 1024; i++) {
        if (i % 3 === 0) {
          out.line(`text ${i} é`);
          expected.push(Buffer.from(`text ${i} é\n`));
        } else {
          out.lineBytes(line, line.length);
          expected.push(line);
        }
        await out.maybeFlush();
      }
      await out.flush();
    });
    expect(bytes().equals(Buffer.concat(expected))).toBe(true);
    // ~5.5 MB written: a turn a megabyte plus the final flush's; one per 64 KB batch was ~90.
    expect(turns).toBeGreaterThanOrEqual(5);
    expect(turns).toBeLessThanOrEqual(10);
  });

  it('waits for drain on a stream that does not keep up, and a final flush waits a turn', async () => {
    const written: number[] = [];
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        written.push(chunk.length);
        setTimeout(done, 1);
      },
    });
    const out = new LineOutput(slow);
    const line = Buffer.from(`${'y'.repeat(1023)}\n`);
    for (let i = 0; i < 200; i++) {
      out.lineBytes(line, line.length);
      await out.maybeFlush();
      // Back-pressure: never more than one batch queued in the stream.
      expect(slow.writableLength).toBeLessThanOrEqual(128 * 1024);
    }
    const turns = await turnsDuring(() => out.flush());
    expect(turns).toBeGreaterThanOrEqual(1);
    expect(written.reduce((a, b) => a + b, 0)).toBe(200 * 1024);
  });
});
