/**
 * A disk that can be made full: the writer's `fs` with a `writeSync` that fails with ENOSPC
 * while `full` is set — how tests give the writer an outage without a tiny filesystem.
 */
import fs from 'node:fs';
import type { WriterFs } from '../../src/writer/audit-log.js';

export interface FillableDisk {
  /** Pass as the writer's `fs` option. */
  fs: WriterFs;
  /** While true, every write fails with ENOSPC. */
  full: boolean;
}

export function fillableDisk(): FillableDisk {
  const disk: FillableDisk = {
    full: false,
    fs: {
      ...fs,
      writeSync: ((fd: number, data: string | Uint8Array, offset?: number, length?: number) => {
        if (disk.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
        return typeof data === 'string' ? fs.writeSync(fd, data) : fs.writeSync(fd, data, offset, length);
      }) as typeof fs.writeSync,
    },
  };
  return disk;
}
