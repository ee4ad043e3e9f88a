/**
 * Runs a function with a deadline: past it, V8 stops it (node:vm's timeout terminates whatever
 * runs, a regular expression's backtracking included) and the caller hears so. For regular
 * expressions over strings a client chose: one that backtracks without end would otherwise
 * freeze the viewer (in raw mode Ctrl-C is a key that is never read) or `print -f` (whose
 * SIGINT and SIGTERM handlers never run).
 *
 * What `run` was doing is cut short where it stood, no `finally` of it runs: use it only for
 * work that changes nothing it cannot leave half done (a query over the columns: its memos are
 * its own, its caches are filled after an answer is whole).
 */
import type * as Vm from 'node:vm';
import { escapeForTerminal } from '../shared/sanitize.js';

/**
 * How long a regular expression may run over the entries (a query, or one batch of `print -f`)
 * before it is given up. A regular search of a million entries takes tens of milliseconds.
 */
export const REGEX_DEADLINE_MS = 5_000;

/** What is said when `re` ran past the deadline (`what`: `search`, `--regex`). */
export function regexStopped(what: string, re: RegExp | undefined, ms = REGEX_DEADLINE_MS): string {
  const source = escapeForTerminal(re?.source ?? '', 60);
  return `${what} stopped after ${ms / 1000} s: /${source}/ backtracks too long on some entry (nested repeats such as (a+)+ take exponential time)`;
}

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
