import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/migrate.js';
import { migrateWithCommits } from '../../src/review/commits.js';
import type { Transform } from '../../src/engine/transform.js';
import { introducedErrors } from '../../src/engine/typecheck-gate.js';
import { FIXTURES_ROOT, REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

/** A server pinned to @modelcontextprotocol/sdk 1.0.1: its tools/list derives from what `draw` created. */
const SKETCHPAD = readFileSync(join(FIXTURES_ROOT, 'static-lists', 'sketchpad-sdk-1.0.1.input.ts'), 'utf8');

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: ['node'] },
  include: ['src'],
});

/** Installed packages, linked from the repository's node_modules as `npm install` would have put them. */
function install(project: TempProject, packages: Record<string, string>): void {
  for (const [name, from] of Object.entries(packages)) {
    const target = join(project.dir, 'node_modules', name);
    mkdirSync(dirname(target), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', from), target, 'dir');
  }
}

/** The sketchpad project with SDK 1.0.1, TypeScript and Node types installed. */
function sketchpad(files: Record<string, string> = {}): TempProject {
  const project = tempProject({
    'package.json': JSON.stringify({ name: 'sketchpad', type: 'module', dependencies: { '@modelcontextprotocol/sdk': '1.0.1' } }),
    'tsconfig.json': TSCONFIG,
    'src/index.ts': SKETCHPAD,
    ...files,
  });
  install(project, { '@modelcontextprotocol/sdk': 'mcp-sdk-1.0.1', typescript: 'typescript', '@types/node': '@types/node' });
  return project;
}

/**
 * A transform built on the engine that knows nothing of the pinned SDK: it links what `draw` created with a
 * resource_link, which @modelcontextprotocol/sdk 1.0.1 rejects (its content items are text, image and resource).
 */
const naiveLinks: Transform = {
  id: 'naive-links',
  title: 'Link created sketches',
  description: 'test transform',
  rules: ['SL004'],
  patterns: ['P8'],
  vocabulary: /notifications\/resources\/list_changed/,
  apply(context) {
    const text = context.file.getFullText();
    const linked = text
      .replace("  server.notification({ method: 'notifications/resources/list_changed' });\n", '')
      .replace("rows)` }],", "rows)` }, { type: 'resource_link', uri: `sketch://${title}`, name: title }],");
    context.file.replaceWithText(linked);
  },
};

/** A harmless edit elsewhere: its group must be written whatever the other group does. */
const bumpVersion: Transform = {
  id: 'bump-version',
  title: 'Bump',
  description: 'test transform',
  rules: ['SL001'],
  patterns: ['P10'],
  vocabulary: /bump-me/,
  apply(context) {
    context.file.replaceWithText(context.file.getFullText().replace("version: '1.0.0'", "version: '1.0.1'"));
  },
};

const CLOCK = `// bump-me
import { Server } from '@modelcontextprotocol/sdk/server/index.js';

export const clock = new Server({ name: 'clock', version: '1.0.0' }, { capabilities: {} });
`;

function tsc(dir: string): { code: number | null; output: string } {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', dir], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('type-check gate', () => {
  it('writes a migration that type-checks against the SDK release the project pins (0 errors introduced)', async () => {
    project = sketchpad();
    const result = await migrate({ path: project.dir, write: true });
    expect(result.typecheck).toMatchObject({ status: 'passed', blocked: [], projects: [{ tsconfig: 'tsconfig.json', introduced: [] }] });
    expect(result.typecheck.projects[0]!.compiler).toMatch(/^typescript 5\./);
    expect(result.written).toEqual(['src/index.ts']);
    const written = project.read('src/index.ts');
    expect(written).toContain("{ type: 'text', text: `sketch://${title}` }");
    expect(written).not.toContain('resource_link');
    expect(tsc(project.dir)).toEqual({ code: 0, output: '' });
  }, 120_000);

  it('holds back a group whose changes introduce a type error: nothing written, the error named, --force-write writes it', async () => {
    project = sketchpad({ 'src/clock.ts': CLOCK });
    const before = project.hash();
    const held = await migrate({ path: project.dir, write: true, registry: { transforms: [naiveLinks, bumpVersion] } });
    expect(held.typecheck.status).toBe('failed');
    const line = held.changes.find((c) => c.path === 'src/index.ts')!.after.split('\n').findIndex((l) => l.includes('resource_link')) + 1;
    expect(held.typecheck.blocked).toEqual([
      { files: ['src/index.ts'], errors: [{ file: 'src/index.ts', line, column: expect.any(Number), code: 'TS2322', message: expect.stringContaining('"resource_link"') }] },
    ]);
    expect(held.diagnostics.filter((d) => d.rule === 'type-error')).toEqual([
      expect.objectContaining({ level: 'error', file: 'src/index.ts', line, message: expect.stringMatching(/^TS2322 .*"resource_link".*1 file\(s\) not written\)$/) }),
    ]);
    // The other group type-checks and is written; the held-back file is untouched.
    expect(held.written).toEqual(['src/clock.ts']);
    expect(project.read('src/index.ts')).toBe(SKETCHPAD);
    expect(project.hash()).not.toBe(before);

    const forced = await migrate({ path: project.dir, write: true, forceWrite: true, registry: { transforms: [naiveLinks, bumpVersion] } });
    expect(forced.written).toEqual(['src/index.ts']);
    expect(forced.diagnostics.filter((d) => d.rule === 'type-error')).toEqual([expect.objectContaining({ level: 'warning', line, message: expect.stringContaining('written anyway') })]);
    expect(project.read('src/index.ts')).toContain("type: 'resource_link'");
    expect(tsc(project.dir).output).toContain("error TS2322: Type '\"resource_link\"' is not assignable");
  }, 120_000);

  it('leaves held-back files out of the commits of --commit', async () => {
    project = sketchpad({ 'src/clock.ts': CLOCK, '.gitignore': 'node_modules\n' });
    project.git('init', '-q', '-b', 'main');
    project.git('add', '-A');
    project.git('commit', '-qm', 'initial');
    const result = await migrateWithCommits({ path: project.dir, registry: { transforms: [naiveLinks, bumpVersion] } });
    expect(result.commits.map((c) => [c.transform, c.files])).toEqual([['bump-version', ['src/clock.ts']]]);
    expect(project.read('src/index.ts')).toBe(SKETCHPAD);
    expect(project.git('status', '--porcelain')).toBe('');
  }, 120_000);

  it('reports in a dry run what a write would hold back', async () => {
    project = sketchpad();
    const before = project.hash();
    const result = await migrate({ path: project.dir, registry: { transforms: [naiveLinks] } });
    expect(result.typecheck.status).toBe('failed');
    expect(result.diagnostics.find((d) => d.rule === 'type-error')).toMatchObject({ level: 'error', message: expect.stringContaining('would not be written') });
    expect(project.hash()).toBe(before);
  }, 120_000);

  it('lets errors the project already had through: only errors the changes introduce block', async () => {
    const broken = SKETCHPAD.replace('// Sketches drawn so far, by title.', "const answer: number = 'forty-two';\n// Sketches drawn so far, by title.");
    project = sketchpad({ 'src/index.ts': broken });
    expect(tsc(project.dir).output).toContain('error TS2322');
    const result = await migrate({ path: project.dir, write: true });
    expect(result.typecheck.status).toBe('passed');
    expect(result.written).toEqual(['src/index.ts']);
  }, 120_000);

  it('skips, and says why, when the dependencies are not installed, for JavaScript, and when asked to', async () => {
    project = tempProject({ 'package.json': '{"type":"module"}', 'tsconfig.json': TSCONFIG, 'src/index.ts': SKETCHPAD });
    const bare = await migrate({ path: project.dir });
    expect(bare.typecheck).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^dependencies not installed/) });
    expect(bare.changes.length).toBeGreaterThan(0);
    project.remove();

    project = tempProject({ 'package.json': '{"type":"module"}', 'src/index.js': SKETCHPAD.replace(', type CallToolResult', '').replace(': Promise<CallToolResult>', '').replace(/\(title: string, rows: number\)/, '(title, rows)').replace('new Map<string, string>()', 'new Map()') });
    install(project, { '@modelcontextprotocol/sdk': 'mcp-sdk-1.0.1', typescript: 'typescript' });
    const javascript = await migrate({ path: project.dir });
    expect(javascript.changes.length).toBeGreaterThan(0);
    expect(javascript.typecheck).toMatchObject({ status: 'skipped', reason: 'no tsconfig.json: a JavaScript project is not type-checked' });
    project.remove();

    project = sketchpad({ 'tsconfig.json': TSCONFIG.replace('"include":["src"]', '"include":["lib"]') });
    const elsewhere = await migrate({ path: project.dir });
    expect(elsewhere.typecheck).toMatchObject({ status: 'skipped', reason: 'tsconfig.json does not include the changed files', unchecked: [{ files: ['src/index.ts'] }] });
    expect((await migrate({ path: project.dir, typecheck: false })).typecheck).toMatchObject({ status: 'skipped', reason: '--no-typecheck' });
  }, 120_000);

  it('compares errors by file, code and message, so a moved error is not new', () => {
    const at = (line: number, message = "Cannot find name 'x'.") => ({ file: 'src/a.ts', line, column: 1, code: 'TS2304', message });
    expect(introducedErrors([at(3)], [at(9)])).toEqual([]);
    expect(introducedErrors([at(3)], [at(9), at(10)])).toEqual([at(10)]);
    expect(introducedErrors([at(3)], [at(3, "Cannot find name 'y'.")])).toEqual([at(3, "Cannot find name 'y'.")]);
  });
});
