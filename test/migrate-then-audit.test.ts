/**
 * Every audit fixture (each pattern on both SDK lines, plus the negatives) migrated with all transforms,
 * then audited again: whatever the audit still finds must be covered by the @mcp-sessionless-todo marker of its decision,
 * no transform may fail, and the migrated files must still parse.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { auditFiles, transformFiles, TRANSFORMS } from '../src/index.js';
import { createMemoryProject, syntaxErrors } from '../src/engine/parse.js';
import { decisionMarked, planDecisions } from '../src/audit/decisions.js';

const root = fileURLToPath(new URL('./fixtures/audit', import.meta.url));

function readTree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) readTree(path, base, out);
    else if (/\.[cm]?[jt]sx?$/.test(entry)) out[relative(base, path)] = readFileSync(path, 'utf8');
  }
  return out;
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
    // One marker per decision: a finding is covered when its decision's marker is there (near its first
    // finding, or where the transform that declined it put it).
    const unmarked = planDecisions(left)
      .filter((d) => !decisionMarked(after, d))
      .flatMap((d) => d.covers.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`));
    expect(unmarked).toEqual([]);
    // One verdict: what audit calls fixable is gone after migrate, and nothing left is called fixable again.
    const claimed = before.filter((f) => f.fixedBy !== 'manual').map((f) => `${f.file} ${f.kind} ${f.state ?? ''}`);
    const remaining = new Set(left.map((f) => `${f.file} ${f.kind} ${f.state ?? ''}`));
    expect(claimed.filter((key) => remaining.has(key))).toEqual([]);
    expect(left.filter((f) => f.fixedBy !== 'manual').map((f) => `${f.rule} ${f.file}:${f.line} ${f.fixedBy}`)).toEqual([]);
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
