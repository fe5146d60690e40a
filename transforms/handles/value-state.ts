/**
 * Whole-value state → handles (P2 module `let db`, P5 factory-closure `let notes`, P7 `let activeProject`).
 * The tool that establishes the value becomes the creator and returns a handle; every other tool that used
 * the value takes the handle and resolves it first; the tool that reset it destroys the handle.
 */
import { Node, type Statement, type VariableDeclaration, type VariableStatement } from 'ts-morph';
import type { Registration, ServerModel, StateAccess, StateVariable } from '../../src/analysis/index.js';
import { isNullish, unwrap } from '../../src/analysis/syntax.js';
import { SELECTION_NAMES } from '../../src/analysis/vocabulary.js';
import { relativeOf } from '../../src/engine/parse.js';
import { NON_JSON_CONSTRUCTORS } from '../../src/rules/handles-values.js';
import { roleOf } from '../../src/rules/handles-verbs.js';
import type { PatternId } from '../../src/rules/rules.js';
import { disposeOf, isResetStatement, writeBackPoint } from './effects.js';
import { creatorTool, destroyTool, kindDeclaration, toolList } from './generate.js';
import { indentOf } from './layout.js';
import { kindNames, thingOf } from './naming.js';
import { formOf, receiverOf } from './registration.js';
import {
  aboveTopLevel,
  byTool,
  editableTool,
  inputNamesOf,
  isDataExpression,
  statementOf,
  styleOf,
  Undecided,
  usesHandlerScope,
  type PlanContext,
  type SiteResult,
} from './site.js';
import { partOf, recordOf, rewriteGroupCreator, rewriteGroupUser } from './value-group-rewrites.js';
import { rewriteCreator, rewriteUser, type ToolUse } from './value-rewrites.js';
import { isExported } from '../shared/exports.js';

/** Which value pattern a state follows, from who writes it and how it is named. */
export function valuePattern(state: StateVariable, model: ServerModel): PatternId {
  const { tools } = byTool(state, model.registrations);
  const setter = [...tools].some(([r, accesses]) => roleOf(r.name ?? '') === 'setter' && accesses.some((a) => a.op === 'assign' && !a.reset));
  if (setter || SELECTION_NAMES.test(state.name)) return 'P7';
  return state.kind === 'factory-closure' ? 'P5' : 'P2';
}

/**
 * Plan one value, or several that one creator sets together (`states` in declaration order): a group becomes
 * one record (`{ client, connectedTo }`) behind one handle, named after its first value.
 */
export function planValueState(states: readonly StateVariable[], pattern: PatternId, plan: PlanContext): SiteResult {
  const state = states[0]!;
  const parts = states.map((s) => s.name);
  const grouped = states.length > 1;
  const declared = states.map(declaredAlone);
  const { declaration, statement } = declared[0]!;
  const { tools, outside } = accessesByTool(states, plan.model.registrations);
  const uses: ToolUse[] = [];
  for (const [registration, accesses] of tools) {
    const tool = editableTool(registration, declaration, toolList(parts));
    uses.push({ registration, tool, accesses });
  }
  const name = state.name;
  const outsideStatements = outside.map((access) => ({ part: partOf(access), statement: outsideCleanup(access, partOf(access), declaration) }));

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
    else if (lazy.length > 0 && lazy[0]!.value) {
      const owner = uses.find((use) => use.accesses.includes(lazy[0]!))!;
      if (usesHandlerScope(lazy[0]!.value, owner.tool.handler)) {
        throw new Undecided(declaration, `${name} starts from values of ${owner.tool.name}'s call (${lazy[0]!.value.getText()}); make a creator tool that takes those as parameters`);
      }
      initial = lazy[0]!.value.getText();
    }
    else throw new Undecided(declaration, `no tool creates ${name}; add one that takes its setup as parameters and returns a handle`);
  }
  if (grouped && !creator) throw new Undecided(declaration, `no tool creates ${toolList(parts)}`);
  const users = uses.filter((use) => use !== creator);

  const thing = uniqueThing(plan, plan.options.names[name] ?? thingOf({ from: pattern === 'P7' ? 'selection' : 'variable', name }));
  const destroyers = users.filter((use) => parts.some((part) => isDestroyer(use, part)));
  const needsGeneratedDestroy = destroyers.length === 0 && outsideStatements.length > 0;
  const names = kindNames(thing, {
    creatorTemplate: plan.options.creatorTemplate,
    destroyTemplate: plan.options.destroyTemplate,
    creator: creator?.tool.name,
    destroy: destroyers[0]?.tool.name,
  });

  const file = declaration.getSourceFile();
  const style = styleOf(file, plan.model.files.find((f) => f.sourceFile === file)?.sdk, plan.options);
  const partTypes = declared.map((d) => (style.typed ? valueTypeOf(d.declaration) : undefined));
  const untyped = parts.find((_, index) => !partTypes[index]);
  if (style.typed && untyped) {
    throw new Undecided(declaration, `annotate the type of ${untyped} (for example \`let ${untyped}: Connection | null\`) so its handle kind can be typed, then migrate again`);
  }
  const valueType = !style.typed ? undefined : grouped ? `{ ${parts.map((part, index) => `${part}: ${partTypes[index]}`).join('; ')} }` : partTypes[0];

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
    dispose ??= disposeOf(removal.statement, removal.part, grouped ? recordOf([removal.part]) : removal.part);
    edits.for(removal.statement.getSourceFile()).removeStatement(removal.statement);
  }

  const userNames = [...users.map((use) => use.tool.name), ...(needsGeneratedDestroy ? [names.destroy] : [])];
  for (const use of users) {
    const writeBack = serializable ? writeBacks.get(use) : undefined;
    const released = grouped ? rewriteGroupUser(use, parts, names, writeBack, serializable, plan) : rewriteUser(use, name, names, writeBack, serializable, plan);
    dispose ??= released;
  }
  if (creator && grouped) {
    const types = new Map(parts.flatMap((part, index) => (partTypes[index] ? [[part, partTypes[index]!] as const] : [])));
    const released = rewriteGroupCreator(creator, parts, types, names, userNames, plan);
    dispose ??= released;
  } else if (creator) {
    rewriteCreator(creator, name, names, userNames, plan);
  }

  const anchorUse = uses[0] ?? creator;
  if (!anchorUse) throw new Undecided(declaration, `no tool uses ${name}`);
  if (!creator && initial !== undefined) {
    const anchor = registrationStatement(anchorUse.registration);
    const anchorStyle = styleOf(anchor.getSourceFile(), anchorUse.registration.sdk, plan.options);
    const text = creatorTool(anchorStyle, { receiver: receiverOf(anchorUse.tool), names, initial, users: userNames, indent: indentOf(anchor), form: formOf(anchorUse.tool) });
    edits.for(anchor.getSourceFile()).insert(anchor.getStart(), `${text}\n\n${indentOf(anchor)}`);
    edits.use(anchor.getSourceFile(), ['handles', 'principalOf', 'describeLifetime'], true);
  }
  if (needsGeneratedDestroy) {
    const last = registrationStatement(uses[uses.length - 1]!.registration);
    const lastStyle = styleOf(last.getSourceFile(), uses[uses.length - 1]!.registration.sdk, plan.options);
    const text = destroyTool(lastStyle, { receiver: receiverOf(uses[uses.length - 1]!.tool), names, indent: indentOf(last), form: formOf(uses[uses.length - 1]!.tool) });
    edits.for(last.getSourceFile()).insert(last.getEnd(), `\n\n${indentOf(last)}${text}`);
    edits.use(last.getSourceFile(), ['handles', 'principalOf', 'describeHandleParam'], true);
  }

  const kind = kindDeclaration(style, {
    names,
    valueType,
    ttlSeconds: plan.options.ttlSeconds,
    serializable,
    dispose,
    exported: isExported(statement),
  });
  // The other values of a group go: the kind's record holds them.
  for (const other of declared.slice(1)) edits.for(file).removeStatement(other.statement);
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
    state: parts.join(', '),
    file: relativeOf(file),
    line,
    summary:
      `${grouped ? `${toolList(parts)} → one ${names.noun} record behind` : `${name} →`} ${names.idParam} handles from ${names.creator}` +
      (serializable ? '' : ' (kept in process memory: live or changed-in-place values)') +
      (creator && initializer && !isNullish(initializer) ? `; its default ${initializer.getText()} no longer applies: callers call ${names.creator} first` : ''),
  };
}

/** A value's declaration, which must declare it alone. */
function declaredAlone(state: StateVariable): { declaration: VariableDeclaration; statement: VariableStatement } {
  const declaration = state.declaration;
  if (!Node.isVariableDeclaration(declaration)) throw new Undecided(declaration, `${state.name} is not a plain variable`);
  const statement = declaration.getVariableStatement();
  if (!statement || statement.getDeclarations().length !== 1) throw new Undecided(declaration, `${state.name} is declared together with other variables; split the declaration first`);
  if (isExported(statement) && state.accesses.some((a) => a.node.getSourceFile() !== declaration.getSourceFile())) {
    throw new Undecided(declaration, `${state.name} is exported and used by other modules; move the tools that use it next to it, or make it a handle by hand`);
  }
  return { declaration, statement };
}

/** The accesses of every value, by tool in registration order (in source order within a tool); the rest apart. */
function accessesByTool(states: readonly StateVariable[], registrations: readonly Registration[]): { tools: Map<Registration, StateAccess[]>; outside: StateAccess[] } {
  const tools = new Map<Registration, StateAccess[]>();
  const outside: StateAccess[] = [];
  const each = states.map((state) => byTool(state, registrations));
  for (const registration of registrations) {
    const accesses = each.flatMap((found) => found.tools.get(registration) ?? []);
    if (accesses.length > 0) tools.set(registration, states.length > 1 ? accesses.sort((a, b) => a.node.getStart() - b.node.getStart()) : accesses);
  }
  for (const found of each) outside.push(...found.outside);
  return { tools, outside };
}

/** A statement outside any tool that only releases or resets the value (e.g. at shutdown): it goes, and a destroy tool replaces it. */
function outsideCleanup(access: StateAccess, name: string, declaration: VariableDeclaration): Statement {
  const statement = statementOf(access.node);
  if (statement && (disposeOf(statement, name) || isResetStatement(statement, name))) return statement;
  const where = access.by.length > 0 ? `a function called by ${access.by.map((r) => r.label).join(', ')}` : access.byOther.join(', ') || 'code outside the tools';
  // Helpers that tools call are session-scope's to follow: it gives the value a record or says why not.
  throw new Undecided(declaration, `${name} is used in ${where}; pass the value (or its handle) explicitly, or keep it if it is shared on purpose`, { leftToRecord: access.by.length > 0 });
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

