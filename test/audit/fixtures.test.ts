/**
 * Audit fixtures: test/fixtures/audit/<case>/ holds a mini-project and expected.json with every finding it must
 * produce (rule, pattern, file, line, state; readers/writers/fixedBy where given) and its classification.
 * Each case must match exactly; over the whole set, precision and recall are measured and printed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFiles, type Finding, type SurveyCategory } from '../../src/audit/index.js';
import { FIXTURES_ROOT } from '../helpers/fixtures.js';
import { readFixture } from './fixture-files.js';

interface ExpectedFinding {
  rule: string;
  pattern: string;
  file: string;
  line: number;
  state?: string;
  readers?: string[];
  writers?: string[];
  fixedBy?: string;
}

interface Expected {
  description: string;
  classification: SurveyCategory;
  findings: ExpectedFinding[];
}

const ROOT = join(FIXTURES_ROOT, 'audit');

/** The identity of a finding for matching: where, which rule and pattern, and which state. */
const keyOf = (f: { rule: string; pattern: string; file: string; line: number; state?: string }) => `${f.file}:${f.line} ${f.rule}/${f.pattern} ${f.state ?? '-'}`;

function project(finding: Finding, expected: ExpectedFinding | undefined): ExpectedFinding {
  const out: ExpectedFinding = { rule: finding.rule, pattern: finding.pattern, file: finding.file, line: finding.line };
  if (finding.state !== undefined) out.state = finding.state;
  // Readers, writers and fixedBy are compared where the fixture states them.
  if (expected?.readers) out.readers = [...finding.readers].sort();
  if (expected?.writers) out.writers = [...finding.writers].sort();
  if (expected?.fixedBy) out.fixedBy = finding.fixedBy;
  return out;
}

function normalize(f: ExpectedFinding): ExpectedFinding {
  return { ...f, ...(f.readers ? { readers: [...f.readers].sort() } : {}), ...(f.writers ? { writers: [...f.writers].sort() } : {}) };
}

const cases = readdirSync(ROOT).filter((name) => statSync(join(ROOT, name)).isDirectory()).sort();
const tally = { truePositives: 0, falsePositives: 0, falseNegatives: 0, negativeCases: 0, cleanNegativeCases: 0 };

describe('audit fixtures', () => {
  it('covers every pattern on both SDK lines, plus negatives', () => {
    const patterns = new Map<string, Set<string>>();
    for (const name of cases) {
      const expected = JSON.parse(readFileSync(join(ROOT, name, 'expected.json'), 'utf8')) as Expected;
      const line = /-(v1|v2)-/.exec(name)?.[1] ?? 'any';
      for (const f of expected.findings) patterns.set(f.pattern, new Set([...(patterns.get(f.pattern) ?? []), line]));
    }
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10']) {
      expect([...(patterns.get(id) ?? [])].sort(), id).toEqual(expect.arrayContaining(['v1', 'v2']));
    }
    expect(cases.filter((c) => c.startsWith('negative-')).length).toBeGreaterThanOrEqual(4);
  });

  for (const name of cases) {
    it(name, () => {
      const dir = join(ROOT, name);
      const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const report = auditFiles(readFixture(dir));
      expect(report.errors).toEqual([]);

      const byKey = new Map(expected.findings.map((f) => [keyOf(f), f]));
      const actual = report.findings.map((f) => project(f, byKey.get(keyOf(f))));
      const actualKeys = new Set(actual.map(keyOf));
      const expectedKeys = new Set(expected.findings.map(keyOf));
      tally.truePositives += [...actualKeys].filter((k) => expectedKeys.has(k)).length;
      tally.falsePositives += [...actualKeys].filter((k) => !expectedKeys.has(k)).length;
      tally.falseNegatives += [...expectedKeys].filter((k) => !actualKeys.has(k)).length;
      if (expected.findings.length === 0) {
        tally.negativeCases++;
        if (report.findings.length === 0) tally.cleanNegativeCases++;
      }

      const sort = (list: ExpectedFinding[]) => [...list].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
      expect(sort(actual)).toEqual(sort(expected.findings.map(normalize)));
      expect(report.classification.primary).toBe(expected.classification);
    });
  }

  afterAll(() => {
    const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = tally;
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
    process.stdout.write(
      `\naudit fixture set: ${cases.length} cases, ${tp + fn} expected findings; ` +
        `precision ${(precision * 100).toFixed(1)}% (${fp} false positive(s)), recall ${(recall * 100).toFixed(1)}% (${fn} miss(es)); ` +
        `negative cases clean: ${tally.cleanNegativeCases}/${tally.negativeCases}\n`,
    );
  });
});
