import { Node, SyntaxKind, type CallExpression, type ClassDeclaration, type ClassExpression, type Statement } from 'ts-morph';
import type { EnvelopeValue } from '../../src/rules/context-sdk.js';
import { contains, declarationOf, isFunctionLike, methodCall, quote, type FunctionLike } from './ast.js';
import { insertAtBodyStart, spliceText, type Splice } from './edit.js';
import type { HandlerSite } from './handlers.js';
import { contextParameter, helperImports, helperSplices } from './request-context.js';
import type { ContextScan } from './context-cached.js';
import type { Edit } from './steps.js';
import { nodesOfKind } from '../shared/file-index.js';

/*
 * Client info or capabilities copied once per connection into an object the tools read later:
 *
 *   this.server.oninitialized = () => { this.context.clientVersion = this.server.getClientVersion(); };
 *   this.server.oninitialized = () => { this.session.setMcpClient(this.server.getClientVersion()); };
 *
 * A 2026-07-28 client sends no initialize, so the copy never happens for it. The copy stays for 2025-era
 * clients, and every handler of the same server whose work can read the value makes the same copy first,
 * from the request's _meta, only when the request carries it:
 *
 *   if (extra._meta?.['io.modelcontextprotocol/clientInfo']) context.clientVersion = requestClientInfo(extra, server);
 *
 * A request without the key (every 2025-era client) runs nothing new, so their behaviour cannot change.
 */

/** Handlers that do a request's work (and so can read what the copy keeps); lists and protocol requests do not. */
export const WORK_METHODS: readonly string[] = ['tools/call', 'resources/read', 'prompts/get'];

/** `X = recv.accessor()` or `X.set(recv.accessor())`, standing alone at the top level of the hook. */
function copyStatement(call: CallExpression, hook: FunctionLike): Statement | undefined {
  let current: Node = call;
  while (Node.isAwaitExpression(current.getParent()) || Node.isParenthesizedExpression(current.getParent())) current = current.getParentOrThrow();
  const parent = current.getParent();
  let expression: Node | undefined;
  if (Node.isBinaryExpression(parent) && parent.getRight() === current && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    // An identifier target is a variable the plain rewrite handles; a property of an object is a copy.
    if (!Node.isPropertyAccessExpression(parent.getLeft())) return undefined;
    expression = parent;
  } else if (Node.isCallExpression(parent) && parent.getArguments().includes(current as never) && Node.isPropertyAccessExpression(parent.getExpression())) {
    expression = parent;
  }
  const statement = expression?.getParent();
  const body = hook.getBody();
  if (!statement || !Node.isExpressionStatement(statement) || !body || !Node.isBlock(body) || statement.getParent() !== body) return undefined;
  return statement;
}

/**
 * What `this` means inside `node`: the class whose instance members hold it (every method and the constructor
 * of one class see the same instance), or else the nearest enclosing function that is not an arrow.
 */
function thisOwner(node: Node): Node | undefined {
  const owner = node.getFirstAncestor((a) => (isFunctionLike(a) && !Node.isArrowFunction(a)) || Node.isConstructorDeclaration(a) || Node.isPropertyDeclaration(a) || Node.isClassStaticBlockDeclaration(a) || Node.isSourceFile(a));
  const member = owner && (Node.isMethodDeclaration(owner) || Node.isConstructorDeclaration(owner) || Node.isPropertyDeclaration(owner));
  if (member && !(Node.isMethodDeclaration(owner) || Node.isPropertyDeclaration(owner) ? owner.isStatic() : false)) return owner.getParent();
  return owner;
}

/** Is the identifier's declaration a binding that never changes (a const, or a parameter nobody assigns)? */
function fixedBinding(identifier: Node): Node | undefined {
  const declaration = declarationOf(identifier);
  if (!declaration) return undefined;
  if (Node.isVariableDeclaration(declaration)) return declaration.getVariableStatement()?.getDeclarationKind() === 'const' ? declaration : undefined;
  if (Node.isParameterDeclaration(declaration)) {
    const fn = declaration.getParent();
    const name = declaration.getName();
    const assigned = nodesOfKind(fn, SyntaxKind.BinaryExpression).some((b) => b.getOperatorToken().getKind() === SyntaxKind.EqualsToken && b.getLeft().getText() === name);
    return assigned ? undefined : declaration;
  }
  if (Node.isFunctionDeclaration(declaration) || Node.isClassDeclaration(declaration) || Node.isImportSpecifier(declaration) || Node.isImportClause(declaration) || Node.isNamespaceImport(declaration)) return declaration;
  return undefined;
}

/** Is the binding's scope around `where`? */
function visibleAt(declaration: Node, where: Node): boolean {
  const scope = declaration.getFirstAncestor((a) => Node.isBlock(a) || Node.isSourceFile(a) || isFunctionLike(a) || Node.isConstructorDeclaration(a));
  if (Node.isImportSpecifier(declaration) || Node.isImportClause(declaration) || Node.isNamespaceImport(declaration)) return true;
  return !!scope && contains(scope, where);
}

/**
 * `this.X` of a class whose one instance the file builds (`new Connection(server, context)`) and whose
 * constructor keeps the argument (`this.context = context`, or a parameter property), as the argument's text;
 * undefined when the field can change later or the argument is not a fixed binding.
 */
function constructorArgument(klass: ClassDeclaration | ClassExpression, field: string): Node | undefined {
  const constructors = klass.getConstructors();
  const ctor = constructors[0];
  if (constructors.length !== 1 || !ctor) return undefined;
  let index = -1;
  ctor.getParameters().forEach((p, i) => {
    if (p.isParameterProperty() && p.getName() === field) index = i;
  });
  const body = ctor.getBody();
  if (index < 0 && body && Node.isBlock(body)) {
    for (const statement of body.getStatements()) {
      const expression = Node.isExpressionStatement(statement) ? statement.getExpression() : undefined;
      if (!expression || !Node.isBinaryExpression(expression) || expression.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
      const left = expression.getLeft();
      const right = expression.getRight();
      if (!Node.isPropertyAccessExpression(left) || left.getExpression().getKind() !== SyntaxKind.ThisKeyword || left.getName() !== field || !Node.isIdentifier(right)) continue;
      index = ctor.getParameters().findIndex((p) => p.getName() === right.getText());
    }
  }
  if (index < 0) return undefined;
  // Set by the constructor only: any other write would make the argument a stale stand-in.
  const writes = nodesOfKind(klass, SyntaxKind.BinaryExpression).filter((b) => {
    const left = b.getLeft();
    return b.getOperatorToken().getKind() >= SyntaxKind.FirstAssignment && b.getOperatorToken().getKind() <= SyntaxKind.LastAssignment && Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword && left.getName() === field;
  });
  if (writes.some((w) => !contains(ctor, w))) return undefined;
  const name = klass.getName();
  if (!name) return undefined;
  const builds = nodesOfKind(klass.getSourceFile(), SyntaxKind.NewExpression).filter((n) => n.getExpression().getText() === name);
  const build = builds[0];
  if (builds.length !== 1 || !build) return undefined;
  const argument = build.getArguments()[index];
  return argument && Node.isIdentifier(argument) && fixedBinding(argument) ? argument : undefined;
}

/**
 * The text of `node` as the handler `site` would write it: `this.X` follows the class's constructor to the
 * binding it was built from when the handler sits outside the class; every other name must be a fixed
 * binding visible from the handler. Undefined when the copy cannot be written there.
 */
function translate(node: Node, hook: FunctionLike, site: HandlerSite, replace: Splice[] = []): string | undefined {
  const splices: Splice[] = [...replace];
  const sameThis = thisOwner(site.fn) === thisOwner(hook);
  const replaced = (n: Node) => splices.some((s) => n.getStart() >= s.start && n.getEnd() <= s.end);
  for (const access of [node, ...node.getDescendants()]) {
    if (replaced(access)) continue;
    if (Node.isThisExpression(access)) {
      if (sameThis) continue;
      const parent = access.getParent();
      const klass = access.getFirstAncestor((a) => Node.isClassDeclaration(a) || Node.isClassExpression(a)) as ClassDeclaration | ClassExpression | undefined;
      if (!Node.isPropertyAccessExpression(parent) || !klass || contains(klass, site.fn)) return undefined;
      const argument = constructorArgument(klass, parent.getName());
      const binding = argument && declarationOf(argument);
      if (!argument || !binding || !visibleAt(binding, site.fn)) return undefined;
      splices.push({ start: parent.getStart(), end: parent.getEnd(), text: argument.getText() });
      continue;
    }
    if (!Node.isIdentifier(access)) continue;
    const parent = access.getParent();
    if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === access) continue;
    const binding = fixedBinding(access);
    if (!binding || !visibleAt(binding, site.fn)) return undefined;
  }
  return spliceText(node.getText(), node.getStart(), splices);
}

/** The same statement once a formatter has wrapped it (line breaks, indentation, a trailing semicolon). */
export function sameCode(a: string, b: string | undefined): boolean {
  const bare = (text: string) => text.replace(/\s+/g, '').replace(/[;,]+$/, '').replace(/,\)/g, ')');
  return b !== undefined && bare(a) === bare(b);
}

/** Is the registration or request handler one of the server the hook belongs to? */
function sameServer(site: HandlerSite, server: string): boolean {
  const receiver = (site.request?.receiver ?? site.registration?.receiver)?.getText();
  return !!receiver && (receiver === server || `${receiver}.server` === server);
}

/** The handlers of the hook's server that do a request's work; undefined when some tool call could miss the copy. */
function workSites(scan: ContextScan, hook: FunctionLike, server: (site: HandlerSite) => string | undefined): HandlerSite[] | undefined {
  const ours = scan.sites.filter((site) => {
    const name = server(site);
    return name !== undefined && sameServer(site, name);
  });
  const work = ours.filter((site) => site.registration || (site.request && WORK_METHODS.includes(site.request.method)));
  const callHandler = work.some((site) => site.request?.method === 'tools/call');
  // Tools registered elsewhere would miss the copy, unless a tools/call handler here answers every call.
  if (work.length === 0 || (!callHandler && !work.some((site) => site.registration?.kind === 'tool'))) return undefined;
  return work.filter((site) => !contains(site.fn, hook));
}

/** Where the hook is assigned (`this.server.oninitialized = …`): the server expression before `.oninitialized`. */
function hookServer(hook: FunctionLike): Node | undefined {
  const assignment = hook.getParent();
  if (!Node.isBinaryExpression(assignment)) return undefined;
  const left = assignment.getLeft();
  return Node.isPropertyAccessExpression(left) ? left.getExpression() : undefined;
}

/**
 * The edit that makes the hook's copy in every work handler of the same server, from the request; `null` when
 * every handler makes it already (nothing to do, nothing to mark), undefined when it cannot be written.
 */
export function copiedRead(scan: ContextScan, call: CallExpression, value: EnvelopeValue, hook: FunctionLike): Edit | null | undefined {
  const statement = copyStatement(call, hook);
  const parts = methodCall(call);
  const server = hookServer(hook);
  // The guard reads v1's `extra._meta`; a v2 copy keeps its marker (there the envelope is `ctx.mcpReq.envelope`).
  if (scan.sdk !== 'v1' || !statement || !parts || !server || !value.fallback) return undefined;
  const sites = workSites(scan, hook, (site) => translate(server, hook, site));
  if (!sites) return undefined;
  const splices: Splice[] = [];
  const key = quote(scan.file, value.wireKey);
  let pending = false;
  for (const site of sites) {
    const existing = site.fn.getParameters()[site.ctxIndex];
    const ctx = existing && Node.isIdentifier(existing.getNameNode()) ? existing.getName() : undefined;
    const receiver = translate(parts.receiver, hook, site);
    if (!receiver) return undefined;
    const copy = (name: string) => {
      const replaced = translate(statement, hook, site, [{ start: call.getStart(), end: call.getEnd(), text: `${value.helper}(${name}, ${receiver})` }]);
      return replaced && `if (${name}._meta?.[${key}]) ${replaced}`;
    };
    const body = site.fn.getBody();
    const first = body && Node.isBlock(body) ? body.getStatements()[0] : undefined;
    if (ctx && first && sameCode(first.getText(), copy(ctx))) continue;
    pending = true;
    const access = contextParameter(scan.file, site, scan.sdk);
    if (!access) return undefined;
    const text = copy(access.name);
    if (!text) return undefined;
    splices.push(...access.splices, insertAtBodyStart(scan.file, site.fn, text));
  }
  if (!pending) return null;
  splices.push(...helperSplices(scan.file, value, scan.sdk));
  return { what: `copy ${value.what} from each request`, splices, imports: helperImports(scan.file, value, scan.sdk) };
}
