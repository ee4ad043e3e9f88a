/** The man page as the current help texts make it (what `npm run man` writes and the test compares). */
import fs from 'node:fs';
import path from 'node:path';
import { PROGRAM } from '../../src/cli/commands/command.js';
import { manPage } from '../../src/cli/commands/man-page.js';
import { COMMANDS, DEFAULT_COMMAND } from '../../src/cli/commands/registry.js';
import { usage } from '../../src/cli/commands/usage.js';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const MAN_PAGE = path.join(REPO, 'man', `${PROGRAM}.1`);

export async function currentManPage(): Promise<string> {
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
  const commands = [];
  for (const entry of COMMANDS) commands.push({ name: entry.name, help: (await entry.load()).help });
  return manPage({ program: PROGRAM, version, usage: usage(COMMANDS, DEFAULT_COMMAND), commands });
}
