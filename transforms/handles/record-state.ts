/**
 * Per-connection class fields → one handle per connection's worth of state (P6). The fields a class kept for
 * "its" client (`this.cells`, `this.nextId`) become one record behind a handle; tools resolve the record and
 * use `notebook.cells` where they used `this.cells`. The fields' initial values make the creator's record.
 */
import { Node, SyntaxKind, type ClassDeclaration, type ClassExpression, type PropertyAccessExpression, type PropertyDeclaration, type Statement } from 'ts-morph';
import type { Registration, ServerModel, StateAccess, StateVariable } from '../../src/analysis/index.js';
import { unwrap } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import { NON_JSON_CONSTRUCTORS } from '../../src/rules/handles-values.js';
import { CLEANUP_VERBS, wordsOf } from '../../src/rules/handles-verbs.js';
import { prependToBody } from './body.js';
import { writeBackPoint } from './effects.js';
import { call, creatorTool, destroyTool, idSchema, kindDeclaration } from './generate.js';
import { indentOf } from './layout.js';
import { freeLocalName } from './local-names.js';
import { camelCase, kindNames, thingOf } from './naming.js';
import { addIdParam, ensureAsync } from './params.js';
import { formOf, receiverOf, type ToolCall } from './registration.js';
import { carriesConversation, heldByRegistry, isSharedState } from '../../src/analysis/conversational.js';
import { aboveTopLevel, byTool, editableTool, isDataExpression, statementOf, styleOf, Undecided, type PlanContext, type SiteResult } from './site.js';


/** Implicit state in fields of one class: each group becomes one kind. */
export function recordGroups(model: ServerModel): StateVariable[][] {
  const groups = new Map<ClassDeclaration | ClassExpression, StateVariable[]>();
  for (const state of model.states) {
    if (state.kind !== 'class-field' || state.dependence !== 'implicit' || !state.ownerClass) continue;
    // A configuration manager or a cache is shared by every client on purpose: no conversation's handle.
    if (isSharedState(state)) continue;
    // Records under ids the tools mint are handles already: where the registry lives is a person's change.
    if (state.explicitIds || heldByRegistry(state)) continue;
    // Fields of objects other conversation state holds (a Tab in a Context's tabs) move with that state.
    if (state.heldBy && carriesConversation(state.heldBy)) continue;
    const group = groups.get(state.ownerClass) ?? [];
    group.push(state);
    groups.set(state.ownerClass, group);
  }
  return [...groups.values()];
}

interface Field {
  state: StateVariable;
  /** Initial value text. */
  initial: string;
  initialNode: Node;
  type: string | undefined;
  /** The statements to remove: a property declaration, `this.x = …` in the constructor, or both. */
  declarations: Node[];
}

export function planRecordState(states: StateVariable[], plan: PlanContext): SiteResult {
  const owner = states[0]!.ownerClass!;
  const className = owner.getName() ?? 'state';
  const anchorNode = states[0]!.declaration;
  const file = owner.getSourceFile();
  const style = styleOf(file, plan.model.files.find((f) => f.sourceFile === file)?.sdk, plan.options);

  const fields = states.map((state) => fieldOf(state, style.typed));
  const tools = new Map<Registration, StateAccess[]>();
  const cleanups: Statement[] = [];
  for (const state of states) {
    const { tools: byRegistration, outside } = byTool(state, plan.model.registrations);
    for (const [registration, accesses] of byRegistration) tools.set(registration, [...(tools.get(registration) ?? []), ...accesses]);
    for (const access of outside) {
      const statement = statementOf(access.node);
      if (statement && fields.some((f) => f.declarations.some((d) => d === statement || statement.getDescendants().includes(d as never)))) continue;
      const method = access.node.getFirstAncestorByKind(SyntaxKind.MethodDeclaration);
      const verb = wordsOf(method?.getName() ?? '')[0] ?? '';
      if (method && CLEANUP_VERBS.includes(verb) && statement && isFieldReset(statement, access.node)) {
        cleanups.push(statement);
        continue;
      }
      const member = access.node.getFirstAncestor((a) => Node.isMethodDeclaration(a) || Node.isGetAccessorDeclaration(a) || Node.isSetAccessorDeclaration(a));
      const where = member && (Node.isMethodDeclaration(member) || Node.isGetAccessorDeclaration(member) || Node.isSetAccessorDeclaration(member)) ? `${member.getName()}${Node.isMethodDeclaration(member) ? '()' : ''}` : 'elsewhere';
      const callers = [...new Set(access.by.map((r) => r.label))];
      const place = callers.length > 0 ? `in ${where}, which ${callers.join(', ')} reach${callers.length === 1 ? 'es' : ''} through helpers rather than in a tool's own handler` : `outside the tools (${where})`;
      throw new Undecided(anchorNode, `${className}.${state.name} is used ${place}; pass the state there explicitly, or keep it if it is shared on purpose`);
    }
  }
  const uses: Array<{ registration: Registration; tool: ToolCall; accesses: StateAccess[] }> = [];
  for (const registration of plan.model.registrations) {
    const accesses = tools.get(registration);
    if (!accesses) continue;
    const tool = editableTool(registration, anchorNode, `the state of ${className}`);
    uses.push({ registration, tool, accesses });
  }
  if (uses.length === 0) throw new Undecided(anchorNode, `no tool uses the state of ${className}`);

  const thing = plan.options.names[className] ?? thingOf({ from: 'class', name: className });
  const names = kindNames(thing, { creatorTemplate: plan.options.creatorTemplate, destroyTemplate: plan.options.destroyTemplate });
  // One local name for the record in every tool, free in all of them (`this.tabs` names no variable).
  const local = freeLocalName(camelCase(thing), uses.map((use) => use.tool.handler!), [names.idParam, names.kindConst]);
  const valueType = style.typed ? recordType(fields) : undefined;
  if (style.typed && !valueType) throw new Undecided(anchorNode, `give the fields of ${className} types so the handle kind can be typed`);

  const writeBacks = new Map<Registration, Statement | undefined>();
  for (const use of uses) {
    const writes = use.accesses.filter((a) => a.mode === 'write').map((a) => a.node);
    if (writes.length > 0) writeBacks.set(use.registration, writeBackPoint(use.tool.handler!, writes));
  }
  const serializable =
    fields.every((f) => isDataExpression(f.initialNode, new Set()) && !(f.type && NON_JSON_CONSTRUCTORS.some((n) => new RegExp(`\\b${n}\\b`).test(f.type!)))) &&
    [...writeBacks.values()].every((point) => point !== undefined);

  const edits = plan.edits;
  const fileEdits = edits.for(file);
  for (const field of fields) for (const declaration of field.declarations) fileEdits.removeStatement(declaration);
  for (const cleanup of cleanups) fileEdits.removeStatement(cleanup);

  const needsDestroy = cleanups.length > 0;
  const userNames = [...uses.map((use) => use.tool.name), ...(needsDestroy ? [names.destroy] : [])];
  for (const use of uses) {
    const handler = use.tool.handler!;
    const ids = addIdParam(fileEdits, use.tool, { idParam: names.idParam, schema: idSchema(names), sdk: use.registration.sdk });
    if (typeof ids === 'string') throw new Undecided(anchorNode, ids);
    ensureAsync(fileEdits, handler);
    prependToBody(fileEdits, handler, [`const ${local} = ${call.resolve(names, ids.id, ids.context)};`]);
    for (const access of use.accesses) {
      const reference = access.node as PropertyAccessExpression;
      fileEdits.replace(reference.getStart(), reference.getExpression().getEnd(), local);
    }
    const point = writeBacks.get(use.registration);
    if (point && serializable) fileEdits.insert(point.getEnd(), `\n${indentOf(point)}${call.update(names, ids.id, ids.context, local)};`);
  }
  edits.use(file, ['handles', 'principalOf', 'describeHandleParam', 'describeLifetime', 'defineHandleKind'], true);

  const first = uses[0]!;
  const anchor = statementOf(first.registration.call)!;
  const initial = `{ ${fields.map((f) => (f.initial === f.state.name ? f.state.name : `${f.state.name}: ${f.initial}`)).join(', ')} }`;
  fileEdits.insert(anchor.getStart(), `${creatorTool(style, { receiver: receiverOf(first.tool), names, initial, users: userNames, indent: indentOf(anchor), form: formOf(first.tool) })}\n\n${indentOf(anchor)}`);
  if (needsDestroy) {
    const last = statementOf(uses[uses.length - 1]!.registration.call)!;
    fileEdits.insert(last.getEnd(), `\n\n${indentOf(last)}${destroyTool(style, { receiver: receiverOf(uses[uses.length - 1]!.tool), names, indent: indentOf(last), form: formOf(uses[uses.length - 1]!.tool) })}`);
  }

  // The kind is declared once, above the class.
  const at = aboveTopLevel(owner);
  const kind = kindDeclaration(style, { names, valueType, ttlSeconds: plan.options.ttlSeconds, serializable, dispose: undefined, exported: false });
  fileEdits.insert(at, `${kind}\n\n`);
  plan.taken.add(thing);

  const { line } = file.getLineAndColumnAtPos(anchorNode.getStart());
  return {
    pattern: 'P6',
    rule: 'SL003',
    state: `${className} (${states.map((s) => s.name).join(', ')})`,
    file: relativeOf(file),
    line,
    summary: `${className} fields ${states.map((s) => s.name).join(', ')} → one ${names.noun} record behind ${names.idParam} from ${names.creator}`,
  };
}

function fieldOf(state: StateVariable, typed: boolean): Field {
  const declaration = state.declaration;
  if (Node.isPropertyDeclaration(declaration)) {
    const initializer = declaration.getInitializer();
    if (initializer) {
      const type = declaration.getTypeNode()?.getText() ?? (typed ? literalType(initializer) : undefined);
      return { state, initial: initializer.getText(), initialNode: initializer, type, declarations: [declaration] };
    }
    // `private state: T;` with its value set in the constructor: both go, the type from the declaration.
    const assigned = constructorAssignment(declaration);
    if (!assigned) throw new Undecided(declaration, `${state.name} is not set where ${state.ownerClass?.getName() ?? 'the class'} is constructed, so a new record has no value to start from`);
    const type = declaration.getTypeNode()?.getText() ?? (typed ? literalType(assigned.value) : undefined);
    return { state, initial: assigned.value.getText(), initialNode: assigned.value, type, declarations: [declaration, assigned.statement] };
  }
  // `this.x = …` in the constructor: the whole statement goes.
  const statement = statementOf(declaration);
  if (!statement || !Node.isBinaryExpression(declaration) || !statement.getParent()?.getParent() || !Node.isConstructorDeclaration(statement.getParent()!.getParent()!)) {
    throw new Undecided(declaration, `${state.name} is first set outside the constructor`);
  }
  const right = declaration.getRight();
  return { state, initial: right.getText(), initialNode: right, type: typed ? literalType(right) : undefined, declarations: [statement] };
}

/** `this.<name> = value;` as a statement directly in the constructor's body (not in a branch or a loop). */
function constructorAssignment(property: PropertyDeclaration): { statement: Statement; value: Node } | undefined {
  const owner = property.getParent();
  if (!Node.isClassDeclaration(owner) && !Node.isClassExpression(owner)) return undefined;
  for (const constructor of owner.getConstructors()) {
    for (const statement of constructor.getStatements()) {
      if (!Node.isExpressionStatement(statement)) continue;
      const expression = unwrap(statement.getExpression());
      if (!Node.isBinaryExpression(expression) || expression.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
      const left = expression.getLeft();
      if (Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword && left.getName() === property.getName()) {
        return { statement, value: expression.getRight() };
      }
    }
  }
  return undefined;
}

function literalType(node: Node): string | undefined {
  const inner = unwrap(node);
  if (Node.isStringLiteral(inner) || Node.isNoSubstitutionTemplateLiteral(inner)) return 'string';
  if (Node.isNumericLiteral(inner)) return 'number';
  if (inner.getText() === 'true' || inner.getText() === 'false') return 'boolean';
  return undefined;
}

function recordType(fields: readonly Field[]): string | undefined {
  if (fields.some((f) => !f.type)) return undefined;
  return `{ ${fields.map((f) => `${f.state.name}: ${f.type}`).join('; ')} }`;
}

/** `this.x = <anything>;` as a whole statement: a cleanup method resetting a field. */
function isFieldReset(statement: Node, reference: Node): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const expression = unwrap(statement.getExpression());
  return Node.isBinaryExpression(expression) && expression.getOperatorToken().getKind() === SyntaxKind.EqualsToken && expression.getLeft() === reference;
}

