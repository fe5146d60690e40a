/**
 * End-to-end plumbing for migrated fixtures: build a fixture (transpiled with the TypeScript API into a folder
 * inside the repository, so the real SDK packages resolve), serve it over HTTP in child processes or run it as a
 * stdio child, and connect the real MCP clients of the fixture's SDK line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2 } from '@modelcontextprotocol/client/stdio';
import { StreamableHTTPClientTransport as HttpClientTransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as StdioClientTransportV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as HttpClientTransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { transformFiles } from '../../../src/engine/run-transforms.js';
import type { Transform } from '../../../src/engine/transform.js';
import type { ProjectFacts } from '../../../src/engine/project-facts.js';
import { loadFixtureCases } from '../../helpers/fixtures.js';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const HOST = join(REPO_ROOT, 'test', 'handles', 'e2e', 'host-http.mjs');

/** One tool call of a scenario and the text its result must contain. */
export interface Step {
  tool: string;
  args?: Record<string, unknown>;
  expect: string | RegExp;
}

/** How to run one migrated fixture and what to do with it. */
export interface E2ECase {
  transform: Transform;
  fixture: string;
  sdk: 'v1' | 'v2';
  /** A module exporting a server factory (output path, .ts or .js): served over stateless HTTP behind bearer auth. */
  http?: { module: string; factory: string };
  /** An entry that serves stdio when run. */
  stdio?: { entry: string };
  creator: Step;
  idParam: string;
  /** The id prefix, for a well-formed unknown handle. */
  kindName: string;
  /** Calls that use the handle (and keep it alive). */
  steps: Step[];
  /** A call run after the steps, from other connections and processes: it must see what the steps did. */
  probe: Step;
  /** A call that ends the handle (destroy tool), when the fixture has one. */
  destroy?: Step;
  /** Whether the kind is JSON data (the store may keep it in Redis, so a second server process resolves it). */
  shared: boolean;
  /**
   * The fixture pins an SDK release without structured tool output: the creator returns the id as text only
   * (and declares no output schema).
   */
  textOnlyHandle?: boolean;
}

/**
 * Lifetime given to handles in e2e builds, so expiry can be observed. Long enough that a step which starts a
 * second server process on a loaded 2-core machine (test files run side by side) still finds its handle alive.
 */
export const E2E_TTL_SECONDS = 4;

export interface Built {
  dir: string;
  /** Output files as the transform produced them with the e2e lifetime. */
  files: Record<string, string>;
  /** Lines in which the e2e build differs from the committed fixture output (only lifetimes may differ). */
  differences: string[];
  path(relPath: string): string;
  remove(): void;
}

/**
 * Migrate a fixture's input with the e2e lifetime, compare with the committed output (which must differ only in
 * `ttlSeconds` lines), and write the result, transpiled to JavaScript, into test/handles/.tmp.
 */
export function buildCase(testCase: E2ECase): Built {
  const fixture = loadFixtureCases(testCase.transform.id).find((c) => c.name === testCase.fixture);
  if (!fixture) throw new Error(`no fixture ${testCase.transform.id}/${testCase.fixture}`);
  const options = { ...(fixture.options ?? {}), ttl: String(E2E_TTL_SECONDS) };
  const result = transformFiles(fixture.input, { transforms: [testCase.transform], options: { [testCase.transform.id]: options }, facts: fixture.facts });
  const files = { ...fixture.input, ...result.changed };
  const differences: string[] = [];
  for (const path of new Set([...Object.keys(files), ...Object.keys(fixture.output)])) {
    const built = (files[path] ?? '').split('\n');
    const committed = (fixture.output[path] ?? '').split('\n');
    for (let i = 0; i < Math.max(built.length, committed.length); i++) {
      if (built[i] !== committed[i]) differences.push(`${path}:${i + 1}: ${committed[i] ?? ''} → ${built[i] ?? ''}`);
    }
  }
  return writeBuild(testCase.fixture, files, differences, pinnedRelease(fixture.facts));
}

/** The v1 SDK release a fixture pins (its facts.json), run from the matching `mcp-sdk-<version>` dev dependency. */
function pinnedRelease(facts: ProjectFacts | undefined): string | undefined {
  return facts?.sdks.find((sdk) => sdk.package === '@modelcontextprotocol/sdk')?.version;
}

/** The fixture's input, built the same way: the original server, to compare the migrated one against. */
export function buildInput(testCase: E2ECase): Built {
  const fixture = loadFixtureCases(testCase.transform.id).find((c) => c.name === testCase.fixture);
  if (!fixture) throw new Error(`no fixture ${testCase.transform.id}/${testCase.fixture}`);
  return writeBuild(`${testCase.fixture}-input`, fixture.input, [], pinnedRelease(fixture.facts));
}

/**
 * Files transpiled to JavaScript into test/handles/.tmp, where the real SDK packages resolve; a pinned release is
 * linked in as the build's own node_modules/@modelcontextprotocol/sdk, so the server runs on that release.
 */
function writeBuild(name: string, files: Record<string, string>, differences: string[], release?: string): Built {
  const dir = join(REPO_ROOT, 'test', 'handles', '.tmp', `e2e-${name}-${process.pid}-${randomBytes(3).toString('hex')}`);
  if (release) {
    const installed = join(REPO_ROOT, 'node_modules', `mcp-sdk-${release}`);
    mkdirSync(join(dir, 'node_modules', '@modelcontextprotocol'), { recursive: true });
    symlinkSync(installed, join(dir, 'node_modules', '@modelcontextprotocol', 'sdk'), 'dir');
    // Tool shapes must be written in the zod that release validates with (zod 3 for old releases).
    if (existsSync(join(installed, 'node_modules', 'zod'))) symlinkSync(join(installed, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
  }
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    const js = path.endsWith('.ts')
      ? ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: path }).outputText
      : text;
    writeFileSync(target, js);
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return {
    dir,
    files,
    differences,
    path: (relPath) => join(dir, relPath.replace(/\.ts$/, '.js')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A running HTTP host. */
export interface HttpServer {
  url: URL;
  stop(): Promise<void>;
}

/** Start the fixture's factory behind bearer auth in a child process sharing `env` (store backend, key prefix). */
export async function startHttp(built: Built, testCase: E2ECase, env: Record<string, string>): Promise<HttpServer> {
  const http = testCase.http!;
  const child = spawn(process.execPath, [HOST, built.path(http.module), http.factory, testCase.sdk], {
    cwd: built.dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`HTTP host exited with ${code}: ${stderr}`)));
  });
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** What the tests need of a connected client, on either SDK line. */
export interface Connection {
  listTools(): Promise<{ tools: unknown[] }>;
  call(tool: string, args?: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

export interface ToolResult {
  isError?: boolean;
  content?: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
}

/** The text of a tool result. */
export function textOf(result: ToolResult): string {
  return (result.content ?? []).map((item) => item.text ?? '').join('\n');
}

/** The handle a creator returned: its structured content, else the `{"<idParam>":"…"}` text item. */
export function handleOf(result: ToolResult, idParam: string): unknown {
  if (result.structuredContent) return result.structuredContent[idParam];
  for (const item of result.content ?? []) {
    try {
      const parsed = JSON.parse(item.text ?? '') as Record<string, unknown>;
      if (parsed && typeof parsed === 'object' && idParam in parsed) return parsed[idParam];
    } catch {
      // Not the id item.
    }
  }
  return undefined;
}

const CLIENT_INFO = { name: 'handles-e2e', version: '1.0.0' };

export async function connectHttp(sdk: 'v1' | 'v2', url: URL, token: string): Promise<Connection> {
  const requestInit = { headers: { Authorization: `Bearer ${token}` } };
  if (sdk === 'v2') {
    const client = new ClientV2(CLIENT_INFO, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new HttpClientTransportV2(url, { requestInit }));
    return wrap(client);
  }
  const client = new ClientV1(CLIENT_INFO);
  await client.connect(new HttpClientTransportV1(url, { requestInit }));
  return wrap(client);
}

export async function connectStdio(sdk: 'v1' | 'v2', built: Built, entry: string, env: Record<string, string>): Promise<Connection> {
  const params = { command: process.execPath, args: [built.path(entry)], cwd: built.dir, env: { ...(process.env as Record<string, string>), ...env }, stderr: 'pipe' as const };
  if (sdk === 'v2') {
    const client = new ClientV2(CLIENT_INFO, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StdioClientTransportV2(params));
    return wrap(client);
  }
  const client = new ClientV1(CLIENT_INFO);
  await client.connect(new StdioClientTransportV1(params));
  return wrap(client);
}

interface AnyClient {
  listTools(): Promise<{ tools: unknown[] }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

function wrap(client: AnyClient): Connection {
  return {
    listTools: () => client.listTools(),
    call: async (tool, args = {}) => (await client.callTool({ name: tool, arguments: args })) as ToolResult,
    close: () => client.close(),
  };
}

/** A fresh Redis key prefix for one test file's handles, and a way to delete them afterwards. */
export function redisPrefix(): string {
  return `mcp-sessionless-e2e:${process.pid}:${randomBytes(4).toString('hex')}:`;
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis('redis://127.0.0.1:6379');
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}
