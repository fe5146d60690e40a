import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import type { Transform } from '../../src/engine/transform.js';
import { sampleTransform } from './sample-transform.js';

const SERVER = `// entry
const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: () => randomUUID(), // keep this comment
  onsessioninitialized: (id) => {
    transports[id] = transport;
  },
});
`;

describe('transformFiles', () => {
  it('edits only the touched node and places one marker above its statement', () => {
    const { changed, diagnostics } = transformFiles({ 'a.ts': SERVER }, { transforms: [sampleTransform] });
    // Never inside the object literal: above the statement that holds the property, where the output has it.
    expect(changed['a.ts']).toBe(`// entry
// @mcp-sessionless-todo(SL001): remove the session hook
const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: undefined, // keep this comment
  onsessioninitialized: (id) => {
    transports[id] = transport;
  },
});
`);
    expect(diagnostics).toMatchObject([{ level: 'warning', rule: 'SL001', file: 'a.ts', line: 2, transform: 'sample-generator' }]);
  });

  it('is idempotent: a second run changes nothing and adds no marker', () => {
    const first = transformFiles({ 'a.ts': SERVER }, { transforms: [sampleTransform] }).changed['a.ts'] as string;
    const second = transformFiles({ 'a.ts': first }, { transforms: [sampleTransform] });
    expect(second.changed).toEqual({});
    expect(second.diagnostics).toEqual([]);
  });

  it('passes option values, defaults filled in', () => {
    const { changed } = transformFiles({ 'a.ts': SERVER }, { transforms: [sampleTransform], options: { 'sample-generator': { mode: 'loud' } } });
    expect(changed['a.ts']).toContain('remove the session hook!');
  });

  it('rolls a file back when a transform throws, and carries on with the other files', () => {
    const broken = `// THROW_IN_TRANSFORM\n${SERVER}`;
    const { changed, diagnostics } = transformFiles({ 'bad.ts': broken, 'good.ts': SERVER }, { transforms: [sampleTransform] });
    expect(Object.keys(changed)).toEqual(['good.ts']);
    expect(diagnostics.find((d) => d.file === 'bad.ts')).toMatchObject({ level: 'error', rule: 'transform-error', message: 'sample-generator failed: boom' });
  });

  it('reports unparseable files and leaves them alone', () => {
    const { changed, diagnostics } = transformFiles({ 'broken.ts': 'const x = {\n sessionIdGenerator: () => 1,\n', 'good.ts': SERVER }, { transforms: [sampleTransform] });
    expect(Object.keys(changed)).toEqual(['good.ts']);
    expect(diagnostics[0]).toMatchObject({ file: 'broken.ts', rule: 'parse-error', level: 'error' });
    expect(diagnostics[0]?.message).toMatch(/^cannot parse: 3:1 /);
  });

  it('reports conflicting emitted files and refuses to overwrite an input file', () => {
    const emitter = (id: string, text: string): Transform => ({
      ...sampleTransform,
      id,
      vocabulary: /./,
      apply: (ctx) => ctx.emitFile('store.ts', text),
    });
    const conflict = transformFiles({ 'a.ts': 'export {};\n' }, { transforms: [emitter('one', 'A'), emitter('two', 'B')] });
    expect(conflict.changed).toEqual({ 'store.ts': 'A' });
    expect(conflict.diagnostics).toMatchObject([{ rule: 'conflict', file: 'store.ts', transform: 'two' }]);
    const clobber = transformFiles({ 'store.ts': 'mine\n' }, { transforms: [emitter('one', 'A')] });
    expect(clobber.changed).toEqual({});
    expect(clobber.diagnostics).toMatchObject([{ rule: 'conflict', file: 'store.ts' }]);
  });
});

describe('markers and rollback edge cases', () => {
  const markInner: Transform = {
    ...sampleTransform,
    id: 'mark-inner',
    vocabulary: /touch\(/,
    apply: (ctx) => {
      const call = ctx.file.getDescendants().find((n) => n.getText() === 'touch()');
      if (call) ctx.addMarker(call, 'SL003', 'decide');
    },
  };

  it('never puts a marker after code on the same line: it climbs to a statement that starts its line', () => {
    const input = 'function f(x: boolean) {\n  if (x) { touch(); }\n}\n';
    const first = transformFiles({ 'a.ts': input }, { transforms: [markInner] });
    expect(first.changed['a.ts']).toBe('function f(x: boolean) {\n  // @mcp-sessionless-todo(SL003): decide\n  if (x) { touch(); }\n}\n');
    expect(transformFiles({ 'a.ts': first.changed['a.ts'] as string }, { transforms: [markInner] }).changed).toEqual({});
  });

  it('drops what a transform emitted when it throws on that file', () => {
    const emitThenThrow: Transform = {
      ...sampleTransform,
      id: 'emit-then-throw',
      vocabulary: /./,
      apply: (ctx) => {
        ctx.emitFile('store.ts', 'export {};\n');
        throw new Error('late failure');
      },
    };
    const result = transformFiles({ 'a.ts': 'export const a = 1;\n' }, { transforms: [emitThenThrow] });
    expect(result.changed).toEqual({});
    expect(result.emitted).toEqual([]);
    expect(result.diagnostics).toMatchObject([{ rule: 'transform-error', file: 'a.ts' }]);
  });
});

describe('prepare', () => {
  it('plans once per group before any edit, hands the plan to every file, and visits files without the vocabulary', () => {
    const seen: string[] = [];
    let plans = 0;
    const planned: Transform<Record<string, string>> = {
      ...sampleTransform,
      id: 'planned',
      vocabulary: /registerTool/,
      prepare: ({ files }) => {
        plans++;
        return Object.fromEntries(files.map((f) => [f, `// planned for ${f}\n`]));
      },
      apply: (ctx) => {
        seen.push(ctx.relPath);
        ctx.file.insertText(0, ctx.plan[ctx.relPath] ?? '');
      },
    };
    const { changed } = transformFiles({ 'server.ts': 'registerTool();\n', 'state.ts': 'export const m = new Map();\n' }, { transforms: [planned] });
    expect(plans).toBe(1);
    expect(seen).toEqual(['server.ts', 'state.ts']);
    expect(changed['state.ts']).toBe('// planned for state.ts\nexport const m = new Map();\n');
  });

  it('skips groups where no file has the vocabulary, and reports a planning failure on the matching files', () => {
    const failing: Transform = { ...sampleTransform, id: 'failing', vocabulary: /registerTool/, prepare: () => { throw new Error('no plan'); } };
    expect(transformFiles({ 'a.ts': 'export {};\n' }, { transforms: [failing] }).diagnostics).toEqual([]);
    const result = transformFiles({ 'a.ts': 'registerTool();\n', 'b.ts': 'export {};\n' }, { transforms: [failing] });
    expect(result.changed).toEqual({});
    expect(result.diagnostics).toMatchObject([{ file: 'a.ts', rule: 'transform-error', message: 'failing failed while planning: no plan' }]);
  });
});
