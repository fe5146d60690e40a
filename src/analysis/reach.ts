/**
 * Which code runs on behalf of which handler: each registration's handler (or low-level branch) plus every
 * function it calls, followed through the same file, class methods and relative imports.
 * A node belongs to the handlers of its nearest enclosing reached function; an inline handler nested in
 * another handler (registered during a call) belongs to the inner one only.
 */
import { Node, SyntaxKind, ts, type CallExpression, type ClassDeclaration, type ClassExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import { classOfNew, elementFunctions, fieldInitializer, resolveFunction, returnedValues, wrapperClosures } from './functions.js';
import type { Registration } from './model.js';
import { accessorsOf, isClassMemberName, methodsOf, reachableThrough } from './classes.js';
import { isWriteTarget, unwrap, wrapNode } from './syntax.js';

/** A non-registration entry point: a session callback, `oninitialized`, a low-level list/read handler. */
export interface OtherRoot {
  node: Node;
  label: string;
}

export class Reach {
  private readonly owners = new Map<ts.Node, Set<Registration>>();
  private readonly others = new Map<ts.Node, Set<string>>();
  /** Handler roots: walking up stops at the first one. */
  private readonly handlerRoots = new Set<ts.Node>();
  /** Calls found to each reached function, for following arguments into parameters. */
  readonly callSites = new Map<ts.Node, CallExpression[]>();
  /** What each reached function calls (the same helper is reached from many handlers). */
  private readonly calls = new Map<ts.Node, Node[]>();

  constructor(
    private readonly ctx: AnalysisContext,
    registrations: readonly Registration[],
    otherRoots: readonly OtherRoot[],
  ) {
    // A low-level tools/call handler's code outside its tool branches (before the `switch` on the tool name)
    // runs for every tool it serves: the handler is a root too, owned by all of its branches.
    const switched = new Map<Node, Registration[]>();
    for (const registration of registrations) {
      const root = registration.branch ?? registration.handler;
      if (root) this.handlerRoots.add(root.compilerNode);
      if (registration.branch && registration.handler) switched.set(registration.handler, [...(switched.get(registration.handler) ?? []), registration]);
    }
    for (const handler of switched.keys()) this.handlerRoots.add(handler.compilerNode);
    for (const registration of registrations) {
      const root = registration.branch ?? registration.handler;
      if (root) this.walk(root, (node) => add(this.owners, node, registration));
    }
    for (const [handler, branches] of switched) this.walk(handler, (node) => branches.forEach((registration) => add(this.owners, node, registration)));
    for (const other of otherRoots) this.walk(other.node, (node) => add(this.others, node, other.label));
  }

  /** Registrations whose handlers (or the helpers they call) contain `node`. */
  registrationsAt(node: Node): Registration[] {
    const out = new Set<Registration>();
    for (let current: Node | undefined = node; current; current = current.getParent()) {
      for (const registration of this.owners.get(current.compilerNode) ?? []) out.add(registration);
      if (this.handlerRoots.has(current.compilerNode)) break;
    }
    return [...out];
  }

  /** Labels of the other entry points whose code contains `node`. */
  othersAt(node: Node): string[] {
    const out = new Set<string>();
    for (let current: Node | undefined = node; current; current = current.getParent()) {
      for (const label of this.others.get(current.compilerNode) ?? []) out.add(label);
    }
    return [...out];
  }

  /** Whether `node` runs inside any handler or other entry point. */
  isHandled(node: Node): boolean {
    return this.registrationsAt(node).length > 0 || this.othersAt(node).length > 0;
  }

  /** The methods a `receiver.name(…)` call can run on project classes. */
  private membersCalled(file: SourceFile, expression: ts.PropertyAccessExpression): Node[] {
    const callee = wrapNode<Node>(file, expression);
    return callee && Node.isPropertyAccessExpression(callee) ? methodsOf(this.ctx, callee.getExpression(), callee.getName()) : [];
  }

  private walk(root: Node, mark: (node: Node) => void): void {
    const seen = new Set<ts.Node>();
    const queue: Node[] = [root];
    mark(root);
    seen.add(root.compilerNode);
    while (queue.length > 0) {
      const current = queue.pop() as Node;
      for (const target of this.calledFrom(current)) {
        if (seen.has(target.compilerNode)) continue;
        seen.add(target.compilerNode);
        mark(target);
        queue.push(target);
      }
    }
  }

  private recordCallSite(target: Node, call: CallExpression): void {
    const sites = this.callSites.get(target.compilerNode);
    if (sites) {
      if (!sites.includes(call)) sites.push(call);
    } else this.callSites.set(target.compilerNode, [call]);
  }

  /**
   * Functions called (or passed as callbacks) from a node's code, not descending into nested handlers.
   * The walk is over compiler nodes, wrapping only calls and their arguments; each function is read once.
   */
  private calledFrom(root: Node): Node[] {
    const known = this.calls.get(root.compilerNode);
    if (known) return known;
    const out: Node[] = [];
    const file = root.getSourceFile();
    let table: Node | undefined;
    let elements: Node[] = [];
    const visit = (node: ts.Node): void => {
      if (node !== root.compilerNode && this.handlerRoots.has(node)) return;
      if (ts.isCallExpression(node)) {
        const call = wrapNode<CallExpression>(file, node);
        const target = call && resolveFunction(this.ctx.resolver, call.getExpression());
        // `tool.execute(args)` over tool classes, `this.execute()` in a base class, `this.session.connect()`: every
        // method the receiver's classes, their subclasses or their bases define.
        const members =
          call && ts.isPropertyAccessExpression(node.expression) && isClassMemberName(this.ctx, node.expression.name.text)
            ? this.membersCalled(file, node.expression)
            : [];
        // Calls of methods found through their receiver's class count as call sites too (parameters take
        // the origin of what those calls pass).
        for (const member of members) if (call) this.recordCallSite(member, call);
        if (call && target) {
          out.push(target, ...members, ...wrapperClosures(this.ctx.resolver, call.getExpression()));
          this.recordCallSite(target, call);
        } else if (call && (table = dispatchTable(this.ctx, node.expression, file))) {
          // `handlers[request.params.name](args)`, or `const handler = handlers[name]; handler(args)`: every
          // function of the table can run.
          out.push(...tableFunctions(this.ctx, table));
        } else if (members.length > 0) {
          out.push(...members);
        } else if (call && (elements = elementFunctions(this.ctx.resolver, call.getExpression())).length > 0) {
          // `tools.forEach((tool) => server.tool(tool.name, …, (args) => tool.handler(args, context)))`: the
          // handler of every tool object in the table.
          for (const element of elements) {
            out.push(element);
            this.recordCallSite(element, call);
          }
        } else if (call) {
          // `tool.handle(this, args)`, `tool.handle(workspace, args)` into code the analysis cannot follow: whatever
          // it does with the instance, it does through the instance's methods and getters.
          for (const handed of handedOver(this.ctx, call)) out.push(...reachableThrough(this.ctx, handed));
        }
        // Functions passed by name as callbacks run on the handler's behalf too (`items.map(format)`).
        for (const arg of node.arguments) {
          if (!ts.isIdentifier(arg) && !ts.isPropertyAccessExpression(arg)) continue;
          const argument = wrapNode<Node>(file, arg);
          const callback = argument && resolveFunction(this.ctx.resolver, argument);
          if (callback) out.push(callback);
        }
      }
      // `connections.current`: reading (or setting) an accessor runs it.
      if (ts.isPropertyAccessExpression(node) && !(ts.isCallExpression(node.parent) && node.parent.expression === node) && isClassMemberName(this.ctx, node.name.text)) {
        const access = wrapNode<Node>(file, node);
        if (access && Node.isPropertyAccessExpression(access)) out.push(...accessorsOf(this.ctx, access.getExpression(), access.getName(), isWriteTarget(access)));
      }
      ts.forEachChild(node, visit);
    };
    visit(root.compilerNode);
    this.calls.set(root.compilerNode, out);
    return out;
  }
}

/**
 * The classes whose instances a call hands to code the analysis cannot follow: `tool.handle(this, args)`, or
 * `tool.handle(workspace, args)` with `const workspace = new Workspace()`, where `tool` is something the function
 * was handed or looked up (a parameter, `tools.find(…)`). Calls on globals (`Object.assign(this, …)`,
 * `console.log(this)`) hand nothing over.
 */
function handedOver(ctx: AnalysisContext, call: CallExpression): ClassNode[] {
  const callee = unwrap(call.getExpression());
  if (!Node.isPropertyAccessExpression(callee)) return [];
  const receiver = unwrap(callee.getExpression());
  if (!Node.isIdentifier(receiver) || ctx.resolver.resolve(receiver)?.kind !== 'declaration') return [];
  const out: ClassNode[] = [];
  for (const arg of call.getArguments().map(unwrap)) {
    if (arg.getKind() === SyntaxKind.ThisKeyword) {
      const owner = call.getFirstAncestor((a): a is ClassNode => Node.isClassDeclaration(a) || Node.isClassExpression(a));
      if (owner) out.push(owner);
      continue;
    }
    if (!Node.isIdentifier(arg)) continue;
    const binding = ctx.resolver.resolve(arg);
    const value = binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
    const built = value ? classOfNew(ctx.resolver, unwrap(value)) : undefined;
    if (built) out.push(built);
  }
  return out;
}

type ClassNode = ClassDeclaration | ClassExpression;

function add<T>(map: Map<ts.Node, Set<T>>, node: Node, value: T): void {
  const set = map.get(node.compilerNode);
  if (set) set.add(value);
  else map.set(node.compilerNode, new Set([value]));
}

/** The object a computed call dispatches through: `table[key](…)`, or a local bound to `table[key]`. */
function dispatchTable(ctx: AnalysisContext, callee: ts.Expression, file: SourceFile): Node | undefined {
  let expression: ts.Expression = callee;
  while (ts.isParenthesizedExpression(expression) || ts.isNonNullExpression(expression)) expression = expression.expression;
  if (ts.isElementAccessExpression(expression) && !ts.isLiteralExpression(expression.argumentExpression)) return wrapNode<Node>(file, expression.expression);
  if (!ts.isIdentifier(expression)) return undefined;
  const id = wrapNode<Node>(file, expression);
  const binding = id && Node.isIdentifier(id) ? ctx.resolver.resolve(id) : undefined;
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node)) return undefined;
  const initializer = binding.node.getInitializer();
  const inner = initializer && unwrap(initializer);
  return inner && Node.isElementAccessExpression(inner) && !Node.isLiteralExpression(inner.getArgumentExpressionOrThrow()) ? inner.getExpression() : undefined;
}

/** The functions of a dispatch table, as a dispatch can reach them. */
function tableFunctions(ctx: AnalysisContext, table: Node): Node[] {
  const out: Node[] = [];
  for (const literal of tableLiterals(ctx, table)) {
    for (const property of literal.getProperties()) {
      if (Node.isMethodDeclaration(property)) out.push(property);
      else if (Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property)) {
        const target = resolveFunction(ctx.resolver, Node.isPropertyAssignment(property) ? property.getInitializer() : property.getNameNode());
        if (target) out.push(target);
      }
    }
  }
  return out;
}

/**
 * The object literals a table expression evaluates to: through variables, a field set in the constructor
 * (`this.handlers = this.createHandlers()`), the returns of a function that builds it, and spreads of other
 * tables (`{ ...authHandlers(ctx), ...queryHandlers(ctx) }`).
 */
function tableLiterals(ctx: AnalysisContext, node: Node | undefined, depth = 0): ObjectLiteralExpression[] {
  if (!node || depth > 6) return [];
  const value = unwrap(node);
  if (Node.isObjectLiteralExpression(value)) {
    const spreads = value.getProperties().filter(Node.isSpreadAssignment);
    return [value, ...spreads.flatMap((spread) => tableLiterals(ctx, spread.getExpression(), depth + 1))];
  }
  if (Node.isIdentifier(value)) {
    const binding = ctx.resolver.resolve(value);
    return binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? tableLiterals(ctx, binding.node.getInitializer(), depth + 1) : [];
  }
  if (Node.isPropertyAccessExpression(value) && unwrap(value.getExpression()).getKind() === SyntaxKind.ThisKeyword) {
    const owner = value.getFirstAncestor((a): a is ClassNode => Node.isClassDeclaration(a) || Node.isClassExpression(a));
    return owner ? tableLiterals(ctx, fieldInitializer(owner, value.getName()), depth + 1) : [];
  }
  if (Node.isCallExpression(value)) {
    const builder = resolveFunction(ctx.resolver, value.getExpression());
    return builder ? returnedValues(builder).flatMap((returned) => tableLiterals(ctx, returned, depth + 1)) : [];
  }
  return [];
}
