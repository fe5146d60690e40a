import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit/index.js';
import { resolveOptions, transformFiles } from '../../src/engine/run-transforms.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

/*
 * The audit and migrate agree on tools registered per connection: what the audit promises migrate fixes
 * is gone after a full migration, and what is left carries exactly one marker.
 */

/** The fixture pair, as the fixture suite reads it. */
const CASE = loadFixtureCases('static-lists').find((c) => c.name === 'capability-tools-v1')!;

const MARKER = /@mcp-sessionless-todo\((SL\d+)\)/g;

describe('capability-gated registrations: audit and migrate agree', () => {
  const files = CASE.input;

  it('the audit finds the per-connection registrations and capability reads, and promises the fix', () => {
    const findings = auditFiles(files).findings;
    const where = findings.map((f) => `${f.rule} ${f.kind} ${f.file} ${f.fixedBy}`).sort();
    expect(where).toEqual([
      'SL004 register-in-handler src/tools/confirm-entry.ts static-lists',
      'SL004 register-in-handler src/tools/draft-entry.ts static-lists',
      'SL004 register-in-handler src/tools/peer-report.ts static-lists',
      'SL005 client-context src/server.ts manual',
      'SL005 client-context src/tools/confirm-entry.ts per-request-context',
      'SL005 client-context src/tools/draft-entry.ts per-request-context',
      'SL005 client-context src/tools/peer-report.ts per-request-context',
    ]);
  });

  it('after migrate only the read in oninitialized is left, under one marker', () => {
    const options = Object.fromEntries(TRANSFORMS.map((t) => [t.id, resolveOptions(t, undefined)]));
    const migrated = transformFiles(files, { transforms: TRANSFORMS, options });
    expect(migrated.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const after = { ...files, ...migrated.changed };
    const left = auditFiles(after).findings.filter((f) => ['SL003', 'SL004', 'SL005', 'SL006'].includes(f.rule));
    expect(left.map((f) => `${f.rule} ${f.file}`)).toEqual(['SL005 src/server.ts']);
    const markers = Object.entries(after).flatMap(([path, text]) => [...text.matchAll(MARKER)].map((m) => `${m[1]} ${path}`));
    expect(markers).toEqual(['SL005 src/server.ts']);
    // A second run changes nothing.
    const again = transformFiles(after, { transforms: TRANSFORMS, options });
    expect(again.changed).toEqual({});
  });
});
