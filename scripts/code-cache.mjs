/**
 * `node scripts/code-cache.mjs dist/bin/command-view.js`: writes V8's code cache beside a
 * code-cached command (command-view.code-cache; see src/cli/cached-script.ts), made after a
 * run of the viewer's start to its first frame over a small demo log, so the cache holds the
 * bytecode of every function that start compiles, not only the top level (V8 caches what has
 * run). The run is in this process, on a fake 120×30 terminal that discards what is drawn;
 * when the viewer asks for its Ink part (viewer.js: the first frame is drawn), the cache is
 * written and the process exits. Run by esbuild.config.mjs after it bundles.
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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

/** A terminal that is not there: 120×30, raw mode, writes discarded. */
function fakeTerminal() {
  const stream = new EventEmitter();
  return Object.assign(stream, {
    isTTY: true,
    columns: 120,
    rows: 30,
    fd: -1,
    write: (_chunk, encoding, done) => {
      (typeof encoding === 'function' ? encoding : done)?.();
      return true;
    },
    setRawMode: () => stream,
    setEncoding: () => stream,
    pause: () => stream,
    resume: () => stream,
    ref: () => stream,
    unref: () => stream,
  });
}
for (const name of ['stdin', 'stdout']) Object.defineProperty(process, name, { value: fakeTerminal(), configurable: true });
for (const name of ['CI', 'CONTINUOUS_INTEGRATION']) delete process.env[name];
process.env.TERM = 'xterm-256color';

const script = new vm.Script(fs.readFileSync(file, 'utf8'), { filename: file });
const url = pathToFileURL(file).href;
const module = { exports: {} };
const done = setTimeout(() => {
  process.stderr.write(`code-cache: ${target} drew no first frame within 60 s\n`);
  process.exit(1);
}, 60_000);
// As cached-script.ts calls it; the viewer asks for viewer.js once its first frame is drawn.
script.runInThisContext()(module, module.exports, createRequire(url), url, (specifier) => {
  if (specifier !== './viewer.js') throw new Error(`code-cache: unexpected import of ${specifier}`);
  clearTimeout(done);
  const cache = script.createCachedData();
  fs.writeFileSync(cacheFile, cache);
  process.stderr.write(`code-cache: ${path.relative(process.cwd(), cacheFile)} (${Math.round(cache.length / 1024)} KB)\n`);
  process.exit(0);
  return new Promise(() => {});
});
const command = Object.values(module.exports).find((v) => v && typeof v.run === 'function');
if (!command) throw new Error(`code-cache: ${target} exports no command`);
command.run(['--no-follow', log]).then((code) => {
  process.stderr.write(`code-cache: ${target} ended (exit ${code}) before its first frame\n`);
  process.exit(1);
});
