import { describe, expect, it } from 'vitest';
import { applyAccepted, hunksOf } from '../../src/review/hunks.js';
import { authorsOf, footprintOf } from '../../src/review/attribution.js';
import { acceptedChanges } from '../../src/review/accept.js';

const lines = (n: number, label = 'line') => Array.from({ length: n }, (_, i) => `const ${label}${i + 1} = ${i + 1};`);

describe('hunks', () => {
  const before = `${lines(30).join('\n')}\n`;
  const afterLines = lines(30);
  afterLines[1] = 'const line2 = 200;';
  afterLines[14] = 'const line15 = 1500;';
  afterLines.splice(28, 0, 'const added = true;');
  const change = { path: 'src/a.ts', before, after: `${afterLines.join('\n')}\n`, transforms: ['t'] };

  it('cuts a change into the hunks the dry run prints, with where each change sits', () => {
    const hunks = hunksOf(change);
    expect(hunks.map((h) => h.header)).toEqual(['@@ -1,5 +1,5 @@', '@@ -12,7 +12,7 @@', '@@ -26,5 +26,6 @@']);
    expect(hunks.map((h) => h.changedOld)).toEqual([
      { start: 1, end: 2 },
      { start: 14, end: 15 },
      { start: 28, end: 28 },
    ]);
    expect(hunks[2]?.changedNew).toEqual({ start: 28, end: 29 });
  });

  it('applies exactly the accepted hunks', () => {
    const result = applyAccepted(change, new Set([0, 2]));
    const expected = lines(30);
    expected[1] = 'const line2 = 200;';
    expected.splice(28, 0, 'const added = true;');
    expect(result).toEqual({ kind: 'ok', text: `${expected.join('\n')}\n` });
    expect(applyAccepted(change, new Set([0, 1, 2]))).toEqual({ kind: 'ok', text: change.after });
    expect(applyAccepted(change, new Set())).toEqual({ kind: 'ok', text: before });
  });

  it('refuses a subset that does not parse, so the file can only be taken whole', () => {
    const body = lines(12, 'x');
    const opened = [...body];
    opened[0] = 'if (ready) {';
    opened.push('}');
    const guarded = { path: 'src/b.ts', before: `${body.join('\n')}\n`, after: `${opened.join('\n')}\n`, transforms: ['t'] };
    expect(hunksOf(guarded)).toHaveLength(2);
    const partial = applyAccepted(guarded, new Set([0]));
    expect(partial.kind).toBe('unparsable');
    const accepted = acceptedChanges([{ change: guarded, hunks: [] }], new Map([['src/b.ts', new Set([0])]]));
    expect(accepted.changes).toEqual([]);
    expect(accepted.wholeOnly.map((w) => w.file.change.path)).toEqual(['src/b.ts']);
  });
});

describe('attribution', () => {
  it('maps each step back to the original lines through the steps before it', () => {
    const original = `${lines(20).join('\n')}\n`;
    const first = lines(20);
    first[2] = 'const line3 = 0;';
    const second = [...first];
    second[16] = 'const line17 = 0;';
    second.splice(0, 0, '// header', '// header', '// header', '// header');
    const formatted = [...second];
    formatted[4 + 10] = 'const line11 = 11; ';
    const footprint = footprintOf(original, [
      { by: 'first', text: `${first.join('\n')}\n` },
      { by: 'second', text: `${second.join('\n')}\n` },
      { by: 'format', text: `${formatted.join('\n')}\n` },
    ]);
    expect(authorsOf(footprint, { start: 2, end: 3 })).toEqual(['first']);
    expect(authorsOf(footprint, { start: 16, end: 17 })).toEqual(['second']);
    expect(authorsOf(footprint, { start: 0, end: 0 })).toEqual(['second']);
    expect(authorsOf(footprint, { start: 10, end: 11 })).toEqual(['format']);
    expect(authorsOf(footprint, { start: 6, end: 7 })).toEqual([]);
  });
});
