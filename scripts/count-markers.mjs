// Counts the follow-up markers `migrate` leaves on the project's own fixture corpus (audit fixture projects and
// every transform fixture input), and prints each one, so a change to marker policy can be measured and reviewed.
//   npm run build && node scripts/count-markers.mjs [--list]
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '../dist/src/migrate.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(repo, 'test/fixtures');
const list = process.argv.includes('--list');
const MARKER = /^\+.*@mcp-sessionless-todo\((SL\d+)\)(.*)$/;

/** Projects: each audit fixture folder, each transform fixture folder case, each transform `*.input.*` file. */
function targets() {
  const out = [];
  for (const group of readdirSync(fixtures).sort()) {
    for (const entry of readdirSync(join(fixtures, group)).sort()) {
      const path = join(fixtures, group, entry);
      if (statSync(path).isDirectory() || /\.input\.[cm]?[jt]sx?$/.test(entry)) out.push(path);
    }
  }
  return out;
}

let total = 0;
const byRule = {};
for (const path of targets()) {
  const result = await migrate({ path, format: false, workers: 1, typecheck: false });
  for (const change of result.changes) {
    const added = change.after.split('\n').filter((l) => l.includes('@mcp-sessionless-todo') && !change.before.includes(l));
    for (const line of added) {
      const rule = /@mcp-sessionless-todo\((SL\d+)\)/.exec(line)?.[1] ?? '?';
      byRule[rule] = (byRule[rule] ?? 0) + 1;
      total++;
      if (list) console.log(`${path.slice(fixtures.length + 1)}:${change.path}: ${line.trim()}`);
    }
  }
}
console.log(`markers: ${total}`, JSON.stringify(byRule));
