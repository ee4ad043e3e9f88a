/**
 * Rotation as logrotate does it with `compress` and `nocreate` — the README's configuration
 * (test/hardening/fixtures/logrotate-audit.conf) — in Node, so that tests of rotated sets need
 * no logrotate: `audit.log.N.gz` → `.N+1.gz`, the live file → `.1`, and no new live file (the
 * writer makes it with its next record). With `delaycompress` the live file stays plain as `.1`
 * and the previous `.1` is compressed as `.2.gz`; without it the live file becomes `.1.gz` at
 * once. test/hardening/logrotate.test.ts checks it against the real logrotate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export function rotateLikeLogrotate(live: string, { delaycompress }: { delaycompress: boolean }): void {
  const base = path.basename(live);
  const numbers = fs
    .readdirSync(path.dirname(live))
    .filter((name) => name.startsWith(`${base}.`) && name.endsWith('.gz'))
    .map((name) => Number(name.slice(base.length + 1, -'.gz'.length)))
    .filter((n) => Number.isInteger(n) && n > 0);
  // Oldest first, so that no rename lands on a file still to be moved.
  for (const n of numbers.sort((a, b) => b - a)) fs.renameSync(`${live}.${n}.gz`, `${live}.${n + 1}.gz`);
  if (fs.existsSync(`${live}.1`)) compress(`${live}.1`, `${live}.2.gz`);
  if (delaycompress) fs.renameSync(live, `${live}.1`);
  else compress(live, `${live}.1.gz`);
}

/** `from` gzipped to `to` with the same mode (logrotate keeps a 0600 log 0600), then removed. */
function compress(from: string, to: string): void {
  fs.writeFileSync(to, gzipSync(fs.readFileSync(from)), { mode: fs.statSync(from).mode & 0o777 });
  fs.rmSync(from);
}
