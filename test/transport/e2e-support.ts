import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { FIXTURES_ROOT, RENDERED, renderPlaceholder, REPO_ROOT } from '../helpers/fixtures.js';

/**
 * Running migrated fixture servers for real. Outputs are copied under test/.tmp/ (inside the repository,
 * so `node_modules` resolves) and transpiled with the TypeScript API: Node 20 cannot strip types.
 */

const RUN_ROOT = join(REPO_ROOT, 'test', '.tmp', 'transport-e2e');

/**
 * Write a fixture as a runnable module and return its path. `suite` keeps the files of test files that
 * run in parallel apart; `which` picks the migrated output (default) or the original input.
 */
export function runnableFixture(suite: string, name: string, which: 'output' | 'input' = 'output'): string {
  const dir = join(RUN_ROOT, suite, `${name}.${which}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tree = join(FIXTURES_ROOT, 'stateless-transport', name, which);
  // Multi-file cases: every module transpiled next to the others; `src/main.ts` is the entry.
  if (existsSync(tree)) {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const walk = (folder: string) => {
      for (const entry of readdirSync(folder)) {
        const path = join(folder, entry);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') || path.endsWith(`.ts${RENDERED}`)) {
          // A generated module the transform wrote is kept as its render options (see test/helpers/fixtures.ts).
          const source = path.endsWith(RENDERED) ? renderPlaceholder(path) : readFileSync(path, 'utf8');
          const out = join(dir, relative(tree, path)).replace(RENDERED, '').replace(/\.ts$/, '.js');
          mkdirSync(dirname(out), { recursive: true });
          writeFileSync(out, transpile(source, path.replace(RENDERED, '')));
        }
      }
    };
    walk(tree);
    linkPinnedSdk(join(FIXTURES_ROOT, 'stateless-transport', name, 'facts.json'), dir);
    return join(dir, 'src', 'main.js');
  }
  const fixture = join(FIXTURES_ROOT, 'stateless-transport', `${name}.${which}`);
  if (existsSync(`${fixture}.js`)) {
    // Plain JavaScript fixtures here are CommonJS and run as they are.
    const file = join(dir, 'index.cjs');
    writeFileSync(file, readFileSync(`${fixture}.js`, 'utf8'));
    return file;
  }
  const file = join(dir, 'index.mjs');
  writeFileSync(file, transpile(readFileSync(`${fixture}.ts`, 'utf8'), `${name}.ts`));
  return file;
}

/**
 * A fixture whose facts pin an old SDK release runs on that release (installed beside the current one as
 * `mcp-sdk-<version>`): the migrated code must serve with what the project really has.
 */
function linkPinnedSdk(factsPath: string, dir: string): void {
  if (!existsSync(factsPath)) return;
  const facts = JSON.parse(readFileSync(factsPath, 'utf8')) as { sdks: Array<{ package: string; version: string }> };
  const version = facts.sdks.find((sdk) => sdk.package === '@modelcontextprotocol/sdk')?.version;
  if (!version) return;
  const installed = join(REPO_ROOT, 'node_modules', `mcp-sdk-${version}`);
  if (!existsSync(installed)) throw new Error(`${factsPath} pins @modelcontextprotocol/sdk ${version}: add "mcp-sdk-${version}" to devDependencies`);
  mkdirSync(join(dir, 'node_modules', '@modelcontextprotocol'), { recursive: true });
  symlinkSync(installed, join(dir, 'node_modules', '@modelcontextprotocol', 'sdk'), 'dir');
}

function transpile(source: string, fileName: string): string {
  return ts.transpileModule(source, { fileName, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

export function removeRunnables(suite: string): void {
  rmSync(join(RUN_ROOT, suite), { recursive: true, force: true });
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** What the server printed so far (stdout and stderr). */
  output(): string;
}

/** Start a server module with PORT set and wait until it accepts connections (10 s at most). */
export async function startServer(file: string): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += String(chunk)));
  child.stderr?.on('data', (chunk) => (output += String(chunk)));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not listen on ${port} within 10 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}/mcp`, child, stop, output: () => output };
}

/** A fetch that remembers every response's session header (there must never be one). */
export function recordingFetch(): { fetch: typeof fetch; sessionHeaders: string[]; responses: number } {
  const record = { sessionHeaders: [] as string[], responses: 0 };
  const wrapped: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    record.responses++;
    const header = response.headers.get('mcp-session-id');
    if (header !== null) record.sessionHeaders.push(header);
    return response;
  };
  return Object.assign(record, { fetch: wrapped });
}
