import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { specifierFor } from '../../transforms/handles/imports.js';

/**
 * The specifier of a generated module's import follows how the project writes relative imports: a module whose own
 * relative imports are extensionless may import only types (elided once compiled), so the project's other modules
 * decide whether Node needs the `.js` at run time.
 */
function project(files: Record<string, string>) {
  const p = new Project({ useInMemoryFileSystem: true });
  for (const [path, text] of Object.entries(files)) p.createSourceFile(path, text);
  return p;
}

describe('specifierFor', () => {
  it('writes no extension where neither the module nor the project does', () => {
    const p = project({ '/src/recorder.ts': "import { Action } from './types';\n", '/src/index.ts': "import { run } from './recorder';\n" });
    expect(specifierFor(p.getSourceFileOrThrow('/src/recorder.ts'), 'src/recorder.ts', 'src/handle-scope.ts')).toBe('./handle-scope');
  });

  it('writes .js where the module imports only types without one but the project names extensions', () => {
    const p = project({ '/src/tools/recorder.ts': "import { Action } from './types';\n", '/src/index.ts': "import { run } from './tools/recorder.js';\n" });
    expect(specifierFor(p.getSourceFileOrThrow('/src/tools/recorder.ts'), 'src/tools/recorder.ts', 'src/handle-scope.ts')).toBe('../handle-scope.js');
  });

  it('writes .js where the module does', () => {
    const p = project({ '/src/a.ts': "import { b } from './b.js';\n" });
    expect(specifierFor(p.getSourceFileOrThrow('/src/a.ts'), 'src/a.ts', 'src/handle-store.ts')).toBe('./handle-store.js');
  });
});
