import { Node, SyntaxKind, type ArrayLiteralExpression, type Expression, type ObjectLiteralExpression, type Statement } from 'ts-morph';
import { MARKERS } from '../../src/rules/lists-messages.js';
import type { SdkLine } from '../../src/rules/sdk.js';
import { contains, quote as quoteText, statementOf, type FunctionLike } from './ast.js';
import type { ListScan } from './gates.js';
import type { RequestHandler } from './handlers.js';
import type { DeferredMarker } from './steps.js';
import { nodesOfKind } from '../shared/file-index.js';

/*
 * Shared by the two P8 rewrites: reading the literal objects handlers return, finding where a creator
 * returns its content, and the one marker on a collection every client shares.
 */

export interface ResourceScan extends ListScan {
  requests: RequestHandler[];
  sdk: SdkLine;
  /** Whether the SDK release the project pins has `resource_link` content; without it, a link is its URI as text. */
  resourceLinks: boolean;
}

/**
 * The content item a creator returns for what it created: a `resource_link`, or on an SDK release without
 * them, a text item holding the URI (the client reads it through the resource template all the same).
 */
export function linkItem(scan: Pick<ResourceScan, 'file' | 'resourceLinks'>, fields: ReadonlyArray<[name: string, expression: string]>): string {
  const quote = (text: string) => quoteText(scan.file, text);
  if (!scan.resourceLinks) return `{ type: ${quote('text')}, text: ${fields.find(([name]) => name === 'uri')?.[1] ?? quote('')} }`;
  return `{ ${[`type: ${quote('resource_link')}`, ...fields.map(([name, expression]) => `${name}: ${expression}`)].join(', ')} }`;
}

/** What a creator's content should hold, for a marker: a resource_link, or its URI where the SDK has no links. */
export function linkWanted(scan: ResourceScan): string {
  return scan.resourceLinks ? 'a resource_link to it' : 'its URI';
}

export function returnedObject(fn: FunctionLike): ObjectLiteralExpression | undefined {
  const body = fn.getBody();
  if (!body) return undefined;
  let expression: Node | undefined;
  if (Node.isBlock(body)) {
    const returns = body.getStatements().filter(Node.isReturnStatement);
    expression = returns.length === 1 ? returns[0]!.getExpression() : undefined;
  } else expression = body;
  while (expression && (Node.isParenthesizedExpression(expression) || Node.isAsExpression(expression) || Node.isSatisfiesExpression(expression))) {
    expression = expression.getExpression();
  }
  return expression && Node.isObjectLiteralExpression(expression) ? expression : undefined;
}

export function propertyText(entry: ObjectLiteralExpression, name: string): Expression | undefined {
  const property = entry.getProperty(name);
  return property && Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
}

/** The `content: [...]` array of the first object literal returned after `statement` in `fn`. */
export function contentAfter(statement: Statement, fn: FunctionLike): ArrayLiteralExpression | undefined {
  let anchor: Node | undefined = statement;
  while (anchor && contains(fn, anchor)) {
    const container = anchor.getParent();
    if (!container) return undefined;
    const siblings = Node.isBlock(container) || Node.isCaseClause(container) || Node.isDefaultClause(container) ? container.getStatements() : [];
    for (const sibling of siblings.slice(siblings.indexOf(anchor as Statement) + 1)) {
      if (!Node.isReturnStatement(sibling)) continue;
      let expression: Node | undefined = sibling.getExpression();
      while (expression && (Node.isParenthesizedExpression(expression) || Node.isAsExpression(expression) || Node.isSatisfiesExpression(expression))) {
        expression = expression.getExpression();
      }
      const content = expression && Node.isObjectLiteralExpression(expression) ? propertyText(expression, 'content') : undefined;
      return content && Node.isArrayLiteralExpression(content) ? content : undefined;
    }
    if (container === fn.getBody()) return undefined;
    anchor = statementOf(container.getParentOrThrow());
  }
  return undefined;
}

/** One SL003 marker on a collection the template reads, found again by name after edits. */
export function sharedCollectionMarker(declaration: Node | undefined, uriTemplate: string): DeferredMarker[] {
  if (!declaration || !Node.isVariableDeclaration(declaration)) return [];
  const name = declaration.getName();
  const text = declaration.getText();
  const scheme = uriTemplate.split('://')[0] ?? 'resource';
  return [
    {
      rule: 'SL003',
      message: MARKERS.sharedCollection(name, `${scheme}://{<handle>_id}/${uriTemplate.slice(scheme.length + 3)}`),
      locate: (file) => nodesOfKind(file, SyntaxKind.VariableDeclaration).find((d) => d.getName() === name && d.getText() === text),
    },
  ];
}
