import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { ALICE, BOB, NOTES_SERVER, removeTmp, startChild, startNotesServer, tmpDir, transpileAll, type Running } from './support.js';

/** The verify command as a user runs it: exit codes, formats, files, flags. */
const auth = (headers: Record<string, string>) => `Authorization: ${headers.Authorization}`;
afterAll(() => removeTmp());

describe('mcp-sessionless verify', () => {
  let clean: Running;
  let counter: Running;
  beforeAll(async () => {
    [clean, counter] = await Promise.all([startNotesServer([]), startNotesServer(['counter-handles'])]);
  });
  afterAll(async () => {
    await Promise.all([clean?.stop(), counter?.stop()]);
  });

  it('exits 0 on a clean server and says which version it spoke', () => {
    const run = runCli(['verify', '--url', clean.url, '--header', auth(ALICE), '--header-b', auth(BOB)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/spoke 2026-07-28 \(modern era\)/);
    expect(run.stdout).toContain('0 error(s), 0 warning(s)');
  });

  it('exits 2 on findings, naming the tool', () => {
    const run = runCli(['verify', '--url', counter.url, '--header', auth(ALICE)]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('error  SL007 handle-entropy  create_notebook (notebook_id): notebook_id from create_notebook is guessable');
  });

  it('writes JSON and JUnit reports to a file', () => {
    const jsonFile = tmpDir('report.json');
    const json = runCli(['verify', '--url', counter.url, '--header', auth(ALICE), '--format', 'json', '--output', jsonFile]);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/finding\(s\); json report written to/);
    const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as { summary: { errors: number }; outcomes: Array<{ check: string; status: string; rule: string }> };
    expect(report.summary.errors).toBe(1);
    expect(report.outcomes).toContainEqual(expect.objectContaining({ check: 'handle-entropy', status: 'fail', rule: 'SL007' }));
    const junit = runCli(['verify', '--url', counter.url, '--header', auth(ALICE), '--format', 'junit']);
    expect(junit.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(junit.stdout).toContain('<failure message="notebook_id from create_notebook is guessable');
  });

  it('exits 1 when the server cannot be reached or started, and on usage errors', () => {
    const unreachable = runCli(['verify', '--url', 'http://127.0.0.1:9/mcp']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: cannot connect to http:\/\/127\.0\.0\.1:9\/mcp/);
    const crashing = runCli(['verify', '--', process.execPath, '-e', 'process.exit(3)']);
    expect(crashing.code).toBe(1);
    expect(runCli(['verify']).stderr).toContain('nothing to verify');
    expect(runCli(['verify', '--url', clean.url, '--header', 'no colon']).stderr).toContain('a header is "Name: value"');
    expect(runCli(['verify', '--url', clean.url, '--format', 'xml']).code).toBe(1);
    const unwritable = runCli(['verify', 'record', '--out', '/nonexistent-folder/conversation.json', '--', process.execPath, NOTES_SERVER, 'stdio']);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain('cannot write the conversation to /nonexistent-folder/conversation.json');
    const notAConversation = runCli(['verify', 'replay', NOTES_SERVER, '--', process.execPath, NOTES_SERVER, 'stdio']);
    expect(notAConversation.code).toBe(1);
    expect(notAConversation.stderr).toContain('cannot read the conversation');
  });

  it('verifies a stdio server it starts itself', () => {
    const run = runCli(['verify', '--', process.execPath, NOTES_SERVER, 'stdio'], { env: { FAULTS: 'current-notebook' } });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('current_notes: current_notes failed before create_notebook ran');
  });
});

describe('--replica', () => {
  it('passes when two replicas share a Redis handle store, and names the refusal when they do not', async () => {
    const workspace = tmpDir('replicas');
    mkdirSync(workspace, { recursive: true });
    const created = runCli(['new', 'replicated', '--yes', '--transport', 'http', '--store', 'redis', '--no-install', '--no-git'], { cwd: workspace });
    expect(created.code, created.stderr).toBe(0);
    const dir = join(workspace, 'replicated');
    transpileAll(dir);
    const env = { PORT: '0', MCP_HANDLE_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379', MCP_HANDLE_KEY_PREFIX: `verify-test:${process.pid}:` };
    const start = () => startChild([join(dir, 'src', 'http.js')], { cwd: dir, env, ready: /listening on (http\S+)/ });
    const [one, two] = await Promise.all([start(), start()]);
    const alone = await startNotesServer([]);
    const other = await startNotesServer([]);
    try {
      const shared = runCli(['verify', '--url', one.match, '--replica', two.match]);
      expect(shared.code, shared.stdout).toBe(0);
      expect(shared.stdout).toMatch(/✓ a handle works on a second replica: 1 passed/);
      const separate = runCli(['verify', '--url', alone.url, '--header', auth(ALICE), '--replica', other.url]);
      expect(separate.code).toBe(2);
      expect(separate.stdout).toContain('handle-replica  create_notebook (notebook_id): list_notes on the replica');
      expect(separate.stdout).toContain('refused the handle');
    } finally {
      await Promise.all([one.stop(), two.stop(), alone.stop(), other.stop()]);
      await deleteKeys(env.MCP_HANDLE_KEY_PREFIX);
    }
  });
});

async function deleteKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}
