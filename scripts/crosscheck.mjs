// Cross-check: migrate every audit fixture with all transforms, audit the result, and count what is left.
// A finding left after migration is "marked" when a @mcp-sessionless-todo marker sits in the few lines above it.
//   npm run build && node scripts/crosscheck.mjs [--verbose]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { transformFiles, TRANSFORMS, auditFiles, TODO_MARKER } = await import(join(repo, 'dist/src/index.js'));
const verbose = process.argv.includes('--verbose');
const root = join(repo, 'test/fixtures/audit');

const readTree = (dir, base = dir, out = {}) => {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) readTree(path, base, out);
    else if (/\.[cm]?[jt]sx?$/.test(entry)) out[relative(base, path)] = readFileSync(path, 'utf8');
  }
  return out;
};
const markedNear = (text, line) => text.split('\n').slice(Math.max(0, line - 4), line).some((l) => l.includes(TODO_MARKER));

let before = 0, fixed = 0, marked = 0, unmarked = 0, errors = 0;
for (const name of readdirSync(root).sort()) {
  const files = readTree(join(root, name));
  const found = auditFiles(files).findings.length;
  const result = transformFiles(files, { transforms: TRANSFORMS });
  const after = { ...files, ...result.changed };
  const left = auditFiles(after).findings;
  const leftMarked = left.filter((f) => markedNear(after[f.file] ?? '', f.line));
  const failures = result.diagnostics.filter((d) => d.level === 'error');
  before += found;
  fixed += Math.max(0, found - left.length);
  marked += leftMarked.length;
  unmarked += left.length - leftMarked.length;
  errors += failures.length;
  if (verbose || left.length > leftMarked.length || failures.length) {
    console.log(`${name}: ${found} found, ${left.length} left (${leftMarked.length} marked)${failures.length ? `, ${failures.length} errors` : ''}`);
    for (const f of left.filter((f) => !leftMarked.includes(f))) console.log(`   unmarked ${f.rule} ${f.pattern} ${f.file}:${f.line} ${f.message}`);
    for (const d of failures) console.log(`   error ${d.file} ${d.message}`);
  }
}
console.log(`\n${before} findings before migration; ${fixed} gone after, ${marked} left under a marker, ${unmarked} left unmarked; ${errors} transform errors`);
