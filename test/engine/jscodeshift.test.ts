import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toJscodeshift } from '../../src/engine/jscodeshift.js';
import { migrate } from '../../src/migrate.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { JSCODESHIFT_TRANSFORMS } from '../../transforms/jscodeshift.js';
import { FIXTURES_ROOT, REPO_ROOT } from '../helpers/fixtures.js';
import { sampleTransform } from './sample-transform.js';

const require = createRequire(import.meta.url);
// jscodeshift's own runner and test utilities, so the modules are exercised exactly as jscodeshift calls them.
const { applyTransform } = require('jscodeshift/dist/testUtils') as {
  applyTransform(module: unknown, options: Record<string, unknown>, input: { source: string; path?: string }, testOptions?: { parser?: string }): string;
};
const Runner = require('jscodeshift/src/Runner') as {
  run(transformFile: string, paths: string[], options: Record<string, unknown>): Promise<{ ok: number; error: number; nochange: number; skip: number }>;
};

const INPUT = `const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: () => randomUUID(),
  onsessioninitialized: (id) => {},
});
`;

const work = mkdtempSync(join(tmpdir(), 'mcp-sl-jscodeshift-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The one-file inputs of a transform's fixtures (`<case>.input.ts`, or a case folder whose input is one file).
 * Cases of several files are left out: jscodeshift sees one file at a time, while migrate follows imports.
 */
function fixtureInputs(id: string): string[] {
  const dir = join(FIXTURES_ROOT, id);
  const inputs: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (/\.input\.[cm]?[jt]sx?$/.test(entry)) inputs.push(entry);
    else if (statSync(join(dir, entry)).isDirectory() && existsSync(join(dir, entry, 'input'))) {
      const files = readdirSync(join(dir, entry, 'input'), { recursive: true, encoding: 'utf8' }).filter((file) => statSync(join(dir, entry, 'input', file)).isFile());
      if (files.length === 1) inputs.push(join(entry, 'input', files[0] ?? ''));
    }
  }
  return inputs;
}

function copyInputs(id: string, to: string): string[] {
  const inputs = fixtureInputs(id);
  for (const input of inputs) cpSync(join(FIXTURES_ROOT, id, input), join(to, input), { recursive: true });
  return inputs;
}

describe('jscodeshift adapter', () => {
  it('applies the transform through jscodeshift, with options from the runner', () => {
    const output = applyTransform(toJscodeshift(sampleTransform), { mode: 'loud' }, { source: INPUT, path: 'src/a.ts' });
    expect(output).toBe(`// @mcp-sessionless-todo(SL001): remove the session hook!
const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: undefined,
  onsessioninitialized: (id) => {},
});`);
  });

  it('leaves files it does not change alone', () => {
    const source = 'export const x = 1;\n';
    expect(applyTransform(toJscodeshift(sampleTransform), {}, { source, path: 'b.ts' })).toBe(source.trim());
  });

  it('throws (so jscodeshift counts an error) on unparseable input', () => {
    expect(() => applyTransform(toJscodeshift(sampleTransform), {}, { source: 'const sessionIdGenerator = {', path: 'c.ts' })).toThrow(/cannot parse/);
  });
});

describe('dist/jscodeshift modules', () => {
  it('has one module per file-local transform, and names only registered transforms', () => {
    const shipped = readdirSync(join(REPO_ROOT, 'jscodeshift')).filter((f) => f.endsWith('.js') && f !== 'load.js');
    expect(shipped.map((f) => f.replace(/\.js$/, '')).sort()).toEqual([...JSCODESHIFT_TRANSFORMS].sort());
    for (const id of JSCODESHIFT_TRANSFORMS) expect(TRANSFORMS.map((t) => t.id)).toContain(id);
  });

  // The README's command, through jscodeshift's runner (forked workers, Babel register on, as by default), must
  // leave every fixture file as `migrate --transforms <id>` leaves it.
  it.each(JSCODESHIFT_TRANSFORMS)('%s: jscodeshift writes what migrate --transforms writes', async (id) => {
    const viaJscodeshift = join(work, id, 'jscodeshift');
    const viaMigrate = join(work, id, 'migrate');
    const inputs = copyInputs(id, viaJscodeshift);
    copyInputs(id, viaMigrate);
    expect(inputs.length).toBeGreaterThan(0);

    const module = join(REPO_ROOT, 'dist/jscodeshift', `${id}.js`);
    const stats = await Runner.run(module, [viaJscodeshift], { parser: 'ts', extensions: 'ts,js', babel: true, cpus: 1, silent: true, verbose: 0 });
    expect(stats.error).toBe(0);
    expect(stats.ok).toBeGreaterThan(0);

    const migrated = await migrate({ path: viaMigrate, transforms: [id], format: false, write: true, allowDirty: true, workers: 1 });
    expect(migrated.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    for (const input of inputs) {
      expect(readFileSync(join(viaJscodeshift, input), 'utf8'), `${id}/${input}`).toBe(readFileSync(join(viaMigrate, input), 'utf8'));
    }
  }, 120_000);
});
