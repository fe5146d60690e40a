/**
 * Classes with one instance that no module variable holds, as real servers write them: a `getInstance()` singleton
 * with a private constructor (singleton-get-instance-v1, a low-level Server whose SIGINT handler cleans it up), and
 * a class the server class builds once in its constructor and hands to its tools through a local
 * (built-once-by-server-v1); and both kinds in two modules serving the same tools (singleton-fields-two-modules-v1),
 * where the module without shutdown code keeps its part of the other's record; and a singleton the tools reach only
 * through an accessor (`const ledger = getLedger()` in helper functions, `getInstance()` with no declared type),
 * whose release method the tools call too (singleton-accessor-v1); and a service class whose one instance is a
 * module's default export (`export default new LedgerService()`), imported by default where the tools are, with a
 * creator that catches its own failure (default-export-singleton-v1). Each original and migrated server
 * runs as a stdio child of the real v1 Client; the fields move into one record per conversation, and on SIGINT
 * every record's connection is closed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { handleOf, textOf, type ToolResult } from '../handles/e2e/support.js';
import { connectStdio, interrupt, outputDifferences, scopeCase, stdioPairFor } from './stdio-pair.js';

const call = async (client: Client, name: string, args: Record<string, unknown>) => textOf((await client.callTool({ name, arguments: args })) as ToolResult);

/**
 * Open two records of a migrated server (`open` creates one and connects it to the store or book it is given), send
 * the process SIGINT, and check that the log the fixture writes to (`logEnv` names it) shows both closed.
 */
async function closesEveryRecordOnSigint(migrated: Parameters<typeof connectStdio>[0], logEnv: string, open: (client: Client, name: string) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'closed-log-'));
  const log = join(dir, 'closed.log');
  const { client, transport } = await connectStdio(migrated, { env: { [logEnv]: log } });
  try {
    for (const name of ['attic', 'garage']) await open(client, name);
    await interrupt(transport);
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['closed attic', 'closed garage']);
  } finally {
    await client.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('singleton-get-instance-v1: a connection kept by a getInstance() singleton', () => {
  const CASE = scopeCase('singleton-get-instance-v1', 'create_connection', 'connection_id');
  const running = stdioPairFor(CASE);

  async function converse(client: Client, store: string, id?: string) {
    const handle = id ? { connection_id: id } : {};
    return {
      early: await call(client, 'list_shelf', handle),
      connected: await call(client, 'connect_store', { ...handle, store }),
      shelved: [await call(client, 'shelve', { ...handle, item: 'jar' }), await call(client, 'shelve', { ...handle, item: 'tin' })],
      listed: await call(client, 'list_shelf', handle),
    };
  }

  it('the committed output is what the transform produces; the singleton keeps building itself', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const database = running().migrated.files['src/database.ts']!;
    expect(database).toContain('ShelfDatabase.instance = new ShelfDatabase();');
    expect(database).toContain('await connections.disposeAll();');
    expect(Object.values(running().migrated.files).join('\n')).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way, twice at once on one process, each on its own store', async () => {
    const expected = await converse(running().before, 'pantry');
    expect(expected).toEqual({ early: 'Error: Not connected. Call connect_store first.', connected: 'connected to pantry', shelved: ['1 on the shelf', '2 on the shelf'], listed: 'jar; tin' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'pantry', one), converse(running().after, 'cellar', two)]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ ...expected, connected: 'connected to cellar' });
  });

  it('on SIGINT closes every record’s connection', async () => {
    await closesEveryRecordOnSigint(running().migrated, 'SHELF_LOG', async (client, store) => {
      const id = handleOf((await client.callTool({ name: 'create_connection', arguments: {} })) as ToolResult, 'connection_id') as string;
      expect(await call(client, 'connect_store', { connection_id: id, store })).toBe(`connected to ${store}`);
    });
  });
});

describe('built-once-by-server-v1: state in an object the server class builds once and hands to its tools', () => {
  const CASE = scopeCase('built-once-by-server-v1', 'create_session', 'session_id');
  const running = stdioPairFor(CASE);

  async function converse(client: Client, prefix: string, id?: string) {
    const handle = id ? { session_id: id } : {};
    return {
      first: await call(client, 'print_label', { ...handle, item: 'jar' }),
      picked: await call(client, 'use_prefix', { ...handle, prefix }),
      labels: [await call(client, 'print_label', { ...handle, item: 'tin' }), await call(client, 'print_label', { ...handle, item: 'box' })],
    };
  }

  it('the committed output is what the transform produces', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    expect(Object.values(running().migrated.files).join('\n')).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way; one conversation’s prefix and count leave the other’s alone', async () => {
    const expected = await converse(running().before, 'dry');
    expect(expected).toEqual({ first: 'item-1: jar', picked: 'labels now start with dry', labels: ['dry-1: tin', 'dry-2: box'] });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'dry', one), converse(running().after, 'cold', two)]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ ...expected, picked: 'labels now start with cold', labels: ['cold-1: tin', 'cold-2: box'] });
  });
});

describe('singleton-fields-two-modules-v1: a getInstance() connection and a module singleton, in two modules, for the same tools', () => {
  const CASE = scopeCase('singleton-fields-two-modules-v1', 'create_connection', 'connection_id');
  const running = stdioPairFor(CASE);

  async function converse(client: Client, store: string, prefix: string, id?: string) {
    const handle = id ? { connection_id: id } : {};
    return {
      connected: await call(client, 'connect_store', { ...handle, store }),
      picked: await call(client, 'use_prefix', { ...handle, prefix }),
      shelved: [await call(client, 'shelve', { ...handle, item: 'jar' }), await call(client, 'shelve', { ...handle, item: 'tin' })],
      listed: await call(client, 'list_shelf', handle),
    };
  }

  it('the committed output is what the transform produces; the labels join the record as a part', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const labels = running().migrated.files['src/labels.ts']!;
    expect(labels).toContain("const connectionPart = connections.part('src/labels', () => ({");
    expect(labels).toContain('connection.printed += 1;');
    expect(Object.values(running().migrated.files).join('\n')).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way; each conversation has its own store, prefix and count', async () => {
    const expected = await converse(running().before, 'pantry', 'dry');
    expect(expected).toEqual({ connected: 'connected to pantry', picked: 'labels now start with dry', shelved: ['1 on the shelf', '2 on the shelf'], listed: 'dry-1: jar; dry-2: tin' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'pantry', 'dry', one), converse(running().after, 'freezer', 'cold', two)]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ connected: 'connected to freezer', picked: 'labels now start with cold', shelved: ['1 on the shelf', '2 on the shelf'], listed: 'cold-1: jar; cold-2: tin' });
  });
});

describe('singleton-two-shutdowns-v1: a singleton released by two shutdown handlers, in a module written without semicolons', () => {
  const CASE = scopeCase('singleton-two-shutdowns-v1', 'create_connection', 'connection_id');
  const running = stdioPairFor(CASE);

  it('the committed output is what the transform produces; both handlers dispose every record, and the unused import goes', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const entry = running().migrated.files['src/index.ts']!;
    expect(entry).toContain("import { connections } from './connection-manager.js'\n");
    expect(entry.match(/await connections\.disposeAll\(\)\n/g)).toHaveLength(2);
  });

  it('answers the original conversation the same way; on SIGINT every record’s ledger is closed', async () => {
    const converse = async (client: Client, ledger: string, id?: string) => {
      const handle = id ? { connection_id: id } : {};
      return [await call(client, 'current_ledger', handle), await call(client, 'connect_ledger', { ...handle, ledger }), await call(client, 'current_ledger', handle)];
    };
    const expected = await converse(running().before, 'march');
    expect(expected).toEqual(['Not connected. Call connect_ledger first.', 'connected to march', 'march']);
    const dir = mkdtempSync(join(tmpdir(), 'ledger-log-'));
    const log = join(dir, 'closed.log');
    const { client, transport } = await connectStdio(running().migrated, { env: { LEDGER_LOG: log } });
    try {
      const [one, two] = await Promise.all([0, 1].map(async () => handleOf((await client.callTool({ name: 'create_connection', arguments: {} })) as ToolResult, 'connection_id') as string));
      expect(await converse(client, 'march', one)).toEqual(expected);
      expect(await converse(client, 'april', two)).toEqual([expected[0], 'connected to april', 'april']);
      await interrupt(transport);
      expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['closed april', 'closed march']);
    } finally {
      await client.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('singleton-accessor-v1: a singleton reached through an accessor, released by a method the tools also call', () => {
  const CASE = scopeCase('singleton-accessor-v1', 'create_session', 'session_id');
  const running = stdioPairFor(CASE);

  async function converse(client: Client, book: string, id?: string) {
    const handle = id ? { session_id: id } : {};
    return {
      early: await call(client, 'ledger_total', handle),
      opened: await call(client, 'open_ledger', { ...handle, name: book }),
      added: [await call(client, 'add_entry', { ...handle, amount: 5 }), await call(client, 'add_entry', { ...handle, amount: 7 })],
      total: await call(client, 'ledger_total', handle),
    };
  }

  it('the committed output is what the transform produces; open() still closes the book in use, and the cleanup runs a copy', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const ledger = running().migrated.files['src/ledger.ts']!;
    expect(ledger).toContain('await this.close();');
    expect(ledger.match(/await session\.book\.close\(\);/g)).toHaveLength(2);
    expect(running().migrated.files['src/index.ts']).toContain('await sessions.disposeAll();');
    expect(Object.values(running().migrated.files).join('\n')).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way, twice at once on one process, each in its own book', async () => {
    const expected = await converse(running().before, 'rent');
    expect(expected).toEqual({ early: 'Error: No book open. Call open_ledger first.', opened: 'opened rent', added: ['entry 1', 'entry 2'], total: 'total 12' });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'food', one), converse(running().after, 'fuel', two)]);
    expect(a).toEqual({ ...expected, opened: 'opened food' });
    expect(b).toEqual({ ...expected, opened: 'opened fuel' });
  });

  it('reopening in one conversation closes only its own book; on SIGINT every record’s book is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'book-log-'));
    const log = join(dir, 'closed.log');
    const { client, transport } = await connectStdio(running().migrated, { env: { BOOK_LOG: log } });
    try {
      const ids: string[] = [];
      for (const book of ['tea', 'ink']) {
        const id = handleOf((await client.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
        expect(await call(client, 'open_ledger', { session_id: id, name: book })).toBe(`opened ${book}`);
        ids.push(id);
      }
      expect(await call(client, 'open_ledger', { session_id: ids[0], name: 'oil' })).toBe('opened oil');
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['closed tea']);
      await interrupt(transport);
      expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['closed ink', 'closed oil', 'closed tea']);
    } finally {
      await client.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('default-export-singleton-v1: a connection kept by a default-exported service instance', () => {
  const CASE = scopeCase('default-export-singleton-v1', 'create_session', 'session_id');
  const running = stdioPairFor(CASE);

  async function converse(client: Client, book: string, id?: string) {
    const handle = id ? { session_id: id } : {};
    return {
      early: await call(client, 'entries', handle),
      refused: await call(client, 'connect', { ...handle, book: 'No Such Book' }),
      stillClosed: await call(client, 'record', { ...handle, entry: 'lost' }),
      connected: await call(client, 'connect', { ...handle, book }),
      recorded: [await call(client, 'record', { ...handle, entry: 'rent' }), await call(client, 'record', { ...handle, entry: 'coal' })],
      listed: await call(client, 'entries', handle),
      status: JSON.parse(await call(client, 'status', handle)),
      closed: await call(client, 'disconnect', handle),
      after: await call(client, 'entries', handle),
    };
  }

  it('the committed output is what the transform produces; the importer takes the scope beside its default import', () => {
    expect(outputDifferences(running().migrated)).toEqual([]);
    const index = running().migrated.files['src/index.ts']!;
    expect(index).toContain("import ledgerService, { sessions } from './ledgerService.js';");
    expect(index).toContain('await sessions.disposeAll();');
    expect(running().migrated.files['src/ledgerService.ts']).toContain('export default new LedgerService();');
    expect(Object.values(running().migrated.files).join('\n')).not.toContain('@mcp-sessionless-todo');
  });

  it('answers the original conversation the same way, twice at once on one process, each in its own book', async () => {
    const expected = await converse(running().before, 'cash');
    expect(expected).toEqual({
      early: 'Error: Not connected; call connect first',
      refused: 'could not connect: no book named No Such Book',
      stillClosed: 'Error: Not connected; call connect first',
      connected: 'connected to cash',
      recorded: ['entry 1', 'entry 2'],
      listed: 'rent; coal',
      status: { connected: true, book: 'cash', since: 'connected' },
      closed: 'disconnected',
      after: 'Error: Not connected; call connect first',
    });
    const [one, two] = await Promise.all([running().create(), running().create()]);
    const [a, b] = await Promise.all([converse(running().after, 'cash', one), converse(running().after, 'bank', two)]);
    expect(a).toEqual(expected);
    expect(b).toEqual({ ...expected, connected: 'connected to bank', status: { ...expected.status, book: 'bank' } });
  });

  it('on SIGINT closes every record’s driver', async () => {
    await closesEveryRecordOnSigint(running().migrated, 'LEDGER_LOG', async (client, book) => {
      const id = handleOf((await client.callTool({ name: 'create_session', arguments: {} })) as ToolResult, 'session_id') as string;
      expect(await call(client, 'connect', { session_id: id, book })).toBe(`connected to ${book}`);
    });
  });
});
