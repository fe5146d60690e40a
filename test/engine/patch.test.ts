import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { patchOf } from '../../src/engine/diff.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('patchOf', () => {
  it('produces one patch that git apply accepts, new files included', () => {
    project = tempProject({ 'src/a.ts': 'one\ntwo\nthree\n', 'src/b.ts': 'keep\n' }, { git: true });
    const patch = patchOf([
      { path: 'src/a.ts', before: 'one\ntwo\nthree\n', after: 'one\n2\nthree\n', transforms: ['t'] },
      { path: 'src/store.ts', before: undefined, after: 'export const store = 1;\n', transforms: [] },
    ]);
    writeFileSync(join(project.dir, 'out.diff'), patch);
    project.git('apply', '--check', 'out.diff');
    project.git('apply', 'out.diff');
    expect(project.read('src/a.ts')).toBe('one\n2\nthree\n');
    expect(project.read('src/store.ts')).toBe('export const store = 1;\n');
  });

  it('names the bytes on disk: a CRLF file and a file with a BOM apply, and keep their layout', () => {
    const crlf = 'one\r\ntwo\r\nthree\r\n';
    const bom = '\uFEFFkeep\r\nthis\r\n';
    project = tempProject({ 'src/a.ts': crlf, 'src/b.ts': bom }, { git: true });
    const patch = patchOf([
      { path: 'src/a.ts', before: 'one\ntwo\nthree\n', after: 'one\n2\nthree\nfour\n', transforms: ['t'], stored: { bom: false, crlf: true } },
      { path: 'src/b.ts', before: 'keep\nthis\n', after: 'kept\nthis\n', transforms: ['t'], stored: { bom: true, crlf: true } },
    ]);
    writeFileSync(join(project.dir, 'out.diff'), patch);
    project.git('apply', '--check', 'out.diff');
    project.git('apply', 'out.diff');
    expect(project.read('src/a.ts')).toBe('one\r\n2\r\nthree\r\nfour\r\n');
    expect(project.read('src/b.ts')).toBe('\uFEFFkept\r\nthis\r\n');
  });
});
