import { describe, expect, it } from 'vitest';
import { OverlappingEdits, TextEdits } from '../../transforms/shared/text-edits.js';

/** The one edit layer all transforms write through (transforms/shared/text-edits.ts). */
describe('TextEdits', () => {
  const text = 'let a = 1;\nlet b = 2;\nlet c = 3;\n';

  it('applies replacements and insertions planned on one text, keeping everything else byte for byte', () => {
    const edits = new TextEdits(text);
    edits.replace(text.indexOf('2'), text.indexOf('2') + 1, 'two');
    edits.insert(0, '// head\n');
    edits.insert(text.length, '// tail\n');
    expect(edits.apply()).toBe('// head\nlet a = 1;\nlet b = two;\nlet c = 3;\n// tail\n');
    expect(edits.size).toBe(3);
  });

  it('keeps several insertions at one point in the order they were asked for, before a replacement starting there', () => {
    const edits = new TextEdits(text);
    const at = text.indexOf('let b');
    edits.replace(at, at + 5, 'const b');
    edits.insert(at, 'first;\n');
    edits.insert(at, 'second;\n');
    expect(edits.apply()).toBe('let a = 1;\nfirst;\nsecond;\nconst b = 2;\nlet c = 3;\n');
  });

  it('refuses overlapping edits and insertions inside a replaced range, with a typed error', () => {
    const edits = new TextEdits(text);
    edits.replace(0, 10, 'x');
    expect(() => edits.replace(5, 15, 'y')).toThrow(OverlappingEdits);
    expect(() => edits.insert(4, 'z')).toThrow(OverlappingEdits);
    expect(() => edits.replace(10, 12, 'ok')).not.toThrow();
  });

  it('places markers riding in new text and maps markers asked for on the old text, dropping those whose spot was replaced', () => {
    const edits = new TextEdits(text);
    const b = text.indexOf('let b');
    edits.insert(0, '// note\n', [{ offset: 3, rule: 'SL006', message: 'in text' }]);
    edits.replace(b, b + 'let b = 2;'.length, 'let b = 22;');
    const c = text.indexOf('let c');
    const { text: out, markers } = edits.result([
      { pos: c, rule: 'SL003', message: 'kept' },
      { pos: b + 4, rule: 'SL003', message: 'replaced' },
    ]);
    expect(markers.map((m) => [m.message, out.slice(m.pos, m.pos + 4)])).toEqual([
      ['in text', 'note'],
      ['kept', 'let '],
    ]);
    expect(edits.mapPosition(c)).toBe(out.indexOf('let c'));
  });

  it('merges another plan on the same text; an overlapping one is refused', () => {
    const base = new TextEdits(text);
    base.replace(0, 3, 'var');
    const other = new TextEdits(text);
    other.replace(1, 2, 'E');
    expect(() => base.merge(other)).toThrow(OverlappingEdits);
    const disjoint = new TextEdits(text);
    disjoint.replace(text.indexOf('let c'), text.indexOf('let c') + 3, 'var');
    base.merge(disjoint);
    expect(base.apply()).toBe('var a = 1;\nlet b = 2;\nvar c = 3;\n');
  });
});
