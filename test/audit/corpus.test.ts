/**
 * The benchmark corpus as a test set with known answers: every HTTP shape has exactly its six plumbing sites and
 * one session-keyed map, every stdio shape one process-lifetime connection, ordinary files nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the corpus generator is a plain ESM script without type declarations
import { generateCorpus } from '../../scripts/bench-corpus.mjs';
import { auditProject } from '../../src/audit/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mcp-sl-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit of the benchmark corpus', () => {
  it('finds exactly the planted session dependence and parses only the files that can hold it', async () => {
    const { files, sessionFiles } = generateCorpus(join(dir, 'corpus'), 300) as { files: number; sessionFiles: number };
    const report = await auditProject(join(dir, 'corpus'));
    expect(report.errors).toEqual([]);
    expect(report.stats).toMatchObject({ discovered: files, parsed: sessionFiles });
    const byProject = new Map<string, string[]>();
    for (const f of report.findings) {
      const project = f.file.split('/').slice(0, 2).join('/');
      byProject.set(project, [...(byProject.get(project) ?? []), `${f.file.split('/').pop()}:${f.line} ${f.rule} ${f.pattern} ${f.state ?? ''}`.trim()]);
    }
    const http = [...byProject].filter(([p]) => /servers\/s\d+$/.test(p));
    const stdio = [...byProject].filter(([p]) => /servers\/db\d+$/.test(p));
    expect(http.length + stdio.length).toBe(byProject.size);
    for (const [, found] of http) {
      expect(found).toEqual([
        'entry.ts:10 SL002 P3 transports',
        'entry.ts:13 SL001 P3',
        'entry.ts:17 SL002 P3',
        'entry.ts:19 SL001 P3',
        'entry.ts:20 SL001 P3',
        'entry.ts:28 SL002 P3',
        'tools.ts:4 SL003 P1 baskets',
      ]);
    }
    for (const [, found] of stdio) expect(found).toEqual(['index.ts:6 SL006 P2 db']);
    expect(report.projects.filter((p) => p.classification.primary === 'session-keyed-app-state')).toHaveLength(http.length);
  });
});
