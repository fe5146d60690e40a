/**
 * Every audit fixture (each pattern on both SDK lines, plus the negatives) migrated with all transforms,
 * then audited again: whatever the audit still finds must sit under an @mcp-sessionless-todo marker,
 * no transform may fail, and the migrated files must still parse.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditFiles, TODO_MARKER, transformFiles, TRANSFORMS } from '../src/index.js';
import { createMemoryProject, syntaxErrors } from '../src/engine/parse.js';

const root = fileURLToPath(new URL('./fixtures/audit', import.meta.url));

function readTree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) readTree(path, base, out);
    else if (/\.[cm]?[jt]sx?$/.test(entry)) out[relative(base, path)] = readFileSync(path, 'utf8');
  }
  return out;
}

/** A finding counts as marked when a marker comment sits on one of the three lines above it, or on its line. */
function markedNear(text: string, line: number): boolean {
  return text
    .split('\n')
    .slice(Math.max(0, line - 4), line)
    .some((l) => l.includes(TODO_MARKER));
}

const fixtures = readdirSync(root).sort();
const tally = { before: 0, gone: 0, marked: 0 };

describe('migrate, then audit the result', () => {
  it.each(fixtures)('%s: every finding left is marked, nothing fails', (name) => {
    const files = readTree(join(root, name));
    const before = auditFiles(files).findings;
    const result = transformFiles(files, { transforms: TRANSFORMS });
    expect(result.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const after = { ...files, ...result.changed };
    const project = createMemoryProject();
    for (const [path, text] of Object.entries(result.changed)) {
      expect(syntaxErrors(project.createSourceFile(`/${path}`, text)), path).toEqual([]);
    }
    const left = auditFiles(after).findings;
    const unmarked = left.filter((f) => !markedNear(after[f.file] ?? '', f.line)).map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`);
    expect(unmarked).toEqual([]);
    tally.before += before.length;
    tally.gone += Math.max(0, before.length - left.length);
    tally.marked += left.length;
  });

  it('migrates some findings away entirely, and marks the rest', () => {
    console.log(`migrate-then-audit: ${tally.before} findings before; ${tally.gone} gone after migration, ${tally.marked} left under a marker`);
    expect(tally.before).toBeGreaterThan(0);
    expect(tally.gone).toBeGreaterThan(0);
    expect(tally.gone + tally.marked).toBe(tally.before);
  });
});
