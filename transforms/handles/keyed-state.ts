/**
 * Session-keyed state → handles (P1): `carts.get(extra.sessionId)` becomes `handles.resolve(carts, cart_id, …)`.
 * The container's declaration becomes the kind declaration under the same name (other modules import it);
 * whatever created an entry lazily (`?? []`, `if (!carts.has(id)) carts.set(id, [])`) becomes a creator tool.
 */
import { Node, SyntaxKind, type CallExpression, type Expression, type Statement } from 'ts-morph';
import type { Registration, StateAccess, StateVariable } from '../../src/analysis/index.js';
import { outermostWrapper, unwrap } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import { NON_JSON_CONSTRUCTORS } from '../../src/rules/handles-values.js';
import { roleOf } from '../../src/rules/handles-verbs.js';
import { addHandleToResult, makeCreator } from './creator.js';
import { writeBackPoint } from './effects.js';
import { call, creatorTool, destroyTool, idSchema, kindDeclaration, toolList } from './generate.js';
import { indentOf } from './layout.js';
import { camelCase, kindNames, thingOf, type KindNames } from './naming.js';
import { dropImportIfUnused } from './imports.js';
import { boundLocals, getOperation, isBound, isChainMutated, lazyCreation, localMutations, operationOf, partMutations, type KeyedUse, type Operation } from './keyed-operations.js';
import { entryAccessors, type EntryAccessor } from './entry-accessors.js';
import { passEntry, threadEntry } from './threaded-helpers.js';
import { freeLocalName } from './local-names.js';
import { prependToBody } from './body.js';
import { addIdParam, ensureAsync, ensureContext } from './params.js';
import { formOf, receiverOf } from './registration.js';
import { enclosingFunctionName } from '../shared/place.js';
import { byTool, editableTool, inputNamesOf, isDataExpression, isDeadGuard, openingsOf, returnsOf, statementOf, styleOf, Undecided, usesHandlerScope, type PlanContext, type SiteResult } from './site.js';
import { isExported } from '../shared/exports.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';


/** Stored values that push to the caller's session: `extra.sendNotification`, `ctx.mcpReq.notify`, a server. */
const PUSH_NAMES = /^[\w.]*(?:sendNotification|sendLoggingMessage|notify|sendRequest|server)$/;

export function planKeyedState(state: StateVariable, plan: PlanContext): SiteResult {
  const declaration = state.declaration;
  if (Node.isPropertyDeclaration(declaration) || Node.isPropertyAccessExpression(declaration)) {
    throw new Undecided(declaration, fieldKeyedBySession(state));
  }
  if (!Node.isVariableDeclaration(declaration) || declaration.getVariableStatement()?.getDeclarations().length !== 1) {
    throw new Undecided(declaration, `${state.name} is not declared on its own`);
  }
  const statement = declaration.getVariableStatement()!;
  const name = state.name;
  const { tools, outside } = byTool(state, plan.model.registrations);

  // A callback that pushes to one session has nowhere to go without sessions: a person must choose the new path.
  for (const access of state.accesses) {
    const value = access.value ? unwrap(access.value) : undefined;
    if (value && (Node.isArrowFunction(value) || Node.isFunctionExpression(value) || PUSH_NAMES.test(value.getText()))) {
      throw new Undecided(
        declaration,
        `${name} keeps a callback that pushes to "this session", and sessionless MCP has no session to push to: deliver through subscriptions/listen or return the data from a tool call, then remove ${name}`,
      );
    }
  }
  // Outside the tools, "forget this session's entry" (transport.onclose) becomes a destroy tool, and a helper
  // that only fetches the caller's entry (`cartFor(sessionId)`) gives way to a resolve in each tool calling it.
  const cleanups: Statement[] = [];
  const inHelpers: StateAccess[] = [];
  for (const access of outside) {
    const operation = deleteOf(access, declaration);
    if (operation && access.keyOrigin === 'session') cleanups.push(operation.statement);
    else if (access.by.length > 0 && access.byOther.length === 0) inHelpers.push(access);
    else {
      const where = access.byOther.join(', ') || enclosingFunctionName(access.node) || 'code outside the tools';
      throw new Undecided(declaration, `${name} is used in ${where}, not only by tools keyed by the session: if it is shared across sessions on purpose keep it, else pass a handle there`);
    }
  }
  const accessors = inHelpers.length > 0 ? entryAccessors(name, inHelpers, plan.model, declaration) : [];

  const uses: KeyedUse[] = [];
  for (const registration of plan.model.registrations) {
    const accesses = tools.get(registration) ?? [];
    const calls = accessors.flatMap((accessor) => accessor.calls.filter((c) => c.registration === registration));
    if (accesses.length === 0 && calls.length === 0) continue;
    const tool = editableTool(registration, declaration, name);
    const operations: Operation[] = [
      ...accesses.map((access) => byRegistration(registration, () => operationOf(access, declaration))),
      ...calls.map((c) => accessorUse(c.call, c.key, registration, accessors.find((a) => a.calls.includes(c))!)),
    ];
    for (const access of accesses) {
      if (access.keyOrigin !== 'session') throw new Undecided(declaration, `${registration.label} uses ${name} without the session id as key; decide what the key means first`, { tool: registration.label });
    }
    uses.push({ registration, tool, operations });
  }
  if (uses.length === 0) throw new Undecided(declaration, `no tool uses ${name}`);

  // Lazy creation: `?? init`, `if (!m.has(k)) m.set(k, init)`, `if (!x) { x = init; m.set(k, x) }`.
  const lazy = new Map<KeyedUse, { statements: Statement[]; initial: Expression | undefined }>();
  let initial: Expression | undefined;
  for (const use of uses) {
    const found = lazyCreation(use, name);
    lazy.set(use, found);
    initial ??= found.initial ?? use.operations.find((o): o is Extract<Operation, { op: 'get' }> => o.op === 'get' && !!o.fallback)?.fallback;
  }
  for (const accessor of accessors) initial ??= accessor.initial;
  const lazyOwner = initial && uses.find((use) => initial!.getAncestors().includes(use.tool.handler as never));
  if (initial && lazyOwner && usesHandlerScope(initial, lazyOwner.tool.handler)) {
    throw new Undecided(declaration, `${name} entries start from values of ${lazyOwner.tool.name}'s call (${initial.getText()}); make a creator tool that takes those as parameters`);
  }
  const creator = uses.find((use) => roleOf(use.tool.name) === 'creator' && use.operations.some((o) => o.op === 'set' && !lazy.get(use)!.statements.includes(o.statement)));
  if (!creator && !initial) throw new Undecided(declaration, `nothing creates an entry of ${name}; add a creator tool that takes its setup as parameters`);

  const thing = plan.options.names[name] ?? thingOf({ from: 'container', name });
  const users = uses.filter((use) => use !== creator);
  const needsDestroy = cleanups.length > 0 && !users.some((use) => roleOf(use.tool.name) === 'cleanup' && use.operations.some((o) => o.op === 'delete'));
  const names = kindNames(thing, {
    creatorTemplate: plan.options.creatorTemplate,
    destroyTemplate: plan.options.destroyTemplate,
    existingConst: isExported(statement) ? name : undefined,
    creator: creator?.tool.name,
  });
  for (const use of uses) {
    if (use.operations.some((o) => o.op === 'pass' || (o.op === 'get' && o.viaAccessor && !isBound(o)))) {
      use.entryLocal = freeLocalName(camelCase(thing), [use.tool.handler], [names.idParam, names.kindConst]);
    }
  }
  const file = declaration.getSourceFile();
  const style = styleOf(file, plan.model.files.find((f) => f.sourceFile === file)?.sdk, plan.options);
  const valueType = style.typed ? valueTypeOf(declaration) : undefined;
  if (style.typed && !valueType) {
    throw new Undecided(declaration, `give ${name} its value type (for example \`new Map<string, Cart>()\`) so its handle kind can be typed, then migrate again`);
  }

  // JSON data only, and every change reaches the store: then the kind may live in Redis.
  const writeBacks = new Map<KeyedUse, Array<{ local: string; after: Statement }>>();
  let serializable = !(valueType && (valueType.includes('=>') || NON_JSON_CONSTRUCTORS.some((n) => new RegExp(`\\b${n}\\b`).test(valueType))));
  if (initial && !isDataExpression(initial, new Set())) serializable = false;
  for (const use of uses) {
    const inputs = inputNamesOf(use.tool.handler, !!use.tool.schema);
    const locals = boundLocals(use);
    const pending: Array<{ local: string; after: Statement }> = [];
    const entryChanges: Node[] = [];
    for (const operation of use.operations) {
      if (operation.op === 'set' && !isDataExpression(operation.value, new Set([...inputs, ...locals.keys()]))) serializable = false;
      if (operation.op === 'get' && use.entryLocal && operation.viaAccessor && !isBound(operation)) entryChanges.push(...partMutations(use.tool.handler, operation.replace));
      else if (operation.op === 'pass') {
        entryChanges.push(...partMutations(use.tool.handler, outermostWrapper(operation.call)), ...(operation.body.changes ? [operation.call] : []));
        // A change an async helper makes after the call returns cannot be written back after the call.
        if (operation.body.changes && operation.body.async && !Node.isAwaitExpression(operation.call.getParent())) serializable = false;
      }
      // A part of the entry changed through a local (`const cell = m.get(id)[i]; cell.x = …`) has no whole entry to write back.
      else if (operation.op === 'get' && (isChainMutated(operation.replace) || (!isBound(operation) && partMutations(use.tool.handler, operation.replace).length > 0))) serializable = false;
    }
    if (entryChanges.length > 0) {
      const after = writeBackPoint(use.tool.handler, entryChanges);
      if (!after) serializable = false;
      else pending.push({ local: use.entryLocal!, after });
    }
    for (const [local, node] of locals) {
      const mutations = localMutations(use.tool.handler!, local, node);
      if (mutations.length === 0) continue;
      const lastMutation = Math.max(...mutations.map((m) => m.getStart()));
      const savedAfter = use.operations.some((o) => o.op === 'set' && unwrap(o.value).getText() === local && o.statement.getStart() > lastMutation);
      if (savedAfter) continue;
      const after = writeBackPoint(use.tool.handler!, mutations);
      if (!after) serializable = false;
      else pending.push({ local, after });
    }
    writeBacks.set(use, pending);
  }

  // A number, string or boolean is JSON whatever expression computed it.
  if (valueType && /^(?:number|string|boolean)$/.test(valueType)) serializable = true;

  const edits = plan.edits;
  for (const accessor of accessors) {
    if (accessor.threaded) {
      const { fn, body } = accessor.threaded;
      const parameter = freeLocalName(camelCase(thing), [fn], [names.kindConst]);
      threadEntry(edits.for(fn.getSourceFile()), fn, body, parameter, valueType);
      continue;
    }
    edits.for(accessor.statement.getSourceFile()).removeDeclaration(accessor.statement);
    for (const importer of accessor.importers) dropImportIfUnused(edits.for(importer), importer, accessor.name, accessor.calls.map((c) => c.call));
  }
  for (const cleanup of cleanups) edits.for(cleanup.getSourceFile()).removeStatement(cleanup);
  for (const cleanupFile of new Set(cleanups.map((c) => c.getSourceFile()))) {
    if (cleanupFile !== file) dropImportIfUnused(edits.for(cleanupFile), cleanupFile, name, cleanups);
  }
  const userNames = [...users.map((use) => use.tool.name), ...(needsDestroy ? [names.destroy] : [])];
  if (creator) rewriteKeyedCreator(creator, name, names, userNames, lazy.get(creator)!.statements, plan);
  for (const use of users) rewriteKeyedUser(use, names, lazy.get(use)!.statements, serializable ? writeBacks.get(use)! : [], plan);

  if (!creator) {
    const anchorUse = uses[0]!;
    const anchor = statementOf(anchorUse.registration.call)!;
    const anchorStyle = styleOf(anchor.getSourceFile(), anchorUse.registration.sdk, plan.options);
    const text = creatorTool(anchorStyle, { receiver: receiverOf(anchorUse.tool), names, initial: initial!.getText(), users: userNames, indent: indentOf(anchor), form: formOf(anchorUse.tool) });
    edits.for(anchor.getSourceFile()).insert(anchor.getStart(), `${text}\n\n${indentOf(anchor)}`);
    edits.use(anchor.getSourceFile(), ['handles', 'principalOf', 'describeLifetime'], true);
  }
  if (needsDestroy) {
    const lastUse = uses[uses.length - 1]!;
    const last = statementOf(lastUse.registration.call)!;
    const text = destroyTool(styleOf(last.getSourceFile(), lastUse.registration.sdk, plan.options), { receiver: receiverOf(lastUse.tool), names, indent: indentOf(last), form: formOf(lastUse.tool) });
    edits.for(last.getSourceFile()).insert(last.getEnd(), `\n\n${indentOf(last)}${text}`);
    edits.use(last.getSourceFile(), ['handles', 'principalOf', 'describeHandleParam'], true);
  }

  edits.for(file).replaceNode(statement, kindDeclaration(style, { names, valueType, ttlSeconds: plan.options.ttlSeconds, serializable, dispose: undefined, exported: isExported(statement) }));
  edits.use(file, ['defineHandleKind']);
  plan.taken.add(thing);
  const { line } = file.getLineAndColumnAtPos(declaration.getStart());
  return {
    pattern: 'P1',
    rule: 'SL003',
    state: name,
    file: relativeOf(file),
    line,
    summary:
      `${name} keyed by session → ${names.idParam} handles from ${names.creator}${serializable ? '' : ' (kept in process memory)'}` +
      (accessors.some((a) => !a.threaded) ? `; tools resolve the handle where they called ${toolList(accessors.filter((a) => !a.threaded).map((a) => a.name))}` : '') +
      (accessors.some((a) => a.threaded) ? `; tools pass the resolved entry to ${toolList(accessors.filter((a) => a.threaded).map((a) => a.name))}` : ''),
  };
}

/** Run a step of one tool's rewrite; a decision it leaves open is that tool's. */
function byRegistration<T>(registration: Registration, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof Undecided && !error.tool) throw new Undecided(error.node, error.message, { tool: registration.label });
    throw error;
  }
}

/** `m.delete(k)` as a whole statement, without deciding anything about other uses. */
function deleteOf(access: StateAccess, declaration: Node): Extract<Operation, { op: 'delete' }> | undefined {
  try {
    const operation = operationOf(access, declaration);
    return operation.op === 'delete' ? operation : undefined;
  } catch (error) {
    if (error instanceof Undecided) return undefined;
    throw error;
  }
}

/** A call of an entry accessor, read as what it amounts to: a read of the caller's entry, or passing it on. */
function accessorUse(callNode: CallExpression, key: Node | undefined, registration: Registration, accessor: EntryAccessor): Operation {
  const access: StateAccess = {
    node: callNode,
    file: relativeOf(callNode.getSourceFile()),
    mode: 'read',
    op: 'keyed-read',
    key,
    keyOrigin: 'session',
    by: [registration],
    byOther: [],
  };
  if (accessor.threaded) return { op: 'pass', access, call: callNode, body: accessor.threaded.body };
  return { ...getOperation(access, callNode), viaAccessor: true };
}

function valueTypeOf(declaration: Node): string | undefined {
  if (!Node.isVariableDeclaration(declaration)) return undefined;
  const typeText = declaration.getTypeNode()?.getText();
  const initializer = declaration.getInitializer();
  const fromNew = initializer && Node.isNewExpression(initializer) ? initializer.getTypeArguments().map((t) => t.getText()) : [];
  if (fromNew.length === 2) return fromNew[1];
  if (!typeText) return undefined;
  const generic = /^(?:Map|Record|ReadonlyMap)<\s*[^,]+,\s*([\s\S]+)>$/.exec(typeText);
  if (generic?.[1]) return generic[1].trim();
  const indexed = /^\{\s*\[[^\]]+\]\s*:\s*([\s\S]+?);?\s*\}$/.exec(typeText);
  return indexed?.[1]?.trim();
}


/** Keys that were only a session id read into a local (`const sid = extra.sessionId!`): drop them with their last use. */
function dropSessionLocals(use: KeyedUse, removedOrReplaced: readonly Node[], edits: ReturnType<PlanContext['edits']['for']>): void {
  const handler = use.tool.handler!;
  const locals = new Set(use.operations.map((o) => o.access.key).filter((k): k is Node => !!k && Node.isIdentifier(unwrap(k))).map((k) => unwrap(k).getText()));
  for (const local of locals) {
    const declaration = nodesOfKind(handler, SyntaxKind.VariableDeclaration).find((d) => d.getName() === local);
    if (!declaration) continue;
    const references = identifiersOf(handler).filter((id) => id.getText() === local && id.getParent() !== declaration);
    if (references.every((id) => removedOrReplaced.some((r) => id.getAncestors().includes(r as never)))) {
      const statement = declaration.getVariableStatement();
      if (statement && statement.getDeclarations().length === 1) edits.removeStatement(statement);
    }
  }
}

function rewriteKeyedUser(use: KeyedUse, names: KindNames, lazyStatements: readonly Statement[], writeBacks: Array<{ local: string; after: Statement }>, plan: PlanContext): void {
  const { tool } = use;
  const handler = tool.handler!;
  const edits = plan.edits.for(handler.getSourceFile());
  const openings = openingsOf(plan);
  const ids = addIdParam(edits, tool, { idParam: names.idParam, schema: idSchema(names), sdk: use.registration.sdk, openings });
  if (typeof ids === 'string') throw new Undecided(use.registration.call, ids);
  ensureAsync(edits, handler, openings);
  if (use.entryLocal) prependToBody(edits, handler, [`const ${use.entryLocal} = ${call.resolve(names, ids.id, ids.context)};`]);
  const touched: Node[] = [...lazyStatements];
  for (const statement of lazyStatements) edits.removeStatement(statement);
  const locals = boundLocals(use);
  for (const operation of use.operations) {
    if (lazyStatements.some((s) => operation.access.node.getAncestors().includes(s as never))) continue;
    switch (operation.op) {
      case 'get': {
        if (use.entryLocal && operation.viaAccessor && !isBound(operation)) {
          edits.replaceNode(operation.replace, use.entryLocal);
          touched.push(operation.replace);
          break;
        }
        const resolved = call.resolve(names, ids.id, ids.context);
        const parent = operation.replace.getParent();
        const needsParens = parent && (Node.isPropertyAccessExpression(parent) || Node.isElementAccessExpression(parent) || Node.isCallExpression(parent));
        edits.replaceNode(operation.replace, needsParens ? `(${resolved})` : resolved);
        touched.push(operation.replace);
        break;
      }
      case 'set':
        edits.replaceNode(operation.statement, `${call.update(names, ids.id, ids.context, operation.value.getText())};`);
        touched.push(operation.statement);
        break;
      case 'delete':
        edits.replaceNode(operation.statement, `${call.destroy(names, ids.id, ids.context)};`);
        touched.push(operation.statement);
        break;
      case 'pass': {
        const replaced = passEntry(edits, operation.call, operation.body, use.entryLocal!);
        if (replaced) touched.push(replaced);
        break;
      }
      case 'has':
        throw new Undecided(use.registration.call, `${tool.name} checks whether this session has an entry; with handles it always has one once created`);
    }
  }
  // Guards like `if (!cart) return …` on a resolved entry can no longer fire.
  for (const local of locals.keys()) {
    for (const statement of handler.getDescendantsOfKind(SyntaxKind.IfStatement)) {
      if (isDeadGuard(statement, local)) edits.removeStatement(statement);
    }
  }
  for (const { local, after } of writeBacks) edits.insert(after.getEnd(), `\n${indentOf(after)}${call.update(names, ids.id, ids.context, local)};`);
  retireSessionIdReads(use, ids.id, touched, edits, plan);
  dropSessionLocals(use, touched, edits);
  plan.edits.use(handler.getSourceFile(), ['handles', 'principalOf', 'describeHandleParam'], true);
}

/**
 * What is left of the session id in a tool that now takes the handle: a read shown in a message
 * (`Tally for ${context.sessionId}`) named what it keyed, which is now the handle; a guard that the session id
 * exists (`if (!context.sessionId) return …`) goes, since the id parameter is required and resolving it is the
 * check, but only once no other read of the session id is left in the tool (the guard narrows it for them).
 */
function retireSessionIdReads(use: KeyedUse, id: string, touched: Node[], edits: ReturnType<PlanContext['edits']['for']>, plan: PlanContext, idFrom = 0): void {
  const handler = use.tool.handler;
  const inside = (node: Node, outer: Node) => node === outer || node.getAncestors().includes(outer as never);
  const guards: Array<{ read: Node; guard: Node }> = [];
  let othersLeft = false;
  for (const read of plan.model.sessionIdReads) {
    if (read.source !== 'context' || !read.node.getAncestors().includes(handler as never) || plan.retired?.has(read.node)) continue;
    if (touched.some((t) => inside(read.node, t))) {
      plan.edits.retired.push(read.node);
      continue;
    }
    const guard = read.node.getFirstAncestorByKind(SyntaxKind.IfStatement);
    if (guard && isDeadGuard(guard, read.node.getText()) && inside(read.node, guard.getExpression())) {
      guards.push({ read: read.node, guard });
      continue;
    }
    // Only where it is shown (a template literal's part): a read passed elsewhere may key other state.
    const replaced = outermostWrapper(read.node);
    if (!Node.isTemplateSpan(replaced.getParent()) || replaced.getStart() < idFrom) {
      othersLeft = true;
      continue;
    }
    edits.replaceNode(replaced, id);
    touched.push(replaced);
    plan.edits.retired.push(read.node);
  }
  if (othersLeft) return;
  for (const { read, guard } of guards) {
    edits.removeOpeningStatement(guard);
    plan.edits.retired.push(read);
  }
}

/** A tool that stores the session's entry on purpose (`start_game`): it mints the handle instead and returns it. */
function rewriteKeyedCreator(use: KeyedUse, name: string, names: KindNames, users: readonly string[], lazyStatements: readonly Statement[], plan: PlanContext): void {
  const { tool } = use;
  const handler = tool.handler!;
  const file = handler.getSourceFile();
  const edits = plan.edits.for(file);
  const style = styleOf(file, use.registration.sdk, plan.options);
  const set = use.operations.find((o): o is Extract<Operation, { op: 'set' }> => o.op === 'set' && !lazyStatements.includes(o.statement))!;
  if (set.statement.getParent() !== handler.getBody()) throw new Undecided(use.registration.call, `${tool.name} stores the entry inside a nested block`);
  if (use.operations.some((o) => o !== set)) throw new Undecided(use.registration.call, `${tool.name} both creates and reads ${name}`);
  const context = ensureContext(edits, tool, use.registration.sdk);
  if (!context) throw new Undecided(use.registration.call, `the context parameter of ${tool.name} is destructured`);
  ensureAsync(edits, handler, openingsOf(plan));
  makeCreator(edits, tool, style, names, users);
  edits.replaceNode(set.statement, `const ${names.idParam} = ${call.mint(names, set.value.getText(), context)};`);
  // A creator's own session id guard goes too; the id is shown only where the minted handle exists.
  retireSessionIdReads(use, names.idParam, [set.statement, ...lazyStatements], edits, plan, set.statement.getEnd());
  for (const result of returnsOf(handler)) {
    if (result.getStart() < set.statement.getEnd()) continue;
    const expression = (result as Node & { getExpression(): Node | undefined }).getExpression();
    if (!expression || !addHandleToResult(edits, expression, style, names, formOf(tool))) throw new Undecided(use.registration.call, `${tool.name} returns a result that is not an object literal`);
  }
  dropSessionLocals(use, [set.statement], edits);
  plan.edits.use(file, ['handles', 'principalOf', 'describeLifetime'], true);
}

/**
 * Why a class's map of per-session entries stays: what it is keyed by, and what serving without sessions does to
 * it meanwhile. A key with a fixed fallback (`extra.sessionId || "default"`) is the dangerous one: every caller
 * then gets the fallback's entry, whatever it holds (a login, a configured client).
 */
/** A session id read with a fixed fallback: `extra.sessionId || "default"`, `ctx.sessionId ?? 'stdio'`. */
const SESSION_FALLBACK = /\.sessionId\s*(?:\|\||\?\?)\s*(['"`])([^'"`]*)\1/;

function fieldKeyedBySession(state: StateVariable): string {
  const owner = state.ownerClass && Node.isClassDeclaration(state.ownerClass) ? state.ownerClass.getName() : undefined;
  const key = state.sessionKey;
  const source = key && Node.isIdentifier(key) ? (key.getSymbol()?.getValueDeclaration() as Node | undefined) : undefined;
  const keyText = source && Node.isVariableDeclaration(source) ? (source.getInitializer()?.getText() ?? key!.getText()) : key?.getText();
  // The fallback may sit where the tools compute the key they hand over (`const sid = extra.sessionId || "default"`).
  const handlers = [...new Set(state.accesses.flatMap((access) => access.by.map((registration) => (registration.handler ?? registration.call).getText())))];
  const fallback = [keyText ?? '', ...handlers].map((text) => SESSION_FALLBACK.exec(text)?.[2]).find((found) => found !== undefined);
  const what = `${owner ? `${owner}.` : ''}${state.name} keeps an entry per session${keyText ? ` (keyed by ${keyText})` : ''}, and migrate does not split a class's fields into handles`;
  const meanwhile = fallback !== undefined ? `; served without sessions, every caller gets the "${fallback}" entry and whatever it holds` : '; served without sessions, no request carries a session id';
  return `${what}${meanwhile}: give the tools that use it a handle their creator returns and key the entries by it`;
}
