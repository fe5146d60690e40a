// Benchmark: dry-run `migrate --report json` and `audit --format json` through the real CLI over a
// synthetic corpus, against a parse-only baseline (TypeScript createSourceFile over the same files), all
// measured in this one run so the figures are ratios on the same machine.
//   npm run bench -- [--files 2000] [--runs 3]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './bench-corpus.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const fileCount = arg('files', 2000);
const runs = arg('runs', 3);

const work = mkdtempSync(join(tmpdir(), 'mcp-sl-bench-'));
const corpus = join(work, 'corpus');
const { files, sessionFiles } = generateCorpus(corpus, fileCount);

/** Run a node script `runs` times; report the median wall time and the largest peak RSS. */
function measure(label, args) {
  const times = [];
  let rss = 0;
  for (let run = 0; run < runs; run++) {
    const rssFile = join(work, `rss-${label}-${run}`);
    const started = process.hrtime.bigint();
    try {
      execFileSync(process.execPath, ['--import', join(repo, 'scripts/bench-rss.mjs'), ...args], {
        env: { ...process.env, BENCH_RSS_FILE: rssFile, NO_COLOR: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 256 * 1024 * 1024,
      });
    } catch (error) {
      // migrate/audit exit 2 with --check style outcomes are not failures here; anything else is.
      if (error.status !== 2 && error.status !== 1) throw error;
    }
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (existsSync(rssFile)) rss = Math.max(rss, Number(readFileSync(rssFile, 'utf8')));
  }
  times.sort((a, b) => a - b);
  return { label, ms: times[Math.floor(times.length / 2)], rss };
}

const bin = join(repo, 'bin/mcp-sessionless.js');
const baseline = measure('parse-only', [join(repo, 'scripts/bench-parse-only.mjs'), corpus]);
const results = [
  measure('migrate --report json (dry run)', [bin, 'migrate', corpus, '--report', 'json', '--output', join(work, 'migrate.json')]),
  measure('migrate --report json --workers 2', [bin, 'migrate', corpus, '--report', 'json', '--workers', '2', '--output', join(work, 'migrate-w2.json')]),
];
if (existsSync(join(repo, 'dist/src/cli/commands/audit.js'))) {
  results.push(measure('audit --format json', [bin, 'audit', corpus, '--format', 'json', '--output', join(work, 'audit.json')]));
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const lines = [
  `corpus: ${files} files (${sessionFiles} session-dependent), median of ${runs} runs, node ${process.version}`,
  `${'job'.padEnd(36)} ${'wall'.padStart(9)} ${'files/s'.padStart(9)} ${'vs parse-only'.padStart(14)} ${'peak RSS'.padStart(9)}`,
  ...[baseline, ...results].map(
    (r) =>
      `${r.label.padEnd(36)} ${`${r.ms.toFixed(0)} ms`.padStart(9)} ${(files / (r.ms / 1000)).toFixed(0).padStart(9)} ${`${(r.ms / baseline.ms).toFixed(2)}x`.padStart(14)} ${mb(r.rss).padStart(9)}`,
  ),
];
if (existsSync(join(work, 'migrate.json'))) {
  const report = JSON.parse(readFileSync(join(work, 'migrate.json'), 'utf8'));
  lines.push(`migrate: ${report.stats.parsed} files parsed, ${report.summary.changed} would change, ${report.summary.todos} markers, ${report.summary.errors} errors`);
}
process.stdout.write(`${lines.join('\n')}\n`);
rmSync(work, { recursive: true, force: true });
