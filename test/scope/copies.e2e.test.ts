/**
 * A value kept as copies in several modules the same tools use, as real servers write it: the opener launches the
 * browser and hands its context to the reader's module through a setter (context-copies-v1). Every copy, and the
 * browser launched beside the opener's, joins one record: the reader's module holds it and the opener's keeps its
 * part, so a conversation's titles are those of its own pages. The original and the migrated server run as stdio
 * children of the real v1 Client.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { callText, outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

describe('context-copies-v1: a browser context handed by a setter to another tool module', () => {
  const CASE = scopeCase('context-copies-v1', 'create_session', 'session_id');
  const running = stdioPairFor(CASE);

  async function converse(client: Client, site: string, id?: string) {
    const handle = id ? { session_id: id } : {};
    return {
      early: await callText(client, 'page_titles', handle),
      opened: [await callText(client, 'open_page', { ...handle, url: `https://${site}/a` }), await callText(client, 'open_page', { ...handle, url: `https://${site}/b` })],
      titles: await callText(client, 'page_titles', handle),
    };
  }

  it('the committed output is what the transform produces; every copy moves, the opener’s as a part', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const files = running().migrated.files;
    expect(files['src/open.ts']).toContain("const sessionPart = sessions.part('src/open', () => ({");
    expect(files['src/open.ts']).toContain('session.browser = await chromium.launch({ headless: true });');
    expect(files['src/read.ts']).toContain('session.context = value;');
    expect(Object.values(files).join('\n')).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way, twice at once on one process, each seeing only its own pages', async () => {
    const expected = await converse(running().before, 'one.test');
    expect(expected).toEqual({ early: 'No browser yet: open a page first', opened: ['opened https://one.test/a', 'opened https://one.test/b'], titles: 'https://one.test/a\nhttps://one.test/b' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const a = await converse(running().after, 'one.test', one);
    // The second conversation starts after the first launched its browser: it still has none of its own.
    const b = await converse(running().after, 'two.test', two);
    expect(a).toEqual(expected);
    expect(b).toEqual({ early: 'No browser yet: open a page first', opened: ['opened https://two.test/a', 'opened https://two.test/b'], titles: 'https://two.test/a\nhttps://two.test/b' });
  });
});
