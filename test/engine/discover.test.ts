import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverFiles } from '../../src/engine/discover.js';
import { groupByImports } from '../../src/engine/components.js';

/** A fresh project folder and a function writing a file into it (folders made as needed). */
function scratchProject(prefix: string): { project: string; write: (path: string, text: string) => void } {
  const project = mkdtempSync(join(tmpdir(), prefix));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  };
  return { project, write };
}

const root = mkdtempSync(join(tmpdir(), 'mcp-sl-discover-'));
const files: Record<string, string> = {
  '.gitignore': 'build/\n*.generated.ts\n',
  'src/server.ts': "import { carts } from './state.js';\nimport './tools/index.js';\n",
  'src/state.ts': 'export const carts = new Map();\n',
  'src/tools/index.ts': "export * from '../util';\n",
  'src/util.ts': 'export const x = 1;\n',
  'src/lonely.mts': 'export {};\n',
  'src/types.d.ts': 'declare const y: number;\n',
  'src/api.generated.ts': 'export {};\n',
  'src/README.md': '# not code\n',
  'build/out.js': 'ignored();\n',
  'node_modules/pkg/index.js': 'ignored();\n',
  'packages/app/.gitignore': 'secret.ts\n',
  'packages/app/secret.ts': 'export {};\n',
  'packages/app/main.js': "require('./secret.ts');\n",
};
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('discoverFiles', () => {
  it('finds source files, honouring root and nested .gitignore files and skipping node_modules and .d.ts', async () => {
    expect(await discoverFiles(root)).toEqual(['packages/app/main.js', 'src/lonely.mts', 'src/server.ts', 'src/state.ts', 'src/tools/index.ts', 'src/util.ts']);
  });

  it('applies --include and --exclude globs', async () => {
    expect(await discoverFiles(root, { include: ['src/**'], exclude: ['**/util.ts', 'src/tools/**'] })).toEqual([
      'src/lonely.mts',
      'src/server.ts',
      'src/state.ts',
    ]);
  });

  it('skips compiled output a tsconfig.json names as its outDir (committed for npm), wherever the tsconfig is', async () => {
    const { project, write } = scratchProject('mcp-sl-discover-out-');
    write('tsconfig.json', '{\n  "compilerOptions": {\n    // "outDir": "lib",\n    "outDir": "./dist", /* emitted files */\n    "rootDir": "./src"\n  }\n}\n');
    write('src/index.ts', 'export {};\n');
    write('dist/index.js', 'export {};\n');
    write('lib/keep.js', 'export {};\n');
    write('packages/api/tsconfig.json', '{ "compilerOptions": { "outDir": "build/esm" } }\n');
    write('packages/api/index.ts', 'export {};\n');
    write('packages/api/build/esm/index.js', 'export {};\n');
    write('packages/same/tsconfig.json', '{ "compilerOptions": { "outDir": "src", "rootDir": "src" } }\n');
    write('packages/same/src/index.ts', 'export {};\n');
    try {
      expect(await discoverFiles(project)).toEqual(['lib/keep.js', 'packages/api/index.ts', 'packages/same/src/index.ts', 'src/index.ts']);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('skips a copy of the MCP SDK kept below the root (a vendored typescript-sdk checkout), not the SDK repository itself', async () => {
    const { project, write } = scratchProject('mcp-sl-discover-sdk-');
    write('package.json', '{ "name": "terminal-server" }\n');
    write('src/index.ts', 'export {};\n');
    write('typescript-sdk-main/package.json', '{ "name": "@modelcontextprotocol/sdk", "version": "1.19.1" }\n');
    write('typescript-sdk-main/src/examples/server/simpleStreamableHttp.ts', 'export {};\n');
    write('vendor/broken/package.json', '{ not json');
    write('vendor/broken/keep.ts', 'export {};\n');
    write('packages/mcp-helpers/package.json', '{ "name": "@modelcontextprotocol/helpers-of-mine" }\n');
    write('packages/mcp-helpers/index.ts', 'export {};\n');
    try {
      expect(await discoverFiles(project)).toEqual(['packages/mcp-helpers/index.ts', 'src/index.ts', 'vendor/broken/keep.ts']);
      // Run on the SDK's own checkout, its root is the project: nothing is left out.
      expect(await discoverFiles(join(project, 'typescript-sdk-main'))).toEqual(['src/examples/server/simpleStreamableHttp.ts']);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('accepts a single file', async () => {
    expect(await discoverFiles(join(root, 'src/state.ts'))).toEqual(['state.ts']);
  });

  it('rejects a missing path', async () => {
    await expect(discoverFiles(join(root, 'nope'))).rejects.toThrow(/ENOENT/);
  });
});

describe('groupByImports', () => {
  it('pulls in what seeds import (.js specifiers naming .ts files, index files) and keeps unrelated files apart', () => {
    const texts = new Map(Object.entries(files).filter(([p]) => p.endsWith('.ts') || p.endsWith('.mts')));
    texts.set('other.ts', 'export const z = 2;\n');
    expect(groupByImports(['src/server.ts', 'other.ts'], texts)).toEqual([
      ['other.ts'],
      ['src/server.ts', 'src/state.ts', 'src/tools/index.ts', 'src/util.ts'],
    ]);
  });
});
