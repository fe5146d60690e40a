/**
 * The original and the migrated server of one session-scope fixture, each a stdio child of the real v1 Client,
 * for tests that replay the original conversation against the migrated server.
 */
import { afterAll, beforeAll } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { sessionScopeTransform } from '../../transforms/session-scope.js';
import { buildCase, buildInput, handleOf, textOf, type Built, type E2ECase, type ToolResult } from '../handles/e2e/support.js';

export interface StdioPair {
  original: Built;
  migrated: Built;
  /** A client of the original server. */
  before: Client;
  /** A client of the migrated server. */
  after: Client;
  /** A new record's id from the migrated server's creator. */
  create(): Promise<string>;
  stop(): Promise<void>;
}

/** The case of a fixture whose record is created by `creator` and named by `idParam`. */
export function scopeCase(fixture: string, creator: string, idParam: string): E2ECase {
  return {
    transform: sessionScopeTransform,
    fixture,
    sdk: 'v1',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: creator, expect: idParam },
    idParam,
    kindName: idParam.replace(/_id$/, ''),
    steps: [],
    probe: { tool: creator, expect: idParam },
    shared: false,
  };
}

/**
 * A real v1 Client over stdio to a built server (the memory handle store), with the process's own environment
 * plus `env` and the entry's arguments plus `args`; the transport too, for tests that signal the process.
 */
export async function connectStdio(built: Built, extra: { env?: Record<string, string>; args?: string[] } = {}): Promise<{ client: Client; transport: StdioClientTransport }> {
  const client = new Client({ name: 'scope-e2e', version: '1.0.0' });
  const env = { ...(process.env as Record<string, string>), MCP_HANDLE_STORE: 'memory', ...extra.env };
  const transport = new StdioClientTransport({ command: process.execPath, args: [built.path('src/index.ts'), ...(extra.args ?? [])], cwd: built.dir, env, stderr: 'pipe' });
  await client.connect(transport);
  return { client, transport };
}

/** Send the server process SIGINT, as a terminal's Ctrl-C does, and wait until it has exited. */
export async function interrupt(transport: StdioClientTransport): Promise<void> {
  const exited = new Promise<void>((resolve) => transport['_process']?.once('exit', () => resolve()));
  process.kill(transport.pid!, 'SIGINT');
  await exited;
}

/** Both servers start with the same environment (`env`), and the same arguments (`args`), added to the process's own. */
export async function startStdioPair(testCase: E2ECase, extra: { env?: Record<string, string>; args?: string[] } = {}): Promise<StdioPair> {
  const original = buildInput(testCase);
  const migrated = buildCase(testCase);
  const [before, after] = await Promise.all([connectStdio(original, extra), connectStdio(migrated, extra)].map(async (connecting) => (await connecting).client));
  return {
    original,
    migrated,
    before,
    after,
    create: async () => handleOf((await after.callTool({ name: testCase.creator.tool, arguments: {} })) as ToolResult, testCase.idParam) as string,
    stop: async () => {
      await Promise.all([before.close().catch(() => undefined), after.close().catch(() => undefined)]);
      original.remove();
      migrated.remove();
    },
  };
}

/** Start the pair before a file's tests and stop it after them; the getter gives the running pair. */
export function stdioPairFor(testCase: E2ECase, extra: { env?: Record<string, string>; args?: string[] } = {}): () => StdioPair {
  let pair: StdioPair | undefined;
  beforeAll(async () => {
    pair = await startStdioPair(testCase, extra);
  });
  afterAll(async () => {
    await pair?.stop();
  });
  return () => pair!;
}

/** Where a build from the committed output differs from the transform's, lifetimes aside (the build shortens them). */
export function outputDifferences(built: Pick<Built, 'differences'>): string[] {
  return built.differences.filter((line) => !line.includes('ttlSeconds'));
}

/**
 * What a tool that drains a process's output returned over repeated calls, once the text so far matches `wanted`
 * (the process answers asynchronously); `(nothing yet)` answers add nothing. Gives up after five seconds.
 */
export async function outputUntil(client: Client, tool: string, handle: Record<string, string>, wanted: RegExp): Promise<string> {
  let seen = '';
  for (let attempt = 0; attempt < 50 && !wanted.test(seen); attempt++) {
    const text = textOf((await client.callTool({ name: tool, arguments: { ...handle } })) as ToolResult);
    if (text !== '(nothing yet)') seen += text;
    if (!wanted.test(seen)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

/** The text a tool call answers, error results included. */
export async function callText(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  return textOf((await client.callTool({ name, arguments: args })) as ToolResult);
}
