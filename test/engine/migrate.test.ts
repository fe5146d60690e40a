import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/engine/migrate.js';
import { readSources } from '../../src/engine/disk.js';
import { RunError } from '../../src/engine/errors.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { sampleTransform } from './sample-transform.js';

const ENTRY = `import { randomUUID } from 'node:crypto';
const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: () => randomUUID(),
});
`;
const MIGRATED = ENTRY.replace('() => randomUUID()', 'undefined');
const registry = { transforms: [sampleTransform] };

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('migrate', () => {
  it('dry run reports the change and writes nothing', async () => {
    project = tempProject({ 'src/server.ts': ENTRY, 'src/plain.ts': 'export const a = 1;\n' }, { git: true });
    const before = project.hash();
    const result = await migrate({ path: project.dir, registry });
    expect(result.changes).toEqual([{ path: 'src/server.ts', before: ENTRY, after: MIGRATED, transforms: ['sample-generator'] }]);
    expect(result.written).toEqual([]);
    expect(result.stats).toMatchObject({ discovered: 2, parsed: 1, changed: 1, workers: 1 });
    expect(project.hash()).toBe(before);
  });

  it('--write applies the same changes, and a second run finds nothing to do', async () => {
    project = tempProject({ 'src/server.ts': ENTRY }, { git: true });
    const result = await migrate({ path: project.dir, registry, write: true });
    expect(result.written).toEqual(['src/server.ts']);
    expect(project.read('src/server.ts')).toBe(MIGRATED);
    project.git('commit', '-qam', 'migrated');
    expect((await migrate({ path: project.dir, registry, write: true })).changes).toEqual([]);
  });

  it('refuses to write into a dirty git work tree unless allowed', async () => {
    project = tempProject({ 'src/server.ts': ENTRY }, { git: true });
    project.write('src/other.ts', 'export {};\n');
    const before = project.hash();
    const refusal = migrate({ path: project.dir, registry, write: true });
    await expect(refusal).rejects.toBeInstanceOf(RunError);
    await expect(refusal).rejects.toMatchObject({ code: 'dirty-tree', details: ['src/other.ts'] });
    expect(project.hash()).toBe(before);
    const allowed = await migrate({ path: project.dir, registry, write: true, allowDirty: true });
    expect(allowed.written).toEqual(['src/server.ts']);
  });

  it('isolates an unparseable file: reported with its path and reason, the rest still migrates', async () => {
    project = tempProject({ 'src/server.ts': ENTRY, 'src/broken.ts': 'const sessionIdGenerator = {\n' }, { git: true });
    const result = await migrate({ path: project.dir, registry, write: true });
    expect(result.written).toEqual(['src/server.ts']);
    expect(result.diagnostics).toMatchObject([{ file: 'src/broken.ts', rule: 'parse-error', level: 'error' }]);
    expect(project.read('src/broken.ts')).toBe('const sessionIdGenerator = {\n');
  });

  it('rejects a missing path, unknown transforms and unknown or invalid options before doing anything', async () => {
    await expect(migrate({ path: '/no/such/dir', registry })).rejects.toMatchObject({ code: 'missing-path' });
    project = tempProject({ 'a.ts': ENTRY });
    await expect(migrate({ path: project.dir, registry, transforms: ['nope'] })).rejects.toMatchObject({
      code: 'unknown-transform',
      message: 'unknown transform: nope',
    });
    await expect(migrate({ path: project.dir, registry, transformOptions: { 'sample-generator': { colour: 'x' } } })).rejects.toMatchObject({
      code: 'invalid-option',
    });
    await expect(migrate({ path: project.dir, registry, transformOptions: { 'sample-generator': { mode: 'x' } } })).rejects.toThrow(
      'sample-generator.mode must be one of plain, loud; got "x"',
    );
  });

  it("formats changed files with the project's own Prettier config, in dry run and write alike", async () => {
    project = tempProject({
      'package.json': '{ "name": "p", "private": true }\n',
      '.prettierrc': '{ "singleQuote": true, "semi": false }\n',
      'src/server.ts': ENTRY,
    });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(project.dir, 'node_modules'));
    const result = await migrate({ path: project.dir, registry });
    expect(result.formatter).toBe('prettier');
    expect(result.changes[0]?.after).toBe(`import { randomUUID } from 'node:crypto'
const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: undefined,
})
`);
  });
});

describe('readSources', () => {
  it('turns an unreadable file into a diagnostic and reads the others', async () => {
    project = tempProject({ 'a.ts': 'a\n' });
    const { texts, diagnostics } = await readSources(project.dir, ['a.ts', 'gone.ts']);
    expect([...texts.keys()]).toEqual(['a.ts']);
    expect(diagnostics).toMatchObject([{ file: 'gone.ts', rule: 'read-error', message: 'cannot read: ENOENT' }]);
  });
});
