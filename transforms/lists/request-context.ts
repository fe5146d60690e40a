import { Node, SyntaxKind, type SourceFile, type Statement } from 'ts-morph';
import { CONNECTION_HOOKS, V2_SERVER_MODULE, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import { importedFrom } from './ast.js';
import { removeStatements, type Splice } from './edit.js';
import type { HandlerSite } from './handlers.js';
import type { Edit } from './steps.js';
import { identifiersOf } from '../shared/file-index.js';

/** Placeholder names for parameters that come before the context one. */
function fillerName(site: HandlerSite, index: number): string {
  if (site.request) return '_request';
  if (site.registration?.kind === 'resource') return index === 0 ? '_uri' : '_variables';
  return '_args';
}

/**
 * The name of a handler's per-request context parameter, adding the parameter (and placeholders
 * before it) when the handler does not declare it. Undefined when it is destructured.
 */
export function contextParameter(file: SourceFile, site: HandlerSite): { name: string; splices: Splice[] } | undefined {
  const params = site.fn.getParameters();
  const existing = params[site.ctxIndex];
  if (existing) {
    const nameNode = existing.getNameNode();
    return Node.isIdentifier(nameNode) ? { name: nameNode.getText(), splices: [] } : undefined;
  }
  const used = new Set(identifiersOf(site.fn).map((id) => id.getText()));
  const name = used.has('ctx') ? 'requestCtx' : 'ctx';
  const added: string[] = [];
  for (let index = params.length; index < site.ctxIndex; index++) added.push(fillerName(site, index));
  added.push(name);
  const last = params[params.length - 1];
  if (last) return { name, splices: [{ start: last.getEnd(), end: last.getEnd(), text: `, ${added.join(', ')}` }] };
  const open = site.fn.getFirstChildByKind(SyntaxKind.OpenParenToken);
  if (open) return { name, splices: [{ start: open.getEnd(), end: open.getEnd(), text: added.join(', ') }] };
  return undefined;
}

export function isTyped(file: SourceFile): boolean {
  return /\.[cm]?tsx?$/.test(file.getFilePath());
}

/** The helper that reads one envelope value, as TypeScript or JavaScript. */
function helperText(value: EnvelopeValue, typed: boolean): string {
  const doc = `/** The ${value.what} from the current request's _meta envelope (2026-07-28)${value.fallback ? ', or from initialize for 2025-era clients' : ''}. */`;
  if (typed) {
    const params = value.fallback ? `ctx: ServerContext, server: { ${value.fallback}(): ${value.type} | undefined }` : 'ctx: ServerContext';
    const read = `envelope?.[${value.metaKey}] as ${value.type} | undefined`;
    return [
      doc,
      `function ${value.helper}(${params}): ${value.type} | undefined {`,
      '  const envelope: Record<string, unknown> | undefined = ctx.mcpReq.envelope;',
      `  return ${value.fallback ? `(${read}) ?? server.${value.fallback}()` : read};`,
      '}',
    ].join('\n');
  }
  const read = `ctx.mcpReq.envelope?.[${value.metaKey}]`;
  return [doc, `function ${value.helper}(ctx${value.fallback ? ', server' : ''}) {`, `  return ${value.fallback ? `${read} ?? server.${value.fallback}()` : read};`, '}'].join('\n');
}

/** Append the helper to the file unless it already declares one. */
export function helperSplices(file: SourceFile, value: EnvelopeValue): Splice[] {
  if (file.getFunction(value.helper)) return [];
  const end = file.getEnd();
  const trailing = file.getFullText().endsWith('\n') ? '' : '\n';
  return [{ start: end, end, text: `${trailing}\n${helperText(value, isTyped(file))}\n` }];
}

/** The imports a helper needs, from the module the file already takes its v2 server from. */
export function helperImports(file: SourceFile, value: EnvelopeValue): NonNullable<Edit['imports']> {
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
  return !!node.getFirstAncestor((a) => (Node.isArrowFunction(a) || Node.isFunctionExpression(a)) && !!hookAssignment(a));
}
