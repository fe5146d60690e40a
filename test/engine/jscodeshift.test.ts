import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { toJscodeshift } from '../../src/engine/jscodeshift.js';
import { sampleTransform } from './sample-transform.js';

// jscodeshift's own test runner, so the adapter is exercised exactly as jscodeshift calls transforms.
const { applyTransform } = createRequire(import.meta.url)('jscodeshift/dist/testUtils') as {
  applyTransform(module: unknown, options: Record<string, unknown>, input: { source: string; path?: string }, testOptions?: { parser?: string }): string;
};

const INPUT = `const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: () => randomUUID(),
  onsessioninitialized: (id) => {},
});
`;

describe('jscodeshift entry', () => {
  it('applies the transform through jscodeshift, with options from the runner', () => {
    const output = applyTransform({ default: toJscodeshift(sampleTransform), parser: 'ts' }, { mode: 'loud' }, { source: INPUT, path: 'src/a.ts' });
    expect(output).toBe(`// @mcp-sessionless-todo(SL001): remove the session hook!
const transport = new StreamableHTTPServerTransport({
  sessionIdGenerator: undefined,
  onsessioninitialized: (id) => {},
});`);
  });

  it('leaves files it does not change alone', () => {
    const source = 'export const x = 1;\n';
    expect(applyTransform({ default: toJscodeshift(sampleTransform) }, {}, { source, path: 'b.ts' })).toBe(source.trim());
  });

  it('throws (so jscodeshift counts an error) on unparseable input', () => {
    expect(() => applyTransform({ default: toJscodeshift(sampleTransform) }, {}, { source: 'const sessionIdGenerator = {', path: 'c.ts' })).toThrow(/cannot parse/);
  });
});
