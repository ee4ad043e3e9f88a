/**
 * `npm run bench:tui` (see tui-keys.ts). React is measured in its production build, as the
 * viewer runs it (viewer.tsx chooses it when NODE_ENV is unset): the choice is made when React
 * is first loaded, so it is set here before anything imports it.
 */
if (process.env.NODE_ENV === undefined) process.env.NODE_ENV = 'production';
await import('./tui-keys.js');
