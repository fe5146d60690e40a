import { Node, SyntaxKind, type ExpressionStatement, type SourceFile } from 'ts-morph';
import { CLIENT_ACCESSORS, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import { contains, declarationOf, isFunctionLike, quote, type FunctionLike } from './ast.js';
import { insertAtBodyStart, spliceText, type Splice } from './edit.js';
import type { HandlerSite, RequestHandler } from './handlers.js';
import { contextParameter, isTyped } from './request-context.js';
import type { ContextScan } from './context-cached.js';
import type { Edit, Findings } from './steps.js';
import { sameCode, WORK_METHODS } from './context-copied.js';

/*
 * A server that answers initialize itself and keeps what the client says about itself:
 *
 *   server.setRequestHandler(InitializeRequestSchema, async (request) => {
 *     const clientInfo = request.params?.clientInfo;
 *     if (clientInfo) await updateCurrentClient(clientInfo);
 *     …
 *   });
 *
 * A 2026-07-28 client sends no initialize, but the same value in every request's _meta. The store stays for
 * 2025-era clients, and each work handler of the server makes it first from a request that carries the value:
 *
 *   if (extra._meta?.['io.modelcontextprotocol/clientInfo']) await updateCurrentClient(extra._meta['io.modelcontextprotocol/clientInfo'] as Implementation);
 *
 * A request without the key (every 2025-era client) runs nothing new.
 */

/** What an initialize request carries about the client, and the envelope value it travels as afterwards. */
const INITIALIZE_VALUES: Readonly<Record<string, EnvelopeValue>> = {
  clientInfo: CLIENT_ACCESSORS.getClientVersion!,
  capabilities: CLIENT_ACCESSORS.getClientCapabilities!,
};

/** The nodes that hold the initialize request's `clientInfo` in the handler: the read and the const it is kept in. */
function holdersOf(handler: FunctionLike, property: string): Node[] {
  const holders: Node[] = [];
  for (const access of handler.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)) {
    if (access.getName() !== property || !/^\w+\.params\??$/.test(access.getExpression().getText())) continue;
    holders.push(access);
    const declaration = access.getParent();
    if (Node.isVariableDeclaration(declaration) && declaration.getInitializer() === access && declaration.getVariableStatement()?.getDeclarationKind() === 'const') holders.push(declaration);
  }
  return holders;
}

/** Is `node` one of the holders, or a name bound to one? */
function isHolder(node: Node, holders: readonly Node[]): boolean {
  if (holders.includes(node)) return true;
  const declaration = Node.isIdentifier(node) ? declarationOf(node) : undefined;
  return !!declaration && holders.includes(declaration);
}

/**
 * The one statement that keeps the value beyond the request: `[await] store(…, clientInfo, …)` with `store` a
 * function of the file, or `kept = clientInfo` with `kept` a module variable. Undefined when there is none or
 * more than one.
 */
function storeStatement(handler: FunctionLike, holders: readonly Node[]): { statement: ExpressionStatement; holder: Node } | undefined {
  const found: Array<{ statement: ExpressionStatement; holder: Node }> = [];
  for (const statement of handler.getDescendantsOfKind(SyntaxKind.ExpressionStatement)) {
    if (statement.getFirstAncestor(isFunctionLike) !== handler) continue;
    let expression: Node = statement.getExpression();
    if (Node.isAwaitExpression(expression)) expression = expression.getExpression();
    if (Node.isCallExpression(expression) && Node.isIdentifier(expression.getExpression())) {
      const callee = declarationOf(expression.getExpression());
      const holder = expression.getArguments().find((arg) => isHolder(arg, holders));
      if (holder && callee && Node.isFunctionDeclaration(callee) && Node.isSourceFile(callee.getParent())) found.push({ statement, holder });
    } else if (Node.isBinaryExpression(expression) && expression.getOperatorToken().getKind() === SyntaxKind.EqualsToken && isHolder(expression.getRight(), holders)) {
      const target = Node.isIdentifier(expression.getLeft()) ? declarationOf(expression.getLeft()) : undefined;
      if (target && Node.isVariableDeclaration(target) && Node.isSourceFile(target.getVariableStatement()?.getParent())) found.push({ statement, holder: expression.getRight() });
    }
  }
  return found.length === 1 ? found[0] : undefined;
}

/** Every name the store statement uses, besides the holder, is declared at the top of the file (or imported). */
function moduleLevelNames(statement: Node, holder: Node): boolean {
  for (const identifier of statement.getDescendantsOfKind(SyntaxKind.Identifier)) {
    const parent = identifier.getParent();
    if (contains(holder, identifier) || (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier)) continue;
    const declaration = declarationOf(identifier);
    if (!declaration) return false;
    if (Node.isImportSpecifier(declaration) || Node.isImportClause(declaration) || Node.isNamespaceImport(declaration)) continue;
    const holderStatement = Node.isVariableDeclaration(declaration) ? declaration.getVariableStatement() : declaration;
    if (!holderStatement || !Node.isSourceFile(holderStatement.getParent())) return false;
  }
  return true;
}

function isAsync(fn: FunctionLike): boolean {
  return fn.isAsync();
}

function storeFromRequest(file: SourceFile, scan: ContextScan, initialize: RequestHandler, handler: FunctionLike): Edit | undefined {
  for (const [property, value] of Object.entries(INITIALIZE_VALUES)) {
    const holders = holdersOf(handler, property);
    const store = holders.length > 0 ? storeStatement(handler, holders) : undefined;
    if (!store || !moduleLevelNames(store.statement, store.holder)) continue;
    const awaited = Node.isAwaitExpression(store.statement.getExpression());
    const sites = scan.sites.filter((site) => site.request && site.request !== initialize && WORK_METHODS.includes(site.request.method) && site.request.receiver.getText() === initialize.receiver.getText());
    if (!sites.some((site) => site.request?.method === 'tools/call') || sites.some((site) => awaited && !isAsync(site.fn))) return undefined;
    const key = quote(file, value.wireKey);
    const splices: Splice[] = [];
    let pending = false;
    for (const site of sites) {
      const text = (ctx: string) => {
        const read = isTyped(file) ? `${ctx}._meta[${key}] as ${value.type}` : `${ctx}._meta[${key}]`;
        const call = spliceText(store.statement.getText(), store.statement.getStart(), [{ start: store.holder.getStart(), end: store.holder.getEnd(), text: read }]);
        return `if (${ctx}._meta?.[${key}]) ${call}`;
      };
      const existing = site.fn.getParameters()[site.ctxIndex];
      const body = site.fn.getBody();
      const first = body && Node.isBlock(body) ? body.getStatements()[0] : undefined;
      if (existing && first && sameCode(first.getText(), text(existing.getName()))) continue;
      pending = true;
      const access = contextParameter(file, site as HandlerSite, scan.sdk);
      if (!access) return undefined;
      splices.push(...access.splices, insertAtBodyStart(file, site.fn, text(access.name)));
    }
    if (!pending) return undefined;
    const imports = isTyped(file) ? [{ module: '@modelcontextprotocol/sdk/types.js', name: value.type, typeOnly: true }] : [];
    return { what: `keep ${value.what} from each request too`, splices, imports };
  }
  return undefined;
}

/** Client info or capabilities an initialize handler of the server's own keeps (v1). */
export function analyseInitializeHandler(scan: ContextScan): Findings {
  const edits: Edit[] = [];
  if (scan.sdk !== 'v1') return { edits, marks: [] };
  for (const request of scan.requests) {
    if (request.method !== 'initialize' || !request.handler) continue;
    const edit = storeFromRequest(scan.file, scan, request, request.handler);
    if (edit) edits.push(edit);
  }
  return { edits, marks: [] };
}
