// Differential check for performance work: run the transforms of two builds over the same inputs and
// report every group where their results (changed files, emitted files, diagnostics) differ.
//   node test/perf/equivalence.mjs --base <dist> --next <dist> [transform-id...]
// Inputs: every fixture input and output tree (all transforms' fixtures, one group per case and side),
// the examples, the list pipeline fixture and the benchmark corpus's session-dependent groups.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { generateCorpus } from '../../scripts/bench-corpus.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const flag = (name) => {
  const index = args.indexOf(`--${name}`);
  if (index < 0) throw new Error(`--${name} <dist> is required`);
  return resolve(repo, args.splice(index, 2)[1]);
};
const builds = [flag('base'), flag('next')];
const wanted = args;

const load = async (dist) => ({
  transforms: (await import(pathToFileURL(join(dist, 'transforms/index.js')).href)).TRANSFORMS,
  transformFiles: (await import(pathToFileURL(join(dist, 'src/engine/run-transforms.js')).href)).transformFiles,
});
const [base, next] = await Promise.all(builds.map(load));

const SOURCE = /\.[cm]?[jt]sx?$/;
function readTree(dir, root = dir, out = {}) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist') continue;
    if (statSync(path).isDirectory()) readTree(path, root, out);
    else if (SOURCE.test(entry) && !entry.endsWith('.d.ts')) out[relative(root, path).split('\\').join('/')] = readFileSync(path, 'utf8');
  }
  return out;
}

/** name → files */
const groups = new Map();
const fixtures = join(repo, 'test/fixtures');
for (const transform of readdirSync(fixtures)) {
  const dir = join(fixtures, transform);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const single = /^(.+)\.(input|output)\.([cm]?[jt]sx?)$/.exec(entry);
    if (single) groups.set(`${transform}/${entry}`, { [`index.${single[3]}`]: readFileSync(path, 'utf8') });
    else if (statSync(path).isDirectory()) {
      for (const side of ['input', 'output']) if (existsSync(join(path, side))) groups.set(`${transform}/${entry}/${side}`, readTree(join(path, side)));
      if (!existsSync(join(path, 'input'))) groups.set(`${transform}/${entry}`, readTree(path));
    }
  }
}
for (const example of readdirSync(join(repo, 'examples'))) groups.set(`examples/${example}`, readTree(join(repo, 'examples', example)));
groups.set('lists-pipeline', readTree(join(repo, 'test/lists/fixtures/pipeline')));
const work = mkdtempSync(join(tmpdir(), 'mcp-sl-equivalence-'));
generateCorpus(work, 2000);
for (const dir of readdirSync(join(work, 'servers'))) groups.set(`corpus/${dir}`, readTree(join(work, 'servers', dir)));
rmSync(work, { recursive: true, force: true });

/** Each transform alone (with each option variant), then the whole registry in order. */
const runs = [];
for (const transform of next.transforms) {
  if (wanted.length > 0 && !wanted.includes(transform.id)) continue;
  runs.push({ label: transform.id, ids: [transform.id] });
  for (const option of transform.options ?? []) {
    for (const choice of option.choices ?? []) {
      if (choice !== option.default) runs.push({ label: `${transform.id} ${option.name}=${choice}`, ids: [transform.id], options: { [transform.id]: { [option.name]: choice } } });
    }
  }
}
if (wanted.length === 0) runs.push({ label: 'all', ids: next.transforms.map((t) => t.id) });

let differences = 0;
let compared = 0;
const time = [0, 0];
for (const run of runs) {
  for (const [name, files] of groups) {
    const results = [base, next].map((build, i) => {
      const transforms = run.ids.map((id) => build.transforms.find((t) => t.id === id));
      const started = performance.now();
      const result = build.transformFiles(files, { transforms, options: run.options });
      time[i] += performance.now() - started;
      return result;
    });
    compared++;
    if (isDeepStrictEqual(results[0], results[1])) continue;
    differences++;
    console.log(`DIFFERENT: ${run.label} on ${name}`);
    for (const key of ['changed', 'emitted', 'diagnostics', 'applied']) {
      if (!isDeepStrictEqual(results[0][key], results[1][key])) console.log(`  ${key}:\n    base ${JSON.stringify(results[0][key]).slice(0, 2000)}\n    next ${JSON.stringify(results[1][key]).slice(0, 2000)}`);
    }
  }
}
console.log(`${compared} runs over ${groups.size} groups, ${differences} different; base ${time[0].toFixed(0)} ms, next ${time[1].toFixed(0)} ms`);
process.exitCode = differences > 0 ? 1 : 0;
