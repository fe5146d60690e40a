import { describe, expect, it } from 'vitest';
import { SyntaxKind } from 'ts-morph';
import { applyMarkers } from '../../src/engine/markers.js';
import { createMemoryProject, isCurrentNode, replaceFileText } from '../../src/engine/parse.js';

describe('replaceFileText', () => {
  it('swaps the tree of the same file object, keeping its path and kind', () => {
    const project = createMemoryProject();
    const file = project.createSourceFile('/a.js', 'const a = 1;\n');
    replaceFileText(file, 'const b = 2;\nconst c = 3;\n');
    expect(project.getSourceFileOrThrow('/a.js')).toBe(file);
    expect(file.getFullText()).toBe('const b = 2;\nconst c = 3;\n');
    expect(file.getVariableDeclarations().map((d) => d.getName())).toEqual(['b', 'c']);
    expect(file.getScriptKind()).toBe(project.createSourceFile('/b.js', '').getScriptKind());
  });

  it('leaves nodes of the old tree recognisably stale', () => {
    const file = createMemoryProject().createSourceFile('/a.ts', 'let x = 1;\n');
    const old = file.getFirstDescendantByKindOrThrow(SyntaxKind.VariableStatement);
    expect(isCurrentNode(old)).toBe(true);
    replaceFileText(file, 'let y = 2;\n');
    expect(isCurrentNode(old)).toBe(false);
    expect(isCurrentNode(file.getFirstDescendantByKindOrThrow(SyntaxKind.VariableStatement))).toBe(true);
  });

  it('refuses a marker anchored to a node the transform has since replaced, instead of misplacing it', () => {
    const file = createMemoryProject().createSourceFile('/a.ts', 'let x = 1;\n');
    const anchor = file.getFirstDescendantByKindOrThrow(SyntaxKind.VariableStatement);
    replaceFileText(file, '// header\nlet x = 1;\n');
    expect(() => applyMarkers(file, [{ anchor, rule: 'SL006', message: 'x spans requests' }])).toThrow(/since rewritten/);
  });
});
