/**
 * A server class that builds its low-level Server and a helper object in its constructor (`this.cursor = new
 * Cursor(this.notebooks)`), once per process: the original and the migrated server-class-field-object-v1 fixture as
 * stdio children of the real v1 Client. Migrated, the field holds the record's own cursor (built with the shared
 * notebooks), so two conversations write in notebooks of their choosing, into notebooks everyone shares.
 */
import { describe, expect, it } from 'vitest';
import { callText, outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const CASE = scopeCase('server-class-field-object-v1', 'create_session', 'session_id');

const call = callText;

describe('server-class-field-object-v1: an object a server class builds in its constructor', () => {
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces: the field holds the record\'s object', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(running().migrated.files['src/server.ts']).toContain(`this.cursor = sessions.instance('cursor', () => new Cursor(this.notebooks));`);
  });

  it('answers the original conversation the same way; conversations keep their own cursor over shared notebooks', async () => {
    const before = running().before;
    const original = [await call(before, 'open_notebook', { name: 'ideas' }), await call(before, 'add_note', { text: 'one' })];
    expect(original).toEqual(['Writing in ideas', 'ideas: 1 note(s), 1 added here']);
    const after = running().after;
    const [first, second] = await Promise.all([running().create(), running().create()]);
    expect([await call(after, 'open_notebook', { session_id: first, name: 'ideas' }), await call(after, 'add_note', { session_id: first, text: 'one' })]).toEqual(original);
    await call(after, 'open_notebook', { session_id: second, name: 'ideas' });
    expect(await call(after, 'add_note', { session_id: second, text: 'two' })).toBe('ideas: 2 note(s), 1 added here');
    await call(after, 'open_notebook', { session_id: second, name: 'todo' });
    // The first conversation still writes in ideas.
    expect(await call(after, 'add_note', { session_id: first, text: 'three' })).toBe('ideas: 3 note(s), 2 added here');
    const fresh = await running().create();
    await expect(after.callTool({ name: 'add_note', arguments: { session_id: fresh, text: 'x' } })).rejects.toThrow('No notebook open');
  });
});
