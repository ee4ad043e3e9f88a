/**
 * Fills the `@@NAME@@` placeholders of the shipped configurations in examples/rsyslog/, so the
 * tests run those very files. Pure. Strict both ways: a placeholder without a value and a
 * value without a placeholder are errors, so a renamed placeholder cannot go unnoticed.
 */

const PLACEHOLDER = /@@([A-Z][A-Z0-9_]*)@@/g;

export function placeholdersOf(template: string): string[] {
  return [...new Set(Array.from(template.matchAll(PLACEHOLDER), (m) => m[1]))];
}

export function renderConfig(template: string, values: Readonly<Record<string, string>>, name = 'config'): string {
  const wanted = placeholdersOf(template);
  const missing = wanted.filter((k) => !(k in values));
  if (missing.length > 0) throw new Error(`${name}: no value for ${missing.map((k) => `@@${k}@@`).join(', ')}`);
  const unused = Object.keys(values).filter((k) => !wanted.includes(k));
  if (unused.length > 0) throw new Error(`${name}: no placeholder @@${unused.join('@@, @@')}@@`);
  for (const [k, v] of Object.entries(values)) {
    // The values land inside quoted strings of rsyslog and logrotate configs.
    if (/["\n\r\\]|@@/.test(v)) throw new Error(`${name}: the value of @@${k}@@ may not contain quotes, backslashes, newlines or @@: ${JSON.stringify(v)}`);
  }
  return template.replace(PLACEHOLDER, (_, k: string) => values[k]);
}
