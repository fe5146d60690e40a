// Re-renders every emitted handle-store module in this part's fixture outputs, after the template changes:
//   node test/handles/support/refresh-emitted.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const render = join(root, 'test', 'handles', 'support', 'render-store.mjs');
const cache = new Map();
function rendered(language, store) {
  const key = `${language}-${store}`;
  if (!cache.has(key)) cache.set(key, execFileSync(process.execPath, [render, language, store], { encoding: 'utf8' }));
  return cache.get(key);
}
function walk(dir, visit) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path, visit);
    else visit(path);
  }
}
for (const transform of ['session-state-to-handles', 'process-state-to-handles']) {
  const base = join(root, 'test', 'fixtures', transform);
  for (const fixture of readdirSync(base)) {
    const output = join(base, fixture, 'output');
    let options = {};
    try {
      options = JSON.parse(readFileSync(join(base, fixture, 'options.json'), 'utf8'));
    } catch {}
    try {
      walk(output, (path) => {
        const custom = options['handle-store-path'];
        const match = custom ? (path.endsWith(custom) ? /\.(ts|js)$/.exec(path) : null) : /handle-store\.(ts|js)$/.exec(path);
        // A store the fixture's input already had is the user's file: never rewritten.
        const own = existsSync(path.replace(`${sep}output${sep}`, `${sep}input${sep}`));
        if (match && !own) writeFileSync(path, rendered(match[1], options.store ?? 'memory'));
      });
    } catch {}
  }
}
