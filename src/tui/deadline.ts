/**
 * Runs a function with a deadline: past it, V8 stops it (node:vm's timeout terminates whatever
 * runs, a regular expression's backtracking included) and the caller hears so. For the viewer's
 * regular expressions over strings a client chose: one that backtracks without end would
 * otherwise freeze it, and in raw mode Ctrl-C is a key that is never read.
 *
 * What `run` was doing is cut short where it stood, no `finally` of it runs: use it only for
 * work that changes nothing it cannot leave half done (a query over the columns: its memos are
 * its own, its caches are filled after an answer is whole).
 */
import type * as Vm from 'node:vm';

let context: Vm.Context | undefined;

export function withinDeadline<T>(run: () => T, ms: number): { value: T } | { timedOut: true } {
  const vm = process.getBuiltinModule('node:vm') as typeof Vm;
  context ??= vm.createContext({ run: null });
  context.run = run;
  try {
    return { value: vm.runInContext('run()', context, { timeout: ms }) as T };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { timedOut: true };
    throw e;
  } finally {
    context.run = null;
  }
}
