import { Node, SyntaxKind, type CallExpression, type SourceFile, type Statement, type VariableDeclaration } from 'ts-morph';
import { CLIENT_ACCESSORS, CONTEXT_MARKERS, LOG_LEVEL, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import { lookup } from '../../src/rules/lists-sdk.js';
import type { SdkLine } from '../../src/rules/sdk.js';
import { contains, declarationOf, isFalsyLiteral, isWriteTarget, methodCall, rootIdentifier, statementOf, referencesTo } from './ast.js';
import { isPure, type Splice } from './edit.js';
import { standaloneStatement } from './gates.js';
import { enclosingSite, type HandlerSite, type RequestHandler } from './handlers.js';
import { contextParameter, helperImports, helperSplices, inConnectionHook, removeWithHooks } from './request-context.js';
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
      const access = contextParameter(file, site);
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
  splices.push(...removeWithHooks(file, [...cached.writes, statement]), ...helperSplices(file, cached.value));
  const edit: Edit = { what: `read ${cached.value.what} per request`, splices, imports: helperImports(file, cached.value) };
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

/** Client capabilities / version cached outside requests (oninitialized, startup). */
function cachedAccessors(scan: ContextScan): Findings {
  const edits: Edit[] = [];
  const marks: Mark[] = [];
  for (const call of nodesOfKind(scan.file, SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    const value = parts && lookup(CLIENT_ACCESSORS, parts.method);
    if (!parts || !value || call.getArguments().length > 0) continue;
    // Inside a request handler the accessor already answers for the current request; inside the
    // helpers this transform writes it is the 2025-era fallback.
    const helper = call.getFirstAncestorByKind(SyntaxKind.FunctionDeclaration)?.getName();
    if (enclosingSite(call, scan.sites) || Object.values(CLIENT_ACCESSORS).some((v) => v.helper === helper)) continue;
    const statement = statementOf(call);
    if (scan.sdk === 'v1') {
      if (statement) marks.push({ node: call, rule: 'SL005', message: CONTEXT_MARKERS.cachedV1(value.what) });
      continue;
    }
    const assigned = assignedVariable(call);
    const receiver = receiverOf(call);
    if (!assigned || !receiver || !inConnectionHook(call)) {
      marks.push({ node: call, rule: 'SL005', message: CONTEXT_MARKERS.cachedShape(value.what) });
      continue;
    }
    const found = rewrite(scan, {
      declaration: assigned.declaration,
      writes: [assigned.statement],
      value,
      receiver: receiver.text,
      receiverRoot: receiver.root,
      markAt: call,
      marker: CONTEXT_MARKERS.cachedRead(value.what, assigned.declaration.getName()),
    });
    edits.push(...found.edits);
    marks.push(...found.marks);
  }
  return { edits, marks };
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
