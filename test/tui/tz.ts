/** Imported first by tests that show times: the table shows local time, and tests read UTC. */
process.env.TZ = 'UTC';
