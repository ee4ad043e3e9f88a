/**
 * `node scripts/code-cache.mjs dist/bin/command-X.js`: writes V8's code cache beside a
 * code-cached command (command-X.code-cache; see src/cli/cached-script.ts), made after a run of
 * the command over a small demo log, so the cache holds the bytecode of every function the run
 * compiles, not only the top level (V8 caches what has run). The run is in this process: the
 * viewer's start on a fake 120×30 terminal that discards what is drawn, until it asks for its
 * Ink part (viewer.mjs: the first frame is drawn); print, stats or verify to a discarding pipe,
 * until done. Then the cache is written and the process exits. Run by esbuild.config.mjs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const [target] = process.argv.slice(2);
if (!target) throw new Error('usage: node scripts/code-cache.mjs dist/bin/command-X.js');
const file = path.resolve(target);
const cacheFile = file.replace(/\.js$/, '.code-cache');
fs.rmSync(cacheFile, { force: true });

// A log like the demo's first minute, written by the CLI just built (the real writer, chained).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spa-code-cache-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const log = path.join(dir, 'audit.log');
// (40 requests decided: all within the minute of history, written at once.)
const demo = spawnSync(process.execPath, [path.join(path.dirname(file), 'cli.js'), 'demo', '--audit-log', log, '--history', '1m', '--count', '40', '--seed', '1'], {
  encoding: 'utf8',
  timeout: 60_000,
});
if (demo.status !== 0) throw new Error(`the demo log for the code cache: exit ${demo.status ?? demo.signal}: ${demo.stderr}`);

/** A terminal that is not there (120×30, raw mode), or with `tty` false a pipe: writes discarded. */
function fakeStream(tty) {
  const stream = new EventEmitter();
  return Object.assign(stream, {
    isTTY: tty ? true : undefined,
    columns: tty ? 120 : undefined,
    rows: tty ? 30 : undefined,
    fd: -1,
    writable: true,
    write: (_chunk, encoding, done) => {
      (typeof encoding === 'function' ? encoding : done)?.();
      return true;
    },
    end: () => stream,
    setRawMode: () => stream,
    setEncoding: () => stream,
    pause: () => stream,
    resume: () => stream,
    ref: () => stream,
    unref: () => stream,
  });
}
// The viewer on a terminal; print, stats and verify writing to a pipe, as scripts run them.
const viewer = path.basename(file) === 'command-view.js';
for (const name of ['stdin', 'stdout']) Object.defineProperty(process, name, { value: fakeStream(viewer), configurable: true });
for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[name];
process.env.TERM = 'xterm-256color';

// The flag the CLI sets before it loads a command (src/cli/young-generation.ts): V8 rejects a
// cache made under other flags, so it is made under the same (test/cli/bundle.test.ts checks).
v8.setFlagsFromString('--semi-space-growth-factor=1');
const source = fs.readFileSync(file);
const script = new vm.Script(source.toString('utf8'), { filename: file });
const url = pathToFileURL(file).href;
const module = { exports: {} };
const timeout = setTimeout(() => {
  process.stderr.write(`code-cache: ${target} did not finish within 60 s\n`);
  process.exit(1);
}, 60_000);
/** As cached-script.ts reads it: the SHA-256 of the script's bytes and V8's data, then that data. */
function writeCache() {
  clearTimeout(timeout);
  const data = script.createCachedData();
  const cache = Buffer.concat([createHash('sha256').update(source).update(data).digest(), data]);
  fs.writeFileSync(cacheFile, cache);
  process.stderr.write(`code-cache: ${path.relative(process.cwd(), cacheFile)} (${Math.round(cache.length / 1024)} KB)\n`);
  process.exit(0);
}
// As cached-script.ts calls it; the viewer asks for viewer.mjs once its first frame is drawn.
script.runInThisContext()(module, module.exports, createRequire(url), url, (specifier) => {
  if (!viewer || specifier !== './viewer.mjs') throw new Error(`code-cache: unexpected import of ${specifier}`);
  writeCache();
  return new Promise(() => {});
});
const command = Object.values(module.exports).find((v) => v && typeof v.run === 'function');
if (!command) throw new Error(`code-cache: ${target} exports no command`);
Promise.resolve(command.run(viewer ? ['--no-follow', log] : [log])).then((code) => {
  if (!viewer && code === 0) return writeCache();
  process.stderr.write(`code-cache: ${target} ended (exit ${code}) ${viewer ? 'before its first frame' : 'with an error'}\n`);
  process.exit(1);
});
