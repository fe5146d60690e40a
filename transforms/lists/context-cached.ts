import { Node, SyntaxKind, type CallExpression, type SourceFile, type Statement, type VariableDeclaration } from 'ts-morph';
import { CLIENT_ACCESSORS, CONTEXT_MARKERS, LOG_LEVEL, SERVER_TO_CLIENT_REQUESTS, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import { lookup } from '../../src/rules/lists-sdk.js';
import type { SdkLine } from '../../src/rules/sdk.js';
import { contains, declarationOf, enclosingFunction, isFalsyLiteral, isWriteTarget, methodCall, rootIdentifier, statementOf, referencesTo } from './ast.js';
import { threadedRead } from './context-threaded.js';
import { isPure, type Splice } from './edit.js';
import { standaloneStatement } from './gates.js';
import { enclosingSite, type HandlerSite, type RequestHandler } from './handlers.js';
import { connectionHookOf, contextParameter, helperImports, helperSplices, inConnectionHook, removeWithHooks } from './request-context.js';
import { copiedRead } from './context-copied.js';
import { optionalThreadedRead } from './context-optional.js';
import type { Edit, Findings, Mark } from './steps.js';
import { isExported } from '../shared/exports.js';
import { nodesOfKind } from '../shared/file-index.js';

export interface ContextScan {
  file: SourceFile;
  sdk: SdkLine;
  sites: HandlerSite[];
  requests: RequestHandler[];
}

/** A variable holding connection-scoped context, with the statements that fill it. */
interface Cached {
  declaration: VariableDeclaration;
  writes: Statement[];
  value: EnvelopeValue;
  /** Server expression the helper falls back to (`server.server`), and its root identifier. */
  receiver?: string;
  receiverRoot?: Node;
  /** Where a marker goes when the rewrite is not possible. */
  markAt: Node;
  marker: string;
}

/** `name = <value>` as a whole statement, with `name` a variable declared outside `within`. */
function assignedVariable(node: Node, within?: Node): { declaration: VariableDeclaration; statement: Statement } | undefined {
  let current = node;
  while (Node.isAwaitExpression(current.getParent()) || Node.isParenthesizedExpression(current.getParent())) current = current.getParentOrThrow();
  const assignment = current.getParent();
  if (!Node.isBinaryExpression(assignment) || assignment.getRight() !== current || assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return undefined;
  const left = assignment.getLeft();
  const declaration = Node.isIdentifier(left) ? declarationOf(left) : undefined;
  const statement = assignment.getParent();
  if (!declaration || !Node.isVariableDeclaration(declaration) || !Node.isExpressionStatement(statement)) return undefined;
  if (within && contains(within, declaration)) return undefined;
  return { declaration, statement };
}

function rewrite(scan: ContextScan, cached: Cached): Findings {
  const { file, sites } = scan;
  const mark = (message: string): Findings => ({ edits: [], marks: [{ node: cached.markAt, rule: 'SL005', message }] });
  const nameNode = cached.declaration.getNameNode();
  if (!Node.isIdentifier(nameNode)) return mark(cached.marker);
  const inWrites = (node: Node) => cached.writes.some((w) => contains(w, node));
  const reads = referencesTo(cached.declaration).filter((r) => !inWrites(r));
  const statement = cached.declaration.getVariableStatement();
  if (!statement || statement.getDeclarations().length !== 1 || isExported(statement) || file.getImportDeclarations().length === 0) {
    return mark(cached.marker);
  }
  const init = cached.declaration.getInitializer();
  const fallback = init && !isFalsyLiteral(init) && isPure(init) ? init.getText() : undefined;
  if (init && !isFalsyLiteral(init) && !fallback) return mark(cached.marker);

  const splices: Splice[] = [];
  const contexts = new Map<HandlerSite, string>();
  for (const read of reads) {
    const site = enclosingSite(read, sites);
    if (!site || isWriteTarget(read)) return mark(cached.marker);
    let ctx = contexts.get(site);
    if (!ctx) {
      const access = contextParameter(file, site, scan.sdk);
      if (!access) return mark(cached.marker);
      ctx = access.name;
      contexts.set(site, ctx);
      splices.push(...access.splices);
    }
    if (cached.receiverRoot && !visibleFrom(cached.receiverRoot, read)) return mark(cached.marker);
    const call = `${cached.value.helper}(${ctx}${cached.receiver ? `, ${cached.receiver}` : ''})`;
    const parent = read.getParent();
    const bare = Node.isTemplateSpan(parent) || Node.isCallExpression(parent) || Node.isVariableDeclaration(parent) || Node.isReturnStatement(parent);
    splices.push({ start: read.getStart(), end: read.getEnd(), text: fallback ? (bare ? `${call} ?? ${fallback}` : `(${call} ?? ${fallback})`) : call });
  }
  splices.push(...removeWithHooks(file, [...cached.writes, statement]), ...helperSplices(file, cached.value, scan.sdk));
  const edit: Edit = { what: `read ${cached.value.what} per request`, splices, imports: helperImports(file, cached.value, scan.sdk) };
  return { edits: [edit], marks: [] };
}

/** Is what `identifier` names declared in a scope that encloses `where`? */
function visibleFrom(identifier: Node, where: Node): boolean {
  const declaration = declarationOf(identifier);
  const scope = declaration?.getFirstAncestor((a) => Node.isBlock(a) || Node.isSourceFile(a) || Node.isArrowFunction(a) || Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a));
  return !!scope && contains(scope, where);
}

/** The server expression an accessor was called on, when it starts from a plain variable. */
function receiverOf(call: CallExpression): { text: string; root: Node } | undefined {
  const parts = methodCall(call);
  const root = parts && rootIdentifier(parts.receiver);
  return parts && root ? { text: parts.receiver.getText(), root } : undefined;
}

/**
 * An accessor called inside a v1 request handler: v1 answers from the connection's initialize, which a
 * 2026-07-28 client never sends, so the handler reads the request's `_meta` first.
 */
function perCallRead(scan: ContextScan, call: CallExpression, site: HandlerSite, value: EnvelopeValue): Findings {
  const receiver = receiverOf(call);
  const access = receiver && contextParameter(scan.file, site, scan.sdk);
  if (!receiver || !access) return { edits: [], marks: [{ node: call, rule: 'SL005', message: CONTEXT_MARKERS.cachedShape(value, scan.sdk, { hook: false, handler: true }) }] };
  const splices: Splice[] = [
    ...access.splices,
    { start: call.getStart(), end: call.getEnd(), text: `${value.helper}(${access.name}, ${receiver.text})` },
    ...helperSplices(scan.file, value, scan.sdk),
  ];
  return { edits: [{ what: `read ${value.what} per request`, splices, imports: helperImports(scan.file, value, scan.sdk) }], marks: [] };
}

/** Client capabilities / version cached outside requests (oninitialized, startup), or read per call on v1. */
function cachedAccessors(scan: ContextScan): Findings {
  const edits: Edit[] = [];
  const marks: Mark[] = [];
  for (const call of nodesOfKind(scan.file, SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    const value = parts && lookup(CLIENT_ACCESSORS, parts.method);
    if (!parts || !value || call.getArguments().length > 0) continue;
    // Inside the helpers this transform writes, the accessor is the 2025-era fallback.
    const helper = call.getFirstAncestorByKind(SyntaxKind.FunctionDeclaration)?.getName();
    if (Object.values(CLIENT_ACCESSORS).some((v) => v.helper === helper)) continue;
    const site = enclosingSite(call, scan.sites);
    if (site) {
      // On v2 the accessor inside a handler already answers for the current request.
      if (scan.sdk === 'v1') {
        const found = perCallRead(scan, call, site, value);
        edits.push(...found.edits);
        marks.push(...found.marks);
      }
      continue;
    }
    const assigned = assignedVariable(call);
    const receiver = receiverOf(call);
    if (!assigned || !receiver || !inConnectionHook(call)) {
      const hookFn = connectionHookOf(call);
      const hook = !!hookFn;
      const copied = hookFn ? copiedRead(scan, call, value, hookFn) : undefined;
      if (copied === null) continue;
      const threaded = copied ?? (hook ? undefined : (threadedRead(scan, call, value) ?? optionalThreadedRead(scan, call, value)));
      if (threaded) edits.push(threaded);
      else if (statementOf(call)) {
        const message = CONTEXT_MARKERS.cachedShape(value, scan.sdk, { hook, copiedTo: copiedInto(call) }, serverRequestsBeside(call));
        marks.push({ node: call, rule: 'SL005', message });
      }
      continue;
    }
    const found = rewrite(scan, {
      declaration: assigned.declaration,
      writes: [assigned.statement],
      value,
      receiver: receiver.text,
      receiverRoot: receiver.root,
      markAt: call,
      marker: CONTEXT_MARKERS.cachedRead(value, assigned.declaration.getName(), scan.sdk),
    });
    edits.push(...found.edits);
    marks.push(...found.marks);
  }
  return { edits, marks };
}

/**
 * Server-to-client requests made next to the read (in the same class or function): the 2026-07-28 revision
 * has none, so the code around the read needs more than the per-request value.
 */
function serverRequestsBeside(call: CallExpression): string[] {
  const scope = call.getFirstAncestor((a) => Node.isClassDeclaration(a) || Node.isClassExpression(a)) ?? enclosingFunction(call);
  if (!scope) return [];
  const found = new Set<string>();
  for (const inner of nodesOfKind(scope, SyntaxKind.CallExpression)) {
    const method = methodCall(inner)?.method;
    if (method && SERVER_TO_CLIENT_REQUESTS.includes(method)) found.add(method);
  }
  return [...found];
}

/** `this.context.clientVersion = server.getClientVersion()` in a connection hook: where the value is copied to. */
function copiedInto(call: CallExpression): string | undefined {
  if (!inConnectionHook(call)) return undefined;
  let current: Node = call;
  while (Node.isAwaitExpression(current.getParent()) || Node.isParenthesizedExpression(current.getParent())) current = current.getParentOrThrow();
  const assignment = current.getParent();
  if (Node.isBinaryExpression(assignment) && assignment.getRight() === current && assignment.getOperatorToken().getKind() === SyntaxKind.EqualsToken) return assignment.getLeft().getText();
  if (Node.isCallExpression(assignment) && assignment.getArguments().includes(current as never)) return `${assignment.getExpression().getText()}(…)`;
  return undefined;
}

/** A `logging/setLevel` handler that stores the level for the connection. */
function sessionLogLevel(scan: ContextScan): Findings {
  const edits: Edit[] = [];
  const marks: Mark[] = [];
  for (const handler of scan.requests) {
    if (handler.method !== 'logging/setLevel') continue;
    const statement = standaloneStatement(handler.call);
    if (!statement) continue;
    if (scan.sdk === 'v1' || !handler.handler) {
      marks.push({ node: handler.call, rule: 'SL005', message: CONTEXT_MARKERS.logLevelV1() });
      continue;
    }
    const body = handler.handler.getBody();
    const statements = body && Node.isBlock(body) ? body.getStatements() : [];
    const stores = statements.map((s) => {
      const expression = Node.isExpressionStatement(s) ? s.getExpression() : undefined;
      return expression && Node.isBinaryExpression(expression) ? assignedVariable(expression.getRight(), handler.handler) : undefined;
    });
    const store = stores.find((s) => !!s);
    // Only a handler that stores the level and answers {} can go: anything else it does is the app's.
    const simple = statements.every((s, i) => stores[i] || (Node.isReturnStatement(s) && s.getExpression()?.getText().replace(/\s/g, '') === '{}'));
    if (!store || !simple) {
      marks.push({ node: handler.call, rule: 'SL005', message: CONTEXT_MARKERS.logLevelV1() });
      continue;
    }
    const found = rewrite(scan, {
      declaration: store.declaration,
      writes: [statement],
      value: LOG_LEVEL,
      markAt: handler.call,
      marker: CONTEXT_MARKERS.logLevelRead(store.declaration.getName()),
    });
    edits.push(...found.edits);
    marks.push(...found.marks);
  }
  return { edits, marks };
}

/** Context learned once per connection and relied on by later requests (P9). */
export function analyseCachedContext(scan: ContextScan): Findings {
  const accessors = cachedAccessors(scan);
  const levels = sessionLogLevel(scan);
  return { edits: [...accessors.edits, ...levels.edits], marks: [...accessors.marks, ...levels.marks] };
}
