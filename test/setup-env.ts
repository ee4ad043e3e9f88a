/**
 * Runs before every test file. Component tests stand in for a real terminal, but Ink reads CI
 * once, when it is imported (is-in-ci), and under CI draws only the final frame. CI runs set
 * CI=true, so it is cleared here; a test about CI behaviour sets it itself.
 */
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
