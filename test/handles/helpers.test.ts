import { describe, expect, it } from 'vitest';
import { Node } from 'ts-morph';
import { createMemoryProject } from '../../src/engine/parse.js';
import { roleOf, wordsOf } from '../../src/rules/handles-verbs.js';
import { TextEdits } from '../../transforms/handles/edits.js';
import { addProperties } from '../../transforms/handles/layout.js';
import { freeLocalName } from '../../transforms/handles/local-names.js';
import { kindNames, plural, singular, thingOf } from '../../transforms/handles/naming.js';
import { addIdParam } from '../../transforms/handles/params.js';
import { readToolCall } from '../../transforms/handles/registration.js';

describe('naming rules', () => {
  it.each([
    [{ from: 'variable', name: 'db' }, 'connection'],
    [{ from: 'variable', name: 'currentPage' }, 'page'],
    [{ from: 'container', name: 'carts' }, 'cart'],
    [{ from: 'container', name: 'cartsBySession' }, 'cart'],
    [{ from: 'container', name: 'todosBySession' }, 'todo_list'],
    [{ from: 'selection', name: 'activeProject' }, 'active_project'],
    [{ from: 'class', name: 'NotebookSession' }, 'notebook'],
    [{ from: 'class', name: 'QuizServer' }, 'quiz'],
  ] as const)('%o names a %s', (source, thing) => {
    expect(thingOf(source)).toBe(thing);
  });

  it('derives every name of a kind', () => {
    expect(kindNames('connection', {})).toEqual({
      thing: 'connection',
      noun: 'connection',
      kindConst: 'connections',
      kindName: 'conn',
      idParam: 'connection_id',
      creator: 'create_connection',
      destroy: 'destroy_connection',
    });
    expect(kindNames('cart', { creatorTemplate: 'new_{thing}', existingConst: 'cartsBySession' })).toMatchObject({ creator: 'new_cart', kindConst: 'cartsBySession' });
  });

  it('singular and plural', () => {
    expect(['carts', 'entries', 'boxes', 'status', 'people'].map(singular)).toEqual(['cart', 'entry', 'box', 'status', 'person']);
    expect(['cart', 'entry', 'box', 'quiz', 'history'].map(plural)).toEqual(['carts', 'entries', 'boxes', 'quizzes', 'histories']);
  });

  it('a thing already in the plural names its kind as it is', () => {
    expect(kindNames('tabs', {}).kindConst).toBe('tabs');
    expect(kindNames('todo_list', {}).kindConst).toBe('todoLists');
  });

  it('tool roles from their verbs', () => {
    expect(wordsOf('connectDatabase')).toEqual(['connect', 'database']);
    expect(['connect_database', 'use_database', 'close_page', 'query'].map(roleOf)).toEqual(['creator', 'setter', 'cleanup', 'other']);
  });
});

function edit(source: string, change: (edits: TextEdits, file: ReturnType<typeof parse>) => void): string {
  const file = parse(source);
  const edits = new TextEdits(file);
  change(edits, file);
  return edits.apply();
}

function parse(source: string) {
  return createMemoryProject().createSourceFile('/x.ts', source);
}

describe('adding properties keeps the object style', () => {
  const objectOf = (file: ReturnType<typeof parse>) => file.getFirstDescendant(Node.isObjectLiteralExpression)!;
  it('one-line objects stay on one line while they fit', () => {
    expect(edit(`f({ a: 1 });\n`, (e, f) => addProperties(e, objectOf(f), ['b: 2']))).toBe(`f({ a: 1, b: 2 });\n`);
    expect(edit(`f({ a: 1 });\n`, (e, f) => addProperties(e, objectOf(f), ['b: 2'], true))).toBe(`f({ b: 2, a: 1 });\n`);
  });
  it('a one-line object that would grow past the line limit is broken up', () => {
    const long = `x${'y'.repeat(85)}`;
    expect(edit(`f({ a: '${long}' });\n`, (e, f) => addProperties(e, objectOf(f), ['b: 2']))).toBe(`f({\n  a: '${long}',\n  b: 2,\n});\n`);
  });
  it('multi-line objects get one line per property, trailing comma kept', () => {
    expect(edit(`f({\n  a: 1,\n});\n`, (e, f) => addProperties(e, objectOf(f), ['b: 2']))).toBe(`f({\n  a: 1,\n  b: 2,\n});\n`);
    expect(edit(`f({\n  a: 1\n});\n`, (e, f) => addProperties(e, objectOf(f), ['b: 2']))).toBe(`f({\n  a: 1,\n  b: 2\n});\n`);
  });
});

describe('adding a handle parameter to a tool', () => {
  const add = (source: string, sdk: 'v1' | 'v2') =>
    edit(source, (edits, file) => {
      const tool = readToolCall(file.getFirstDescendant(Node.isCallExpression)!)!;
      const result = addIdParam(edits, tool, { idParam: 'cart_id', schema: 'z.string()', sdk });
      expect(typeof result).toBe('object');
    });
  it('v1 tool without a schema: a raw shape goes before the handler, which now takes the arguments first', () => {
    expect(add(`server.tool('view', 'Show', async (extra) => ok(extra));\n`, 'v1')).toBe(
      `server.tool('view', 'Show', { cart_id: z.string() }, async ({ cart_id }, extra) => ok(extra));\n`,
    );
  });
  it('v1 tool with a raw shape and annotations: the id goes first in the shape, which breaks up when the line gets long', () => {
    expect(add(`server.tool('add', { sku: z.string() }, { readOnlyHint: false }, async ({ sku }) => ok(sku));\n`, 'v1')).toBe(
      `server.tool('add', {\n  cart_id: z.string(),\n  sku: z.string(),\n}, { readOnlyHint: false }, async ({ cart_id, sku }, extra) => ok(sku));\n`,
    );
  });
  it('v2 registerTool without a schema gets z.object (the config breaks up past the line limit); an arguments object is read through', () => {
    expect(add(`server.registerTool('view', {}, async (ctx) => ok(ctx));\n`, 'v2')).toBe(
      `server.registerTool('view', {\n  inputSchema: z.object({ cart_id: z.string() }),\n}, async ({ cart_id }, ctx) => ok(ctx));\n`,
    );
    const file = parse(`server.registerTool('add', { inputSchema: z.object({ sku: z.string() }) }, (args) => ok(args));\n`);
    const edits = new TextEdits(file);
    const names = addIdParam(edits, readToolCall(file.getFirstDescendant(Node.isCallExpression)!)!, { idParam: 'cart_id', schema: 'z.string()', sdk: 'v2' });
    expect(names).toEqual({ id: 'args.cart_id', context: 'ctx' });
    expect(edits.apply()).toBe(`server.registerTool('add', {\n  inputSchema: z.object({ cart_id: z.string(), sku: z.string() }),\n}, (args, ctx) => ok(args));\n`);
  });
});

describe('locals generated inside handlers', () => {
  const handler = (source: string) => parse(source).getFirstDescendant(Node.isArrowFunction)!;
  it('keeps the preferred name when only a property has it', () => {
    expect(freeLocalName('tabs', [handler(`f(async () => this.tabs.push({ tabs: 1 }));\n`)])).toBe('tabs');
  });
  it('falls back to <name>State, then numbers, when a variable, a reserved name or the kind has it', () => {
    expect(freeLocalName('tabs', [handler(`f(async () => { const tabs = 1; });\n`)])).toBe('tabsState');
    expect(freeLocalName('tabs', [handler(`f(async () => 1);\n`)], ['tabs'])).toBe('tabsState');
    expect(freeLocalName('tabs', [handler(`f(async () => { const tabs = 1; });\n`), handler(`g(async (tabsState) => tabsState);\n`)])).toBe('tabsState2');
  });
});
