import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/verify/conversation.js';
import { startHttpRecorder } from '../../src/verify/record.js';
import { replayConversation } from '../../src/verify/replay.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { example, failureLines, removeTmp, runnableCopy, startCartServer, tmpDir, type Running } from './support.js';

/**
 * Record a real client's conversation with an example as written (through the HTTP proxy, and through the
 * stdio proxy the client starts as its server), then replay it against the migrated example: the handles
 * the migration introduced are threaded in (a creator is called first, later calls get its handle) and the
 * answers compare equal. A migrated server whose answer drifted is reported with the step.
 */
afterAll(() => removeTmp());

describe('cart-server over HTTP: record the session-era server, replay against the migrated one', () => {
  let original: Running;
  let migrated: Running;
  let drifted: Running;
  let conversation: Conversation;

  beforeAll(async () => {
    original = await startCartServer(await example('cart-server', 'original'));
    const migratedDir = await example('cart-server', 'migrated');
    migrated = await startCartServer(migratedDir);
    // The same migrated server with a regression: view_cart formats its lines differently.
    const driftedDir = runnableCopy(migratedDir, 'cart-server-drifted');
    const serverJs = join(driftedDir, 'src', 'server.js');
    const source = readFileSync(serverJs, 'utf8');
    const regressed = source.replace('`${line.quantity} × ${line.sku}`', '`${line.sku} (x${line.quantity})`');
    expect(regressed).not.toBe(source);
    writeFileSync(serverJs, regressed);
    drifted = await startCartServer(driftedDir);

    const out = tmpDir('cart-conversation.json');
    const recorder = await startHttpRecorder({ kind: 'http', url: original.url }, { out });
    const client = new Client({ name: 'shopper', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(recorder.url)));
    await client.callTool({ name: 'list_products', arguments: {} });
    await client.callTool({ name: 'add_to_cart', arguments: { sku: 'mug-01', quantity: 2 } });
    await client.callTool({ name: 'add_to_cart', arguments: { sku: 'cap-03', quantity: 1 } });
    await client.callTool({ name: 'view_cart', arguments: {} });
    await client.close();
    conversation = await recorder.stop();
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(conversation);
  });
  afterAll(async () => {
    await Promise.all([original, migrated, drifted].map((server) => server?.stop()));
  });

  it('records every request with its answer, in order', () => {
    const calls = conversation.steps.filter((step) => step.method === 'tools/call');
    expect(calls.map((step) => step.params?.name)).toEqual(['list_products', 'add_to_cart', 'add_to_cart', 'view_cart']);
    expect(conversation.steps[0]!.method).toBe('initialize');
    expect(JSON.stringify(calls[3]!.result)).toContain('2 × mug-01');
  });

  it('replays cleanly against the migrated server, calling create_cart first for the cart_id the old calls lacked', async () => {
    const report = await replayConversation(conversation, { kind: 'http', url: migrated.url });
    expect(failureLines(report)).toEqual([]);
    expect(report.outcomes.filter((o) => o.check === 'replay' && o.status === 'pass')).toHaveLength(4);
    expect(report.calls.map((call) => call.tool)).toEqual(['list_products', 'create_cart', 'add_to_cart', 'add_to_cart', 'view_cart']);
  });

  it('reports the step where the migrated server answers differently', async () => {
    const report = await replayConversation(conversation, { kind: 'http', url: drifted.url });
    const step = conversation.steps.findIndex((s) => s.params?.name === 'view_cart') + 1;
    expect(failureLines(report)).toEqual([`replay step ${step} (view_cart): answers differently: recorded "2 × mug-01 1 × cap-03", now "mug-01 (x2) cap-03 (x1)"`]);
  });
});

describe('db-stdio: record through the stdio proxy (CLI), replay with the CLI', () => {
  it('threads the connection_id into list_tables and read_table, and exits 0', async () => {
    const original = await example('db-stdio', 'original');
    const migrated = await example('db-stdio', 'migrated');
    const out = tmpDir('db-conversation.json');
    // The client starts `verify record` as its stdio server; verify starts the real one behind it.
    const client = new Client({ name: 'analyst', version: '1.0.0' });
    const bin = join(REPO_ROOT, 'bin', 'mcp-sessionless.js');
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'verify', 'record', '--out', out, '--', process.execPath, join(original, 'src', 'index.js')], stderr: 'pipe' }));
    await client.callTool({ name: 'connect_database', arguments: { url: 'memory://demo' } });
    await client.callTool({ name: 'list_tables', arguments: {} });
    const rows = await client.callTool({ name: 'read_table', arguments: { table: 'users' } });
    expect(JSON.stringify(rows)).toContain('Grace');
    await client.close();
    await expect.poll(() => existsSync(out) && (JSON.parse(readFileSync(out, 'utf8')) as Conversation).steps.length).toBe(4);

    const replay = runCli(['verify', 'replay', out, '--format', 'json', '--', process.execPath, join(migrated, 'src', 'index.js')]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    const report = JSON.parse(replay.stdout) as { summary: { errors: number }; calls: Array<{ tool: string }> };
    expect(report.summary.errors).toBe(0);
    expect(report.calls.map((c) => c.tool)).toEqual(['connect_database', 'list_tables', 'read_table']);

    // Against the server as written, the recording replays too: the same server answers the same.
    const same = runCli(['verify', 'replay', out, '--', process.execPath, join(original, 'src', 'index.js')]);
    expect(same.code, same.stdout).toBe(0);
  });
});

describe('a removed selection setter', () => {
  it("threads use_warehouse's value into count_stock's new warehouse parameter", async () => {
    const server = join(REPO_ROOT, 'test', 'verify', 'servers', 'inventory-server.mjs');
    const out = tmpDir('inventory-conversation.json');
    const bin = join(REPO_ROOT, 'bin', 'mcp-sessionless.js');
    const client = new Client({ name: 'clerk', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [bin, 'verify', 'record', '--out', out, '--', process.execPath, server], env: { ...(process.env as Record<string, string>), ERA: 'old' }, stderr: 'pipe' }),
    );
    await client.callTool({ name: 'use_warehouse', arguments: { warehouse: 'lisbon' } });
    await client.callTool({ name: 'count_stock', arguments: { sku: 'bolt-m4' } });
    await client.close();
    await expect.poll(() => existsSync(out) && (JSON.parse(readFileSync(out, 'utf8')) as Conversation).steps.length).toBe(3);
    const conversation = JSON.parse(readFileSync(out, 'utf8')) as Conversation;
    expect(JSON.stringify(conversation.steps[2]!.result)).toContain('7 × bolt-m4 in lisbon');

    const report = await replayConversation(conversation, { kind: 'stdio', command: process.execPath, args: [server], env: { ERA: 'new' } });
    expect(failureLines(report)).toEqual([]);
    expect(report.outcomes).toContainEqual(expect.objectContaining({ check: 'replay', subject: 'step 2 (use_warehouse)', status: 'skip', message: 'use_warehouse is gone from the migrated server; its value "lisbon" is passed to later calls' }));
    expect(report.outcomes).toContainEqual(expect.objectContaining({ check: 'replay', subject: 'step 3 (count_stock)', status: 'pass' }));
  });
});

describe('recording over stdio when the server does not exit on its own', () => {
  it('stops the real server after its client closes (input closed, then SIGTERM), so nothing outlives the recording', async () => {
    const server = join(REPO_ROOT, 'test', 'verify', 'servers', 'lingering-server.mjs');
    const out = tmpDir('lingering-conversation.json');
    const pidFile = tmpDir('lingering.pid');
    const bin = join(REPO_ROOT, 'bin', 'mcp-sessionless.js');
    const client = new Client({ name: 'pinger', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [bin, 'verify', 'record', '--out', out, '--', process.execPath, server], env: { ...(process.env as Record<string, string>), PID_FILE: pidFile }, stderr: 'pipe' }),
    );
    await client.callTool({ name: 'ping', arguments: {} });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive()).toBe(true);
    await client.close();
    for (let waited = 0; alive() && waited < 10_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
    expect(alive()).toBe(false);
    expect((JSON.parse(readFileSync(out, 'utf8')) as Conversation).steps.map((step) => step.method)).toEqual(['initialize', 'tools/call']);
  });
});

