// Time each registered transform on its own over the session-dependent groups of the benchmark corpus,
// in process, next to a run with no transform (project creation and parsing only).
//   npm run build && node test/perf/transform-timings.mjs [--dist dist] [--runs 3] [--cold] [transform-id...]
// Profile one transform: node --cpu-prof test/perf/transform-timings.mjs stateless-transport
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCorpus } from '../../scripts/bench-corpus.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const [value] = args.splice(index, 2).slice(1);
  return value;
};
const dist = resolve(repo, flag('dist', 'dist'));
const runs = Number(flag('runs', 3));
// --cold: no warm-up run, as in one CLI invocation (run one transform id per process to compare them).
const cold = args.includes('--cold') && args.splice(args.indexOf('--cold'), 1).length > 0;
const wanted = args;

const { TRANSFORMS } = await import(pathToFileURL(join(dist, 'transforms/index.js')).href);
const { transformFiles } = await import(pathToFileURL(join(dist, 'src/engine/run-transforms.js')).href);

const work = mkdtempSync(join(tmpdir(), 'mcp-sl-timings-'));
generateCorpus(work, 2000);
/** Each server directory of the corpus is one group of connected files. */
const groups = readdirSync(join(work, 'servers')).map((dir) =>
  Object.fromEntries(readdirSync(join(work, 'servers', dir)).map((name) => [`servers/${dir}/${name}`, readFileSync(join(work, 'servers', dir, name), 'utf8')])),
);
rmSync(work, { recursive: true, force: true });

/** Median wall time of running `transforms` over every group. */
function time(transforms) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    for (const group of groups) transformFiles(group, { transforms });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

if (!cold) time(TRANSFORMS); // warm up the JIT once so the first transform timed is not penalised
const parseOnly = time([]);
console.log(`${groups.length} groups, median of ${runs} runs`);
console.log(`${'(parse only)'.padEnd(28)} ${parseOnly.toFixed(0).padStart(6)} ms`);
for (const transform of TRANSFORMS) {
  if (wanted.length > 0 && !wanted.includes(transform.id)) continue;
  const ms = time([transform]);
  console.log(`${transform.id.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  (${(ms - parseOnly).toFixed(0)} ms above parsing)`);
}
