/**
 * Server instances, transport constructions and server factories (functions that build a server or register
 * its tools), with how often each factory runs.
 */
import { Node, SyntaxKind, type ClassDeclaration, type ClassExpression, type Identifier, type NewExpression } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import type { FactoryInvocation, FileInfo, FunctionNode, Registration, ServerFactory, ServerInstance, TransportSite } from './model.js';
import { enclosingFunction, isFunctionNode, literalText, outermostWrapper, unwrap } from './syntax.js';
import { FRAMEWORK_TRANSPORTS, ROUTE_METHODS, SERVER_CLASSES, SESSION_OPTIONS, SESSION_ROUTING_HELPERS, STATELESS_HELPERS, TRANSPORT_CLASSES, lookup, type TransportKind } from './vocabulary.js';

/** The class name a `new` expression instantiates, as written (`McpServer`, `sdk.McpServer` → `McpServer`). */
function constructedName(node: NewExpression): string | undefined {
  const callee = unwrap(node.getExpression());
  if (Node.isIdentifier(callee)) return callee.getText();
  if (Node.isPropertyAccessExpression(callee)) return callee.getName();
  return undefined;
}

export function findServers(ctx: AnalysisContext): ServerInstance[] {
  const out: ServerInstance[] = [];
  const subclasses = serverSubclasses(ctx);
  for (const info of ctx.files) {
    for (const node of ctx.nodesOf(info).news) {
      const local = constructedName(node);
      if (!local) continue;
      // `new PuppeteerMcpServer(…)` of `class PuppeteerMcpServer extends McpServer`: a server like its base.
      const subclass = subclasses.get(local);
      const built = subclass && Node.isIdentifier(unwrap(node.getExpression())) ? ctx.resolver.resolve(unwrap(node.getExpression()) as Identifier) : undefined;
      const imported = built?.kind === 'declaration' && built.node === subclass?.declaration ? subclass!.base : (ctx.sdkName(info, local) ?? local);
      const known = SERVER_CLASSES.find((c) => c.name === imported);
      // `Server` is a common name: only the SDK's counts. `McpServer` is distinctive enough on its own.
      if (!known || (imported === 'Server' && !ctx.sdkName(info, local) && !subclass)) continue;
      out.push({
        node,
        file: info.file,
        className: imported,
        level: known.level,
        sdk: info.sdk,
        holder: holderOf(node),
        ownerClass: node.getFirstAncestor((a): a is ClassDeclaration | ClassExpression => Node.isClassDeclaration(a) || Node.isClassExpression(a)),
      });
    }
  }
  return out;
}

/** The project's classes that extend an SDK server class (`class X extends McpServer`), by name, with that base. */
function serverSubclasses(ctx: AnalysisContext): Map<string, { declaration: ClassDeclaration; base: string }> {
  const out = new Map<string, { declaration: ClassDeclaration; base: string }>();
  for (const info of ctx.files) {
    for (const cls of ctx.nodesOf(info).classes) {
      const heritage = cls.getExtends();
      const name = Node.isClassDeclaration(cls) ? cls.getName() : undefined;
      const written = heritage ? unwrap(heritage.getExpression()).getText() : undefined;
      if (!name || !written || !Node.isClassDeclaration(cls)) continue;
      const base = ctx.sdkName(info, written);
      if (base && SERVER_CLASSES.some((c) => c.name === base)) out.set(name, { declaration: cls, base });
    }
  }
  return out;
}

function holderOf(node: Node): ServerInstance['holder'] {
  const outer = outermostWrapper(node);
  const parent = outer.getParent();
  if (parent && Node.isVariableDeclaration(parent) && Node.isIdentifier(parent.getNameNode())) return { kind: 'variable', node: parent, name: parent.getName() };
  if (parent && Node.isBinaryExpression(parent) && parent.getRight() === outer) {
    const left = parent.getLeft();
    if (Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword) return { kind: 'field', name: left.getName(), node: left };
  }
  if (parent && Node.isPropertyDeclaration(parent)) return { kind: 'field', name: parent.getName(), node: parent };
  return undefined;
}

export function findTransports(ctx: AnalysisContext): TransportSite[] {
  const out: TransportSite[] = [];
  for (const info of ctx.files) {
    for (const node of ctx.nodesOf(info).news) {
      const local = constructedName(node);
      const name = local ? (ctx.sdkName(info, local) ?? local) : undefined;
      const kind = name ? (lookup(TRANSPORT_CLASSES, name) ?? frameworkTransport(info, local!)) : undefined;
      if (!name || !kind) continue;
      const options = optionsOf(ctx, node, kind === 'sse' ? -1 : 0);
      const generator = options?.getProperty(SESSION_OPTIONS.generator);
      const generatorValue = generator && Node.isPropertyAssignment(generator) ? generator.getInitializer() : undefined;
      const sessionful =
        kind === 'sse' ||
        (generator !== undefined && (Node.isShorthandPropertyAssignment(generator) || (generatorValue !== undefined && !isUndefined(generatorValue))));
      out.push({
        node,
        file: info.file,
        className: name,
        kind,
        options,
        sessionful,
        generator: sessionful ? generator : undefined,
        callbacks: SESSION_OPTIONS.callbacks.map((c) => options?.getProperty(c)).filter((p): p is NonNullable<typeof p> => p !== undefined),
        eventStore: options?.getProperty(SESSION_OPTIONS.eventStore),
      });
    }
  }
  return out;
}

/** The kind of a transport imported from a package other than the SDK (`import { StreamableHTTPTransport } from '@hono/mcp'`). */
function frameworkTransport(info: FileInfo, local: string): TransportKind | undefined {
  for (const declaration of info.sourceFile.getImportDeclarations()) {
    const module = declaration.getModuleSpecifierValue();
    for (const specifier of declaration.getNamedImports()) {
      if ((specifier.getAliasNode()?.getText() ?? specifier.getName()) !== local) continue;
      return FRAMEWORK_TRANSPORTS.find((entry) => entry.module === module && entry.name === specifier.getName())?.kind;
    }
  }
  return undefined;
}

function isUndefined(node: Node): boolean {
  const inner = unwrap(node);
  return Node.isIdentifier(inner) && inner.getText() === 'undefined';
}

/** The options object literal of a transport construction (inline or through a `const options = {…}`). */
function optionsOf(ctx: AnalysisContext, node: NewExpression, index: number) {
  if (index < 0) return undefined;
  const arg = node.getArguments()[index];
  if (!arg) return undefined;
  const inner = unwrap(arg);
  if (Node.isObjectLiteralExpression(inner)) return inner;
  if (Node.isIdentifier(inner)) {
    const binding = ctx.resolver.resolve(inner);
    if (binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node)) {
      const init = binding.node.getInitializer();
      const value = init ? unwrap(init) : undefined;
      if (value && Node.isObjectLiteralExpression(value)) return value;
    }
  }
  return undefined;
}

/**
 * Factories: functions that build a server or directly register its tools (registrars), not counting handlers
 * and class members (class instances are modelled through their fields).
 */
export function findFactories(
  ctx: AnalysisContext,
  servers: readonly ServerInstance[],
  registrations: readonly Registration[],
  transports: readonly TransportSite[],
  handlerNodes: ReadonlySet<Node>,
): ServerFactory[] {
  const byNode = new Map<Node, ServerFactory>();
  const consider = (node: Node): ServerFactory | undefined => {
    const fn = enclosingFunction(node);
    if (!fn || !isFunctionNode(fn) || handlerNodes.has(fn) || Node.isMethodDeclaration(fn)) return undefined;
    const existing = byNode.get(fn);
    if (existing) return existing;
    const factory: ServerFactory = { node: fn, file: ctx.fileInfo(fn)?.file ?? '', name: functionName(fn), invocation: 'unknown', callSites: [] };
    byNode.set(fn, factory);
    return factory;
  };
  for (const server of servers) server.factory = consider(server.node);
  for (const registration of registrations) registration.factory = consider(registration.call);
  for (const factory of byNode.values()) {
    factory.callSites = callSitesOf(ctx, factory);
    factory.invocation = invocationOf(ctx, factory, transports);
  }
  return [...byNode.values()];
}

function functionName(fn: FunctionNode): string | undefined {
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName();
  const parent = outermostWrapper(fn).getParent();
  if (parent && Node.isVariableDeclaration(parent)) return parent.getName();
  if (Node.isFunctionExpression(fn)) return fn.getName();
  return undefined;
}

/** References to a named factory across the project: calls and `createMcpHandler(factory)`-style hand-offs. */
function callSitesOf(ctx: AnalysisContext, factory: ServerFactory): Node[] {
  if (!factory.name) return [];
  const declaration = Node.isFunctionDeclaration(factory.node) ? factory.node : outermostWrapper(factory.node).getParent();
  const out: Node[] = [];
  for (const info of ctx.files) {
    if (!ctx.resolver.mentions(info.sourceFile, factory.name)) continue;
    for (const identifier of ctx.resolver.identifiersNamed(info.sourceFile, factory.name)) {
      const parent = identifier.getParent();
      if (parent === declaration) continue;
      const binding = ctx.resolver.resolve(identifier);
      if (binding?.kind !== 'declaration' || binding.node !== declaration) continue;
      out.push(identifier);
    }
  }
  return out;
}

function invocationOf(ctx: AnalysisContext, factory: ServerFactory, transports: readonly TransportSite[]): FactoryInvocation {
  const verdicts = new Set<FactoryInvocation>();
  // A factory that builds a session-minting transport itself runs once per session, wherever it is called from.
  if (transports.some((t) => t.sessionful && t.node.getAncestors().includes(factory.node))) return 'per-session';
  // An inline callback that builds a server (`app.post('/mcp', async (req, res) => { const server = … })`).
  const asArgument = outermostWrapper(factory.node).getParent();
  if (asArgument && Node.isCallExpression(asArgument) && asArgument.getArguments().includes(outermostWrapper(factory.node) as never)) {
    verdicts.add(scopeInvocation(ctx, factory.node, transports, asArgument));
  }
  for (const site of factory.callSites) {
    const parent = site.getParent();
    if (parent && Node.isCallExpression(parent) && parent.getExpression() !== site) {
      const callee = parent.getExpression();
      const name = Node.isIdentifier(callee) ? callee.getText() : Node.isPropertyAccessExpression(callee) ? callee.getName() : '';
      verdicts.add(STATELESS_HELPERS.includes(name) ? 'per-request' : 'unknown');
      continue;
    }
    const fn = enclosingFunction(site);
    if (!fn) {
      verdicts.add('once');
      continue;
    }
    verdicts.add(scopeInvocation(ctx, fn, transports, undefined));
  }
  if (verdicts.has('per-request')) return 'per-request';
  if (verdicts.has('per-session')) return 'per-session';
  if (verdicts.size === 1 && verdicts.has('once')) return 'once';
  return 'unknown';
}

/** How often a function that runs a factory (or builds a server) runs: judged from the transports it builds. */
function scopeInvocation(ctx: AnalysisContext, fn: Node, transports: readonly TransportSite[], asCallbackOf: Node | undefined): FactoryInvocation {
  const inside = transports.filter((t) => t.node.getAncestors().includes(fn));
  if (inside.some((t) => t.sessionful)) return 'per-session';
  const text = fn.getText();
  if (SESSION_ROUTING_HELPERS.some((h) => text.includes(h)) || /onsessioninitialized/.test(text)) return 'per-session';
  if (inside.length > 0) return 'per-request';
  // A route callback or a plain `http.createServer` listener with no transport of its own still runs per request.
  const call = asCallbackOf ?? outermostWrapper(fn).getParent();
  if (call && Node.isCallExpression(call)) {
    const callee = call.getExpression();
    const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
    if ((lookup(ROUTE_METHODS, name) && literalText(call.getArguments()[0])?.startsWith('/')) || name === 'createServer') return 'per-request';
  }
  const outer = enclosingFunction(fn);
  return outer ? scopeInvocation(ctx, outer, transports, undefined) : 'unknown';
}
