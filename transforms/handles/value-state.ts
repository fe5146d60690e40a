/**
 * Whole-value state → handles (P2 module `let db`, P5 factory-closure `let notes`, P7 `let activeProject`).
 * The tool that establishes the value becomes the creator and returns a handle; every other tool that used
 * the value takes the handle and resolves it first; the tool that reset it destroys the handle.
 */
import { Node, type Statement, type VariableDeclaration } from 'ts-morph';
import type { Registration, ServerModel, StateAccess, StateVariable } from '../../src/analysis/index.js';
import { SELECTION_NAMES } from '../../src/analysis/vocabulary.js';
import { isNullish, unwrap } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import { NON_JSON_CONSTRUCTORS } from '../../src/rules/handles-values.js';
import { roleOf } from '../../src/rules/handles-verbs.js';
import type { PatternId } from '../../src/rules/rules.js';
import { prependToBody } from './body.js';
import { addHandleToResult, makeCreator } from './creator.js';
import { disposeOf, isResetStatement, writeBackPoint } from './effects.js';
import { call, creatorTool, destroyTool, idSchema, kindDeclaration, toolList } from './generate.js';
import { indentOf } from './layout.js';
import { kindNames, thingOf, type KindNames } from './naming.js';
import { addIdParam, ensureAsync, ensureContext } from './params.js';
import type { ToolCall } from './registration.js';
import {
  aboveTopLevel,
  byTool,
  editableTool,
  inputNamesOf,
  isAssignmentStatement,
  isDataExpression,
  isDeadGuard,
  returnsOf,
  statementOf,
  styleOf,
  Undecided,
  type SiteEdits,
  type SiteResult,
} from './site.js';
import type { HandleOptions } from './store-file.js';

/** What the project-level planner hands a pattern planner. */
export interface PlanContext {
  model: ServerModel;
  options: HandleOptions;
  edits: SiteEdits;
  /** Thing names already given to other kinds in this project. */
  taken: Set<string>;
}

/** One tool's part in the state's life. */
interface ToolUse {
  registration: Registration;
  tool: ToolCall;
  accesses: StateAccess[];
}

/** Which value pattern a state follows, from who writes it and how it is named. */
export function valuePattern(state: StateVariable, model: ServerModel): PatternId {
  const { tools } = byTool(state, model.registrations);
  const setter = [...tools].some(([r, accesses]) => roleOf(r.name ?? '') === 'setter' && accesses.some((a) => a.op === 'assign' && !a.reset));
  if (setter || SELECTION_NAMES.test(state.name)) return 'P7';
  return state.kind === 'factory-closure' ? 'P5' : 'P2';
}

export function planValueState(state: StateVariable, pattern: PatternId, plan: PlanContext): SiteResult {
  const declaration = state.declaration;
  if (!Node.isVariableDeclaration(declaration)) throw new Undecided(declaration, `${state.name} is not a plain variable`);
  const statement = declaration.getVariableStatement();
  if (!statement || statement.getDeclarations().length !== 1) throw new Undecided(declaration, `${state.name} is declared together with other variables; split the declaration first`);
  if (statement.isExported() && state.accesses.some((a) => a.node.getSourceFile() !== declaration.getSourceFile())) {
    throw new Undecided(declaration, `${state.name} is exported and used by other modules; move the tools that use it next to it, or make it a handle by hand`);
  }
  const { tools, outside } = byTool(state, plan.model.registrations);
  const uses: ToolUse[] = [];
  for (const [registration, accesses] of tools) {
    const tool = editableTool(registration, declaration, state.name);
    uses.push({ registration, tool, accesses });
  }
  const name = state.name;
  const outsideStatements = outside.map((access) => outsideCleanup(access, name, declaration));

  // The creator: a tool named like one (connect, open, login, use_…) that assigns the value.
  const creator = uses.find((use) => ['creator', 'setter'].includes(roleOf(use.tool.name)) && use.accesses.some((a) => a.op === 'assign' && !a.reset && !a.lazyInit));
  const initializer = declaration.getInitializer();
  const lazy = uses.flatMap((use) => use.accesses.filter((a) => a.op === 'assign' && a.lazyInit && !a.reset));
  let initial: string | undefined;
  if (!creator) {
    if (pattern === 'P2') {
      const writers = uses.filter((use) => use.accesses.some((a) => a.mode === 'write')).map((use) => use.tool.name);
      const by = writers.length === 1 ? `${writers[0]}, which does not create it` : `${toolList(writers)}, none of which creates it`;
      throw new Undecided(
        declaration,
        `${name} lives as long as the process and is set by ${by}; if it belongs to one caller, make a tool that takes its setup return a handle to it, else keep it global on purpose`,
      );
    }
    if (initializer && !isNullish(initializer)) initial = initializer.getText();
    else if (lazy.length > 0 && lazy[0]!.value) initial = lazy[0]!.value.getText();
    else throw new Undecided(declaration, `no tool creates ${name}; add one that takes its setup as parameters and returns a handle`);
  }
  const users = uses.filter((use) => use !== creator);

  const thing = uniqueThing(plan, plan.options.names[name] ?? thingOf({ from: pattern === 'P7' ? 'selection' : 'variable', name }));
  const destroyers = users.filter((use) => isDestroyer(use, name));
  const needsGeneratedDestroy = destroyers.length === 0 && outsideStatements.length > 0;
  const names = kindNames(thing, {
    creatorTemplate: plan.options.creatorTemplate,
    destroyTemplate: plan.options.destroyTemplate,
    creator: creator?.tool.name,
    destroy: destroyers[0]?.tool.name,
  });

  const file = declaration.getSourceFile();
  const style = styleOf(file, plan.model.files.find((f) => f.sourceFile === file)?.sdk);
  const valueType = style.typed ? valueTypeOf(declaration) : undefined;
  if (style.typed && !valueType) {
    throw new Undecided(declaration, `annotate the type of ${name} (for example \`let ${name}: Connection | null\`) so its handle kind can be typed, then migrate again`);
  }

  // Values must be JSON data to live in Redis; changed copies must be written back, which needs a safe spot.
  const writtenValues = [
    ...(initial !== undefined ? [{ value: initializer ?? lazy[0]?.value, inputs: new Set<string>() }] : []),
    ...uses.flatMap((use) =>
      use.accesses.filter((a) => a.op === 'assign' && !a.reset && a.value).map((a) => ({ value: a.value, inputs: inputNamesOf(use.tool.handler, !!use.tool.schema) })),
    ),
  ];
  const writeBacks = new Map<ToolUse, Statement | undefined>();
  for (const use of users) {
    const writes = use.accesses.filter((a) => (a.op === 'assign' && !a.reset) || a.op === 'mutate' || a.op === 'keyed').map((a) => a.node);
    if (writes.length > 0) writeBacks.set(use, writeBackPoint(use.tool.handler!, writes));
  }
  const serializable =
    !typeIsLive(valueType) &&
    writtenValues.every((w) => isDataExpression(w.value, w.inputs)) &&
    [...writeBacks.values()].every((point) => point !== undefined);

  let dispose: string | undefined;
  const edits = plan.edits;
  for (const removal of outsideStatements) {
    dispose ??= disposeOf(removal, name);
    edits.for(removal.getSourceFile()).removeStatement(removal);
  }

  const userNames = [...users.map((use) => use.tool.name), ...(needsGeneratedDestroy ? [names.destroy] : [])];
  if (creator) rewriteCreator(creator, name, names, userNames, plan);
  for (const use of users) {
    const released = rewriteUser(use, name, names, serializable ? writeBacks.get(use) : undefined, serializable, plan);
    dispose ??= released;
  }

  const anchorUse = uses[0] ?? creator;
  if (!anchorUse) throw new Undecided(declaration, `no tool uses ${name}`);
  if (!creator && initial !== undefined) {
    const anchor = registrationStatement(anchorUse.registration);
    const anchorStyle = styleOf(anchor.getSourceFile(), anchorUse.registration.sdk);
    const text = creatorTool(anchorStyle, { receiver: receiverOf(anchorUse.tool), names, initial, users: userNames, indent: indentOf(anchor) });
    edits.for(anchor.getSourceFile()).insert(anchor.getStart(), `${text}\n\n${indentOf(anchor)}`);
    edits.use(anchor.getSourceFile(), ['handles', 'principalOf', 'describeLifetime'], true);
  }
  if (needsGeneratedDestroy) {
    const last = registrationStatement(uses[uses.length - 1]!.registration);
    const lastStyle = styleOf(last.getSourceFile(), uses[uses.length - 1]!.registration.sdk);
    const text = destroyTool(lastStyle, { receiver: receiverOf(uses[uses.length - 1]!.tool), names, indent: indentOf(last) });
    edits.for(last.getSourceFile()).insert(last.getEnd(), `\n\n${indentOf(last)}${text}`);
    edits.use(last.getSourceFile(), ['handles', 'principalOf', 'describeHandleParam'], true);
  }

  const kind = kindDeclaration(style, {
    names,
    valueType,
    ttlSeconds: plan.options.ttlSeconds,
    serializable,
    dispose,
    exported: statement.isExported(),
  });
  if (state.kind === 'module') {
    edits.for(file).replaceNode(statement, kind);
  } else {
    const comments = statement.getLeadingCommentRanges().map((range) => `${range.getText()}\n`).join('');
    const at = aboveTopLevel(statement);
    edits.for(file).removeStatement(statement);
    edits.for(file).insert(at, `${comments}${kind}\n\n`);
  }
  edits.use(file, ['defineHandleKind']);
  plan.taken.add(thing);

  const { line } = file.getLineAndColumnAtPos(declaration.getStart());
  return {
    pattern,
    rule: pattern === 'P2' ? 'SL006' : 'SL003',
    state: name,
    file: relativeOf(file),
    line,
    summary:
      `${name} → ${names.idParam} handles from ${names.creator}` +
      (serializable ? '' : ' (kept in process memory: live or changed-in-place values)') +
      (creator && initializer && !isNullish(initializer) ? `; its default ${initializer.getText()} no longer applies: callers call ${names.creator} first` : ''),
  };
}

/** A statement outside any tool that only releases or resets the value (e.g. at shutdown): it goes, and a destroy tool replaces it. */
function outsideCleanup(access: StateAccess, name: string, declaration: VariableDeclaration): Statement {
  const statement = statementOf(access.node);
  if (statement && (disposeOf(statement, name) || isResetStatement(statement, name))) return statement;
  const where = access.by.length > 0 ? `a function called by ${access.by.map((r) => r.label).join(', ')}` : access.byOther.join(', ') || 'code outside the tools';
  throw new Undecided(declaration, `${name} is used in ${where}; pass the value (or its handle) explicitly, or keep it if it is shared on purpose`);
}

function isDestroyer(use: ToolUse, name: string): boolean {
  return use.accesses.some((a) => {
    const statement = statementOf(a.node);
    return (a.reset && statement && isResetStatement(statement, name)) || (roleOf(use.tool.name) === 'cleanup' && statement && disposeOf(statement, name));
  });
}

function uniqueThing(plan: PlanContext, thing: string): string {
  let candidate = thing;
  for (let n = 2; plan.taken.has(candidate); n++) candidate = `${thing}${n}`;
  return candidate;
}

/** The declared type without `| null` / `| undefined`; a literal's type when there is no annotation. */
function valueTypeOf(declaration: VariableDeclaration): string | undefined {
  const typeNode = declaration.getTypeNode();
  if (typeNode) {
    if (Node.isUnionTypeNode(typeNode)) {
      const kept = typeNode.getTypeNodes().filter((t) => !['null', 'undefined'].includes(t.getText()));
      return kept.map((t) => t.getText()).join(' | ') || undefined;
    }
    return typeNode.getText();
  }
  const initializer = declaration.getInitializer();
  if (!initializer) return undefined;
  const inner = unwrap(initializer);
  if (Node.isStringLiteral(inner) || Node.isNoSubstitutionTemplateLiteral(inner)) return 'string';
  if (Node.isNumericLiteral(inner)) return 'number';
  if (inner.getText() === 'true' || inner.getText() === 'false') return 'boolean';
  return undefined;
}

function typeIsLive(type: string | undefined): boolean {
  if (!type) return false;
  return type.includes('=>') || NON_JSON_CONSTRUCTORS.some((name) => new RegExp(`\\b${name}\\b`).test(type));
}

function registrationStatement(registration: Registration): Statement {
  const statement = statementOf(registration.call);
  if (!statement) throw new Undecided(registration.call, `cannot place code next to ${registration.label}`);
  return statement;
}

function receiverOf(tool: ToolCall): string {
  const callee = tool.call.getExpression();
  return Node.isPropertyAccessExpression(callee) ? callee.getExpression().getText() : 'server';
}

/** The creator assigns the value: now it mints a handle to it and returns the handle. */
function rewriteCreator(use: ToolUse, name: string, names: KindNames, users: readonly string[], plan: PlanContext): void {
  const { tool } = use;
  const handler = tool.handler!;
  const file = handler.getSourceFile();
  const edits = plan.edits.for(file);
  const style = styleOf(file, use.registration.sdk);
  const assignment = use.accesses.find((a) => a.op === 'assign' && !a.reset && !a.lazyInit)!;
  const statement = statementOf(assignment.node);
  const body = handler.getBody();
  if (!statement || !isAssignmentStatement(statement, assignment.node) || statement.getParent() !== body) {
    throw new Undecided(use.registration.call, `${tool.name} sets ${name} inside a nested block or expression`);
  }
  const context = ensureContext(edits, tool, use.registration.sdk);
  if (!context) throw new Undecided(use.registration.call, `the context parameter of ${tool.name} is destructured`);
  ensureAsync(edits, handler);
  makeCreator(edits, tool, style, names, users);

  // Before the assignment only "close the previous one" may touch the value: each call now makes a new handle.
  const previous = new Set<Statement>();
  for (const access of use.accesses) {
    if (access === assignment || access.node.getStart() > statement.getStart()) continue;
    const earlier = statementOf(access.node);
    if (!earlier || !(disposeOf(earlier, name) || isResetStatement(earlier, name))) {
      throw new Undecided(use.registration.call, `${tool.name} reads ${name} before setting it`);
    }
    previous.add(earlier);
  }
  for (const earlier of previous) edits.removeStatement(earlier);
  const value = (assignment.node.getParentOrThrow() as Node & { getRight(): Node }).getRight();
  const readLater = use.accesses.some((a) => a !== assignment && a.node.getStart() > statement.getEnd());
  const simple = Node.isIdentifier(value) || Node.isPropertyAccessExpression(value) || Node.isLiteralExpression(value);
  const indent = indentOf(statement);
  const mint = `const ${names.idParam} = ${call.mint(names, readLater || !simple ? name : value.getText(), context)};`;
  edits.replaceNode(statement, readLater || !simple ? `const ${name} = ${value.getText()};\n${indent}${mint}` : mint);
  for (const result of returnsOf(handler)) {
    if (result.getStart() < statement.getEnd()) continue;
    const expression = (result as Node & { getExpression(): Node | undefined }).getExpression();
    if (!expression || !addHandleToResult(edits, expression, style, names)) {
      throw new Undecided(use.registration.call, `${tool.name} returns a result that is not an object literal`);
    }
  }
  plan.edits.use(file, ['handles', 'principalOf', 'describeLifetime'], true);
}

/**
 * A tool that used the value: it takes the handle, resolves it first, writes changes back, and destroys the
 * handle where it used to reset the value. Returns the dispose hook its cleanup amounted to, if any.
 */
function rewriteUser(
  use: ToolUse,
  name: string,
  names: KindNames,
  writeBack: Statement | undefined,
  serializable: boolean,
  plan: PlanContext,
): string | undefined {
  const { tool } = use;
  const handler = tool.handler!;
  const file = handler.getSourceFile();
  const edits = plan.edits.for(file);
  const ids = addIdParam(edits, tool, { idParam: names.idParam, schema: idSchema(names), sdk: use.registration.sdk });
  if (typeof ids === 'string') throw new Undecided(use.registration.call, ids);
  ensureAsync(edits, handler);

  const removed = new Set<Node>();
  let dispose: string | undefined;
  let destroyed = false;
  const destroy = `${call.destroy(names, ids.id, ids.context)};`;
  const ordered = [...use.accesses].sort((a, b) => a.node.getStart() - b.node.getStart());
  for (const access of ordered) {
    const statement = statementOf(access.node);
    if (!statement || removed.has(statement)) continue;
    const released = disposeOf(statement, name);
    if (released || isResetStatement(statement, name)) {
      dispose ??= released;
      removed.add(statement);
      if (!destroyed) edits.replaceNode(statement, destroy);
      else edits.removeStatement(statement);
      destroyed = true;
    } else if (isDeadGuard(statement, name)) {
      removed.add(statement);
      edits.removeStatement(statement);
    }
  }
  const remaining = ordered.filter((a) => !removed.has(statementOf(a.node)!));
  // Only replaced (`notes = []`): each replacement is an update, with nothing to resolve first.
  if (remaining.length > 0 && remaining.every((a) => a.op === 'assign' && isAssignmentStatement(statementOf(a.node)!, a.node))) {
    for (const access of remaining) {
      const value = (access.node.getParentOrThrow() as Node & { getRight(): Node }).getRight().getText();
      edits.replaceNode(statementOf(access.node)!, `${call.update(names, ids.id, ids.context, value)};`);
    }
    plan.edits.use(file, ['handles', 'principalOf', 'describeHandleParam'], true);
    return dispose;
  }
  const assigned = remaining.some((a) => a.op === 'assign');
  if (remaining.length > 0) {
    const keyword = assigned ? 'let' : 'const';
    prependToBody(edits, handler, [`${keyword} ${name} = ${call.resolve(names, ids.id, ids.context)};`]);
  }
  const changes = remaining.some((a) => a.mode === 'write');
  if (changes && (serializable || assigned)) {
    const point = writeBack;
    if (!point) throw new Undecided(use.registration.call, `${tool.name} changes ${name} where the change cannot be written back`);
    edits.insert(point.getEnd(), `\n${indentOf(point)}${call.update(names, ids.id, ids.context, name)};`);
  }
  plan.edits.use(file, ['handles', 'principalOf', 'describeHandleParam'], true);
  return dispose;
}
