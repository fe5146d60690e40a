/**
 * Plumbing for the verify tests: the notes test server with chosen faults, the repository's examples (as
 * they are, or after `migrate --write`) and a generated project, each transpiled into test/.tmp so the real
 * SDK packages of this repository resolve, and run as real HTTP servers or stdio commands.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import ts from 'typescript';
import { migrate } from '../../src/migrate.js';
import type { CheckOutcome, VerifyReport } from '../../src/verify/types.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

export const NOTES_SERVER = join(REPO_ROOT, 'test', 'verify', 'servers', 'notes-server.mjs');
export const ALICE = { Authorization: 'Bearer token-alice' };
export const BOB = { Authorization: 'Bearer token-bob' };
const TMP = join(REPO_ROOT, 'test', '.tmp', `verify-${process.pid}`);

export interface Running {
  url: string;
  stop(): Promise<void>;
}

/** Start a child and wait until a line of its output matches `ready` (its first group is the port or URL). */
export async function startChild(args: string[], options: { cwd?: string; env?: Record<string, string>; ready: RegExp }): Promise<{ match: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const match = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = options.ready.exec(output);
      if (found) resolve(found[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
  return { match, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The notes server over HTTP on a free port, with the given faults switched on. */
export async function startNotesServer(faults: string[] = []): Promise<Running> {
  const { match, stop } = await startChild([NOTES_SERVER, 'http'], { env: { FAULTS: faults.join(',') }, ready: /LISTENING (\d+)/ });
  return { url: `http://127.0.0.1:${match}/mcp`, stop };
}

/** A port nobody listens on right now (for servers that print the port they were given, not the one they got). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A copy of a folder under test/.tmp with every .ts file transpiled to .js next to it. */
export function runnableCopy(source: string, name: string): string {
  const dir = join(TMP, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(source, dir, { recursive: true, filter: (path) => !path.includes('node_modules') });
  return dir;
}

export function transpileAll(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'node_modules') continue;
    if (statSync(path).isDirectory()) transpileAll(path);
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
      const js = ts.transpileModule(readFileSync(path, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: path }).outputText;
      writeFileSync(path.replace(/\.ts$/, '.js'), js);
    }
  }
}

/** An example of this repository, runnable: as written, or after `migrate --write`. */
export async function example(name: string, state: 'original' | 'migrated'): Promise<string> {
  const dir = runnableCopy(join(REPO_ROOT, 'examples', name), `${name}-${state}`);
  if (state === 'migrated') await migrate({ path: dir, write: true, allowDirty: true });
  transpileAll(dir);
  return dir;
}

/** The cart-server example over HTTP (it listens on PORT and prints it). */
export async function startCartServer(dir: string): Promise<Running> {
  const port = await freePort();
  const { stop } = await startChild([join(dir, 'src', 'server.js')], { cwd: dir, env: { PORT: String(port) }, ready: /listening on (http\S+)/ });
  return { url: `http://127.0.0.1:${port}/mcp`, stop };
}

export function removeTmp(): void {
  rmSync(TMP, { recursive: true, force: true });
}

/** A path under this run's scratch folder (created). */
export function tmpDir(name: string): string {
  mkdirSync(TMP, { recursive: true });
  return join(TMP, name);
}

/** Failed outcomes of a report, as `check subject: message` lines, for readable assertions. */
export function failureLines(report: VerifyReport, level?: CheckOutcome['level']): string[] {
  return report.outcomes.filter((o) => o.status === 'fail' && (level === undefined || o.level === level)).map((o) => `${o.check} ${o.subject}: ${o.message}`);
}
