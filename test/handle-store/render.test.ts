import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDLE_STORE_DEFAULT_PATH, handleStoreDefaultPath, renderHandleStore } from '../../src/templates/handle-store.js';
import { listTemplateFiles, renderTemplate, renderTemplateDirectory, templatesRoot } from '../../src/templates/render.js';
import { REPO_ROOT, scratchDir, writeFile } from './generated.js';

const scratch = scratchDir('handle-store-render');
afterAll(() => scratch.remove());

describe('template renderer', () => {
  it('finds the package templates folder from the sources', () => {
    expect(templatesRoot()).toBe(join(REPO_ROOT, 'templates'));
    expect(listTemplateFiles('handle-store')).toEqual(['handle-store.ts.hbs']);
  });

  it('renders a directory: path tokens, optional files, verbatim non-templates, nested folders', () => {
    const dir = join(scratch.dir, 'tree');
    writeFile(join(dir, 'src', '{{name}}.ts.hbs'), 'export const name = {{json name}};\n');
    writeFile(join(dir, '{{#if redis}}redis.ts{{/if}}.hbs'), 'redis only\n');
    writeFile(join(dir, 'docs', '{{name}}', 'README.md.hbs'), '# {{title}}\n{{#if (eq store "redis")}}shared{{else}}local{{/if}}\n');
    writeFile(join(dir, 'static.txt'), 'kept as is: {{not a field}}\n');

    expect(renderTemplateDirectory(dir, { name: 'weather', title: 'Weather', store: 'memory', redis: false })).toEqual({
      'docs/weather/README.md': '# Weather\nlocal\n',
      'src/weather.ts': 'export const name = "weather";\n',
      'static.txt': 'kept as is: {{not a field}}\n',
    });
    expect(Object.keys(renderTemplateDirectory(dir, { name: 'w', title: 'W', store: 'redis', redis: true })).sort()).toEqual([
      'docs/w/README.md',
      'redis.ts',
      'src/w.ts',
      'static.txt',
    ]);
  });

  it('offers the registered helpers to every template', () => {
    const file = writeFile(join(scratch.dir, 'helpers', 'h.hbs'), '{{#if (and a (or b c))}}1{{/if}}{{#if (not b)}}2{{/if}}{{#if (ne a b)}}3{{/if}}{{json list}}');
    expect(renderTemplate(file, { a: true, b: false, c: true, list: ['x', 1] })).toBe('123["x",1]');
    expect(renderTemplate(file, { a: true, b: true, c: false, list: [] })).toBe('1[]');
  });

  it('fails loudly on a field the data lacks, naming the template', () => {
    const file = writeFile(join(scratch.dir, 'strict', 'a.ts.hbs'), 'const x = {{missing}};\n');
    expect(() => renderTemplate(file, {})).toThrow(/a\.ts\.hbs: "missing" not defined/);
    // Output is code: no HTML escaping.
    const quoted = writeFile(join(scratch.dir, 'strict', 'b.ts.hbs'), "const s = '{{value}}';\n");
    expect(renderTemplate(quoted, { value: 'a < b && "c"' })).toBe('const s = \'a < b && "c"\';\n');
  });

  it('works from an installed package layout (dist inside node_modules)', async () => {
    // The layout of a packed tarball: package.json, templates/ and the compiled renderer under dist/src/templates.
    const installed = join(scratch.dir, 'node_modules', 'mcp-sessionless');
    writeFile(join(installed, 'package.json'), JSON.stringify({ name: 'mcp-sessionless', type: 'module' }));
    cpSync(join(REPO_ROOT, 'templates', 'handle-store'), join(installed, 'templates', 'handle-store'), { recursive: true });
    for (const name of ['render', 'helpers', 'erase-types', 'handle-store']) {
      const source = readFileSync(join(REPO_ROOT, 'src', 'templates', `${name}.ts`), 'utf8');
      const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
      writeFile(join(installed, 'dist', 'src', 'templates', `${name}.js`), output.outputText);
    }
    const compiled = (await import(pathToFileURL(join(installed, 'dist', 'src', 'templates', 'handle-store.js')).href)) as typeof import('../../src/templates/handle-store.js');
    const rendered = (await import(pathToFileURL(join(installed, 'dist', 'src', 'templates', 'render.js')).href)) as typeof import('../../src/templates/render.js');
    expect(rendered.templatesRoot()).toBe(join(installed, 'templates'));
    expect(compiled.renderHandleStore({ language: 'ts', store: 'redis' })).toBe(renderHandleStore({ language: 'ts', store: 'redis' }));
  });
});

describe('renderHandleStore', () => {
  it('renders every variant completely, with the chosen default backend', () => {
    for (const language of ['ts', 'js'] as const) {
      for (const store of ['memory', 'redis'] as const) {
        const text = renderHandleStore({ language, store });
        // No Handlebars left over (the JavaScript's JSDoc types legitimately hold `{{ … }}` object types).
        expect(text).not.toMatch(/\\\{\{|\{\{[#/]|\{\{(else|store|redis)\}\}/);
        expect(text).toContain(`const DEFAULT_BACKEND${language === 'ts' ? ': HandleBackend' : ''} = '${store}';`);
        expect(text).toContain(store === 'redis' ? 'Storage: Redis by default' : "Storage: this process's memory by default");
        // No import of ioredis or of this package: the module stands alone.
        expect(text).not.toMatch(/from ['"](ioredis|mcp-sessionless)/);
        expect(renderHandleStore({ language, store })).toBe(text);
      }
    }
  });

  it('knows where the module goes and rejects unknown options', () => {
    expect(HANDLE_STORE_DEFAULT_PATH).toBe('src/handle-store.ts');
    expect(handleStoreDefaultPath('ts')).toBe('src/handle-store.ts');
    expect(handleStoreDefaultPath('js')).toBe('src/handle-store.js');
    expect(() => renderHandleStore({ language: 'py' as never, store: 'memory' })).toThrow(/language/);
    expect(() => renderHandleStore({ language: 'ts', store: 'memcached' as never })).toThrow(/backend/);
  });
});
