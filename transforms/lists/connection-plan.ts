import { Node, SyntaxKind, type Block, type BinaryExpression, type Project, type SourceFile, type Statement } from 'ts-morph';
import { resolveFunction } from '../../src/analysis/functions.js';
import { Resolver } from '../../src/analysis/scope.js';
import { projectPath, relativeOf } from '../../src/engine/parse.js';
import { CONNECTION_HOOKS } from '../../src/rules/context-sdk.js';
import { capturedFrom, type FunctionLike } from './ast.js';
import { chainMovable, chainReferences, shapeOf, type FunctionShape, type RegistrationStatement } from './capability-chain.js';
import { nodesOfKind } from '../shared/file-index.js';

/**
 * Registrations that run once per connection: tools registered inside `oninitialized`, written there or
 * reached through start-up style helpers in other modules (`registerConditionalTools(server)` calling
 * `registerXTool(server)` in one file per tool), usually only when the client declared a capability.
 * Planned once for the group, from the untouched files: the hook's file moves the calls out of the hook
 * while the helpers' files move the capability checks into the handlers, whichever file comes first.
 */
export interface ConnectionPlan {
  /** Per file, the module-level functions whose registrations move to start-up (and lose their client gates). */
  functions: Map<string, Set<string>>;
  /** Per file, the connection hooks (by the text of what they are assigned to) and the statements leaving them. */
  hooks: Map<string, Array<{ hook: string; moves: string[] }>>;
}

/** `x.oninitialized = () => { … }` standing alone as a statement. */
export interface HookAssignment {
  statement: Statement;
  assignment: BinaryExpression;
  fn: FunctionLike;
  body: Block;
}

export function hookAssignments(file: SourceFile): HookAssignment[] {
  const found: HookAssignment[] = [];
  for (const assignment of nodesOfKind(file, SyntaxKind.BinaryExpression)) {
    const left = assignment.getLeft();
    const fn = assignment.getRight();
    const statement = assignment.getParent();
    if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken || !Node.isPropertyAccessExpression(left) || !CONNECTION_HOOKS.includes(left.getName())) continue;
    if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) || !Node.isExpressionStatement(statement)) continue;
    const body = fn.getBody();
    if (Node.isBlock(body)) found.push({ statement, assignment, fn, body });
  }
  return found;
}

/** The module-level name a function is declared under (`function f`, `const f = () => …`). */
export function moduleLevelName(fn: Node): string | undefined {
  if (Node.isFunctionDeclaration(fn)) return Node.isSourceFile(fn.getParent()) ? fn.getName() : undefined;
  const declaration = fn.getParent();
  if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) || !Node.isVariableDeclaration(declaration) || declaration.getInitializer() !== fn) return undefined;
  const statement = declaration.getVariableStatement();
  return statement && Node.isSourceFile(statement.getParent()) && statement.getDeclarationKind() === 'const' ? declaration.getName() : undefined;
}

/** A module-level function found again by name in a (possibly edited) file. */
export function moduleFunction(file: SourceFile, name: string): FunctionLike | undefined {
  const declared = file.getFunction(name);
  if (declared) return declared;
  const init = file.getVariableDeclaration(name)?.getInitializer();
  return init && (Node.isArrowFunction(init) || Node.isFunctionExpression(init)) ? init : undefined;
}

const MAX_DEPTH = 6;

class Planner {
  readonly functions = new Map<string, Set<string>>();
  private readonly resolver: Resolver;
  private readonly sources: SourceFile[];

  constructor(sources: SourceFile[]) {
    this.sources = sources;
    this.resolver = new Resolver(sources);
  }

  /** The function a standalone call statement calls, when it is a project function. */
  private callee(statement: Statement): FunctionLike | undefined {
    const expression = Node.isExpressionStatement(statement) ? statement.getExpression() : undefined;
    const call = expression && (Node.isAwaitExpression(expression) ? expression.getExpression() : expression);
    if (!call || !Node.isCallExpression(call)) return undefined;
    const fn = resolveFunction(this.resolver, call.getExpression());
    return fn && !Node.isMethodDeclaration(fn) ? fn : undefined;
  }

  /** How many calls in the group name this module-level function. */
  private callCount(fn: FunctionLike, name: string): number {
    let count = 0;
    for (const file of this.sources) {
      if (!this.resolver.mentions(file, name)) continue;
      for (const id of this.resolver.identifiersNamed(file, name)) {
        const call = id.getParent();
        if (!Node.isCallExpression(call) || call.getExpression() !== id) continue;
        if (resolveFunction(this.resolver, id) === fn) count++;
      }
    }
    return count;
  }

  /**
   * The functions a helper reaches, when all it does is register (gated by the client's declaration or
   * not) and call helpers that do the same, each called from this one place; undefined otherwise.
   */
  registeringClosure(fn: FunctionLike, depth = 0, seen = new Set<FunctionLike>()): Array<{ file: string; name: string }> | undefined {
    if (depth > MAX_DEPTH || seen.has(fn)) return undefined;
    seen.add(fn);
    const name = moduleLevelName(fn);
    const body = fn.getBody();
    if (!name || !body || !Node.isBlock(body) || this.callCount(fn, name) !== 1) return undefined;
    const shape = shapeOf(body);
    if (shape.others.length > 0 || !chainMovable(shape)) return undefined;
    const found = [{ file: relativeOf(fn.getSourceFile()), name }];
    for (const call of shape.calls) {
      const callee = this.callee(call);
      const inner = callee && this.registeringClosure(callee, depth + 1, seen);
      if (!inner) return undefined;
      found.push(...inner);
    }
    return found;
  }

  /** What leaves one hook: its registrations and its calls of registering helpers. */
  hookMoves(hook: HookAssignment): string[] {
    const shape = shapeOf(hook.body);
    let registrations: RegistrationStatement[] = shape.registrations;
    if (!chainMovable(shape, registrations)) registrations = registrations.filter((r) => !r.condition && chainReferences(r.statement, shape).length === 0);
    const moving: Statement[] = [];
    const staysFree = (statement: Statement) => capturedFrom(statement, hook.fn).every((id) => isChainName(id, shape));
    for (const registration of registrations) {
      const awaited = registration.calls.some((c) => Node.isAwaitExpression(c.call.getParent()));
      if (!awaited && staysFree(registration.statement)) moving.push(registration.statement);
    }
    for (const call of shape.calls) {
      // `await registerX(server)` cannot move out of an async hook into start-up code that may not be.
      if (Node.isExpressionStatement(call) && Node.isAwaitExpression(call.getExpression())) continue;
      const callee = this.callee(call);
      const closure = callee && staysFree(call) ? this.registeringClosure(callee) : undefined;
      if (!closure) continue;
      moving.push(call);
      for (const { file, name } of closure) {
        const names = this.functions.get(file) ?? new Set<string>();
        names.add(name);
        this.functions.set(file, names);
      }
    }
    return moving.sort((a, b) => a.getStart() - b.getStart()).map((s) => s.getText());
  }
}

function isChainName(identifier: Node, shape: FunctionShape): boolean {
  return shape.chainNames.has(identifier.getText());
}

export function planConnectionRegistrations(project: Project, files: readonly string[]): ConnectionPlan {
  const sources = files.map((path) => project.getSourceFile(projectPath(path))).filter((f): f is SourceFile => !!f);
  const plan: ConnectionPlan = { functions: new Map(), hooks: new Map() };
  // Only groups that assign a connection hook can register per connection.
  if (!sources.some((file) => CONNECTION_HOOKS.some((hook) => file.getFullText().includes(hook)))) return plan;
  const planner = new Planner(sources);
  for (const file of sources) {
    for (const hook of hookAssignments(file)) {
      const moves = planner.hookMoves(hook);
      if (moves.length === 0) continue;
      const path = relativeOf(file);
      plan.hooks.set(path, [...(plan.hooks.get(path) ?? []), { hook: hook.assignment.getLeft().getText(), moves }]);
    }
  }
  plan.functions = planner.functions;
  return plan;
}
