/**
 * The shipped CLI is an esbuild bundle (esbuild.config.mjs): what it must keep from the
 * unbundled build. The other CLI tests run it; these check what they cannot see.
 */
import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliEnv, KNOWN, makeTempDirFactory, REPO_ROOT, writeLog } from './helpers.js';
import { CODE_CACHED_COMMANDS, codeCacheRejected } from './code-cache-check.js';

const BIN = path.dirname(CLI);
const read = (file: string) => fs.readFileSync(path.join(BIN, file), 'utf8');

/** cli.js and the chunks it imports statically (what every command loads before it runs). */
function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of read(file).matchAll(/^import\s*(?:[^;]*?from\s*)?"\.\/([^"]+)"/gms)) visit(m[1]);
  };
  visit(entry);
  return [...seen];
}

describe('the bundle', () => {
  it('is one flat directory, so a command finds the workers next to itself', () => {
    const entries = fs.readdirSync(BIN, { withFileTypes: true });
    expect(entries.filter((e) => e.isDirectory()).map((e) => e.name)).toEqual([]);
    // (worker-thread.ts: a worker is `./NAME.js` beside the file that starts it, which is this one's own URL.)
    const starts = (file: string, worker: string) => read(file).includes('new URL(`./${script}.js`, here)') && read(file).includes(`startWorkerThread(__moduleUrl, "${worker}"`);
    expect(starts('command-print.js', 'scan-worker')).toBe(true);
    expect(starts('command-print.js', 'print-worker')).toBe(true);
    expect(starts('command-stats.js', 'scan-worker')).toBe(true);
    for (const worker of ['scan-worker.js', 'print-worker.js']) expect(fs.existsSync(path.join(BIN, worker)), worker).toBe(true);
  });

  it('runs the scan worker: a chunk of lines in, its records out', async () => {
    const worker = new Worker(path.join(BIN, 'scan-worker.js'));
    try {
      const line = (seq: number) => `{"v":1,"type":"writer","time":"2026-11-27T08:00:00.000Z","event":"start","pid":1,"seq":${seq}}\n`;
      const bytes = Buffer.from(`${line(1)}not json\n${line(2)}`);
      const buffer = new ArrayBuffer(bytes.length);
      bytes.copy(Buffer.from(buffer));
      const reply = new Promise<{ id: number; result: { lines: number; count: number } }>((resolve, reject) => {
        // (The worker says it is up first: parallel-scan.ts sends it chunks from then on.)
        worker.on('message', (m) => m !== 'ready' && resolve(m));
        worker.once('error', reject);
      });
      worker.postMessage({ id: 7, buffer, length: bytes.length, final: true }, [buffer]);
      const { id, result } = await reply;
      expect(id).toBe(7);
      expect(result.lines).toBe(3);
      expect(result.count).toBe(3);
    } finally {
      await worker.terminate();
    }
  });

  it("runs the scan worker for lines' slots: a chunk in, the native scanner's slots and the chunk's bytes back", async () => {
    // (Where the addon is built: native-lines.test.ts fails where cargo is and it is not.)
    if (!fs.existsSync(path.join(BIN, '../native/sudo-proxy-audit-native.node'))) return;
    const worker = new Worker(path.join(BIN, 'scan-worker.js'), { workerData: { lines: true, hashLines: true, hashSeed: [1, 2] } });
    try {
      const line = (seq: number) => `{"v":1,"type":"writer","time":"2026-11-27T08:00:00.000Z","event":"start","pid":1,"seq":${seq}}\n`;
      const bytes = Buffer.from(`${line(1)}not json\n${line(2).trimEnd()}`);
      const buffer = new ArrayBuffer(bytes.length);
      bytes.copy(Buffer.from(buffer));
      const reply = new Promise<{ id: number; result: { lines: number; count: number; to: number; slots: ArrayBuffer }; buffer: ArrayBuffer }>((resolve, reject) => {
        // (The worker says it is up first: parallel-scan.ts sends it chunks from then on.)
        worker.on('message', (m) => m !== 'ready' && resolve(m));
        worker.once('error', reject);
      });
      worker.postMessage({ id: 9, buffer, length: bytes.length, final: true }, [buffer]);
      const { id, result, buffer: back } = await reply;
      expect(id).toBe(9);
      expect(result.lines).toBe(3);
      // The two lines ended by a newline were scanned (taken or declined, each has its slots), not the last.
      expect(result.count).toBe(2);
      expect(result.to).toBe(line(1).length + 'not json\n'.length);
      expect(result.slots.byteLength).toBeGreaterThan(0);
      expect(Buffer.from(back).equals(bytes)).toBe(true);
    } finally {
      await worker.terminate();
    }
  });

  it('loads no React or Ink before a command runs (print, stats and verify never do)', () => {
    const loaded = [...staticClosure('cli.js'), ...['print', 'stats', 'verify'].flatMap((c) => staticClosure(`command-${c}.js`))];
    expect(loaded).toContain('command-stats.js');
    for (const file of loaded) {
      const code = read(file);
      expect(code, file).not.toMatch(/node_modules\/(react|ink|yoga-layout)\//);
    }
  });

  it('draws the viewer\'s first frame before React: command-view.js holds none of it, and imports viewer.mjs only on demand (#17)', () => {
    const view = read('command-view.js');
    expect(view).not.toMatch(/node_modules\/(react|ink|yoga-layout)\//);
    expect(view).toContain('firstFrameLines');
    // A code-cached script (cached-script.ts): its import() is the loader's, given to it.
    expect(view).toMatch(/^\(function \(module, exports, require, __moduleUrl, __importBeside\) \{/);
    expect(view).toMatch(/__importBeside\("\.\/viewer\.mjs"\)/);
    expect(view).not.toMatch(/\bimport\(["']\.\/|import\.meta/);
    expect(read('viewer.mjs')).toMatch(/node_modules\/ink\//);
  });

  // After a run, a cache holds what the run compiled: far more than the top level alone (view's ~130 KB).
  it.each([
    ['view', 250_000],
    ['print', 200_000],
    ['stats', 200_000],
    ['verify', 50_000],
  ])("ships command-%s.js's code cache, made after a run, and Node with the CLI's V8 flags takes it (#17)", (command, atLeast) => {
    const file = path.join(BIN, `command-${command}.js`);
    expect(read(`command-${command}.js`)).toMatch(/^\(function \(module, exports, require, __moduleUrl, __importBeside\) \{/);
    // ASCII: one non-ASCII character (a comment's) and V8 holds the script as UTF-16, decoded slowly.
    expect(isAscii(fs.readFileSync(file))).toBe(true);
    expect(fs.statSync(path.join(BIN, `command-${command}.code-cache`)).size).toBeGreaterThan(atLeast);
    // Taken as the CLI runs it: the flag cli.ts sets first is in V8's check of the cache.
    expect(codeCacheRejected(file)).toBe('false');
  });

  // The shipped CLI beside a damaged cache (one byte of V8's data flipped, its digest as made):
  // V8 does not checksum a cache's payload, and print aborted with a V8 fatal error (SIGTRAP).
  it('runs print from its source when its code cache is damaged on disk', () => {
    const dir = makeTempDirFactory('spa-bundle-damaged')();
    const bin = path.join(dir, 'bin');
    fs.cpSync(BIN, bin, { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
    const log = path.join(dir, 'audit.log');
    writeLog(log, KNOWN);
    const cacheFile = path.join(bin, 'command-print.code-cache');
    const whole = spawnSync(process.execPath, [path.join(bin, 'cli.js'), 'print', log], { encoding: 'utf8', env: cliEnv() });
    expect(whole.status).toBe(0);
    const cache = fs.readFileSync(cacheFile);
    for (const at of [32 + 68, 32 + 4096, cache.length - 64]) {
      const damaged = Buffer.from(cache);
      damaged[at] ^= 0xff;
      fs.writeFileSync(cacheFile, damaged);
      const r = spawnSync(process.execPath, [path.join(bin, 'cli.js'), 'print', log], { encoding: 'utf8', env: cliEnv() });
      expect({ at, status: r.status, signal: r.signal, stdout: r.stdout }).toEqual({ at, status: 0, signal: null, stdout: whole.stdout });
    }
  });

  it.each(CODE_CACHED_COMMANDS)('keeps command-%s.js ASCII: one other character and V8 holds the whole script as UTF-16, ~1 ms more to decode at each start (#17)', (command) => {
    const text = read(`command-${command}.js`);
    expect(text.length).toBeGreaterThan(10_000);
    expect(text.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
  });

  it('code-caches exactly the commands the build says', () => {
    const cached = fs.readdirSync(BIN).filter((f) => f.endsWith('.code-cache')).map((f) => f.slice('command-'.length, -'.code-cache'.length));
    expect(cached.sort()).toEqual([...CODE_CACHED_COMMANDS].sort());
  });

  it("leaves Yoga no fetch to load its WebAssembly with (Node's fetch compiles undici: #17)", () => {
    const viewer = read('viewer.mjs');
    expect(viewer).toContain('yoga-layout');
    expect(viewer).not.toMatch(/typeof fetch/);
  });

  describe('what a command loads while it runs (recorded by a loader hook)', () => {
    const tempDir = makeTempDirFactory('spa-bundle-loads');
    let dir: string;
    let log: string;
    beforeAll(() => {
      dir = tempDir();
      log = path.join(dir, 'audit.log');
      writeLog(log, KNOWN);
      // Every ES module through the hook, every CommonJS file from require's cache at exit,
      // every code-cached command script (cached-script.ts) as vm.Script compiles it.
      fs.writeFileSync(path.join(dir, 'hooks.mjs'), "import fs from 'node:fs';\nexport async function load(url, context, next) { fs.writeSync(2, `loaded ${url}\\n`); return next(url, context); }\n");
      // Node's own modules, as Node lists them (`NativeModule zlib`). Apart from the hook: a
      // loader hook runs in a worker thread of its own. Preloaded with --require: --import would
      // itself start the ES module loader.
      fs.writeFileSync(
        path.join(dir, 'builtins.cjs'),
        "const fs = require('node:fs');\nprocess.on('exit', () => { for (const m of process.moduleLoadList) if (m.startsWith('NativeModule ')) fs.writeSync(2, `builtin ${m.slice(13)}\\n`); });\n",
      );
      fs.writeFileSync(
        path.join(dir, 'register.mjs'),
        [
          "import fs from 'node:fs';",
          "import { createRequire, register } from 'node:module';",
          "register('./hooks.mjs', import.meta.url);",
          "const vm = process.getBuiltinModule('node:vm'), Script = vm.Script;",
          "vm.Script = function (code, options) { fs.writeSync(2, `loaded ${options?.filename}\\n`); return new Script(code, options); };",
          'const cache = createRequire(import.meta.url).cache;',
          "process.on('exit', () => { for (const f of Object.keys(cache)) fs.writeSync(2, `loaded ${f}\\n`); });",
        ].join('\n'),
      );
    });

    /** The files of the bundle a run of the CLI loaded, and the libraries inside them. */
    function loads(args: string[]): { files: string[]; libraries: Set<string> } {
      const r = spawnSync(process.execPath, ['--import', path.join(dir, 'register.mjs'), CLI, ...args], { encoding: 'utf8', env: cliEnv() });
      const files = new Set<string>();
      for (const m of r.stderr.matchAll(/^loaded (.*)$/gm)) {
        const file = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
        if (path.dirname(file) === BIN) files.add(path.basename(file));
      }
      const libraries = new Set<string>();
      for (const file of files) for (const m of read(file).matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)) libraries.add(m[1]);
      return { files: [...files], libraries };
    }

    it.each([['print'], ['stats'], ['verify'], ['print', '--json']])('%s loads its own file and no zod, React, Ink or string-width', (...command) => {
      const { files, libraries } = loads([...command, log]);
      expect(files.sort()).toEqual(['cli.js', `command-${command[0]}.js`]);
      for (const heavy of ['zod', 'react', 'ink', 'yoga-layout', 'string-width']) expect(libraries, heavy).not.toContain(heavy);
    });

    // #17: an ES import of a built-in reads all its exports (node:crypto's load WebCrypto);
    // workers, zlib and chokidar's file watching serve only large, gzip or followed logs.
    /** Node's built-in modules a run of the CLI loaded. */
    function builtins(args: string[]): Set<string> {
      const r = spawnSync(process.execPath, ['--require', path.join(dir, 'builtins.cjs'), CLI, ...args], { encoding: 'utf8', env: cliEnv() });
      expect(r.status, r.stderr).toBe(0);
      return new Set([...r.stderr.matchAll(/^builtin (.*)$/gm)].map((m) => m[1]));
    }

    // dist/bin is CommonJS: Node's ES module loader (resolve, translators, …) is never started,
    // nor node:module (a script's require is made on demand), nor perf_hooks (`performance`).
    it.each([['print'], ['stats'], ['verify']])('%s over a small plain log loads no worker, zlib, file watching, WebCrypto, ES module loader or perf_hooks', (command) => {
      const loaded = builtins([command, log]);
      expect(loaded, 'the hook saw no built-ins').toContain('fs');
      const unused = ['worker_threads', 'zlib', 'fs/promises', 'internal/crypto/webcrypto', 'internal/modules/esm/translators', 'internal/modules/esm/module_job', 'module', 'perf_hooks'];
      for (const name of unused) expect(loaded, name).not.toContain(name);
    });

    it('loads zod only when a line fails the fast check, for its message', () => {
      const bad = path.join(dir, 'bad.log');
      fs.writeFileSync(bad, `${fs.readFileSync(log, 'utf8')}{"v":1,"type":"request","time":"x"}\n`);
      const { files } = loads(['print', bad]);
      expect(files).toContain('record-schemas.cjs');
      const r = spawnSync(process.execPath, [CLI, 'print', bad], { encoding: 'utf8', env: cliEnv() });
      expect(r.stderr).toMatch(/bad\.log:\d+: schema: id: expected string/);
    });

    it('still loads zod for `schema` (the check above sees what a run loads), from the one zod file, and prints the committed schema', () => {
      const { libraries, files } = loads(['schema']);
      expect(libraries).toContain('zod');
      expect(files).toContain('record-schemas.cjs');
      const r = spawnSync(process.execPath, [CLI, 'schema'], { encoding: 'utf8', env: cliEnv() });
      expect(r.stdout).toBe(fs.readFileSync(path.join(REPO_ROOT, 'schema/audit-record.schema.json'), 'utf8'));
      // zod is bundled once into the bin: the schema command is small (it was a second 770 KB copy).
      expect(fs.statSync(path.join(path.dirname(CLI), 'command-schema.js')).size).toBeLessThan(50_000);
    });
  });
});

