/**
 * Resources read in a shape the record rewrite does not read (here a lookup table of readers): the record still
 * takes the browser state, and the collection the resources serve stays shared with exactly one marker once the
 * whole migration has run.
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
