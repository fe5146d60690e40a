/**
 * Resources read in a shape the record rewrite does not read (here a lookup table of readers): the record still
 * takes the browser state, and the collection the resources serve stays shared with exactly one marker once the
 * whole migration has run. And state a FastMCP prompt reads besides a fixed resource: the resource could be keyed by
 * the handle, the prompt cannot, so the state stays shared, with what it is set together with, and the markers say so.
 */
import { describe, expect, it } from 'vitest';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { loadFixtureCases } from '../helpers/fixtures.js';

describe('resources-declined-v1 through every transform', () => {
  it('keeps the record and leaves one marker on the shared collection', () => {
    const fixture = loadFixtureCases('session-scope').find((c) => c.name === 'resources-declined-v1')!;
    const result = transformFiles(fixture.input, { transforms: TRANSFORMS });
    expect(result.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    const text = result.changed['src/index.ts']!;
    expect(text).toContain('page: undefined as Page | undefined');
    const markers = text.split('\n').filter((line) => line.includes(TODO_MARKER));
    expect(markers).toHaveLength(1);
    expect(markers[0]).toMatch(/snapshots is shared by every client/);
    // A second run changes nothing.
    const again = transformFiles({ ...fixture.input, ...result.changed }, { transforms: TRANSFORMS });
    expect(again.changed).toEqual({});
  });
});

describe('state a fixed resource and a prompt read', () => {
  // The shelf server of fastmcp-current-shelf-v1 with a prompt that reads the current shelf too.
  const withPrompt = (server: string) =>
    server.replace(
      "if (process.env.SHELVES_STDIO) {",
      `server.addPrompt({
  name: 'shelf-review',
  description: 'Review the current shelf',
  load: async () => \`Review these books: \${books.join(', ')}\`,
});

if (process.env.SHELVES_STDIO) {`,
    );

  it('keeps the state shared with markers naming the prompt, the reader no handle reaches, not the resource it could key', () => {
    const fixture = loadFixtureCases('session-scope').find((c) => c.name === 'fastmcp-current-shelf-v1')!;
    const input = { ...fixture.input, 'src/server.ts': withPrompt(fixture.input['src/server.ts']!) };
    const result = transformFiles(input, { transforms: TRANSFORMS });
    const text = result.changed['src/server.ts']!;
    const markers = text.split('\n').filter((line) => line.includes(TODO_MARKER));
    // The shelf the tools switch is set with the books the prompt reads: neither moves without the other.
    expect(markers).toHaveLength(2);
    expect(markers[0]).toMatch(/currentShelf is set together with books, which stays shared by every conversation \(see its marker\), so it stays shared too/);
    expect(markers[1]).toMatch(/books is also read by prompt shelf-review, which cannot take a handle, .*give the prompt the handle as an argument/);
    expect(text).not.toContain('defineScope');
    expect(text).toContain("server.addResource({\n  uri: 'shelf://current/summary',");
  });
});
