/**
 * Shared vocabulary of the handle planners: a planned change to one piece of state (a "site"), the edits it
 * makes across files, and small AST questions every planner asks.
 */
import { Node, SyntaxKind, type SourceFile, type Statement } from 'ts-morph';
import type { Registration, ServerModel, StateAccess, StateVariable } from '../../src/analysis/index.js';
import { isNullish, unwrap } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import type { PatternId, RuleId } from '../../src/rules/rules.js';
import { DEAD_GUARD_EXITS } from '../../src/rules/handles-values.js';
import { TextEdits } from './edits.js';
import type { StoreExport, Style } from './generate.js';
import { indentUnit, quoteOf, type Opening, type Openings } from './layout.js';
import { readToolCall, type EditableTool, type InlineHandler } from './registration.js';
import type { HandleOptions } from './store-file.js';
import type { SdkFeature } from '../../src/rules/sdk-features.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';

/** Why a site could not be migrated: one marker at `node`. */
export class Undecided extends Error {
  constructor(
    readonly node: Node,
    message: string,
    options: {
      /** The tool whose use of the state decides it, when one does (a tool reading every session's entries). */
      tool?: string;
      /**
       * A registration style session-scope edits (a low-level tools/call handler, a handler passed by name): the
       * state is left to it, which either gives it a record or leaves the one marker with its own reason.
       */
      leftToRecord?: boolean;
    } = {},
  ) {
    super(message);
    this.tool = options.tool;
    this.leftToRecord = options.leftToRecord ?? false;
  }

  readonly tool: string | undefined;
  readonly leftToRecord: boolean;
}

/** Edits one site makes, per file, plus the imports each file then needs. Committed only when the whole site plans. */
export class SiteEdits {
  readonly files = new Map<string, TextEdits>();
  /** Per file: handle-store exports used, whether `z` is used, and names to import from other project files. */
  readonly imports = new Map<string, { store: Set<StoreExport>; zod: boolean }>();
  /** Session id reads this site rewrote or removed (a guard, a shown id): another kind's site leaves them be. */
  readonly retired: Node[] = [];
  /** Lists this site opened up (see Opening), for later sites of the plan. */
  readonly opened = new Map<Node, Opening>();

  for(file: SourceFile): TextEdits {
    const path = relativeOf(file);
    let edits = this.files.get(path);
    if (!edits) {
      edits = new TextEdits(file);
      this.files.set(path, edits);
    }
    return edits;
  }

  use(file: SourceFile, names: readonly StoreExport[], zod = false): void {
    const path = relativeOf(file);
    let entry = this.imports.get(path);
    if (!entry) {
      entry = { store: new Set(), zod: false };
      this.imports.set(path, entry);
    }
    for (const name of names) entry.store.add(name);
    entry.zod ||= zod;
  }
}

/** What the project-level planner hands a pattern planner. */
export interface PlanContext {
  model: ServerModel;
  options: HandleOptions;
  edits: SiteEdits;
  /** Thing names already given to other kinds in this project. */
  taken: Set<string>;
  /** Session id reads sites committed so far rewrote or removed. */
  retired?: Set<Node>;
  /** Lists sites committed so far opened up. */
  opened?: Map<Node, Opening>;
}

/** The plan's openings as a site sees them: those committed before it, and its own. */
export function openingsOf(plan: PlanContext): Openings {
  return {
    get: (node) => plan.edits.opened.get(node) ?? plan.opened?.get(node),
    record: (node, opening) => void plan.edits.opened.set(node, opening),
  };
}

/** A migrated site, for the closing counts and reports. */
export interface SiteResult {
  pattern: PatternId;
  rule: RuleId;
  state: string;
  file: string;
  line: number;
  /** What became of it, in one sentence for the report. */
  summary: string;
}

/** The style of a file, for generated code, and what the SDK release the project pins lets it use. */
export function styleOf(file: SourceFile, sdk: Style['sdk'], options: Pick<HandleOptions, 'supports'>): Style {
  const supports = (feature: SdkFeature) => options.supports?.(sdk, feature) ?? true;
  return { unit: indentUnit(file), quote: quoteOf(file), sdk, typed: /\.[cm]?tsx?$/.test(file.getFilePath()), supports };
}

/** The single registration whose own inline handler contains `node`, if any. */
export function ownerTool(access: StateAccess): Registration | undefined {
  return access.by.find((registration) => registration.handler && access.node.getAncestors().includes(registration.handler));
}

/** Accesses grouped by the tool whose handler holds them, in registration order; the rest separately. */
export function byTool(state: StateVariable, registrations: readonly Registration[]): { tools: Map<Registration, StateAccess[]>; outside: StateAccess[] } {
  // One owner lookup per access (not per access and registration): linear in the size of the server.
  const grouped = new Map<Registration, StateAccess[]>();
  const outside: StateAccess[] = [];
  for (const access of state.accesses) {
    const owner = ownerTool(access);
    if (!owner) outside.push(access);
    else grouped.set(owner, [...(grouped.get(owner) ?? []), access]);
  }
  const tools = new Map<Registration, StateAccess[]>();
  for (const registration of registrations) {
    const mine = grouped.get(registration);
    if (mine) tools.set(registration, mine);
  }
  return { tools, outside };
}

/**
 * The tool registration a planner can edit, or the reason it cannot: resources and prompts take no handle
 * parameter, low-level `tools/call` switches and handlers passed by name are not rewritten.
 */
export function editableTool(registration: Registration, anchor: Node, state: string): EditableTool {
  if (registration.kind !== 'tool') {
    throw new Undecided(anchor, `${state} is read by ${registration.label}, which cannot take a handle parameter; serve it as a resource template keyed by the handle`);
  }
  const tool = readToolCall(registration.call);
  if (!tool) throw new Undecided(anchor, `${state} is used by ${registration.label} in a low-level tools/call handler; add its handle argument there by hand`, { leftToRecord: true });
  if (!tool.handler) throw new Undecided(anchor, `${state} is used by ${registration.label}, whose handler is passed by name; write it inline or add the handle parameter by hand`, { leftToRecord: true });
  return tool as EditableTool;
}

/** The statement holding a node (the nearest ancestor that is a statement in a block or file). */
export function statementOf(node: Node): Statement | undefined {
  let current: Node | undefined = node;
  while (current) {
    const parent = current.getParent();
    if (parent && (Node.isBlock(parent) || Node.isSourceFile(parent) || Node.isCaseClause(parent) || Node.isDefaultClause(parent))) {
      return current as Statement;
    }
    current = parent;
  }
  return undefined;
}

/** The top-level statement of its file that holds `node` (the node itself when it is one). */
export function topLevelOf(node: Node): Node {
  let current = node;
  while (current.getParent() && !Node.isSourceFile(current.getParent()!)) current = current.getParent()!;
  return current;
}

/** Where to put a declaration above a top-level statement: before its leading comments. */
export function aboveTopLevel(node: Node): number {
  const top = topLevelOf(node);
  return top.getLeadingCommentRanges()[0]?.getPos() ?? top.getStart();
}

/** Whether `statement` is `x = value;` for the reference `ref` (the assignment is the whole statement). */
export function isAssignmentStatement(statement: Node, ref: Node): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const expression = unwrap(statement.getExpression());
  return Node.isBinaryExpression(expression) && expression.getOperatorToken().getKind() === SyntaxKind.EqualsToken && unwrap(expression.getLeft()) === ref;
}

/**
 * `if (!db) return …;` / `if (db == null) throw …` / `if (!db) { return … }`: a guard made dead by a resolve,
 * which throws for a missing handle. Only guards with no else branch and an immediate exit qualify.
 */
export function isDeadGuard(statement: Node, name: string): boolean {
  if (!Node.isIfStatement(statement) || statement.getElseStatement()) return false;
  const condition = unwrap(statement.getExpression());
  const names = (node: Node) => unwrap(node).getText() === name;
  const tests =
    (Node.isPrefixUnaryExpression(condition) && condition.getOperatorToken() === SyntaxKind.ExclamationToken && names(condition.getOperand())) ||
    (Node.isBinaryExpression(condition) &&
      ['==', '==='].includes(condition.getOperatorToken().getText()) &&
      ((names(condition.getLeft()) && isNullish(condition.getRight())) || (names(condition.getRight()) && isNullish(condition.getLeft()))));
  if (!tests) return false;
  const then = statement.getThenStatement();
  const exits = Node.isBlock(then) ? then.getStatements() : [then];
  return exits.length === 1 && DEAD_GUARD_EXITS.some((kind) => exits[0]!.getKindName().toLowerCase().startsWith(kind));
}

/** Return statements of a handler (not of functions nested in it). */
export function returnsOf(handler: InlineHandler): Node[] {
  return nodesOfKind(handler, SyntaxKind.ReturnStatement).filter((statement) => nearestFunction(statement) === handler);
}

export function nearestFunction(node: Node): Node | undefined {
  return node.getFirstAncestor((ancestor) => Node.isArrowFunction(ancestor) || Node.isFunctionExpression(ancestor) || Node.isFunctionDeclaration(ancestor) || Node.isMethodDeclaration(ancestor));
}

/** Whether a value expression is JSON data: literals, arrays and objects of data, and values taken from tool arguments. */
export function isDataExpression(node: Node | undefined, inputNames: ReadonlySet<string>): boolean {
  if (!node) return true;
  const inner = unwrap(node);
  if (Node.isStringLiteral(inner) || Node.isNumericLiteral(inner) || Node.isNoSubstitutionTemplateLiteral(inner) || Node.isTemplateExpression(inner)) return true;
  if ([SyntaxKind.TrueKeyword, SyntaxKind.FalseKeyword, SyntaxKind.NullKeyword].includes(inner.getKind()) || isNullish(inner)) return true;
  if (Node.isPrefixUnaryExpression(inner)) return isDataExpression(inner.getOperand(), inputNames);
  if (Node.isArrayLiteralExpression(inner)) return inner.getElements().every((element) => isDataExpression(element, inputNames));
  if (Node.isObjectLiteralExpression(inner)) {
    return inner.getProperties().every((property) => {
      if (Node.isPropertyAssignment(property)) return isDataExpression(property.getInitializer(), inputNames);
      if (Node.isShorthandPropertyAssignment(property)) return inputNames.has(property.getName());
      if (Node.isSpreadAssignment(property)) return isDataExpression(property.getExpression(), inputNames);
      return false;
    });
  }
  if (Node.isIdentifier(inner)) return inputNames.has(inner.getText());
  if (Node.isPropertyAccessExpression(inner)) return isDataExpression(inner.getExpression(), inputNames);
  return false;
}

/** Names a handler receives as tool arguments (destructured names, or the arguments object). */
export function inputNamesOf(handler: InlineHandler | undefined, hasSchema: boolean): Set<string> {
  const names = new Set<string>();
  const args = hasSchema ? handler?.getParameters()[0] : undefined;
  if (!args) return names;
  const nameNode = args.getNameNode();
  if (Node.isIdentifier(nameNode)) names.add(nameNode.getText());
  else if (Node.isObjectBindingPattern(nameNode)) for (const element of nameNode.getElements()) names.add(element.getName());
  return names;
}

/**
 * Whether an expression taken from inside a handler (a lazy default such as `?? { currency }`) still means
 * the same next to the handler's registration: it must not use the handler's parameters or locals.
 */
export function usesHandlerScope(expression: Node, handler: InlineHandler): boolean {
  const local = new Set<string>();
  for (const parameter of handler.getParameters()) for (const id of identifiersOf(parameter)) local.add(id.getText());
  for (const parameter of handler.getParameters()) {
    const name = parameter.getNameNode();
    if (Node.isIdentifier(name)) local.add(name.getText());
  }
  for (const declaration of nodesOfKind(handler, SyntaxKind.VariableDeclaration)) local.add(declaration.getName());
  return [expression, ...identifiersOf(expression)].some((id) => {
    if (!Node.isIdentifier(id) || !local.has(id.getText())) return false;
    const parent = id.getParent();
    // `{ currency: 'EUR' }` names a property, not the variable.
    return !(parent && Node.isPropertyAssignment(parent) && parent.getNameNode() === id) && !(parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id);
  });
}
