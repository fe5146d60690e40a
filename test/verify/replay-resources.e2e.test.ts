/**
 * A recorded conversation that reads resources, replayed against a server whose migration moved them into a
 * record: the screenshot and console-log resources of lowlevel-screenshots-sdk-1.0.1 (a low-level server pinned
 * to an SDK release without resource_link). The old conversation reads `console://logs` and
 * `screenshot://home`; the migrated server serves them as `console://{browser_id}/logs` and
 * `screenshot://{browser_id}/{name}`, and links to a screenshot with its URI as text. Replay reads under the
 * handle it holds and compares the answers under the URIs the old server knew.
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

const CASE = scopeCase('lowlevel-screenshots-sdk-1.0.1', 'create_browser', 'browser_id');

describe('replay of resource reads against records keyed by a handle', () => {
  let original: Built;
  let migrated: Built;
  let conversation: Conversation;
  const env = { ...(process.env as Record<string, string>), MCP_HANDLE_STORE: 'memory' };

  beforeAll(async () => {
    original = buildInput(CASE);
    migrated = buildCase(CASE);
    const out = tmpDir('screenshots-conversation.json');
    const bin = join(REPO_ROOT, 'bin', 'mcp-sessionless.js');
    const client = new Client({ name: 'reviewer', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [bin, 'verify', 'record', '--out', out, '--', process.execPath, original.path('src/index.ts')], cwd: original.dir, env, stderr: 'pipe' }),
    );
    await client.callTool({ name: 'navigate', arguments: { url: 'https://shop.example' } });
    await client.callTool({ name: 'screenshot', arguments: { name: 'home' } });
    await client.readResource({ uri: 'console://logs' });
    await client.readResource({ uri: 'screenshot://home' });
    await client.close();
    // The recorder writes each step as it completes; the last may land just after the client closes.
    const written = () => existsSync(out) && (JSON.parse(readFileSync(out, 'utf8')) as Conversation).steps.length === 5;
    for (let waited = 0; !written() && waited < 5000; waited += 50) await new Promise((done) => setTimeout(done, 50));
    conversation = JSON.parse(readFileSync(out, 'utf8')) as Conversation;
  });
  afterAll(() => {
    original?.remove();
    migrated?.remove();
    removeTmp();
  });

  it('the old server answered the reads under their own URIs', () => {
    const reads = conversation.steps.filter((step) => step.method === 'resources/read');
    expect(JSON.stringify(reads[0]!.result)).toContain('loaded https://shop.example');
    expect(JSON.stringify(reads[1]!.result)).toContain('"uri":"screenshot://home"');
  });

  it('reads each resource under the handle the replay holds, and the answers match', async () => {
    const report = await replayConversation(conversation, { kind: 'stdio', command: process.execPath, args: [migrated.path('src/index.ts')], cwd: migrated.dir, env });
    expect(failureLines(report)).toEqual([]);
    const passed = report.outcomes.filter((o) => o.check === 'replay' && o.status === 'pass').map((o) => o.subject);
    expect(passed).toEqual(['step 2 (navigate)', 'step 3 (screenshot)', 'step 4 (resources/read console://logs)', 'step 5 (resources/read screenshot://home)']);
    // One record served all of it: the creator ran once, for the handle the first call lacked.
    expect(report.calls.map((call) => call.tool)).toEqual(['create_browser', 'navigate', 'screenshot']);
  });

  it('a read the migrated record does not hold still answers differently', async () => {
    const wrong = structuredClone(conversation);
    const read = wrong.steps.find((step) => step.method === 'resources/read' && step.params?.uri === 'screenshot://home')!;
    read.params = { ...read.params, uri: 'screenshot://away' };
    const report = await replayConversation(wrong, { kind: 'stdio', command: process.execPath, args: [migrated.path('src/index.ts')], cwd: migrated.dir, env });
    expect(failureLines(report)).toEqual([expect.stringMatching(/^replay step 5 \(resources\/read screenshot:\/\/away\): answers differently: recorded .*, now "error"$/)]);
  });
});
