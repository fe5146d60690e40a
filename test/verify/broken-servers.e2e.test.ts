import { describe, expect, it } from 'vitest';
import { verifyServer } from '../../src/verify/verify.js';
import type { VerifyReport } from '../../src/verify/types.js';
import { ALICE, BOB, failureLines, NOTES_SERVER, startNotesServer } from './support.js';

/**
 * The notes test server, once clean and once per deliberate SEP-2567 fault, over real HTTP (two bearer
 * principals) and real stdio. The clean server must pass with nothing to report; each fault must be caught
 * by its check, with a message naming the tool or list, and by nothing else.
 */
async function verifyHttp(faults: string[]): Promise<VerifyReport> {
  const server = await startNotesServer(faults);
  try {
    return await verifyServer({ kind: 'http', url: server.url, headers: ALICE, headersB: BOB });
  } finally {
    await server.stop();
  }
}

const verifyStdio = (faults: string[]) => verifyServer({ kind: 'stdio', command: process.execPath, args: [NOTES_SERVER, 'stdio'], env: { FAULTS: faults.join(',') } });

describe('the clean notes server', () => {
  it('passes every check over HTTP with two principals, speaking 2026-07-28', async () => {
    const report = await verifyHttp([]);
    expect(failureLines(report)).toEqual([]);
    expect(report.protocolVersion).toBe('2026-07-28');
    const passed = new Set(report.outcomes.filter((o) => o.status === 'pass').map((o) => o.check));
    for (const check of ['session-id', 'get-delete-405', 'lists-across-connections', 'lists-after-calls', 'implicit-state', 'handle-entropy', 'handle-unknown', 'handle-other-connection', 'handle-principal'] as const) {
      expect(passed, check).toContain(check);
    }
    // Safe exploration: the destructive tool is never called, and add_note (neither creator nor reader) neither.
    expect(report.calls.map((c) => c.tool)).not.toContain('delete_notebook');
    expect(report.calls.map((c) => c.tool)).not.toContain('add_note');
  });

  it('may filter its lists by principal when it says cacheScope "private"', async () => {
    const report = await verifyHttp(['admin-private']);
    expect(failureLines(report)).toEqual([]);
    expect(report.outcomes).toContainEqual(expect.objectContaining({ check: 'lists-cache-scope', subject: 'tools/list', status: 'pass' }));
  });

  it('passes over stdio', async () => {
    const report = await verifyStdio([]);
    expect(failureLines(report)).toEqual([]);
    expect(report.outcomes.some((o) => o.check === 'implicit-state' && o.status === 'pass')).toBe(true);
  });

  it('calls tools outside the safe set only when asked', async () => {
    const server = await startNotesServer([]);
    try {
      const report = await verifyServer({ kind: 'http', url: server.url, headers: ALICE }, { callAll: true });
      expect(report.calls.map((c) => c.tool)).toContain('add_note');
      expect(report.calls.map((c) => c.tool)).not.toContain('delete_notebook');
      const destructive = await verifyServer({ kind: 'http', url: server.url, headers: ALICE }, { callAll: true, allowDestructive: true });
      expect(destructive.calls.map((c) => c.tool)).toContain('delete_notebook');
      // A scenario names its calls; missing required parameters (the notebook_id) come from minted handles.
      const scenario = await verifyServer({ kind: 'http', url: server.url, headers: ALICE }, { scenario: { calls: [{ tool: 'add_note', arguments: { text: 'from the scenario' } }] } });
      expect(failureLines(scenario)).toEqual([]);
      expect(scenario.calls.at(-1)).toEqual({ tool: 'add_note', isError: false });
      expect(scenario.calls.map((c) => c.tool)).not.toContain('delete_notebook');
    } finally {
      await server.stop();
    }
  });
});

interface FaultCase {
  fault: string;
  transport: 'http' | 'stdio';
  /** Each expected failure line must match one of these. */
  expected: RegExp[];
}

const FAULTS: FaultCase[] = [
  { fault: 'session-id', transport: 'http', expected: [/^session-id endpoint: the server issued Mcp-Session-Id/] },
  { fault: 'tools-change', transport: 'http', expected: [/^lists-after-calls tools\/list: tools\/list changed after calling create_notebook: added "export_notebook"/] },
  {
    fault: 'resources-grow',
    transport: 'http',
    expected: [/^lists-across-connections resources\/list: resources\/list differs on a second fresh connection: added "notes:\/\/connections\/2"/, /^lists-after-calls resources\/list: resources\/list changed after calling create_notebook/],
  },
  { fault: 'counter-handles', transport: 'http', expected: [/^handle-entropy create_notebook \(notebook_id\): .*guessable.*"notebook_1".*ids count up \(1, 2, 3\)/] },
  { fault: 'shared-handles', transport: 'http', expected: [/^handle-principal create_notebook \(notebook_id\): list_notes notebook_id: the second principal used the first principal's handle/] },
  { fault: 'current-notebook', transport: 'stdio', expected: [/^implicit-state current_notes: current_notes failed before create_notebook ran \("No notebook open"\) and succeeds later in the same process/] },
  { fault: 'admin-public', transport: 'http', expected: [/^lists-cache-scope tools\/list: tools\/list differs by principal \(removed "admin_report"\) but answers cacheScope "public" \/ "public"/] },
  { fault: 'current-notebook', transport: 'http', expected: [/^implicit-state current_notes: current_notes failed before create_notebook ran .* on a new connection/] },
];

describe('each deliberate fault is caught, by its own check only', () => {
  for (const testCase of FAULTS) {
    it(`${testCase.fault} over ${testCase.transport}`, async () => {
      const report = await (testCase.transport === 'http' ? verifyHttp([testCase.fault]) : verifyStdio([testCase.fault]));
      const lines = failureLines(report);
      expect(lines.length, lines.join('\n')).toBeGreaterThan(0);
      for (const line of lines) expect(testCase.expected.some((pattern) => pattern.test(line)), line).toBe(true);
      for (const pattern of testCase.expected) expect(lines.some((line) => pattern.test(line)), `${pattern}\n${lines.join('\n')}`).toBe(true);
      expect(failureLines(report, 'error').length).toBeGreaterThan(0);
    });
  }
});
