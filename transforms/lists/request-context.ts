import { Node, SyntaxKind, type ArrowFunction, type FunctionExpression, type SourceFile, type Statement } from 'ts-morph';
import { CONNECTION_HOOKS, REQUEST_CONTEXT, V1_TYPES_MODULE, V2_SERVER_MODULE, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import type { SdkLine } from '../../src/rules/sdk.js';
import { importedFrom, quote } from './ast.js';
import { removeStatements, type Splice } from './edit.js';
import type { HandlerSite } from './handlers.js';
import type { Edit } from './steps.js';
import { identifiersOf } from '../shared/file-index.js';

/** Placeholder names for parameters that come before the context one. */
function fillerName(site: Pick<HandlerSite, 'request' | 'registration'>, index: number): string {
  if (site.request) return '_request';
  if (site.registration?.kind === 'resource') return index === 0 ? '_uri' : '_variables';
  return '_args';
}

/**
 * The name of a handler's per-request context parameter (`ctx` on v2, `extra` on v1), adding the
 * parameter (and placeholders before it) when the handler does not declare it. Undefined when it is
 * destructured.
 */
export function contextParameter(file: SourceFile, site: Pick<HandlerSite, 'fn' | 'ctxIndex' | 'request' | 'registration'>, sdk: SdkLine = 'v2'): { name: string; splices: Splice[] } | undefined {
  const params = site.fn.getParameters();
  const existing = params[site.ctxIndex];
  if (existing) {
    const nameNode = existing.getNameNode();
    return Node.isIdentifier(nameNode) ? { name: nameNode.getText(), splices: [] } : undefined;
  }
  const used = new Set(identifiersOf(site.fn).map((id) => id.getText()));
  const naming = REQUEST_CONTEXT[sdk];
  const name = used.has(naming.parameter) ? naming.alternative : naming.parameter;
  const added: string[] = [];
  for (let index = params.length; index < site.ctxIndex; index++) added.push(fillerName(site, index));
  added.push(name);
  const last = params[params.length - 1];
  const open = site.fn.getFirstChildByKind(SyntaxKind.OpenParenToken);
  // `async request => …` has no parentheses to add a parameter inside.
  if (last && !open) return { name, splices: [{ start: last.getStart(), end: last.getEnd(), text: `(${last.getText()}, ${added.join(', ')})` }] };
  if (last) return { name, splices: [{ start: last.getEnd(), end: last.getEnd(), text: `, ${added.join(', ')}` }] };
  if (open) return { name, splices: [{ start: open.getEnd(), end: open.getEnd(), text: added.join(', ') }] };
  return undefined;
}

export function isTyped(file: SourceFile): boolean {
  return /\.[cm]?tsx?$/.test(file.getFilePath());
}

/**
 * The helper that reads one envelope value, as TypeScript or JavaScript: on v2 from `ctx.mcpReq.envelope`,
 * on v1 from `extra._meta` (the request's `params._meta`). Where the value used to come from initialize,
 * the old accessor is the fallback, so 2025-era clients and stdio behave exactly as before.
 */
function helperText(file: SourceFile, value: EnvelopeValue, sdk: SdkLine): string {
  const typed = isTyped(file);
  const doc = `/** The ${value.what} from the current request's _meta envelope (2026-07-28)${value.fallback ? ', or from initialize for 2025-era clients' : ''}. */`;
  const context = REQUEST_CONTEXT[sdk].parameter;
  const key = sdk === 'v2' ? value.metaKey : quote(file, value.wireKey);
  const source = sdk === 'v2' ? 'envelope' : `${context}._meta`;
  if (typed) {
    const params = `${context}: ${REQUEST_CONTEXT[sdk].type}${value.fallback ? `, server: { ${value.fallback}(): ${value.type} | undefined }` : ''}`;
    const read = `${source}?.[${key}] as ${value.type} | undefined`;
    return [
      doc,
      `function ${value.helper}(${params}): ${value.type} | undefined {`,
      ...(sdk === 'v2' ? ['  const envelope: Record<string, unknown> | undefined = ctx.mcpReq.envelope;'] : []),
      `  return ${value.fallback ? `(${read}) ?? server.${value.fallback}()` : read};`,
      '}',
    ].join('\n');
  }
  const read = sdk === 'v2' ? `ctx.mcpReq.envelope?.[${key}]` : `${source}?.[${key}]`;
  return [doc, `function ${value.helper}(${context}${value.fallback ? ', server' : ''}) {`, `  return ${value.fallback ? `${read} ?? server.${value.fallback}()` : read};`, '}'].join('\n');
}

/** Append the helper to the file unless it already declares one. */
export function helperSplices(file: SourceFile, value: EnvelopeValue, sdk: SdkLine = 'v2'): Splice[] {
  if (file.getFunction(value.helper)) return [];
  const end = file.getEnd();
  const trailing = file.getFullText().endsWith('\n') ? '' : '\n';
  return [{ start: end, end, text: `${trailing}\n${helperText(file, value, sdk)}\n` }];
}

/**
 * The imports a helper needs: on v2 the key constant and types from the module the file already takes its
 * server from; on v1 only the value's type (the key is written out).
 */
export function helperImports(file: SourceFile, value: EnvelopeValue, sdk: SdkLine = 'v2'): NonNullable<Edit['imports']> {
  if (sdk === 'v1') return isTyped(file) ? [{ module: V1_TYPES_MODULE, name: value.type, typeOnly: true }] : [];
  const module = importedFrom(file, 'McpServer') ?? importedFrom(file, 'Server') ?? V2_SERVER_MODULE;
  const imports: NonNullable<Edit['imports']> = [{ module, name: value.metaKey }];
  if (isTyped(file)) imports.push({ module, name: value.type, typeOnly: true }, { module, name: 'ServerContext', typeOnly: true });
  return imports;
}

/** `x.oninitialized = () => { … }`: the hook assignment a function is the value of, if any. */
function hookAssignment(fn: Node): Statement | undefined {
  const assignment = fn.getParent();
  if (!Node.isBinaryExpression(assignment) || assignment.getRight() !== fn) return undefined;
  const left = assignment.getLeft();
  if (!Node.isPropertyAccessExpression(left) || !CONNECTION_HOOKS.includes(left.getName())) return undefined;
  const statement = assignment.getParent();
  return Node.isExpressionStatement(statement) ? statement : undefined;
}

/** Remove statements; a connection hook left with nothing to do goes with them. */
export function removeWithHooks(file: SourceFile, statements: readonly Statement[]): Splice[] {
  const removing = new Set(statements);
  for (const statement of statements) {
    const body = statement.getParent();
    const fn = body?.getParent();
    if (!Node.isBlock(body) || !fn || !(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) continue;
    const hook = hookAssignment(fn);
    if (hook && body.getStatements().every((s) => removing.has(s))) {
      for (const s of body.getStatements()) removing.delete(s);
      removing.add(hook);
    }
  }
  return removeStatements(file, removing);
}

/** Is `node` inside a connection hook (`oninitialized`)? */
export function inConnectionHook(node: Node): boolean {
  return !!connectionHookOf(node);
}

/** The connection hook function (`x.oninitialized = () => { … }`) holding `node`, if any. */
export function connectionHookOf(node: Node): ArrowFunction | FunctionExpression | undefined {
  return node.getFirstAncestor((a) => (Node.isArrowFunction(a) || Node.isFunctionExpression(a)) && !!hookAssignment(a)) as ArrowFunction | FunctionExpression | undefined;
}
