import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit/audit.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

const MINE = new Set(['session-state-to-handles', 'process-state-to-handles']);

/**
 * After migration the audit finds nothing these transforms fix, except the sites they marked for a person:
 * each remaining finding sits right below its marker, and each marker has its finding.
 */
describe('audit of migrated handle fixtures', () => {
  for (const id of MINE) {
    for (const fixture of loadFixtureCases(id)) {
      it(`${id}/${fixture.name}`, () => {
        const { findings } = auditFiles(fixture.output);
        const left = findings.filter((f) => MINE.has(f.fixedBy)).map((f) => `${f.file}:${f.line}`);
        const marked: string[] = [];
        for (const [path, text] of Object.entries(fixture.output)) {
          text.split('\n').forEach((line, index) => {
            if (line.includes(`${TODO_MARKER}(`)) marked.push(`${path}:${index + 2}`);
          });
        }
        expect(left.sort()).toEqual(marked.sort());
      });
    }
  }
});
