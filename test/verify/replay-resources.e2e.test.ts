/**
 * Recorded conversations that read resources, replayed against servers whose migration moved them into a
 * record. The old conversation reads `console://logs` or `research://snapshots/1`; the migrated server serves
 * them under the record's id (`console://{browser_id}/logs`), links to what a tool made with its URI as text
 * (lowlevel-screenshots-sdk-1.0.1, pinned to an SDK release without resource_link), or names it in a sentence
 * (lowlevel-research-log-v1: "its snapshot is at research://<id>/snapshots/1"). Replay reads under the handle
 * it holds and compares the answers under the URIs the old server knew.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/verify/conversation.js';
import { replayConversation } from '../../src/verify/replay.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { buildCase, buildInput, type Built } from '../handles/e2e/support.js';
import { scopeCase } from '../scope/stdio-pair.js';
import { failureLines, removeTmp, tmpDir } from './support.js';

interface ReplayCase {
  fixture: string;
  calls: Array<{ name: string; arguments: Record<string, unknown> }>;
  reads: string[];
  /** A read of an item the record does not hold. */
  missing: { uri: string; instead: string };
}

const CASES: ReplayCase[] = [
  {
    fixture: 'lowlevel-screenshots-sdk-1.0.1',
    calls: [
      { name: 'navigate', arguments: { url: 'https://shop.example' } },
      { name: 'screenshot', arguments: { name: 'home' } },
    ],
    reads: ['console://logs', 'screenshot://home'],
    missing: { uri: 'screenshot://home', instead: 'screenshot://away' },
  },
  {
    fixture: 'lowlevel-research-log-v1',
    calls: [
      { name: 'open_address', arguments: { address: 'https://one.example' } },
      { name: 'note_finding', arguments: { note: 'first look' } },
      { name: 'note_finding', arguments: { note: 'worth keeping', keepSnapshot: true } },
    ],
    reads: ['research://snapshots/1', 'research://log'],
    missing: { uri: 'research://snapshots/1', instead: 'research://snapshots/7' },
  },
];

afterAll(() => removeTmp());

for (const replayCase of CASES) describe(`${replayCase.fixture}: resource reads replayed against records keyed by a handle`, () => {
  const CASE = scopeCase(replayCase.fixture, 'create_browser', 'browser_id');
  const steps = 1 + replayCase.calls.length + replayCase.reads.length;
  let original: Built;
  let migrated: Built;
  let conversation: Conversation;
  const env = { ...(process.env as Record<string, string>), MCP_HANDLE_STORE: 'memory' };
  const replay = (recorded: Conversation) => replayConversation(recorded, { kind: 'stdio', command: process.execPath, args: [migrated.path('src/index.ts')], cwd: migrated.dir, env });

  beforeAll(async () => {
    original = buildInput(CASE);
    migrated = buildCase(CASE);
    const out = tmpDir(`${replayCase.fixture}-conversation.json`);
    const bin = join(REPO_ROOT, 'bin', 'mcp-sessionless.js');
    const client = new Client({ name: 'reviewer', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [bin, 'verify', 'record', '--out', out, '--', process.execPath, original.path('src/index.ts')], cwd: original.dir, env, stderr: 'pipe' }),
    );
    for (const call of replayCase.calls) await client.callTool(call);
    for (const uri of replayCase.reads) await client.readResource({ uri });
    await client.close();
    // The recorder writes each step as it completes; the last may land just after the client closes.
    const written = () => existsSync(out) && (JSON.parse(readFileSync(out, 'utf8')) as Conversation).steps.length === steps;
    for (let waited = 0; !written() && waited < 5000; waited += 50) await new Promise((done) => setTimeout(done, 50));
    conversation = JSON.parse(readFileSync(out, 'utf8')) as Conversation;
  });
  afterAll(() => {
    original?.remove();
    migrated?.remove();
  });

  it('the old server answered every read under its own URI', () => {
    const reads = conversation.steps.filter((step) => step.method === 'resources/read');
    expect(reads.map((step) => (step.result as { contents: Array<{ uri: string }> }).contents[0]!.uri)).toEqual(replayCase.reads);
  });

  it('reads each resource under the handle the replay holds, and every answer matches', async () => {
    const report = await replay(conversation);
    expect(failureLines(report)).toEqual([]);
    const passed = report.outcomes.filter((o) => o.check === 'replay' && o.status === 'pass').map((o) => o.subject);
    expect(passed).toEqual([
      ...replayCase.calls.map((call, index) => `step ${index + 2} (${call.name})`),
      ...replayCase.reads.map((uri, index) => `step ${index + 2 + replayCase.calls.length} (resources/read ${uri})`),
    ]);
    // One record served all of it: the creator ran once, for the handle the first call lacked.
    expect(report.calls.map((call) => call.tool)).toEqual(['create_browser', ...replayCase.calls.map((call) => call.name)]);
  });

  it('a read of an item the record does not hold still answers differently', async () => {
    const wrong = structuredClone(conversation);
    const index = wrong.steps.findIndex((step) => step.method === 'resources/read' && step.params?.uri === replayCase.missing.uri);
    wrong.steps[index]!.params = { ...wrong.steps[index]!.params, uri: replayCase.missing.instead };
    const report = await replay(wrong);
    expect(failureLines(report)).toEqual([expect.stringMatching(new RegExp(`^replay step ${index + 1} \\(resources/read ${replayCase.missing.instead}\\): answers differently: recorded .*, now "error"$`))]);
  });
});
