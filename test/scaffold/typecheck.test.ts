import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { planAddHandle } from '../../src/scaffold/add-handle.js';
import { renderNewProject, type FileMap } from '../../src/scaffold/render-new.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { createProgram } from '../helpers/typescript.js';
import { COMBINATIONS, optionsWith } from './options.js';

/**
 * Type-check generated code against the real SDK packages without installing anything: each
 * project is written to a temp folder whose node_modules links to this repository's, and all of
 * them go through one TypeScript program (one parse of the SDK typings for every combination).
 * The end-to-end tests install for real; this keeps every combination covered in seconds.
 */
const root = mkdtempSync(join(tmpdir(), 'mcp-sl-typecheck-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeProject(name: string, files: FileMap): string {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function typeErrors(dirs: string[]): string[] {
  // Every generated project shares one tsconfig.json; read it from the first.
  const configPath = join(dirs[0] as string, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, dirname(configPath));
  const rootNames = dirs.flatMap((dir) => ts.parseJsonConfigFileContent(ts.readConfigFile(join(dir, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, dir).fileNames);
  const program = createProgram(rootNames, { ...config.options, noEmit: true, rootDir: root });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(root.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('generated code type-checks against the real SDK packages', () => {
  it('for every option combination, and after add handle', async () => {
    const dirs = Object.entries(COMBINATIONS).map(([name, options]) => writeProject(name, renderNewProject(options)));
    // add handle on a generated project: write its plan over the project.
    const grown = writeProject('grown', renderNewProject(optionsWith({ framework: 'hono', store: 'redis', auth: 'bearer' })));
    const plan = await planAddHandle({ root: grown, family: { kind: 'shopping_cart', item: 'product' } });
    for (const [path, content] of Object.entries(plan.files)) writeFileSync(join(grown, path), content);
    dirs.push(grown);
    expect(typeErrors(dirs)).toEqual([]);
  });
});
