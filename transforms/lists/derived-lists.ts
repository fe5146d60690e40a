import { Node, SyntaxKind, type ArrayLiteralExpression, type CallExpression, type Expression, type NewExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { MARKERS } from '../../src/rules/lists-messages.js';
import { requestSchemaFor, V1_TYPES_MODULE } from '../../src/rules/lists-sdk.js';
import { contains, declarationOf, enclosingFunction, importedFrom, methodCall, quote, rootIdentifier, statementOf, stringValue, type FunctionLike } from './ast.js';
import { appendMember, indentUnit, insertAfter, removeStatements, spliceText, type Splice } from './edit.js';
import { listChangedStatements, standaloneStatement } from './gates.js';
import { toolReaching, type RequestHandler } from './handlers.js';
import { contentAfter, linkItem, linkWanted, propertyText, returnedObject, sharedCollectionMarker, type ResourceScan } from './resource-links.js';
import type { DeferredMarker, Edit, Findings, Mark } from './steps.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';

/** How a list entry is computed from one item of a collection. */
export interface Mapping {
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
export function derivedMappings(handler: FunctionLike): { mappings: Mapping[]; array?: ArrayLiteralExpression } {
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

/** `screenshot://${name}` → `screenshot://{name}`; `${note.id}` → `{id}`. */
export function uriTemplateOf(uri: Expression | undefined, param: string): string | undefined {
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
export function substitute(node: Node, param: string, value: Node): string {
  const base = node.getStart();
  const splices: Splice[] = [];
  for (const identifier of identifiersOf(node)) {
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

/** Calls that add an item to `collection`: `m.set(k, v)`, `list.push(v)`. */
export function additions(file: SourceFile, collection: string): Array<{ call: CallExpression; key?: Node; value: Node }> {
  const found: Array<{ call: CallExpression; key?: Node; value: Node }> = [];
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    if (!parts || parts.receiver.getText() !== collection) continue;
    const args = call.getArguments();
    if (parts.method === 'set' && args.length === 2) found.push({ call, key: args[0]!, value: args[1]! });
    else if (parts.method === 'push' && args.length === 1) found.push({ call, value: args[0]! });
  }
  return found;
}

function linkText(scan: ResourceScan, mapping: Mapping, addition: { key?: Node; value: Node }): string | undefined {
  const value = mapping.view === 'keys' ? addition.key : addition.value;
  if (!value) return undefined;
  const fields: Array<[string, string]> = [];
  for (const name of ['uri', 'name', 'mimeType', 'description']) {
    const expression = propertyText(mapping.entry, name);
    if (expression) fields.push([name, substitute(expression, mapping.param, value)]);
    else if (name === 'name') fields.push(['name', substitute(propertyText(mapping.entry, 'uri')!, mapping.param, value)]);
  }
  return linkItem(scan, fields);
}

function templateText(file: SourceFile, mapping: Mapping, uriTemplate: string): string {
  const parts = [`uriTemplate: ${quote(file, uriTemplate)}`];
  const name = propertyText(mapping.entry, 'name');
  const title = name && Node.isTemplateExpression(name) ? name.getHead().getLiteralText().replace(/[\s:–-]+$/, '') : stringValue(name);
  parts.push(`name: ${quote(file, title || uriTemplate.split(':')[0]!)}`);
  for (const field of ['mimeType', 'description']) {
    const expression = propertyText(mapping.entry, field);
    if (expression && !identifiersOf(expression).some((id) => id.getText() === mapping.param)) {
      parts.push(`${field}: ${expression.getText()}`);
    }
  }
  return `{ ${parts.join(', ')} }`;
}

/** Removal of a spread element from an array literal, with its comma. */
export function removeElement(element: Node): Splice {
  // `resources: items.map(…)`: the whole list was derived, so it becomes empty.
  if (!Node.isArrayLiteralExpression(element.getParentOrThrow())) return { start: element.getStart(), end: element.getEnd(), text: '[]' };
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
  const { file, requests, sdk } = scan;
  const handler = list.handler!;
  const { mappings } = derivedMappings(handler);
  const mapping = mappings[0];
  if (!mapping) return { edits: [], marks: [] };
  const uriTemplate = uriTemplateOf(propertyText(mapping.entry, 'uri'), mapping.param);
  const mark = (message: string): Findings => ({ edits: [], marks: [{ node: mapping.element, rule: 'SL004', message }] });
  if (!uriTemplate) return mark(MARKERS.derivedList(mapping.collection));

  const splices: Splice[] = [removeElement(mapping.element)];
  const markers: DeferredMarker[] = sharedCollectionMarker(declarationOf(mapping.collectionRoot), uriTemplate);
  const template = templateText(file, mapping, uriTemplate);
  const templates = requests.find((r) => r.method === 'resources/templates/list' && r.handler);
  const templatesResult = templates && returnedObject(templates.handler!);
  const templatesArray = templatesResult && propertyText(templatesResult, 'resourceTemplates');
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

  const creators = creatorEdits(scan, mapping, uriTemplate, handler);
  return { edits: [{ what: `template for ${mapping.collection}`, splices: [...splices, ...creators.splices], imports, markers: [...markers, ...creators.markers] }], marks: [] };
}

/**
 * The tools that add to the listed collection: each returns a resource_link to what it added (its URI as text
 * where the pinned SDK has no resource_link), and
 * stops announcing list changes. A creator whose result is not a literal content array gets a marker.
 */
function creatorEdits(scan: ResourceScan, mapping: Mapping, uriTemplate: string, lister: FunctionLike): { splices: Splice[]; markers: DeferredMarker[] } {
  const { file, sites } = scan;
  const splices: Splice[] = [];
  const markers: DeferredMarker[] = [];
  const creatorFns: FunctionLike[] = [];
  for (const addition of additions(file, mapping.collection)) {
    const statement = standaloneStatement(addition.call);
    const fn = enclosingFunction(addition.call);
    if (!statement || !fn || contains(lister, addition.call)) continue;
    const tool = toolReaching(addition.call, sites);
    const link = linkText(scan, mapping, addition);
    const content = contentAfter(statement, fn);
    creatorFns.push(fn);
    if (link && content) splices.push(appendMember(file, content, link));
    else {
      const text = statement.getText();
      markers.push({
        rule: 'SL004',
        message: `${tool ?? 'this call'} creates a ${uriTemplate} resource: return ${linkWanted(scan)} in its content`,
        locate: (f) => nodesOfKind(f, SyntaxKind.ExpressionStatement).find((s) => s.getText() === text),
      });
    }
  }
  splices.push(...removeStatements(file, listChangedStatements(creatorFns, 'resource')));
  return { splices, markers };
}

/**
 * `new ResourceTemplate(t, { list: () => ({ resources: [...notes.keys()].map(…) }) })`: the template
 * stays, its list callback (what resources/list shows) goes, and creators link to what they add.
 */
function templateListEdit(scan: ResourceScan, template: NewExpression): Findings {
  const callbacks = template.getArguments()[1];
  const list = callbacks && Node.isObjectLiteralExpression(callbacks) ? callbacks.getProperty('list') : undefined;
  const lister = list && Node.isPropertyAssignment(list) ? list.getInitializer() : undefined;
  if (!lister || !(Node.isArrowFunction(lister) || Node.isFunctionExpression(lister))) return { edits: [], marks: [] };
  const { mappings, array } = derivedMappings(lister);
  const mapping = mappings[0];
  if (!mapping) return { edits: [], marks: [] };
  const uriTemplate = uriTemplateOf(propertyText(mapping.entry, 'uri'), mapping.param);
  // Fixed entries next to the derived ones would vanish with the callback: that needs a person.
  if (!uriTemplate || (array && array.getElements().length !== mappings.length)) {
    return { edits: [], marks: [{ node: mapping.element, rule: 'SL004', message: MARKERS.derivedList(mapping.collection) }] };
  }
  const creators = creatorEdits(scan, mapping, uriTemplate, lister);
  const splices: Splice[] = [{ start: lister.getStart(), end: lister.getEnd(), text: 'undefined' }, ...creators.splices];
  const markers = [...sharedCollectionMarker(declarationOf(mapping.collectionRoot), uriTemplate), ...creators.markers];
  return { edits: [{ what: `stop listing ${mapping.collection}`, splices, markers }], marks: [] };
}

/** resources/list built from what calls created (P8): a low-level handler or a template's list callback. */
export function analyseDerivedLists(scan: ResourceScan): Findings {
  const edits: Edit[] = [];
  const marks: Mark[] = [];
  for (const list of scan.requests) {
    if (list.method !== 'resources/list' || !list.handler) continue;
    const found = derivedListEdit(scan, list);
    edits.push(...found.edits);
    marks.push(...found.marks);
  }
  for (const registration of scan.registrations) {
    const template = registration.call.getArguments()[1];
    if (!registration.template || !template || !Node.isNewExpression(template)) continue;
    const found = templateListEdit(scan, template);
    edits.push(...found.edits);
    marks.push(...found.marks);
  }
  return { edits, marks };
}
