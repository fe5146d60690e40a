import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createMemoryProject, syntaxErrors } from '../../src/engine/parse.js';
import { NEW_PROJECT_FILES } from '../../src/scaffold/manifest.js';
import { renderNewProject } from '../../src/scaffold/render-new.js';
import { renderHandleStore } from '../../src/templates/handle-store.js';
import { templatesRoot } from '../../src/templates/render.js';
import { COMBINATIONS, optionsWith } from './options.js';

const COMMON = [
  '.env.example',
  '.gitignore',
  'README.md',
  'package.json',
  'src/handle-store.ts',
  'src/lifecycle.ts',
  'src/server.ts',
  'test/helpers.ts',
  'test/server.test.ts',
  'tsconfig.build.json',
  'tsconfig.json',
  'vitest.config.ts',
];
const NOTEBOOK = ['src/handles/notebook.ts', 'test/notebook.test.ts'];
const sorted = (paths: string[]) => [...paths].sort((a, b) => a.localeCompare(b));

describe('new: rendered file lists', () => {
  it.each([
    ['default', [...COMMON, ...NOTEBOOK, 'src/config.ts', 'src/endpoint.ts', 'src/http.ts', 'src/stdio.ts']],
    ['expressRedisBearer', [...COMMON, ...NOTEBOOK, 'src/auth.ts', 'src/config.ts', 'src/http.ts', 'src/stdio.ts']],
    ['honoHttpBearer', [...COMMON, ...NOTEBOOK, 'src/auth.ts', 'src/config.ts', 'src/endpoint.ts', 'src/http.ts']],
    ['stdioOnly', [...COMMON, ...NOTEBOOK, 'src/stdio.ts']],
    ['noExample', [...COMMON, 'src/auth.ts', 'src/config.ts', 'src/endpoint.ts', 'src/http.ts', 'src/stdio.ts']],
  ] as const)('%s', (combination, expected) => {
    expect(Object.keys(renderNewProject(COMBINATIONS[combination]!))).toEqual(sorted([...expected]));
  });

  it('uses every template under templates/new in some combination', () => {
    const root = join(templatesRoot(), 'new');
    const onDisk: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) walk(path);
        else onDisk.push(relative(root, path).split('\\').join('/'));
      }
    };
    walk(root);
    const listed = NEW_PROJECT_FILES.map((entry) => entry.template);
    expect(sorted(onDisk)).toEqual(sorted([...new Set(listed)]));
    const used = new Set(Object.values(COMBINATIONS).flatMap((options) => NEW_PROJECT_FILES.filter((e) => !e.when || e.when(options)).map((e) => e.template)));
    expect(sorted([...used])).toEqual(sorted([...new Set(listed)]));
  });
});

describe('new: rendered contents', () => {
  it('writes the shared handle store runtime, not a copy of its own', () => {
    for (const options of Object.values(COMBINATIONS)) {
      // A stdio-only server runs one process per client: its store has no Redis adapter.
      const redis = options.transport !== 'stdio';
      expect(renderNewProject(options)['src/handle-store.ts']).toBe(renderHandleStore({ language: 'ts', store: options.store, redis }));
    }
  });

  it('serves HTTP through createMcpHandler with Host/Origin validation on loopback', () => {
    const files = renderNewProject(COMBINATIONS.default!);
    expect(files['src/endpoint.ts']).toContain('createMcpHandler(factory');
    expect(files['src/endpoint.ts']).toContain('hostHeaderValidationResponse(request, config.allowedHosts) ?? originValidationResponse(request, config.allowedOrigins)');
    expect(files['src/http.ts']).toContain('toNodeHandler(endpoint');
    expect(files['src/config.ts']).toContain("host: env.HOST ?? '127.0.0.1'");
    expect(files['src/stdio.ts']).toContain("import { serveStdio } from '@modelcontextprotocol/server/stdio';");
    expect(files['src/server.ts']).toContain('registerNotebookHandles(server);');
    expect(files['src/handles/notebook.ts']).toContain("from '../handle-store.js';");
    expect(files['src/handle-store.ts']).toContain("const DEFAULT_BACKEND: HandleBackend = 'memory';");
  });

  it('wires Express middleware, Redis and bearer auth when chosen', () => {
    const files = renderNewProject(COMBINATIONS.expressRedisBearer!);
    expect(files['src/http.ts']).toContain('hostHeaderValidation(config.allowedHosts)');
    expect(files['src/http.ts']).toContain('requireBearerAuth(bearerAuthOptions(config))');
    // The SDK reads the body itself; a JSON body parser in front would answer malformed JSON with HTML.
    expect(files['src/http.ts']).not.toMatch(/^\s*(app\.use\()?express\.json\(/m);
    expect(files['src/handle-store.ts']).toContain("const DEFAULT_BACKEND: HandleBackend = 'redis';");
    expect(files['src/server.ts']).toContain("cacheScope: 'private' }");
    expect(files['test/helpers.ts']).toContain('export const SHARED_STORE = true;');
  });

  it('verifies bearer tokens before the MCP handler on node:http and Hono', () => {
    const files = renderNewProject(COMBINATIONS.honoHttpBearer!);
    expect(files['src/endpoint.ts']).toMatch(/verifyBearerToken\(request\.headers\.get\('authorization'\), bearer\)[\s\S]*handler\.fetch\(request, \{ authInfo \}\)/);
    expect(files['src/http.ts']).toContain("app.all(MCP_PATH, (c) => endpoint.fetch(c.req.raw));");
  });

  it('leaves HTTP out of stdio-only servers', () => {
    const files = renderNewProject(COMBINATIONS.stdioOnly!);
    const pkg = JSON.parse(files['package.json']!) as { scripts: Record<string, string> };
    expect(Object.keys(pkg.scripts)).toEqual(['build', 'typecheck', 'start:stdio', 'test']);
    expect(files['src/config.ts']).toBeUndefined();
    expect(files['test/helpers.ts']).not.toContain('StreamableHTTPClientTransport');
  });

  it('declares every package the generated code imports, and only published ones', () => {
    for (const [combination, options] of Object.entries(COMBINATIONS)) {
      const files = renderNewProject(options);
      const pkg = JSON.parse(files['package.json']!) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);
      for (const [path, text] of Object.entries(files)) {
        if (!path.endsWith('.ts')) continue;
        for (const [, specifier = ''] of text.matchAll(/from '([^'.][^']*)'/g)) {
          const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '');
          if (specifier.startsWith('node:') || builtinModules.includes(name)) continue;
          expect(declared.has(name), `${combination}: ${path} imports ${specifier}`).toBe(true);
        }
      }
      // Runtime code must not depend on dev-only packages.
      expect(Object.keys(pkg.dependencies)).not.toContain('@modelcontextprotocol/client');
    }
  });

  it('renders code that parses', () => {
    const project = createMemoryProject();
    for (const [combination, options] of Object.entries(COMBINATIONS)) {
      for (const [path, text] of Object.entries(renderNewProject(options))) {
        if (!path.endsWith('.ts')) continue;
        const errors = syntaxErrors(project.createSourceFile(`/${combination}/${path}`, text, { overwrite: true }));
        expect(errors, `${combination}: ${path}`).toEqual([]);
      }
    }
  });

  it('keeps quotes in the description valid JSON', () => {
    const files = renderNewProject(optionsWith({ description: 'Says "hi" \\ bye' }));
    expect((JSON.parse(files['package.json']!) as { description: string }).description).toBe('Says "hi" \\ bye');
    expect(files['README.md']).toContain('Says "hi" \\ bye');
  });

  it('uses the chosen package manager in scripts and the README', () => {
    const files = renderNewProject(optionsWith({ packageManager: 'pnpm' }));
    expect((JSON.parse(files['package.json']!) as { scripts: Record<string, string> }).scripts.test).toBe('pnpm build && vitest run');
    expect(files['README.md']).toContain('pnpm install');
  });
});
