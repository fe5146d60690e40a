import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit/audit.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

const MINE = new Set(['session-state-to-handles', 'process-state-to-handles']);
const STATE_RULES = new Set(['SL003', 'SL006']);

/**
 * After migration the audit finds nothing these transforms fix, except the sites they marked for a person:
 * each remaining finding sits right below its marker, and each marker has its finding.
 */
describe('audit of migrated handle fixtures', () => {
  for (const id of MINE) {
    for (const fixture of loadFixtureCases(id)) {
      it(`${id}/${fixture.name}`, () => {
        const { findings } = auditFiles(fixture.output);
        // The state findings left: a marked site's finding is now called manual, since migrate leaves it.
        const left = findings.filter((f) => (MINE.has(f.fixedBy) || f.fixedBy === 'manual') && STATE_RULES.has(f.rule)).map((f) => `${f.file}:${f.line}`);
        const marked: string[] = [];
        for (const [path, text] of Object.entries(fixture.output)) {
          // One marker stands above the declarations it decides for (values that move together share one).
          const lines = text.split('\n');
          lines.forEach((line, index) => {
            if (!line.includes(`${TODO_MARKER}(`)) return;
            marked.push(`${path}:${index + 2}`);
            for (let next = index + 2; next < lines.length && /^\s*(?:let|const|var)\s/.test(lines[next]!) && /^\s*(?:let|const|var)\s/.test(lines[index + 1]!); next++) marked.push(`${path}:${next + 1}`);
          });
        }
        expect(left.sort()).toEqual(marked.sort());
      });
    }
  }
});
