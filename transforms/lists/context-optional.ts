import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { REQUEST_CONTEXT, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import { enclosingFunction, methodCall, referencesTo, type FunctionLike } from './ast.js';
import type { Splice } from './edit.js';
import { enclosingSite, type HandlerSite } from './handlers.js';
import { contextParameter, helperImports, helperSplices, isTyped } from './request-context.js';
import type { ContextScan } from './context-cached.js';
import type { Edit } from './steps.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';

/*
 * An accessor read in a helper that is also handed around as a value, so not only handlers call it:
 *
 *   const getClientInfo = () => server.server.getClientVersion();
 *   registerTools(server, { getClientInfo });                        // options.getClientInfo() in tool callbacks
 *   installErrorReporting(server, { getClientInfo });                 // called where no request is at hand
 *
 * The helper takes the request's context as an optional parameter and reads the envelope helper with it; the
 * calls inside handlers of the file pass their context (through the option too, whose function type in the
 * file gains the optional parameter), and every other call keeps calling it bare, answered from initialize as
 * before. A 2025-era client's requests carry no envelope, so each call answers exactly what it did.
 */

/** The helper's declaration node (for references) when it is a const function or a function declaration without parameters. */
function helperOf(fn: FunctionLike): Node | undefined {
  if (fn.getParameters().length > 0) return undefined;
  if (Node.isFunctionDeclaration(fn)) return fn.getName() ? fn : undefined;
  const variable = fn.getParent();
  if (!(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) || !Node.isVariableDeclaration(variable) || variable.getInitializer() !== fn) return undefined;
  return variable.getVariableStatement()?.getDeclarationKind() === 'const' ? variable : undefined;
}

/** The option names the helper is handed over as (`{ getClientInfo }`, `{ clientInfo: getClientInfo }`); undefined for any other use. */
function optionNames(declaration: Node): { calls: CallExpression[]; names: Set<string> } | undefined {
  const calls: CallExpression[] = [];
  const names = new Set<string>();
  for (const reference of referencesTo(declaration)) {
    const parent = reference.getParent();
    if (Node.isCallExpression(parent) && parent.getExpression() === reference) {
      if (parent.getArguments().length > 0) return undefined;
      calls.push(parent);
    } else if (Node.isShorthandPropertyAssignment(parent)) {
      names.add(parent.getName());
    } else if (Node.isPropertyAssignment(parent) && parent.getInitializer() === reference && Node.isIdentifier(parent.getNameNode())) {
      names.add(parent.getName());
    } else {
      return undefined;
    }
  }
  return { calls, names };
}

/** `name: () => T` property signatures of the file, for each option name. */
function optionTypes(scan: ContextScan, names: ReadonlySet<string>): Map<string, Node[]> {
  const found = new Map<string, Node[]>();
  for (const signature of scan.file.getDescendantsOfKind(SyntaxKind.PropertySignature)) {
    const type = signature.getTypeNode();
    if (!names.has(signature.getName()) || !type || !Node.isFunctionTypeNode(type) || type.getParameters().length > 0) continue;
    found.set(signature.getName(), [...(found.get(signature.getName()) ?? []), type]);
  }
  return found;
}

export function optionalThreadedRead(scan: ContextScan, call: CallExpression, value: EnvelopeValue): Edit | undefined {
  const fn = enclosingFunction(call);
  const parts = methodCall(call);
  const declaration = fn && helperOf(fn);
  const uses = declaration && optionNames(declaration);
  if (scan.sdk !== 'v1' || !fn || !parts || !uses || enclosingSite(call, scan.sites)) return undefined;
  const typed = isTyped(scan.file);
  const types = optionTypes(scan, uses.names);
  // Calls inside handlers of the file: the helper's own, and through an option whose type can take the context.
  const perRequest: Array<{ call: CallExpression; site: HandlerSite }> = [];
  for (const direct of uses.calls) {
    const site = enclosingSite(direct, scan.sites);
    if (site) perRequest.push({ call: direct, site });
  }
  for (const through of nodesOfKind(scan.file, SyntaxKind.CallExpression)) {
    const callee = through.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !uses.names.has(callee.getName()) || through.getArguments().length > 0) continue;
    if (typed && !types.has(callee.getName())) continue;
    const site = enclosingSite(through, scan.sites);
    if (site) perRequest.push({ call: through, site });
  }
  if (perRequest.length === 0) return undefined;
  const naming = REQUEST_CONTEXT.v1;
  const name = identifiersOf(fn).some((id) => id.getText() === naming.parameter) ? naming.alternative : naming.parameter;
  const parameter = typed ? `${name}?: ${naming.type}` : name;
  const open = fn.getFirstChildByKind(SyntaxKind.OpenParenToken);
  if (!open) return undefined;
  const splices: Splice[] = [{ start: open.getEnd(), end: open.getEnd(), text: parameter }];
  const used = new Set<string>();
  for (const { site, call: inner } of perRequest) {
    const access = contextParameter(scan.file, site, scan.sdk);
    if (!access) return undefined;
    if (!used.has(site.fn.getStart().toString())) splices.push(...access.splices);
    used.add(site.fn.getStart().toString());
    const close = inner.getLastChildByKindOrThrow(SyntaxKind.CloseParenToken).getStart();
    splices.push({ start: close, end: close, text: access.name });
  }
  for (const callee of new Set(perRequest.map((p) => p.call.getExpression()).filter(Node.isPropertyAccessExpression).map((e) => e.getName()))) {
    for (const type of types.get(callee) ?? []) {
      const paren = type.getFirstChildByKindOrThrow(SyntaxKind.OpenParenToken).getEnd();
      splices.push({ start: paren, end: paren, text: parameter });
    }
  }
  splices.push({ start: call.getStart(), end: call.getEnd(), text: `${value.helper}(${name} ?? {}, ${parts.receiver.getText()})` });
  splices.push(...helperSplices(scan.file, value, scan.sdk));
  return { what: `let handlers pass their request's context to a helper reading ${value.what}`, splices, imports: helperImports(scan.file, value, scan.sdk) };
}
