/**
 * `npm run bench:badge`: how long after the viewer's first screen the header's chain badge
 * shows a break (issue #13: at most 1 s for a 10,000-line log with one modified line in the
 * middle). The real writer writes the log, one denied request is edited to approved, and the
 * real engine is opened under the viewer on a fake terminal; times are taken from the frames
 * Ink writes. Same-run baseline: the same log untouched, to the badge saying "verified".
 */
if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';

const fs = await import('node:fs');
const os = await import('node:os');
const path = await import('node:path');
const { stripVTControlCharacters } = await import('node:util');
const { render } = await import('ink');
const { createElement } = await import('react');
const { openEngine } = await import('../../src/engine/engine.js');
const { App } = await import('../../src/tui/components/App.js');
const { ViewerStore } = await import('../../src/tui/store/store.js');
const { createTheme } = await import('../../src/tui/theme.js');
const { openAuditLog } = await import('../../src/writer/audit-log.js');
const { FakeStdin, FakeStdout } = await import('../tui/render.js');

const LINES = 10_000;
const RUNS = Number(process.env.BADGE_RUNS ?? 7);
const TARGET_MS = 1_000;

/** A log of LINES lines (a start, requests and responses, a stop); with `modify`, one denied request in the middle approved after the fact. */
function writeLog(file: string, modify: boolean): number {
  let clock = Date.parse('2026-11-26T08:00:00Z');
  const log = openAuditLog({ path: file, pid: 4242, now: () => clock, warn: () => {} });
  // The start and stop records, and requests (with their responses, but for denied ones) between.
  for (let i = 0, lines = 2; lines < LINES; i++) {
    clock += 1_000;
    const id = `bad9e000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const denied = i % 5 === 0;
    log.request({
      id, time: new Date(clock).toISOString(), host: 'web-01', session: 's', pipeline: [['uptime']], resolved: ['/usr/bin/uptime'],
      env: {}, reason: 'bench', privileged: true, decision: denied ? 'denied' : 'approved', via: 'operator', latencyMs: 100,
    });
    lines++;
    if (!denied && lines < LINES) {
      log.response({ id, status: 'ok', error: null, stages: [{ exitCode: 0, stderr: 0 }], stdout: 10, durationMs: 5 });
      lines++;
    }
  }
  log.close();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (!modify) return 0;
  const at = lines.findIndex((l, i) => i >= lines.length / 2 && l.includes('"decision":"denied"'));
  lines[at] = lines[at].replace('"decision":"denied"', '"decision":"approved"');
  fs.writeFileSync(file, lines.join('\n'));
  return at + 1;
}

/** ms from opening to the first screen with entries, and from that screen to one that passes `done`. */
async function time(file: string, done: (frame: string) => boolean): Promise<{ first: number; badge: number }> {
  const stdout = new FakeStdout(120, 30);
  const t0 = performance.now();
  const engine = openEngine([file], { follow: false });
  await engine.ready();
  const store = new ViewerStore({ engine, live: false, size: { columns: 120, rows: 30 } });
  let first = Number.NaN;
  let badge = Number.NaN;
  const finished = new Promise<void>((resolve) => {
    stdout.write = (frame: string) => {
      const now = performance.now() - t0;
      const text = stripVTControlCharacters(frame);
      if (Number.isNaN(first) && text.includes('# uptime')) first = now;
      if (!Number.isNaN(first) && Number.isNaN(badge) && done(text)) {
        badge = now - first;
        resolve();
      }
      return true;
    };
  });
  const instance = render(createElement(App, { store, theme: createTheme(true), tickMs: 1_000 }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let last = '';
  const tap = stdout.write;
  stdout.write = (frame: string) => ((last = frame), tap(frame));
  await Promise.race([finished, new Promise((r) => setTimeout(r, 30_000))]);
  if (Number.isNaN(badge)) console.error(`no badge in 30 s; the last frame began:\n${stripVTControlCharacters(last).split('\n').slice(0, 2).join('\n')}`);
  instance.unmount();
  store.dispose();
  await engine.close();
  return { first, badge };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-badge-'));
try {
  const clean = path.join(work, 'clean.log');
  const broken = path.join(work, 'broken.log');
  writeLog(clean, false);
  const line = writeLog(broken, true);
  console.log(`bench:badge — ${LINES.toLocaleString('en-US')}-line log, one line modified at line ${line}; ${RUNS} runs each, medians`);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const rows: string[][] = [];
  for (const [name, file, done] of [
    ['baseline: untouched, to "✓ chain verified"', clean, (f: string) => f.includes('✓ chain verified through')],
    [`modified line ${line}, to "✗ chain BROKEN: modified at …:${line}"`, broken, (f: string) => f.includes(`✗ chain BROKEN: modified at broken.log:${line}`)],
  ] as const) {
    const firsts: number[] = [];
    const badges: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = await time(file, done);
      firsts.push(t.first);
      badges.push(t.badge);
    }
    rows.push([name, median(firsts).toFixed(0), median(badges).toFixed(0), Math.max(...badges).toFixed(0)]);
  }
  const header = ['log', 'first screen (ms)', 'badge after it: median (ms)', 'max (ms)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(fmt(r));
  const worst = Number(rows[1][3]);
  console.log(`\nbreak on the badge at most ${worst} ms after the first screen (target ≤ ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'met' : 'NOT met'})`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(0);
