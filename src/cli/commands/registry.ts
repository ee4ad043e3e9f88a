/**
 * The subcommands, each loaded only when it runs: `verify` need not load the engine, and
 * `print` need not load React. Summaries live here so `--help` loads nothing.
 */
import type { CommandEntry } from './command.js';

export type { CommandEntry } from './command.js';

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'view', summary: 'the live viewer (default): follow the log in a terminal', load: async () => (await import('./view.js')).viewCommand },
  { name: 'print', summary: 'entries as aligned text or JSON lines, filtered; -f follows', load: async () => (await import('./print.js')).printCommand },
  { name: 'stats', summary: 'summary: states, hosts, sessions, latency, top commands', load: async () => (await import('./stats.js')).statsCommand },
  { name: 'verify', summary: 'check the hash chain: ok, or where it was tampered with', load: async () => (await import('./verify.js')).verifyCommand },
  { name: 'seal', summary: 'forward-secure seals: init (a verification key), status', load: async () => (await import('./seal.js')).sealCommand },
  { name: 'demo', summary: 'a simulated daemon writing realistic traffic (--view: watch it)', load: async () => (await import('./demo.js')).demoCommand },
  { name: 'schema', summary: 'print the JSON Schema of an audit record', load: async () => (await import('./schema.js')).schemaCommand },
  { name: 'completion', summary: 'a shell completion script: bash, zsh or fish', load: async () => (await import('./completion.js')).completionCommand(COMMANDS, DEFAULT_COMMAND) },
];

export const DEFAULT_COMMAND = 'view';
