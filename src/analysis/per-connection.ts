/**
 * Classes whose instances exist once per server, hence once per connection or session where servers are made
 * per connection: built in the function that builds a server (`const context = new Context(…); const server =
 * new Server(…)`), built by such an instance (`this.sessions = new SessionManager()`, a Tab for each page it
 * opens), or handed to one as a
 * value made in that function (`new Session({ connectionManager })` where `connectionManager` was just
 * created). Their fields are a connection's state, like the fields of a class that owns a server.
 */
import { Node, SyntaxKind, type ClassDeclaration, type ClassExpression, type ParameterDeclaration } from 'ts-morph';
import { fieldClasses, hierarchyOf } from './classes.js';
import type { AnalysisContext } from './context.js';
import { classOfNew } from './functions.js';
import type { ServerInstance } from './model.js';
import { enclosingFunction, unwrap } from './syntax.js';

type ClassNode = ClassDeclaration | ClassExpression;

export function perConnectionClasses(ctx: AnalysisContext, servers: readonly ServerInstance[]): Set<ClassNode> {
  // Where servers are built more than once: inside a function (a module-level server is the process's one).
  const builders = new Set(servers.map((server) => enclosingFunction(server.node)).filter((fn): fn is Node => fn !== undefined && !runsOnce(ctx, fn)));
  const out = new Set<ClassNode>();
  const queue: ClassNode[] = [];
  const add = (classes: readonly ClassNode[]) => {
    for (const cls of hierarchyOf(ctx, classes)) {
      if (out.has(cls)) continue;
      out.add(cls);
      queue.push(cls);
    }
  };
  for (const builder of builders) add(builtIn(ctx, builder));
  while (queue.length > 0) {
    const cls = queue.pop()!;
    // What such an object builds belongs to it (`this.sessions = new SessionManager()`, a Tab per page it opens).
    for (const member of [...cls.getConstructors(), ...cls.getMethods(), ...cls.getGetAccessors(), ...cls.getSetAccessors()]) add(builtIn(ctx, member));
    for (const property of cls.getProperties()) {
      const value = property.getInitializer();
      const built = value ? classOfNew(ctx.resolver, unwrap(value)) : undefined;
      if (built) add([built]);
    }
    for (const field of handedFields(ctx, cls, builders)) add(fieldClasses(ctx, cls, field));
  }
  return out;
}

/**
 * Whether a function runs once per process: a constructor whose class is only built at start-up, or a function
 * only called at start-up (`main()` at the bottom of the entry, a constructor only `main` calls). Start-up is the
 * module's top level, or a function that itself runs once.
 */
function runsOnce(ctx: AnalysisContext, fn: Node, depth = 0): boolean {
  if (depth > 3) return false;
  const atStartUp = (site: Node) => {
    const outer = enclosingFunction(site);
    return outer === undefined || runsOnce(ctx, outer, depth + 1);
  };
  // An exported class or function may be built or called per connection by code elsewhere (an HTTP entry), so
  // only a module's own are followed, and their uses are all in that module (found by name, without the checker).
  const declaration = Node.isConstructorDeclaration(fn) ? fn.getParent() : fn;
  if (!(Node.isClassDeclaration(declaration) || Node.isFunctionDeclaration(declaration)) || !declaration.getName() || exportedSyntactically(declaration)) return false;
  const name = declaration.getName()!;
  const uses = ctx.resolver.identifiersNamed(declaration.getSourceFile(), name).filter((id) => id !== declaration.getNameNode());
  if (Node.isClassDeclaration(declaration)) {
    if (uses.length !== 1 || !Node.isNewExpression(uses[0]!.getParent())) return false;
  } else if (uses.length !== 1 || !Node.isCallExpression(uses[0]!.getParent())) return false;
  return atStartUp(uses[0]!);
}

/** `export class …`, `export default …`, or named in an `export { … }` of its module. */
function exportedSyntactically(declaration: Node & { getName(): string | undefined }): boolean {
  if (Node.isExportable(declaration) && (declaration.hasExportKeyword() || declaration.hasDefaultKeyword())) return true;
  const name = declaration.getName();
  return declaration
    .getSourceFile()
    .getExportDeclarations()
    .some((exported) => exported.getNamedExports().some((specifier) => specifier.getName() === name));
}

/** Classes instantiated directly in a function's own body (not in callbacks it defines). */
function builtIn(ctx: AnalysisContext, fn: Node): ClassNode[] {
  return fn
    .getDescendantsOfKind(SyntaxKind.NewExpression)
    .filter((created) => enclosingFunction(created) === fn)
    .map((created) => classOfNew(ctx.resolver, created))
    .filter((cls): cls is ClassNode => cls !== undefined);
}

/**
 * Fields the constructor sets from a parameter (`this.connectionManager = connectionManager`, the parameter
 * possibly destructured) for which every `new` of the class in a server-building function passes a value that
 * function just made (a local initialised by a call or `new`), not one shared from elsewhere (`Keychain.root`).
 */
function handedFields(ctx: AnalysisContext, cls: ClassNode, builders: ReadonlySet<Node>): string[] {
  const name = Node.isClassDeclaration(cls) ? cls.getName() : undefined;
  if (!name) return [];
  const sites = [...builders].flatMap((builder) =>
    builder.getDescendantsOfKind(SyntaxKind.NewExpression).filter((created) => enclosingFunction(created) === builder && classOfNew(ctx.resolver, created) === cls),
  );
  if (sites.length === 0) return [];
  const out: string[] = [];
  for (const ctor of cls.getConstructors()) {
    for (const assignment of ctor.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
      const left = assignment.getLeft();
      const right = unwrap(assignment.getRight());
      if (!Node.isPropertyAccessExpression(left) || left.getExpression().getKind() !== SyntaxKind.ThisKeyword || !Node.isIdentifier(right)) continue;
      const source = parameterSource(ctor.getParameters(), right.getText());
      if (!source) continue;
      const made = sites.every((site) => {
        const arg = site.getArguments()[source.index];
        const value = arg && source.property ? propertyValue(unwrap(arg), source.property) : arg;
        return value !== undefined && madeIn(ctx, value, enclosingFunction(site));
      });
      if (made) out.push(left.getName());
    }
  }
  return out;
}

/** Which constructor argument a name comes from: a parameter, or a property of a destructured one. */
function parameterSource(parameters: readonly ParameterDeclaration[], name: string): { index: number; property?: string } | undefined {
  for (const [index, parameter] of parameters.entries()) {
    const binding = parameter.getNameNode();
    if (Node.isIdentifier(binding) && binding.getText() === name) return { index };
    if (Node.isObjectBindingPattern(binding)) {
      const element = binding.getElements().find((e) => e.getName() === name);
      if (element) return { index, property: element.getPropertyNameNode()?.getText() ?? name };
    }
  }
  return undefined;
}

function propertyValue(literal: Node, property: string): Node | undefined {
  if (!Node.isObjectLiteralExpression(literal)) return undefined;
  const member = literal.getProperty(property);
  if (member && Node.isShorthandPropertyAssignment(member)) return member.getNameNode();
  if (member && Node.isPropertyAssignment(member)) return member.getInitializer();
  return undefined;
}

/** A value the function made itself: `new C()`, or a local of it initialised by a call or `new`. */
function madeIn(ctx: AnalysisContext, value: Node, fn: Node | undefined): boolean {
  const inner = unwrap(value);
  if (Node.isNewExpression(inner)) return true;
  if (!Node.isIdentifier(inner) || !fn) return false;
  const binding = ctx.resolver.resolve(inner);
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node) || enclosingFunction(binding.node) !== fn) return false;
  const initializer = binding.node.getInitializer();
  return initializer !== undefined && [initializer, ...initializer.getDescendants()].some((n) => Node.isCallExpression(n) || Node.isNewExpression(n));
}
