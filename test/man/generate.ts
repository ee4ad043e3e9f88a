/** `npm run man`: writes man/sudo-proxy-audit.1 from the help texts (test/cli/man-page.test.ts keeps it in step). */
import fs from 'node:fs';
import { currentManPage, MAN_PAGE } from './current.js';

fs.writeFileSync(MAN_PAGE, await currentManPage());
console.log(`wrote ${MAN_PAGE}`);
