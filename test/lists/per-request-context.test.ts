import { planDecisions } from '../../src/audit/decisions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit/index.js';
import { resolveOptions, transformFiles } from '../../src/engine/run-transforms.js';
import { perRequestContextTransform } from '../../transforms/per-request-context.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { describeTransformFixtures, FIXTURES_ROOT, loadFixtureCases, typecheckFixtureOutputs } from '../helpers/fixtures.js';

describeTransformFixtures('per-request-context', perRequestContextTransform);

describe('per-request-context outputs', () => {
  it('type-check against the real SDKs', () => {
    expect(typecheckFixtureOutputs('per-request-context')).toEqual([]);
  });
});

describe('per-request-context: audit and markers agree on v1', () => {
  const options = Object.fromEntries(TRANSFORMS.map((t) => [t.id, resolveOptions(t, undefined)]));
  for (const name of ['connection-state-v1', 'client-context-v1', 'lowlevel-context-v1', 'threaded-helper-v1', 'roots-list-changed-v1']) {
    it(`${name}: every SL005 decision left after migrate has its one marker`, () => {
      const files = { 'index.ts': readFileSync(join(FIXTURES_ROOT, 'per-request-context', `${name}.input.ts`), 'utf8') };
      const migrated = transformFiles(files, { transforms: TRANSFORMS, options });
      expect(migrated.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
      const text = migrated.changed['index.ts'] ?? files['index.ts'];
      // One marker per decision: the roots a file asks for in several places are one.
      const decisions = planDecisions(auditFiles({ 'index.ts': text }).findings.filter((f) => f.rule === 'SL005'));
      const markers = text.split('\n').filter((line) => line.includes('@mcp-sessionless-todo(SL005)'));
      expect(markers.length).toBe(decisions.length);
    });
  }
});

describe('per-request-context: client info kept from initialize, after the whole migration', () => {
  const options = Object.fromEntries(TRANSFORMS.map((t) => [t.id, resolveOptions(t, undefined)]));
  const cases = loadFixtureCases('per-request-context');
  // Each case: whether the copy is rewritten (nothing left) or declined (one finding, one marker).
  const expected: Record<string, number> = { 'connection-class-v1': 0, 'session-setter-v1': 0, 'initialize-handler-v1': 0, 'helper-option-v1': 0, 'copy-elsewhere-v1': 1 };
  for (const [name, left] of Object.entries(expected)) {
    it(`${name}: ${left === 0 ? 'no SL005 finding or marker left, and the copy is no conversation state' : 'one SL005 finding and its one marker'}`, () => {
      const fixture = cases.find((c) => c.name === name)!;
      const migrated = transformFiles(fixture.input, { transforms: TRANSFORMS, options });
      expect(migrated.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
      const files = { ...fixture.input, ...migrated.changed };
      const findings = auditFiles(files).findings;
      const markers = Object.values(files).flatMap((text) => text.split('\n').filter((line) => line.includes('@mcp-sessionless-todo(SL005)')));
      expect(findings.filter((f) => f.rule === 'SL005').length).toBe(left);
      expect(markers.length).toBe(left);
      expect(findings.filter((f) => /clientVersion|mcpClient|currentClient/.test(f.message))).toEqual([]);
    });
  }
});

describe('per-request-context: what sending a log on the request changes is said', () => {
  it('reports once per file, as info, that the session log level no longer filters the messages', () => {
    const files = { 'index.ts': readFileSync(join(FIXTURES_ROOT, 'per-request-context', 'addressed-logs-v1.input.ts'), 'utf8') };
    const migrated = transformFiles(files, { transforms: [perRequestContextTransform] });
    const notes = migrated.diagnostics.filter((d) => d.level === 'info' && d.message.includes('logging/setLevel'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ rule: 'SL005', file: 'index.ts', transform: 'per-request-context' });
    expect(notes[0]!.message).toContain("params._meta['io.modelcontextprotocol/logLevel']");
    // It points at the first rewritten call, a line that now sends on the request.
    expect((migrated.changed['index.ts'] ?? '').split('\n')[notes[0]!.line - 1]).toContain('sendNotification');
  });
});
