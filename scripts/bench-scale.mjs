// Scale benchmark: audit and dry-run migrate through the real CLI on one generated server file with N tool
// registrations (every fourth reads session-keyed state), for N = 100, 400, 1,600 (override: --tools 100,400).
// Reports wall time, time per registration, and the ratio of the largest N's per-registration time to the
// smallest's: cost linear in server size keeps that ratio near 1 (target: at most 1.5).
//   npm run bench:scale -- [--tools 100,400,1600] [--runs 3] [--profile]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repo, 'bin/mcp-sessionless.js');
const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const sizes = option('tools', '100,400,1600').split(',').map(Number);
const runs = Number(option('runs', '3'));
const profile = process.argv.includes('--profile');

/** One v1 server file: N tools, a quarter of them reading and writing a session-keyed Map. */
export function manyToolServer(tools) {
  const lines = [
    "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
    "import { z } from 'zod';",
    '',
    'const notes = new Map<string, string[]>();',
    '',
    'export function buildServer(): McpServer {',
    "  const server = new McpServer({ name: 'many-tools', version: '1.0.0' });",
  ];
  for (let n = 0; n < tools; n++) {
    if (n % 4 === 0) {
      lines.push(
        `  server.tool('note_${n}', 'Keep note ${n}', { text: z.string() }, async ({ text }, extra) => {`,
        '    const list = notes.get(extra.sessionId!) ?? [];',
        `    list.push(\`${n}: \${text}\`);`,
        '    notes.set(extra.sessionId!, list);',
        "    return { content: [{ type: 'text', text: `${list.length} note(s)` }] };",
        '  });',
      );
    } else {
      lines.push(
        `  server.tool('compute_${n}', 'Compute value ${n}', { x: z.number() }, async ({ x }) => {`,
        `    const value = x * ${n} + ${n % 7};`,
        "    return { content: [{ type: 'text', text: String(value) }] };",
        '  });',
      );
    }
  }
  lines.push('  return server;', '}', '');
  return lines.join('\n');
}

function timeCli(args, label, dir) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const profileArgs = profile && run === 0 ? ['--cpu-prof', '--cpu-prof-dir', join(dir, `profile-${label}`)] : [];
    const started = process.hrtime.bigint();
    try {
      execFileSync(process.execPath, [...profileArgs, cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
    } catch (error) {
      if (error.status !== 1 && error.status !== 2) throw error;
    }
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const work = mkdtempSync(join(tmpdir(), 'mcp-sl-scale-'));
const rows = [];
try {
  for (const tools of sizes) {
    const dir = join(work, `tools-${tools}`);
    mkdirSync(join(dir, 'src'), { recursive: true });
    const file = join(dir, 'src', 'server.ts');
    writeFileSync(file, manyToolServer(tools));
    const bytes = statSync(file).size;
    const audit = timeCli(['audit', dir, '--format', 'json'], `audit-${tools}`, work);
    const migrate = timeCli(['migrate', dir, '--report', 'json', '--no-format'], `migrate-${tools}`, work);
    rows.push({ tools, bytes, audit, migrate });
  }
} finally {
  if (!profile) rmSync(work, { recursive: true, force: true });
}

const ms = (value) => `${Math.round(value)} ms`;
const per = (value, tools) => `${(value / tools).toFixed(2)} ms`;
// Marginal: the cost of the tools added since the previous size, without the process start-up every run pays.
const marginal = (row, index, key) => (index === 0 ? '–' : per(row[key] - rows[index - 1][key], row.tools - rows[index - 1].tools));
console.log('| tools | file size | audit | audit / tool | audit / added tool | migrate | migrate / tool | migrate / added tool |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
rows.forEach((row, index) => {
  console.log(
    `| ${row.tools} | ${Math.round(row.bytes / 1024)} KiB | ${ms(row.audit)} | ${per(row.audit, row.tools)} | ${marginal(row, index, 'audit')} | ${ms(row.migrate)} | ${per(row.migrate, row.tools)} | ${marginal(row, index, 'migrate')} |`,
  );
});
const first = rows[0];
const last = rows[rows.length - 1];
const ratio = (key) => (last[key] / last.tools / (first[key] / first.tools)).toFixed(2);
console.log(`\nper-tool time at ${last.tools} vs ${first.tools}: audit ×${ratio('audit')}, migrate ×${ratio('migrate')} (target ≤ 1.5)`);
if (profile) console.log(`CPU profiles: ${work}/profile-*`);
