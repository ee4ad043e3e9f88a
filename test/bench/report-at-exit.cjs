// Preloaded (node -r) into a shipped command the engine benchmark times as a whole process
// (test/bench/engine.ts runWhole): at its exit, its wall time since the process started and
// all the CPU it used, as the benchmark's own children report them (reportWhole).
process.on('exit', (code) => {
  const cpu = process.cpuUsage();
  process.stderr.write(`${JSON.stringify({ wallMs: performance.now(), cpuS: (cpu.user + cpu.system) / 1e6, code })}\n`);
});
