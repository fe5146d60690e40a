import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { transformFiles, type FileMap } from '../../src/engine/run-transforms.js';
import { createMemoryProject, syntaxErrors } from '../../src/engine/parse.js';
import type { OptionValues, Transform } from '../../src/engine/transform.js';
import type { ProjectFacts } from '../../src/engine/project-facts.js';
import { renderStatelessHttp, type StatelessHttpRenderOptions } from '../../src/templates/stateless-http.js';
import { getTransform } from '../../transforms/index.js';
import { renderHandleStore, type HandleStoreRenderOptions } from '../../src/templates/handle-store.js';
import { renderHandleScope } from '../../src/templates/handle-scope.js';
import { createProgram } from './typescript.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES_ROOT = join(REPO_ROOT, 'test', 'fixtures');

/** One fixture: the files before, the files expected after, and option values. */
export interface FixtureCase {
  name: string;
  input: Record<string, string>;
  output: Record<string, string>;
  options?: OptionValues;
  /** What the project on disk would say about itself (the SDK release it pins); unknown when absent. */
  facts?: ProjectFacts;
}

const SINGLE_FILE = /^(?<name>.+)\.input\.(?<ext>[cm]?[jt]sx?)$/;

/**
 * A generated module that transforms emit whole (the handle store) is not copied into every fixture:
 * `<path>.render.json` holds its render options and stands for `<path>` with the rendered text, so a template
 * change needs no fixture edits and the expected output is still compared byte for byte.
 */
export const RENDERED = '.render.json';

function readTree(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const relPath = relative(base, path).split('\\').join('/');
    if (statSync(path).isDirectory()) readTree(path, base, out);
    else if (relPath.endsWith(RENDERED)) out[relPath.slice(0, -RENDERED.length)] = renderPlaceholder(path);
    else out[relPath] = readFileSync(path, 'utf8');
  }
  return out;
}

/** The text a `<path>.render.json` placeholder stands for. */
export function renderPlaceholder(path: string): string {
  const { template, ...options } = JSON.parse(readFileSync(path, 'utf8')) as { template: string } & HandleStoreRenderOptions & { storeSpecifier: string };
  if (template === 'handle-scope') return renderHandleScope(options);
  if (template === 'stateless-http') return renderStatelessHttp(options as unknown as StatelessHttpRenderOptions);
  if (template !== 'handle-store') throw new Error(`${path}: unknown template "${template}"`);
  return renderHandleStore(options);
}

function readOptions(path: string): OptionValues | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as OptionValues) : undefined;
}

function readFacts(path: string): ProjectFacts | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ProjectFacts) : undefined;
}

/**
 * Fixture cases for a transform, discovered from test/fixtures/<id>/:
 * - `<case>.input.<ext>` + `<case>.output.<ext>` (+ optional `<case>.options.json`): one file, named `index.<ext>`;
 * - `<case>/input/**` + `<case>/output/**` (+ optional `<case>/options.json`): several files; output lists
 *   every file after the run, emitted ones included (a rendered handle store as a `<path>.render.json` placeholder);
 * - an optional `<case>.facts.json` / `<case>/facts.json` says what the project pins (`{ "sdks": [{ "package",
 *   "version", "source" }] }`), for output that must fit an older SDK release.
 */
export function loadFixtureCases(transformId: string): FixtureCase[] {
  const dir = join(FIXTURES_ROOT, transformId);
  if (!existsSync(dir)) return [];
  const cases: FixtureCase[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    const single = SINGLE_FILE.exec(entry);
    if (single?.groups) {
      const { name, ext } = single.groups as { name: string; ext: string };
      const outputPath = join(dir, `${name}.output.${ext}`);
      if (!existsSync(outputPath)) throw new Error(`fixture ${transformId}/${entry} has no ${name}.output.${ext}`);
      cases.push({
        name,
        input: { [`index.${ext}`]: readFileSync(path, 'utf8') },
        output: { [`index.${ext}`]: readFileSync(outputPath, 'utf8') },
        options: readOptions(join(dir, `${name}.options.json`)),
        facts: readFacts(join(dir, `${name}.facts.json`)),
      });
    } else if (statSync(path).isDirectory() && existsSync(join(path, 'input'))) {
      cases.push({
        name: entry,
        input: readTree(join(path, 'input')),
        output: readTree(join(path, 'output')),
        options: readOptions(join(path, 'options.json')),
        facts: readFacts(join(path, 'facts.json')),
      });
    }
  }
  return cases;
}

/** Apply one transform to a fixture's input and return every file afterwards (unchanged ones included). */
export function runFixture(transform: Transform, fixture: { input: FileMap; options?: OptionValues; facts?: ProjectFacts }) {
  const result = transformFiles(fixture.input, {
    transforms: [transform],
    options: fixture.options ? { [transform.id]: fixture.options } : undefined,
    facts: fixture.facts,
  });
  return { files: { ...fixture.input, ...result.changed }, result };
}

function requireTransform(transformId: string): Transform {
  const transform = getTransform(transformId);
  if (!transform) throw new Error(`no transform registered with id ${transformId}`);
  return transform;
}

/**
 * The standard suite for a transform: for every fixture, the output must match exactly (whole files, not
 * fragments), a second run over the output must change nothing and report no new marker, and every output
 * must parse. Transforms pass `transform` directly when they are not in the registry yet.
 */
export function describeTransformFixtures(transformId: string, transform?: Transform): void {
  const cases = loadFixtureCases(transformId);
  describe(`${transformId} fixtures`, () => {
    it('has fixtures', () => expect(cases.length).toBeGreaterThan(0));
    for (const fixture of cases) {
      describe(fixture.name, () => {
        const subject = () => transform ?? requireTransform(transformId);
        it('produces the expected output', () => {
          const { files, result } = runFixture(subject(), fixture);
          expect(result.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
          expect(Object.keys(files).sort()).toEqual(Object.keys(fixture.output).sort());
          for (const [path, text] of Object.entries(fixture.output)) expect(files[path], path).toBe(text);
        });
        it('is idempotent', () => {
          const { result } = runFixture(subject(), { input: fixture.output, options: fixture.options, facts: fixture.facts });
          expect(result.changed).toEqual({});
          expect(result.diagnostics.filter((d) => d.rule === 'todo-marker' || d.message.includes('@mcp-sessionless-todo'))).toEqual([]);
        });
        it('outputs parse', () => {
          const project = createMemoryProject();
          for (const [path, text] of Object.entries(fixture.output)) {
            expect(syntaxErrors(project.createSourceFile(`/${path}`, text)), path).toEqual([]);
          }
        });
      });
    }
  });
}

const TYPECHECK_ROOT = join(REPO_ROOT, 'test', '.typecheck');

/**
 * Old SDK releases installed beside the current one (package.json devDependencies, `mcp-sdk-<version>` aliases),
 * for fixtures whose facts pin them: their outputs must type-check against that release.
 */
function pinnedV1Release(fixture: FixtureCase): string | undefined {
  return fixture.facts?.sdks.find((sdk) => sdk.package === '@modelcontextprotocol/sdk')?.version;
}

/** How long one transform's outputs may take to type-check: one program per fixture, minutes on a busy 2-core machine. */
export const TYPECHECK_TIMEOUT = 300_000;

/**
 * Type-check every TypeScript output of a transform's fixtures against the real SDK packages in
 * node_modules (strict). Outputs are copied under test/.typecheck/ so module resolution finds the
 * repository's node_modules; a fixture pinned to an old SDK release (facts.json) is checked in a folder whose
 * node_modules/@modelcontextprotocol/sdk is that release. Returns `path: message` strings, empty when all is well.
 */
export function typecheckFixtureOutputs(transformId: string, which: 'output' | 'input' = 'output'): string[] {
  const byRelease = new Map<string, FixtureCase[]>();
  for (const fixture of loadFixtureCases(transformId)) {
    const release = pinnedV1Release(fixture) ?? '';
    byRelease.set(release, [...(byRelease.get(release) ?? []), fixture]);
  }
  return [...byRelease].flatMap(([release, fixtures]) => typecheckCases(`${transformId}-${which}${release ? `-sdk-${release}` : ''}`, fixtures, which, release));
}

function typecheckCases(folder: string, fixtures: readonly FixtureCase[], which: 'output' | 'input', release: string): string[] {
  const target = join(TYPECHECK_ROOT, folder);
  rmSync(target, { recursive: true, force: true });
  const roots: string[] = [];
  for (const fixture of fixtures) {
    for (const [path, text] of Object.entries(fixture[which])) {
      if (!/\.[cm]?tsx?$/.test(path)) continue;
      const file = join(target, fixture.name, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      roots.push(file);
    }
  }
  if (roots.length === 0) return [];
  writeFileSync(join(target, 'package.json'), JSON.stringify({ type: 'module' }));
  if (release) {
    const installed = join(REPO_ROOT, 'node_modules', `mcp-sdk-${release}`);
    if (!existsSync(installed)) throw new Error(`fixtures pin @modelcontextprotocol/sdk ${release}: add "mcp-sdk-${release}": "npm:@modelcontextprotocol/sdk@${release}" to devDependencies`);
    mkdirSync(join(target, 'node_modules', '@modelcontextprotocol'), { recursive: true });
    symlinkSync(installed, join(target, 'node_modules', '@modelcontextprotocol', 'sdk'), 'dir');
    // The zod that release's schemas are written in (zod 3 for old releases), so tool shapes type-check against it.
    const zod = join(installed, 'node_modules', 'zod');
    if (existsSync(zod)) symlinkSync(zod, join(target, 'node_modules', 'zod'), 'dir');
  }
  const program = createProgram(roots, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
    skipLibCheck: true,
    esModuleInterop: true,
  });
  const messages = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${relative(target, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  return messages;
}
