/**
 * What a terminal would receive from the built CLI, as raw bytes: run it in a pipe (no TTY,
 * NO_COLOR, so the program itself emits no escape sequence) and check that nothing in its
 * output could act on a terminal. Shared by the injection tests.
 */
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { CLI, cliEnv, REPO_ROOT } from '../cli/helpers.js';

/** Characters that must never reach a terminal raw (a newline only as the end of a line). */
export const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\p{Default_Ignorable_Code_Point}]/u;

export interface RawResult {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs the built CLI in a pipe and keeps stdout and stderr as raw bytes. */
export function runRaw(args: readonly string[], options: { cwd?: string } = {}): Promise<RawResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? REPO_ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  return collectRaw(child);
}

export function collectRaw(child: ReturnType<typeof spawn>): Promise<RawResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.on('data', (d: Buffer) => err.push(d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
  });
}

/** Bytes a terminal would receive: valid UTF-8, no ESC at all, no raw control character. Returns the text. */
export function expectInert(bytes: Buffer, what: string): string {
  expect(bytes.includes(0x1b), `${what}: an ESC byte in ${JSON.stringify(bytes.toString())}`).toBe(false);
  // Valid UTF-8, so no lone 0x80–0x9F byte an 8-bit terminal would take for a C1 control.
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const raw = RAW.exec(text.replaceAll('\n', ''));
  expect(raw && `U+${raw[0].codePointAt(0)?.toString(16).padStart(4, '0')} at ${raw.index} in ${JSON.stringify(text)}`, `${what}: a raw control character`).toBeNull();
  return text;
}
