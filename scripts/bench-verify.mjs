// Benchmark: `verify` of a 30-tool HTTP server (scripts/bench-verify-server.mjs), against the time of one
// tools/list round trip on the same server and machine, so the figures are ratios.
//   npm run bench:verify -- [--runs 5]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const runsIndex = process.argv.indexOf('--runs');
const runs = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 5;
const { verifyServer, failures } = await import(join(repo, 'dist/src/index.js'));

const child = spawn(process.execPath, [join(repo, 'scripts/bench-verify-server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => {
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /LISTENING (\d+)/.exec(out);
    if (match) resolve(Number(match[1]));
  });
});
const url = `http://127.0.0.1:${port}/mcp`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  // One tools/list round trip on a connected client (the unit the ratios are in).
  const client = new Client({ name: 'bench', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const listTimes = [];
  for (let i = 0; i < 5; i++) await client.listTools(undefined, { cacheMode: 'bypass' });
  for (let i = 0; i < 50; i++) {
    const started = performance.now();
    await client.listTools(undefined, { cacheMode: 'bypass' });
    listTimes.push(performance.now() - started);
  }
  const connectStarted = performance.now();
  const probe = new Client({ name: 'bench', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await probe.connect(new StreamableHTTPClientTransport(new URL(url)));
  const connectMs = performance.now() - connectStarted;
  await probe.close();
  await client.close();

  const verifyTimes = [];
  let report;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    report = await verifyServer({ kind: 'http', url });
    verifyTimes.push(performance.now() - started);
  }
  const listMs = median(listTimes);
  const verifyMs = median(verifyTimes);
  const tools = 30;
  console.log(`verify of a ${tools}-tool HTTP server, median of ${runs} runs (${report.calls.length} tool calls, ${report.outcomes.length} checks, ${failures(report).length} findings)`);
  console.log(`  one tools/list round trip      ${listMs.toFixed(2)} ms`);
  console.log(`  one connect (negotiation)      ${connectMs.toFixed(2)} ms = ${(connectMs / listMs).toFixed(1)} × tools/list`);
  console.log(`  verify                         ${verifyMs.toFixed(0)} ms = ${(verifyMs / listMs).toFixed(0)} × tools/list`);
  console.log(`  per tool                       ${(verifyMs / tools).toFixed(1)} ms = ${(verifyMs / tools / listMs).toFixed(1)} × tools/list`);
  console.log(`  per tool call verify made      ${(verifyMs / report.calls.length).toFixed(1)} ms = ${(verifyMs / report.calls.length / listMs).toFixed(1)} × tools/list`);
} finally {
  child.kill('SIGTERM');
}
