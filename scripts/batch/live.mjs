/**
 * The batch's live checks of a migrated server, from the manifest's `verify` entry:
 *
 *   "verify": { "build": [["npx", "tsc"]], "args": ["--", "node", "dist/index.js"], "env": { … },
 *               "conversation": "conversations/puppeteer.json" }
 *
 * `args` start the server for `mcp-sessionless verify`; `build` runs first in the server folder. With a
 * `conversation` (steps: `{ "tool", "arguments" }` or `{ "read": uri }`), the server as written is built and
 * driven through those steps by the real client, recorded with `verify record`, before migrate runs; the migrated
 * server then replays the recording (`verify replay`). Placeholders in args, env and steps: `{dir}` (the server
 * folder), `{site}` (a static site of batch/site served on 127.0.0.1 for the run), `{chromium}` (a Chromium
 * binary of this machine) and `{playwrightBrowsers}` (a PLAYWRIGHT_BROWSERS_PATH where the server's Playwright
 * finds that Chromium).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { chromiumPath, playwrightBrowsers } from './browsers.mjs';

/** Serve the files of `root` on 127.0.0.1 at a free port. */
export async function startSite(root) {
  const server = createServer((req, res) => {
    const path = normalize(join(root, new URL(req.url ?? '/', 'http://site').pathname));
    if (!path.startsWith(root) || !existsSync(path) || !path.endsWith('.html')) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    createReadStream(path).pipe(res);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((done) => server.close(done)) };
}

/**
 * The placeholder filler for one server, or the reason its live checks cannot run here (a browser it needs is
 * missing). Values are computed only for the placeholders the entry uses.
 */
export function placeholders(entry, { dir, site, scratchRoot }) {
  const text = JSON.stringify(entry);
  const values = { '{dir}': dir, '{site}': site };
  if (text.includes('{chromium}') || text.includes('{playwrightBrowsers}')) {
    const chromium = chromiumPath();
    if (!chromium) return { missing: 'no Chromium on this machine (set CHROMIUM_PATH)' };
    values['{chromium}'] = chromium;
    if (text.includes('{playwrightBrowsers}')) {
      const browsers = playwrightBrowsers(dir, chromium, join(scratchRoot, 'playwright-browsers'));
      if (!browsers) return { missing: 'the server has no playwright-core to point at Chromium' };
      values['{playwrightBrowsers}'] = browsers;
    }
  }
  const filled = (value) => (typeof value === 'string' ? Object.entries(values).reduce((out, [key, v]) => out.replaceAll(key, v), value) : value);
  // Strings anywhere in a value (args, env, steps) get the placeholders filled.
  const fill = (value) => (Array.isArray(value) ? value.map(fill) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)])) : filled(value));
  return { fill };
}

/** Run `verify.build` in the server folder; a failure's first line, or undefined. */
export function build(entry, dir, env, timeoutMs) {
  for (const [command, ...rest] of entry.build ?? []) {
    const built = spawnSync(command, rest, { cwd: dir, encoding: 'utf8', env, timeout: timeoutMs });
    if (built.status !== 0) return `\`${[command, ...rest].join(' ')}\` failed: ${(built.stderr || built.stdout || String(built.error)).trim().split('\n')[0]}`;
  }
  return undefined;
}

/**
 * Drive the server as written through the conversation's steps with the real v1 client, behind `verify record`,
 * and wait until the recording holds every step. Returns the recording's path, or throws with what went wrong.
 */
export async function record({ bin, command, dir, env, steps, out, timeoutMs }) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'verify', 'record', '--out', out, '--', ...command], cwd: dir, env, stderr: 'ignore' });
  const client = new Client({ name: 'mcp-sessionless-batch', version: '1.0.0' });
  const deadline = Date.now() + timeoutMs;
  await client.connect(transport);
  try {
    for (const step of steps) {
      // An error answer is part of the conversation: the recording keeps it for the replay to match (a step
      // that timed out has no answer, and the count below says so).
      const options = { timeout: Math.max(1000, deadline - Date.now()) };
      const answered = step.read ? client.readResource({ uri: step.read }, options) : client.callTool({ name: step.tool, arguments: step.arguments ?? {} }, undefined, options);
      await answered.catch(() => undefined);
    }
  } finally {
    // A server that keeps a browser open may not exit on its own: closing must not hold the row up.
    await Promise.race([client.close(), new Promise((done) => setTimeout(done, 5000))]);
  }
  const expected = steps.length + 1; // the initialize step, then one per step
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (existsSync(out) && JSON.parse(readFileSync(out, 'utf8')).steps.length >= expected) return out;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`the recording of the server as written has fewer than ${expected} steps`);
}

/**
 * Run the CLI without blocking this process (it serves `{site}` to the server under test) in a process group of
 * its own, so that a timeout, or a server left running when the CLI exits (a browser it opened), goes with it.
 */
export async function runCli(bin, args, { cwd, env, timeoutMs }) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killGroup = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  const status = await new Promise((done) => child.on('close', (code) => done(code)));
  clearTimeout(timer);
  killGroup();
  return { status, stdout, stderr, error: timedOut ? new Error(`timed out after ${timeoutMs / 1000}s`) : undefined };
}

/** `verify replay` of the recording against the migrated server: pass, or fail with the first difference. */
export async function replay({ bin, recording, command, dir, env, timeoutMs }) {
  const run = await runCli(bin, ['verify', 'replay', recording, '--format', 'json', '--', ...command], { cwd: dir, env, timeoutMs });
  if (run.error) return { status: 'error', reason: run.error.message };
  let report;
  try {
    report = JSON.parse(run.stdout);
  } catch {
    return { status: 'error', reason: (run.stderr || run.stdout).trim().split('\n')[0] || `exit ${run.status}` };
  }
  const replayed = report.outcomes.filter((o) => o.check === 'replay');
  const failed = replayed.filter((o) => o.status === 'fail');
  const steps = `${replayed.length - failed.length}/${replayed.length} steps`;
  return failed.length === 0 && run.status === 0 ? { status: 'pass', reason: steps } : { status: 'fail', reason: `${steps}; ${failed[0] ? `${failed[0].subject}: ${failed[0].message}` : `exit ${run.status}`}` };
}
