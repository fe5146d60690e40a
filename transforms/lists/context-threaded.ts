import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { REQUEST_CONTEXT, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import { enclosingFunction, methodCall, type FunctionLike } from './ast.js';
import type { Splice } from './edit.js';
import { enclosingSite, type HandlerSite } from './handlers.js';
import { contextParameter, helperImports, helperSplices, isTyped } from './request-context.js';
import type { ContextScan } from './context-cached.js';
import type { Edit } from './steps.js';
import { referencesTo } from '../shared/declarations.js';
import { isExported } from '../shared/exports.js';
import { identifiersOf } from '../shared/file-index.js';

/*
 * An accessor read in a helper of the file that only request handlers call:
 *
 *   function canShowForms(server) { return server.getClientCapabilities()?.elicitation !== undefined; }
 *   server.registerTool('save', cfg, async (args) => { if (canShowForms(server)) … });
 *
 * The helper takes the handler's per-request context as a new last parameter, reads the request's
 * declaration through the envelope helper, and every caller passes its own context along.
 */

/** The helper's declaration and name, when it is a function of the file nobody outside it can call. */
function helperDeclaration(fn: FunctionLike): { declaration: Node; name: string } | undefined {
  if (Node.isFunctionDeclaration(fn)) {
    const name = fn.getName();
    return name && !isExported(fn) && !fn.isDefaultExport() ? { declaration: fn, name } : undefined;
  }
  const variable = fn.getParent();
  if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) || !Node.isVariableDeclaration(variable) || variable.getInitializer() !== fn) return undefined;
  const statement = variable.getVariableStatement();
  return statement && !isExported(statement) && statement.getDeclarationKind() === 'const' ? { declaration: variable, name: variable.getName() } : undefined;
}

/** The context parameter an earlier round added to the helper, if any. */
function addedParameter(fn: FunctionLike, scan: ContextScan): string | undefined {
  const naming = REQUEST_CONTEXT[scan.sdk];
  const last = fn.getParameters().at(-1);
  if (!last || (last.getName() !== naming.parameter && last.getName() !== naming.alternative)) return undefined;
  return !isTyped(scan.file) || last.getTypeNode()?.getText() === naming.type ? last.getName() : undefined;
}

/**
 * The edit that threads the handler's context into the helper holding `call`; undefined when the helper is
 * not one only handlers of this file call with all its arguments.
 */
export function threadedRead(scan: ContextScan, call: CallExpression, value: EnvelopeValue): Edit | undefined {
  const fn = enclosingFunction(call);
  const parts = methodCall(call);
  const helper = fn && helperDeclaration(fn);
  if (!fn || !parts || !helper || fn.getParameters().some((p) => p.isRestParameter() || p.hasInitializer() || p.hasQuestionToken())) return undefined;
  const added = addedParameter(fn, scan);
  const arity = fn.getParameters().length - (added ? 1 : 0);
  const splices: Splice[] = [];
  const contexts = new Map<HandlerSite, string>();
  for (const reference of referencesTo(helper.declaration)) {
    const caller = reference.getParent();
    if (!Node.isCallExpression(caller) || caller.getExpression() !== reference) return undefined;
    const site = enclosingSite(caller, scan.sites);
    if (!site || fn === site.fn || caller.getFirstAncestor((a) => a === fn)) return undefined;
    if (added) {
      if (caller.getArguments().length !== arity + 1) return undefined;
      continue;
    }
    if (caller.getArguments().length !== arity) return undefined;
    let name = contexts.get(site);
    if (!name) {
      const access = contextParameter(scan.file, site, scan.sdk);
      if (!access) return undefined;
      name = access.name;
      contexts.set(site, name);
      splices.push(...access.splices);
    }
    const close = caller.getLastChildByKindOrThrow(SyntaxKind.CloseParenToken).getStart();
    splices.push({ start: close, end: close, text: arity > 0 ? `, ${name}` : name });
  }
  if (!added && contexts.size === 0) return undefined;
  let context = added;
  if (!context) {
    const naming = REQUEST_CONTEXT[scan.sdk];
    context = identifiersOf(fn).some((id) => id.getText() === naming.parameter) ? naming.alternative : naming.parameter;
    const declared = isTyped(scan.file) ? `${context}: ${naming.type}` : context;
    const last = fn.getParameters().at(-1);
    const at = last ? last.getEnd() : fn.getFirstChildByKindOrThrow(SyntaxKind.OpenParenToken).getEnd();
    splices.push({ start: at, end: at, text: last ? `, ${declared}` : declared });
  }
  splices.push({ start: call.getStart(), end: call.getEnd(), text: `${value.helper}(${context}, ${parts.receiver.getText()})` });
  splices.push(...helperSplices(scan.file, value, scan.sdk));
  return { what: `pass the request's context to ${helper.name}`, splices, imports: helperImports(scan.file, value, scan.sdk) };
}
