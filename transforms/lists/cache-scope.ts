import { Node, type Expression, type NewExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { MARKERS } from '../../src/rules/lists-messages.js';
import { AUTH_CONDITION, cacheableListOf, type CacheableListMethod } from '../../src/rules/lists-sdk.js';
import { declarationOf, quote, rootIdentifier, stringValue, referencesTo } from './ast.js';
import { appendMember, type Splice } from './edit.js';
import { bindingOf, type ListScan } from './gates.js';
import type { RequestHandler } from './handlers.js';
import type { Edit, Findings, Mark } from './steps.js';

const SERVER_CLASSES = new Set(['McpServer', 'Server']);

/** Is `node` only reached when a condition on the request's credentials holds? */
function underAuthCondition(node: Node, stop: Node | undefined): boolean {
  for (let current = node.getParent(); current && current !== stop; current = current.getParent()) {
    if (Node.isIfStatement(current) && AUTH_CONDITION.test(current.getExpression().getText())) return true;
    if (Node.isConditionalExpression(current) && AUTH_CONDITION.test(current.getCondition().getText())) return true;
  }
  return false;
}

/** The `new McpServer(...)` / `new Server(...)` a receiver expression was built with. */
function constructionOf(receiver: Expression): NewExpression | undefined {
  // `server.server.setRequestHandler` belongs to the McpServer `server`.
  const root = rootIdentifier(receiver);
  const declaration = root && declarationOf(root);
  const init = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
  return init && Node.isNewExpression(init) && SERVER_CLASSES.has(init.getExpression().getText()) ? init : undefined;
}

/** Which list methods of which server instances are filtered by credentials. */
function filteredLists(scan: ListScan & { requests: RequestHandler[] }): Map<NewExpression, Set<CacheableListMethod>> {
  const found = new Map<NewExpression, Set<CacheableListMethod>>();
  const add = (construction: NewExpression | undefined, method: CacheableListMethod) => {
    if (!construction) return;
    const methods = found.get(construction) ?? new Set();
    methods.add(method);
    found.set(construction, methods);
  };
  for (const registration of scan.registrations) {
    const construction = constructionOf(registration.receiver);
    const scope = construction?.getFirstAncestor((a) => Node.isBlock(a) || Node.isSourceFile(a));
    const method = cacheableListOf(registration.kind, registration.template);
    if (underAuthCondition(registration.call, scope)) add(construction, method);
    // Startup toggles under a credentials check filter the list just as well.
    const binding = bindingOf(registration);
    if (!binding || !Node.isIdentifier(binding.getNameNode())) continue;
    for (const reference of referencesTo(binding)) {
      const access = reference.getParent();
      if (Node.isPropertyAccessExpression(access) && ['enable', 'disable', 'remove', 'update'].includes(access.getName()) && underAuthCondition(access, scope)) {
        add(construction, method);
      }
    }
  }
  for (const request of scan.requests) {
    const method = request.method as CacheableListMethod;
    if (!['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list'].includes(method) || !request.handler) continue;
    if (AUTH_CONDITION.test(request.handler.getText())) add(constructionOf(request.receiver), method);
  }
  return found;
}

const privateHint = (file: SourceFile) => `{ cacheScope: ${quote(file, 'private')} }`;

/** Splices that make `method`'s cache hint private in `options`, or a reason it cannot be done. */
function hintSplices(file: SourceFile, options: ObjectLiteralExpression, method: CacheableListMethod): Splice[] | string {
  const hints = options.getProperty('cacheHints');
  if (!hints) return [appendMember(file, options, `cacheHints: { ${quote(file, method)}: ${privateHint(file)} }`)];
  const hintsValue = Node.isPropertyAssignment(hints) ? hints.getInitializer() : undefined;
  if (!hintsValue || !Node.isObjectLiteralExpression(hintsValue)) return MARKERS.filteredCache(method);
  const entry = hintsValue.getProperties().find((p) => Node.isPropertyAssignment(p) && (stringValue(p.getNameNode()) ?? p.getName()) === method);
  if (!entry) return [appendMember(file, hintsValue, `${quote(file, method)}: ${privateHint(file)}`)];
  let value = Node.isPropertyAssignment(entry) ? entry.getInitializer() : undefined;
  // A shared constant (`LIST_CACHE`) is fine when it is declared private.
  if (value && Node.isIdentifier(value)) {
    const declaration = declarationOf(value);
    value = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
    if (value && Node.isObjectLiteralExpression(value)) {
      const scope = value.getProperty('cacheScope');
      const scopeValue = scope && Node.isPropertyAssignment(scope) ? stringValue(scope.getInitializer()) : undefined;
      return scopeValue === 'private' ? [] : MARKERS.filteredCache(method);
    }
    return MARKERS.filteredCache(method);
  }
  if (!value || !Node.isObjectLiteralExpression(value)) return MARKERS.filteredCache(method);
  const scope = value.getProperty('cacheScope');
  if (!scope) return [appendMember(file, value, `cacheScope: ${quote(file, 'private')}`)];
  const scopeValue = Node.isPropertyAssignment(scope) ? scope.getInitializer() : undefined;
  if (stringValue(scopeValue) === 'private') return [];
  if (scopeValue && stringValue(scopeValue) === 'public') return [{ start: scopeValue.getStart(), end: scopeValue.getEnd(), text: quote(file, 'private') }];
  return MARKERS.filteredCache(method);
}

/**
 * Lists filtered by the request's credentials are allowed (SL004) but must be privately cacheable
 * (SL010). On v2 the server's `cacheHints` say so explicitly, so a later server-wide `public` hint
 * cannot leak one caller's list to another. v1 has no cache fields: nothing to write there.
 */
export function analyseCacheScope(scan: ListScan & { requests: RequestHandler[] }, sdk: string): Findings {
  const edits: Edit[] = [];
  const marks: Mark[] = [];
  if (sdk !== 'v2') return { edits, marks };
  for (const [construction, methods] of filteredLists(scan)) {
    const [info, options] = construction.getArguments();
    // One edit per construction and round: the next round sees the options the edit wrote.
    for (const method of [...methods].sort()) {
      if (!options && info) {
        const text = `{ cacheHints: { ${quote(scan.file, method)}: ${privateHint(scan.file)} } }`;
        edits.push({ what: `private ${method}`, splices: [{ start: info.getEnd(), end: info.getEnd(), text: `, ${text}` }] });
        break;
      }
      const splices = options && Node.isObjectLiteralExpression(options) ? hintSplices(scan.file, options, method) : MARKERS.filteredCache(method);
      if (typeof splices === 'string') marks.push({ node: construction, rule: 'SL010', message: splices });
      else if (splices.length > 0) {
        edits.push({ what: `private ${method}`, splices });
        break;
      }
    }
  }
  return { edits, marks };
}
