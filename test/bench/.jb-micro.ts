import { openEngine } from '../../src/engine/engine.js';
import { EntryJsonBytes } from '../../src/cli/commands/entry-json-bytes.js';
import { entryJson } from '../../src/cli/commands/entry-json.js';
import { jsonForTerminal } from '../../src/shared/sanitize.js';
const file = process.argv[2];
const engine = openEngine([file], { follow: false });
await engine.indexed();
const n = engine.size();
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
for (let round = 0; round < 3; round++) {
  let t = cpu(); let ok = 0; let bytes = 0;
  const w = new EntryJsonBytes();
  for (let p = 0; p < n; p++) { if (w.write(engine.entryLines!(p))) { ok++; bytes += w.length; } }
  const fast = cpu() - t;
  if (process.env.FASTONLY) { console.log(fast); continue; }
  t = cpu(); let slow = 0;
  for (let p = 0; p < n; p++) slow += jsonForTerminal(entryJson(engine.entry(p))).length;
  const slowS = cpu() - t;
  console.log(`entries ${n} fast ok ${ok} bytes ${bytes} fast ${fast.toFixed(2)} s (${(fast / n * 1e6).toFixed(2)} µs/entry); slow ${slowS.toFixed(2)} s (${(slowS / n * 1e6).toFixed(2)} µs/entry)`);
}
await engine.close();
