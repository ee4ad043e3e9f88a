/** Reads what the writer needs from an existing log at open: its last complete line, and what follows it. */
import fs from 'node:fs';

const CHUNK = 64 * 1024;
/** A line longer than the readers' cap cannot be a record; stop looking past this. */
const MAX_SCAN = 2 * 1024 * 1024 + CHUNK;

export interface TailInfo {
  /** The last complete line (without its newline), or null when there is none. */
  lastLine: Buffer | null;
  /** True when the file does not end in a newline: a crash tore the last append, or only its newline was lost. */
  torn: boolean;
  /** When torn: the bytes after the last newline (null if longer than any line could be). */
  fragment: Buffer | null;
  size: number;
}

/**
 * Reads backwards from the end of an open file to its last complete line. Only a regular file
 * is read: a FIFO or a device swapped in could make a read wait, or never end.
 */
export function readTail(fd: number, fsApi: Pick<typeof fs, 'fstatSync' | 'readSync'> = fs): TailInfo {
  const st = fsApi.fstatSync(fd);
  if (!st.isFile()) throw new Error('not a regular file');
  const size = st.size;
  if (size === 0) return { lastLine: null, torn: false, fragment: null, size };
  const last = Buffer.alloc(1);
  fsApi.readSync(fd, last, 0, 1, size - 1);
  const torn = last[0] !== 0x0a;
  // Find the newline that ends the last complete line, then the one before it.
  const chunks: Buffer[] = [];
  let pos = size;
  let end = -1; // absolute offset of the newline ending the last complete line
  let start = -1; // absolute offset where that line starts
  while (pos > 0 && size - pos < MAX_SCAN) {
    const len = Math.min(CHUNK, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    fsApi.readSync(fd, buf, 0, len, pos);
    chunks.unshift(buf);
    for (let i = len - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      const abs = pos + i;
      if (end === -1) end = abs;
      else {
        start = abs + 1;
        break;
      }
    }
    if (start !== -1) break;
  }
  const all = Buffer.concat(chunks);
  const fragmentFrom = end === -1 ? (pos === 0 ? 0 : -1) : end + 1;
  const fragment = torn && fragmentFrom !== -1 ? all.subarray(fragmentFrom - pos) : null;
  if (end === -1) return { lastLine: null, torn, fragment, size };
  if (start === -1) {
    if (pos !== 0) return { lastLine: null, torn, fragment, size }; // absurdly long line: not a record
    start = 0;
  }
  return { lastLine: all.subarray(start - pos, end - pos), torn, fragment, size };
}
