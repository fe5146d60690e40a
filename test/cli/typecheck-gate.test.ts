import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

/** A v1 Streamable HTTP server that routes sessions and keeps no state of its own: only its transport migrates. */
const SERVER = `import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

function buildServer(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.tool('ping', 'Answer pong', async () => ({ content: [{ type: 'text', text: 'pong' }] }));
  return server;
}

const app = express();
app.use(express.json());
const transports: Record<string, StreamableHTTPServerTransport> = {};

app.post('/mcp', async (req, res) => {
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  let transport: StreamableHTTPServerTransport;
  if (sessionId && transports[sessionId]) {
    transport = transports[sessionId];
  } else if (!sessionId && isInitializeRequest(req.body)) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports[id] = transport;
      },
    });
    await buildServer().connect(transport);
  } else {
    res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'No valid session' }, id: null });
    return;
  }
  await transport.handleRequest(req, res, req.body);
});

app.listen(3000);
`;

/**
 * The project as installed: the v1 SDK, express and TypeScript, and not the v2 packages. Asking for v2 serving
 * code (`--set stateless-transport.output=v2`) before installing them writes imports that do not resolve.
 */
function echoProject(): TempProject {
  const project = tempProject(
    {
      'package.json': JSON.stringify({ name: 'echo', type: 'module', dependencies: { '@modelcontextprotocol/sdk': '^1.32.2', express: '^5.1.0' } }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, esModuleInterop: true },
        include: ['src'],
      }),
      'src/server.ts': SERVER,
    },
    { git: true },
  );
  for (const name of ['@modelcontextprotocol/sdk', 'express', '@types/express', '@types/node', 'typescript', 'zod']) {
    const target = join(project.dir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', name), target, 'dir');
  }
  project.write('.gitignore', 'node_modules\n');
  project.git('add', '-A');
  project.git('commit', '-qm', 'ignore node_modules');
  return project;
}

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('migrate type-check gate (CLI)', () => {
  it('writes a migration that passes the gate and says so', () => {
    project = echoProject();
    const dry = runCli(['migrate', project.dir, '--no-diff']);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/type-check gate passed: no type error introduced \(tsconfig\.json, 1 file\(s\) checked with typescript 5\.[\d.]+, \d+ ms\); the diff would be written/);
    const write = runCli(['migrate', project.dir, '--write', '--no-diff']);
    expect(write.code).toBe(0);
    expect(write.stderr).toContain('type-check gate passed');
    expect(project.read('src/server.ts')).toContain('sessionIdGenerator: undefined');
  }, 180_000);

  it('refuses to write changes that introduce type errors, names them and exits 1; --force-write writes them', () => {
    project = echoProject();
    const v2 = ['--set', 'stateless-transport.output=v2', '--no-diff'];
    const held = runCli(['migrate', project.dir, '--write', ...v2]);
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(/src\/server\.ts:\d+:\d+ {2}error {2}type-error {2}TS2307 Cannot find module '@modelcontextprotocol\/[a-z]+'.*1 file\(s\) not written\)/);
    expect(held.stderr).toContain('1 file(s) not written (--force-write writes them anyway)');
    expect(held.stderr).toContain('0 file(s) changed');
    expect(project.read('src/server.ts')).toBe(SERVER);
    expect(project.git('status', '--porcelain')).toBe('');

    // A dry run says the same and exits 1; its patch holds what a write would write, so the held-back file stays out.
    const patch = join(project.dir, 'out.diff');
    const dry = runCli(['migrate', project.dir, '--patch', patch, ...v2]);
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain('1 file(s) would not be written; the rest of the diff would be');
    expect(project.read('out.diff')).toBe('');
    expect(runCli(['migrate', project.dir, '--patch', patch, '--force-write', ...v2]).code).toBe(0);
    expect(project.read('out.diff')).toMatch(/^\+\+\+ b\/.*src\/server\.ts$/m);
    rmSync(patch);

    const forced = runCli(['migrate', project.dir, '--write', '--force-write', ...v2]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/warning {2}type-error {2}TS2307/);
    expect(forced.stderr).toContain('1 file(s) written anyway (--force-write)');
    expect(project.read('src/server.ts')).toContain('@modelcontextprotocol/');
    expect(project.read('src/server.ts')).not.toBe(SERVER);
  }, 180_000);

  it('skips the gate with --no-typecheck, and refuses --force-write without a write', () => {
    project = echoProject();
    const skipped = runCli(['migrate', project.dir, '--no-diff', '--no-typecheck', '--set', 'stateless-transport.output=v2']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('type-check gate skipped: --no-typecheck');
    const misuse = runCli(['migrate', project.dir, '--force-write']);
    expect(misuse.code).toBe(1);
    expect(misuse.stderr).toContain('--force-write overrides the type-check gate of a write: pass it with --write or --patch');
  }, 180_000);
});
