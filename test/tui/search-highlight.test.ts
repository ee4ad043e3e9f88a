/**
 * The `/` search's match is underlined in the command cell (components/Table.tsx, and the same
 * in the first frame). It was found in the lower-cased text, and its place used in the text as
 * shown: a character whose lower case is longer (İ → i̇) shifted it, so a client's command
 * `İİ rm -rf /` searched for `rm` had ` -` underlined — the hostile part left unmarked.
 */
import { describe, expect, it } from 'vitest';
import { splitMatch } from '../../src/tui/components/Table.js';
import { matchSpan } from '../../src/tui/format/text.js';

describe('the search match in a cell', () => {
  it.each([
    ['İİ rm -rf /', 'rm', ['İİ ', 'rm', ' -rf /']],
    ['İ RM -rf /', 'rm', ['İ ', 'RM', ' -rf /']],
    ['systemctl restart nginx', 'NGINX', ['systemctl restart ', 'nginx', '']],
  ])('%s, searched for %s: the very characters that match are marked', (text, needle, parts) => {
    expect(splitMatch(text, needle)).toEqual(parts);
    expect(matchSpan(text, needle)).toEqual([parts[0].length, parts[0].length + parts[1].length]);
  });

  it('no match, or nothing searched: nothing marked', () => {
    expect(splitMatch('ls /srv', 'rm')).toBeNull();
    expect(splitMatch('ls /srv', null)).toBeNull();
    expect(matchSpan('ls /srv', 'rm')).toBeNull();
    expect(matchSpan('İ ls', 'rm')).toBeNull();
  });
});
