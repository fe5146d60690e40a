import {
  Node,
  SyntaxKind,
  type ArrayLiteralExpression,
  type CallExpression,
  type Expression,
  type ObjectLiteralExpression,
  type SourceFile,
  type Statement,
} from 'ts-morph';
import { MARKERS } from '../../src/rules/lists-messages.js';
import { requestSchemaFor, RESOURCE_TEMPLATE_MODULE, V1_TYPES_MODULE } from '../../src/rules/lists-sdk.js';
import type { SdkLine } from '../../src/rules/sdk.js';
import { capturedFrom, contains, declarationOf, enclosingFunction, importedFrom, methodCall, quote, rootIdentifier, statementOf, stringValue, type FunctionLike } from './ast.js';
import { appendMember, indentAt, indentUnit, insertAfter, insertAtBodyStart, reindent, removeStatements, spliceText, type Splice } from './edit.js';
import { listChangedStatements, standaloneStatement, type ListScan } from './gates.js';
import { toolReaching, type RequestHandler } from './handlers.js';
import type { DeferredMarker, Edit, Findings, Mark } from './steps.js';

export interface ResourceScan extends ListScan {
  requests: RequestHandler[];
  sdk: SdkLine;
}

/** How a list entry is computed from one item of a collection. */
interface Mapping {
  /** The element to delete from the list (a spread element, or the whole initializer). */
  element: Node;
  collection: string;
  collectionRoot: Node;
  /** Which part of the collection the callback receives. */
  view: 'keys' | 'values';
  param: string;
  entry: ObjectLiteralExpression;
}

/** `Array.from(m.keys())`, `[...m.keys()]`, `Object.keys(o)`, `list` → collection + view. */
function sourceOf(node: Expression): { collection: Expression; view: 'keys' | 'values' } | undefined {
  let current: Node = node;
  if (Node.isCallExpression(current) && current.getExpression().getText() === 'Array.from' && current.getArguments().length === 1) {
    current = current.getArguments()[0]!;
  } else if (Node.isArrayLiteralExpression(current) && current.getElements().length === 1 && Node.isSpreadElement(current.getElements()[0])) {
    current = current.getElements()[0]!.asKindOrThrow(SyntaxKind.SpreadElement).getExpression();
  }
  if (Node.isCallExpression(current)) {
    const callee = current.getExpression().getText();
    const [arg] = current.getArguments();
    if ((callee === 'Object.keys' || callee === 'Object.values') && arg) {
      return { collection: arg as Expression, view: callee === 'Object.keys' ? 'keys' : 'values' };
    }
    const parts = methodCall(current);
    if (parts && (parts.method === 'keys' || parts.method === 'values') && current.getArguments().length === 0) {
      return { collection: parts.receiver, view: parts.method };
    }
    return undefined;
  }
  return Node.isIdentifier(current) || Node.isPropertyAccessExpression(current) ? { collection: current as Expression, view: 'values' } : undefined;
}

function returnedObject(fn: FunctionLike): ObjectLiteralExpression | undefined {
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

function mappingOf(element: Node, expression: Expression, listHandler: FunctionLike): Mapping | undefined {
  if (!Node.isCallExpression(expression)) return undefined;
  const parts = methodCall(expression);
  const callback = expression.getArguments()[0];
  if (!parts || parts.method !== 'map' || !callback || !(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return undefined;
  const params = callback.getParameters();
  if (params.length !== 1 || !Node.isIdentifier(params[0]!.getNameNode())) return undefined;
  const source = sourceOf(parts.receiver);
  const root = source && rootIdentifier(source.collection);
  const declaration = root && declarationOf(root);
  if (!source || !root || !declaration || contains(listHandler, declaration)) return undefined;
  const entry = returnedObject(callback);
  if (!entry) return undefined;
  return { element, collection: source.collection.getText(), collectionRoot: root, view: source.view, param: params[0]!.getName(), entry };
}

/** Every list entry computed from a collection in a resources/list handler. */
function derivedMappings(handler: FunctionLike): { mappings: Mapping[]; array?: ArrayLiteralExpression } {
  const result = returnedObject(handler);
  const property = result?.getProperty('resources');
  const init = property && Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
  if (!init) return { mappings: [] };
  if (Node.isArrayLiteralExpression(init)) {
    const mappings = init
      .getElements()
      .filter(Node.isSpreadElement)
      .map((spread) => mappingOf(spread, spread.getExpression(), handler))
      .filter((m): m is Mapping => !!m);
    return { mappings, array: init };
  }
  const mapping = mappingOf(init, init, handler);
  return { mappings: mapping ? [mapping] : [] };
}

function propertyText(entry: ObjectLiteralExpression, name: string): Expression | undefined {
  const property = entry.getProperty(name);
  return property && Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
}

/** `screenshot://${name}` → `screenshot://{name}`; `${note.id}` → `{id}`. */
function uriTemplateOf(uri: Expression | undefined, param: string): string | undefined {
  if (!uri || !Node.isTemplateExpression(uri)) return undefined;
  let text = uri.getHead().getLiteralText();
  for (const span of uri.getTemplateSpans()) {
    const expression = span.getExpression();
    const name = Node.isIdentifier(expression) ? expression.getText() : Node.isPropertyAccessExpression(expression) ? expression.getName() : undefined;
    if (!name || rootIdentifier(expression)?.getText() !== param) return undefined;
    text += `{${name}}${span.getLiteral().getLiteralText()}`;
  }
  return text;
}

/** References to the callback parameter inside `node`, replaced by `value` (for the creator's link). */
function substitute(node: Node, param: string, value: Node): string {
  const base = node.getStart();
  const splices: Splice[] = [];
  for (const identifier of node.getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (identifier.getText() !== param) continue;
    const parent = identifier.getParent();
    if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) continue;
    if (Node.isPropertyAccessExpression(parent) && Node.isObjectLiteralExpression(value)) {
      const picked = propertyText(value, parent.getName());
      if (picked) {
        splices.push({ start: parent.getStart(), end: parent.getEnd(), text: picked.getText() });
        continue;
      }
    }
    const simple = Node.isIdentifier(value) || Node.isPropertyAccessExpression(value) || Node.isStringLiteral(value);
    splices.push({ start: identifier.getStart(), end: identifier.getEnd(), text: simple ? value.getText() : `(${value.getText()})` });
  }
  return spliceText(node.getText(), base, splices);
}

/** The `content: [...]` array of the first object literal returned after `statement` in `fn`. */
function contentAfter(statement: Statement, fn: FunctionLike): ArrayLiteralExpression | undefined {
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

/** Calls that add an item to `collection`: `m.set(k, v)`, `list.push(v)`. */
function additions(file: SourceFile, collection: string): Array<{ call: CallExpression; key?: Node; value: Node }> {
  const found: Array<{ call: CallExpression; key?: Node; value: Node }> = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    if (!parts || parts.receiver.getText() !== collection) continue;
    const args = call.getArguments();
    if (parts.method === 'set' && args.length === 2) found.push({ call, key: args[0]!, value: args[1]! });
    else if (parts.method === 'push' && args.length === 1) found.push({ call, value: args[0]! });
  }
  return found;
}

function linkText(file: SourceFile, mapping: Mapping, addition: { key?: Node; value: Node }): string | undefined {
  const value = mapping.view === 'keys' ? addition.key : addition.value;
  if (!value) return undefined;
  const parts: string[] = [`type: ${quote(file, 'resource_link')}`];
  for (const name of ['uri', 'name', 'mimeType', 'description']) {
    const expression = propertyText(mapping.entry, name);
    if (expression) parts.push(`${name}: ${substitute(expression, mapping.param, value)}`);
    else if (name === 'name') parts.push(`name: ${substitute(propertyText(mapping.entry, 'uri')!, mapping.param, value)}`);
  }
  return `{ ${parts.join(', ')} }`;
}

function templateText(file: SourceFile, mapping: Mapping, uriTemplate: string): string {
  const parts = [`uriTemplate: ${quote(file, uriTemplate)}`];
  const name = propertyText(mapping.entry, 'name');
  const title = name && Node.isTemplateExpression(name) ? name.getHead().getLiteralText().replace(/[\s:–-]+$/, '') : stringValue(name);
  parts.push(`name: ${quote(file, title || uriTemplate.split(':')[0]!)}`);
  for (const field of ['mimeType', 'description']) {
    const expression = propertyText(mapping.entry, field);
    if (expression && !expression.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === mapping.param)) {
      parts.push(`${field}: ${expression.getText()}`);
    }
  }
  return `{ ${parts.join(', ')} }`;
}

function sharedCollectionMarker(mapping: Mapping, uriTemplate: string): DeferredMarker[] {
  const declaration = declarationOf(mapping.collectionRoot);
  if (!declaration || !Node.isVariableDeclaration(declaration)) return [];
  const name = declaration.getName();
  const text = declaration.getText();
  const scheme = uriTemplate.split('://')[0] ?? 'resource';
  return [
    {
      rule: 'SL003',
      message: MARKERS.sharedCollection(name, `${scheme}://{<handle>_id}/${uriTemplate.slice(scheme.length + 3)}`),
      locate: (file) => file.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => d.getName() === name && d.getText() === text),
    },
  ];
}

/** Removal of a spread element from an array literal, with its comma. */
function removeElement(element: Node): Splice {
  const array = element.getParentOrThrow() as ArrayLiteralExpression;
  const elements = array.getElements();
  const index = elements.indexOf(element as Expression);
  if (elements.length === 1) {
    return { start: array.getStart() + 1, end: array.getEnd() - 1, text: '' };
  }
  if (index > 0) {
    const previous = elements[index - 1]!;
    return { start: previous.getEnd(), end: element.getEnd(), text: '' };
  }
  const next = elements[index + 1]!;
  return { start: element.getStart(), end: next.getStart(), text: '' };
}

/** A low-level resources/list handler that lists what calls created (the puppeteer screenshot shape). */
function derivedListEdit(scan: ResourceScan, list: RequestHandler): Findings {
  const { file, requests, sites, sdk } = scan;
  const handler = list.handler!;
  const { mappings } = derivedMappings(handler);
  const mapping = mappings[0];
  if (!mapping) return { edits: [], marks: [] };
  const uriTemplate = uriTemplateOf(propertyText(mapping.entry, 'uri'), mapping.param);
  const mark = (message: string): Findings => ({ edits: [], marks: [{ node: mapping.element, rule: 'SL004', message }] });
  if (!uriTemplate) return mark(MARKERS.derivedList(mapping.collection));

  const splices: Splice[] = [removeElement(mapping.element)];
  const markers: DeferredMarker[] = sharedCollectionMarker(mapping, uriTemplate);
  const template = templateText(file, mapping, uriTemplate);
  const templates = requests.find((r) => r.method === 'resources/templates/list' && r.handler);
  const templatesArray = templates && propertyText(returnedObject(templates.handler!) ?? (undefined as never), 'resourceTemplates');
  const imports: Edit['imports'] = [];
  if (templates && templatesArray && Node.isArrayLiteralExpression(templatesArray)) {
    splices.push(appendMember(file, templatesArray, template));
  } else if (templates) {
    return mark(MARKERS.derivedList(mapping.collection));
  } else {
    const statement = statementOf(list.call)!;
    const unit = indentUnit(file);
    let method = quote(file, 'resources/templates/list');
    if (sdk === 'v1') {
      method = requestSchemaFor('resources/templates/list')!;
      const listSchema = list.call.getArguments()[0]!.getText();
      imports.push({ module: importedFrom(file, listSchema) ?? V1_TYPES_MODULE, name: method });
    }
    const body = `${list.receiver.getText()}.setRequestHandler(${method}, async () => ({\n${unit}resourceTemplates: [${template}],\n}));`;
    splices.push(insertAfter(file, statement, body));
  }

  const creatorFns: FunctionLike[] = [];
  for (const addition of additions(file, mapping.collection)) {
    const statement = standaloneStatement(addition.call);
    const fn = enclosingFunction(addition.call);
    if (!statement || !fn || contains(handler, addition.call)) continue;
    const tool = toolReaching(addition.call, sites);
    const link = linkText(file, mapping, addition);
    const content = contentAfter(statement, fn);
    creatorFns.push(fn);
    if (link && content) splices.push(appendMember(file, content, link));
    else {
      const text = statement.getText();
      markers.push({
        rule: 'SL004',
        message: `${tool ?? 'this call'} creates a ${uriTemplate} resource: return a resource_link to it in its content`,
        locate: (f) => f.getDescendantsOfKind(SyntaxKind.ExpressionStatement).find((s) => s.getText() === text),
      });
    }
  }
  splices.push(...removeStatements(file, listChangedStatements(creatorFns, 'resource')));
  return { edits: [{ what: `template for ${mapping.collection}`, splices, imports, markers }], marks: [] };
}

/** `server.registerResource(title, \`note://${title}\`, …)` inside a tool: a template registered up front. */
function dynamicResourceEdit(scan: ResourceScan, index: number): Findings {
  const { file, sites, sdk } = scan;
  const registration = scan.registrations[index]!;
  const receiverRoot = rootIdentifier(registration.receiver);
  const receiverDeclaration = receiverRoot && declarationOf(receiverRoot);
  if (!receiverDeclaration || enclosingFunction(registration.call) === enclosingFunction(receiverDeclaration) || registration.template) {
    return { edits: [], marks: [] };
  }
  const by = toolReaching(registration.call, sites);
  const mark = (why: string): Findings => ({ edits: [], marks: [{ node: registration.call, rule: 'SL004', message: MARKERS.dynamicResource(by, why) }] });
  const statement = standaloneStatement(registration.call);
  const args = registration.call.getArguments();
  const [nameArg, uri, config, callback] = args.length === 4 ? args : [args[0], args[1], undefined, args[2]];
  if (!statement || statement.getExpression() !== registration.call || !nameArg || !uri || !callback) return mark('not a plain statement');
  if (!Node.isTemplateExpression(uri)) return mark('its URI is not built from the call');
  if (!(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return mark('its read callback is not written inline');

  let outer = enclosingFunction(registration.call)!;
  const startupScope = enclosingFunction(receiverDeclaration);
  for (let next = enclosingFunction(outer); next && next !== startupScope; next = enclosingFunction(next)) outer = next;
  const anchor = statementOf(outer);
  const variables: string[] = [];
  let uriTemplate = uri.getHead().getLiteralText();
  for (const span of uri.getTemplateSpans()) {
    const expression = span.getExpression();
    if (!Node.isIdentifier(expression)) return mark('its URI uses more than plain values');
    variables.push(expression.getText());
    uriTemplate += `{${expression.getText()}}${span.getLiteral().getLiteralText()}`;
  }
  const captured = new Set(capturedFrom(callback, outer).map((id) => id.getText()));
  const foreign = [...captured].filter((name) => !variables.includes(name));
  if (foreign.length > 0) return mark(`its contents come from ${foreign.join(', ')} of that call`);
  if (config && capturedFrom(config, outer).length > 0) return mark('its metadata comes from that call');
  // Unknown ids must still fail: the template checks the collection the tool adds to.
  const fn = enclosingFunction(registration.call)!;
  const store = fn
    .getDescendantsOfKind(SyntaxKind.CallExpression)
    .map((call) => ({ call, parts: methodCall(call) }))
    .find(({ call, parts }) => parts?.method === 'set' && variables.includes(call.getArguments()[0]?.getText() ?? ''));
  if (!store || !anchor) return mark('nothing says which ids exist');
  const collection = store.parts!.receiver.getText();
  const keyVariable = store.call.getArguments()[0]!.getText();

  // The new read callback: (uri, variables, ...rest) with the call's values read from the URI.
  const params = callback.getParameters();
  const uriParam = params[0]?.getName() ?? 'uri';
  const rest = params.slice(1).map((p) => p.getText());
  const unit = indentUnit(file);
  const reads = variables
    .filter((name) => captured.has(name) || name === keyVariable)
    .map((name) => `const ${name} = String(variables.${name});`);
  const guard = `if (!${collection}.has(${keyVariable})) {\n${unit}throw new Error(\`Unknown resource \${${uriParam}.href}: call ${by ?? 'the tool that creates it'} first.\`);\n}`;
  const bodySplice = insertAtBodyStart(file, callback, [...reads, guard].join('\n'));
  const paramsText = [params[0]?.getText() ?? 'uri', 'variables', ...rest].join(', ');
  const openParen = callback.getFirstChildByKindOrThrow(SyntaxKind.OpenParenToken);
  const closeParen = callback.getFirstChildByKindOrThrow(SyntaxKind.CloseParenToken);
  const newCallback = spliceText(callback.getText(), callback.getStart(), [
    { start: openParen.getEnd(), end: closeParen.getStart(), text: paramsText },
    bodySplice,
  ]);
  const baseIndent = indentAt(file, statement.getStart());
  const templateName = stringValue(nameArg) ?? uriTemplate.split(':')[0]!;
  const templateExpression = `new ResourceTemplate(${quote(file, uriTemplate)}, { list: undefined })`;
  const registrationText = `${registration.receiver.getText()}.registerResource(${quote(file, templateName)}, ${templateExpression}, ${config ? reindent(config.getText(), baseIndent, '') : '{}'}, ${reindent(newCallback, baseIndent, '')});`;

  const splices: Splice[] = [insertAfter(file, anchor, registrationText), ...removeStatements(file, [statement, ...listChangedStatements([fn], 'resource')])];
  const content = contentAfter(statement, fn);
  const mimeType = config && Node.isObjectLiteralExpression(config) ? propertyText(config, 'mimeType') : undefined;
  const link = [`type: ${quote(file, 'resource_link')}`, `uri: ${uri.getText()}`, `name: ${nameArg.getText()}`];
  if (mimeType) link.push(`mimeType: ${mimeType.getText()}`);
  const markers: DeferredMarker[] = [];
  if (content) splices.push(appendMember(file, content, `{ ${link.join(', ')} }`));
  else {
    const text = store.call.getText();
    markers.push({ rule: 'SL004', message: `${by ?? 'this call'} creates ${uriTemplate}: return a resource_link to it in its content`, locate: (f) => f.getDescendantsOfKind(SyntaxKind.CallExpression).find((c) => c.getText() === text) });
  }
  const storeRoot = rootIdentifier(store.parts!.receiver);
  const storeDeclaration = storeRoot && declarationOf(storeRoot);
  if (storeDeclaration && Node.isVariableDeclaration(storeDeclaration)) {
    const name = storeDeclaration.getName();
    const text = storeDeclaration.getText();
    const scheme = uriTemplate.split('://')[0] ?? 'resource';
    markers.push({
      rule: 'SL003',
      message: MARKERS.sharedCollection(name, `${scheme}://{<handle>_id}/${uriTemplate.slice(scheme.length + 3)}`),
      locate: (f) => f.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => d.getName() === name && d.getText() === text),
    });
  }
  const module = importedFrom(file, 'McpServer') ?? RESOURCE_TEMPLATE_MODULE[sdk];
  return { edits: [{ what: `template for ${uriTemplate}`, splices, imports: [{ module, name: 'ResourceTemplate' }], markers }], marks: [] };
}

/** Resource lists that depend on earlier calls (P8). */
export function analyseDerivedResources(scan: ResourceScan): Findings {
  const edits: Edit[] = [];
  const marks: Mark[] = [];
  for (const list of scan.requests) {
    if (list.method !== 'resources/list' || !list.handler) continue;
    const found = derivedListEdit(scan, list);
    edits.push(...found.edits);
    marks.push(...found.marks);
  }
  scan.registrations.forEach((registration, index) => {
    if (registration.kind !== 'resource') return;
    const found = dynamicResourceEdit(scan, index);
    edits.push(...found.edits);
    marks.push(...found.marks);
  });
  return { edits, marks };
}
