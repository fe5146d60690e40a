#!/usr/bin/env node
/**
 * Batch over real servers: audit, migrate --write, migrate again (idempotence) and tsc before/after on each
 * server of the manifest found under a folder of checkouts, one row per server.
 *
 *   npm run batch -- <checkouts> [--manifest batch/manifest.json] [--only a,b] [--json out.json] [--markdown out.md]
 *                                 [--timeout 300] [--keep-scratch]
 *
 * Each server runs in a child process on a scratch copy (see scripts/batch/run-server.mjs); a crash or a timeout
 * becomes a row with the error and the run carries on. Checkouts are made by scripts/batch-fetch.mjs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gateMarkdown, introducedMarkdown, reasonsMarkdown, toMarkdown } from './batch/table.mjs';

const harnessRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    manifest: { type: 'string', default: join(harnessRoot, 'batch', 'manifest.json') },
    only: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
    timeout: { type: 'string', default: '300' },
    'keep-scratch': { type: 'boolean', default: false },
  },
});
const [checkouts] = positionals;
if (!checkouts) {
  console.error('usage: npm run batch -- <checkouts> [--manifest file] [--only a,b] [--json out.json] [--markdown out.md] [--timeout seconds]');
  process.exit(1);
}

const timeoutMs = Number(values.timeout) * 1000;
const manifest = JSON.parse(readFileSync(values.manifest, 'utf8'));
const only = values.only ? new Set(values.only.split(',')) : undefined;
const verify = verifyCommand();
const rows = [];

for (const server of manifest.servers) {
  if (only && !only.has(server.name)) continue;
  const checkout = resolve(checkouts, server.name);
  if (!existsSync(join(checkout, server.folder))) {
    if (!only) continue; // servers not fetched are simply not in this run
    rows.push({ name: server.name, ok: false, error: `not found under ${checkouts}` });
    continue;
  }
  process.stderr.write(`${server.name}… `);
  const started = performance.now();
  const row = await runInChild({ server, checkout, harnessRoot, tscTimeoutMs: Math.floor(timeoutMs / 2), keepScratch: values['keep-scratch'], verify });
  row.seconds = Math.round((performance.now() - started) / 1000);
  process.stderr.write(row.ok ? `done in ${row.seconds}s\n` : `failed: ${row.error}\n`);
  rows.push(row);
}

const markdown = [
  toMarkdown(rows),
  '',
  'state sites: audit findings of SL003 (session-keyed state), SL004 (gated lists), SL005 (client context), SL006 (process state); migrated: sites gone after the migration without a marker of theirs; markers: `@mcp-sessionless-todo` comments after; introduced: tsc errors after that were not there before (by file, code and message); transport migrated: no finding about the session transport left (session maps, sessionIdGenerator, session callbacks, header reads, initialize routing, session errors and routes, HTTP+SSE; an application\'s own read of the session id is a marker, not transport). † the server\'s dependencies could not be installed here; tsc ran with the harness\'s node_modules (Node types, MCP SDK, zod), so only `introduced` is meaningful.',
  '',
  '## Reasons migrate declined (markers, grouped)',
  '',
  reasonsMarkdown(rows),
  '## Type errors introduced',
  '',
  introducedMarkdown(rows) || 'none\n',
  '## Type-check gate (what `migrate --write` would hold back, and the time it adds)',
  '',
  gateMarkdown(rows),
].join('\n');
process.stdout.write(`${toMarkdown(rows)}`);
if (values.markdown) writeOut(values.markdown, markdown);
if (values.json) writeOut(values.json, JSON.stringify({ manifest: values.manifest, rows }, null, 2));

function writeOut(path, text) {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
}

/** Run one server in a child process with a deadline; any failure becomes an error row. */
async function runInChild(job) {
  const work = await mkdtemp(join(tmpdir(), 'batch-job-'));
  const jobPath = join(work, 'job.json');
  const resultPath = join(work, 'result.json');
  await writeFile(jobPath, JSON.stringify(job));
  try {
    const child = spawn(process.execPath, [join(harnessRoot, 'scripts', 'batch', 'run-server.mjs'), jobPath, resultPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group, so a timeout also ends the tsc it started
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), timeoutMs);
    const [code, signal] = await new Promise((done) => child.on('close', (...args) => done(args)));
    clearTimeout(timer);
    if (signal === 'SIGKILL') return { name: job.server.name, ok: false, error: `timeout after ${timeoutMs / 1000}s` };
    if (code !== 0 || !existsSync(resultPath)) return { name: job.server.name, ok: false, error: lastLines(stderr) || `exit ${code}` };
    return JSON.parse(await readFile(resultPath, 'utf8'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The last lines of a child's stderr, stack frames aside (a declaration: the loop above runs before any `const` here). */
function lastLines(text) {
  return text.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-3).join(' ');
}

/**
 * Whether this build has a `verify` command. `<cli> verify --help` exiting 0 is not enough: an unknown command
 * makes commander print the root help and exit 0, so the usage line must name `verify`.
 */
function verifyCommand() {
  const bin = join(harnessRoot, 'bin', 'mcp-sessionless.js');
  const help = spawnSync(process.execPath, [bin, 'verify', '--help'], { encoding: 'utf8', timeout: 30_000 });
  const available = help.status === 0 && /Usage: mcp-sessionless verify\b/.test(help.stdout);
  // Conversations named in the manifest are found beside it.
  return { available, bin, timeoutMs: 120_000, manifestDir: dirname(resolve(values.manifest)) };
}
