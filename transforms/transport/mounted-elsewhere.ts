import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { nodesOfKind } from '../shared/file-index.js';
import { functionNamed, methodCalled, type ProjectLookup } from './followed.js';
import { exchangeOf, findRegistrations, routeMount, type Registration } from './routes.js';
import { Resolver, topLevelStatement, type FunctionLike } from './syntax.js';

/**
 * Request handlers of this file that another module of the project serves requests with: a function it mounts
 * (`router.post('/mcp', cors(), bearerAuth, handleStreamableHTTP)`, imported from here) or a function or method
 * its route handlers hand their own request and response to (`await mcpService.handleRequest(req, res)`, the
 * service an instance of a class exported from here). They are planned like request helpers: whatever methods
 * that module routes to them reach them, so GET and DELETE are answered with 405 by the rewritten function itself
 * and nothing in the other module changes.
 */
export function findMountedElsewhere(file: SourceFile, lookup: ProjectLookup): Registration[] {
  const out: Registration[] = [];
  const add = (registration: Registration) => {
    if (!out.some((r) => r.handler === registration.handler)) out.push(registration);
  };
  for (const other of importersOf(file, lookup)) {
    const resolver = new Resolver();
    const ours = (fn: FunctionLike | undefined): fn is FunctionLike => fn !== undefined && fn.getSourceFile() === file;
    for (const call of nodesOfKind(other, SyntaxKind.CallExpression)) {
      const route = routeMount(call, resolver);
      const last = call.getArguments().at(-1);
      const mounted = route && last && Node.isIdentifier(last) ? functionNamed(last, resolver, lookup) : undefined;
      if (route && ours(mounted) && mounted.getParameters().length >= 2) {
        add({ ...route, kind: 'helper', method: 'all', handlerArg: last!, handler: mounted, statement: topLevelStatement(mounted), exchange: { request: 0, response: 1 }, elsewhere: other });
      }
    }
    // Handlers of that module's routes that pass their request and response on to a function of this file.
    for (const route of findRegistrations(other, resolver)) {
      for (const call of nodesOfKind(route.handler, SyntaxKind.CallExpression)) {
        const helper = calledFunction(call, resolver, lookup);
        const exchange = ours(helper) ? exchangeOf(call, route.handler, resolver) : undefined;
        if (!helper || !exchange) continue;
        add({ call, kind: 'helper', method: 'all', handlerArg: call.getExpression(), handler: helper, statement: topLevelStatement(helper), exchange, via: route, elsewhere: other });
      }
    }
  }
  return out;
}

/** The modules of the project that import `file` (by a relative specifier or a path alias). */
function importersOf(file: SourceFile, lookup: ProjectLookup): SourceFile[] {
  const base = file.getBaseNameWithoutExtension();
  // Only a specifier ending in the file's name (or a folder's, for an index) can name it: the rest is not resolved.
  const mayName = (specifier: string) => base === 'index' || specifier.replace(/\.[cm]?[jt]sx?$/, '').endsWith(base);
  return file
    .getProject()
    .getSourceFiles()
    .filter((other) => other !== file && other.getImportDeclarations().some((d) => mayName(d.getModuleSpecifierValue()) && lookup.module(other, d.getModuleSpecifierValue()) === file));
}

/** `handle(req, res)` imported from a project module, or `service.handle(req, res)` on an instance of a project class. */
function calledFunction(call: CallExpression, resolver: Resolver, lookup: ProjectLookup): FunctionLike | undefined {
  const callee = call.getExpression();
  if (Node.isIdentifier(callee)) return functionNamed(callee, resolver, lookup);
  if (Node.isPropertyAccessExpression(callee) && Node.isIdentifier(callee.getExpression())) return methodCalled(callee, resolver, lookup);
  return undefined;
}
