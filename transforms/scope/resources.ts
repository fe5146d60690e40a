/**
 * Resources served from a conversation's record (screenshots a tool took, console logs a page wrote): they
 * become resources of the record, read through a template keyed by its handle (`screenshot://{browser_id}/{name}`,
 * `console://{browser_id}/logs`). The read code stays as written and runs inside the record the URI names
 * (see `readHandler`, `resource`, `resourceTemplate` in templates/handle-scope); `resources/list` stops showing
 * them (it must not vary with earlier calls); the tools that add an item return a link to it.
 * Shapes: the low-level `resources/list` + `resources/read` handlers (a branch per URI), and `McpServer`
 * `resource()`/`registerResource()` with a fixed URI or a `ResourceTemplate`.
 */
import { Node, SyntaxKind, type Block, type PropertyAccessExpression, type TemplateExpression, type ArrayLiteralExpression, type CallExpression, type Expression, type ObjectLiteralExpression, type SourceFile, type Statement } from 'ts-morph';
import type { ServerModel, StateAccess } from '../../src/analysis/index.js';
import { declarationsThroughImport } from '../../src/analysis/syntax.js';
import { requestSchemaFor, V1_TYPES_MODULE } from '../../src/rules/lists-sdk.js';
import type { TextEdits } from '../handles/edits.js';
import { dropImportIfUnused, usedOutside } from '../handles/imports.js';
import { indentOf } from '../handles/layout.js';
import { contains, enclosingFunction, importedFrom, quote, stringValue, type FunctionLike } from '../lists/ast.js';
import { additions, derivedMappings, substitute, uriTemplateOf, type Mapping } from '../lists/derived-lists.js';
import { importSplice, indentUnit, insertAfter } from '../lists/edit.js';
import { listChangedStatements, notifierStatements, standaloneStatement } from '../lists/gates.js';
import { contentAfter, linkItem, propertyText, returnedObject } from '../lists/resource-links.js';
import { standsInForRecord, type ScopeCandidate, type ScopeMember } from './candidates.js';
import { constantString, referencesTo } from '../shared/declarations.js';
import { isExported } from '../shared/exports.js';
import { holderReferences, type FactoryInstance } from './instances.js';

/** What the record rewrite needs to know about the resources it now serves. */
export interface RecordResources {
  /** The URIs (or prefixes ending in `/` or `://`) the server used for them, for the scope's `resources`. */
  uris: string[];
  /** Tools that add an item but whose result could not be given a link. */
  unlinked: Array<{ node: Node; message: string }>;
  /** Code this removed (list entries): references to the state in it are not rewritten. */
  removed: Node[];
  /** Other modules whose handlers now name the scope (they import it). */
  readers: SourceFile[];
}

export interface ResourceNames {
  scope: string;
  idParam: string;
}

/** The low-level handlers that read resources. */
export const RESOURCE_READERS: ReadonlySet<string> = new Set(['resources/list', 'resources/read']);

/** Whether a member is read by resources (low-level list/read handlers, or McpServer resource callbacks). */
export function readByResources(member: ScopeMember): boolean {
  const fields = member.kind === 'variable' ? [member.state] : member.fields;
  return fields.some((field) => field.accesses.some((a) => a.by.some((r) => r.kind === 'resource') || a.byOther.some((label) => RESOURCE_READERS.has(label))));
}

/** Whether the only readers a member has besides tools are resources, which a record can serve (`ignored`: uses that are no reading). */
export function onlyResourceReaders(member: ScopeMember, ignored: (access: StateAccess) => boolean = () => false): boolean {
  const fields = member.kind === 'variable' ? [member.state] : member.fields;
  return fields.every((field) => field.accesses.every((a) => ignored(a) || (a.by.every((r) => r.kind === 'tool' || r.kind === 'resource') && a.byOther.every((label) => RESOURCE_READERS.has(label)))));
}

/** `scheme://rest` → `scheme://{id}/rest`. */
function keyed(uri: string, idParam: string): string {
  const scheme = /^[A-Za-z][\w+.-]*:\/\//.exec(uri)?.[0];
  return scheme ? `${scheme}{${idParam}}/${uri.slice(scheme.length)}` : uri;
}

/** A URI prefix the record can serve under its id: it names the scheme and ends at a segment boundary. */
function isPrefix(uri: string): boolean {
  return /^[A-Za-z][\w+.-]*:\/\/(?:[^{}]*\/)?$/.test(uri);
}

function served(uris: readonly string[], uri: string): boolean {
  return uris.some((entry) => uri === entry || (isPrefix(entry) && uri.startsWith(entry)));
}

/**
 * Plan the resource side of a record. Returns undefined when no member is read by resources, a reason when
 * the resources are written in a way this cannot rewrite (the caller then keeps those members shared).
 */
export function planRecordResources(
  candidate: ScopeCandidate,
  model: ServerModel,
  names: ResourceNames,
  editsOf: (file: SourceFile) => TextEdits,
  options: { resourceLinks: boolean },
): RecordResources | string | undefined {
  const members = candidate.members.filter(readByResources);
  if (members.length === 0) return undefined;
  if (members.some((m) => m.kind !== 'variable' && m.kind !== 'field' && m.kind !== 'factory-instance')) return `${members.map((m) => m.name).join(', ')} are served as resources through an object's fields; serve them from a resource template keyed by the handle by hand`;
  const file = candidate.file;
  const refs: Node[] = [...[...candidate.references.values()].flat(), ...candidate.fieldReferences];
  // The state is read in its own module, where readers elsewhere reach it through that module's functions; an
  // object handed to other modules (`setupResourceHandlers(server, state)`) is read there too, through the
  // parameter it was handed as.
  const files = [file];
  for (const member of members) {
    if (member.kind !== 'variable' && member.kind !== 'field') continue;
    for (const access of member.state.accesses) {
      const elsewhere = access.node.getSourceFile();
      if (elsewhere === file) continue;
      if (!standsInForRecord(member)) return `${member.name} is read by resources in another module; serve it from a resource template keyed by the handle by hand`;
      refs.push(access.node);
      if (!files.includes(elsewhere)) files.push(elsewhere);
    }
  }
  // An object a server factory builds and hands to the function that registers the resources
  // (`registerResources(server, browserManager)`): they read it through that function's parameter.
  for (const member of members) {
    if (member.kind !== 'factory-instance') continue;
    const handed = handedParameterReferences(member);
    if (handed.length === 0) return `${member.name} is read by resources in a way this cannot follow; serve them from a resource template keyed by the handle by hand`;
    for (const reference of handed) {
      refs.push(reference);
      if (!files.includes(reference.getSourceFile())) files.push(reference.getSourceFile());
    }
  }
  const touches = reachesRecord(refs, model.files.map((info) => info.sourceFile));
  // Registered anywhere: a module of resources reaches the state through the state module's functions (`getPool()`).
  const registrations = model.registrations.filter((r) => r.kind === 'resource' && ((r.handler !== undefined && touches(r.handler)) || (r.listCallback !== undefined && touches(r.listCallback))));
  const uris: string[] = [];
  const mappings: Mapping[] = [];
  const unlinked: RecordResources['unlinked'] = [];
  const skip: Node[] = [];
  const removed: Node[] = [];
  const readers = new Set<SourceFile>();

  const reads = model.requestHandlers.filter((h) => h.method === 'resources/read' && (!h.handler || touches(h.handler)));
  if (reads.length > 0) {
    if (reads.length !== 1 || !reads[0]!.handler) return 'the resources/read handler that serves the state was not found as one function';
    const read = reads[0]!;
    const home = read.call.getSourceFile();
    const homeEdits = editsOf(home);
    if (home !== file) readers.add(home);
    const branches = readBranches(read.handler!, touches);
    if (typeof branches === 'string') return branches;
    uris.push(...branches);
    const handlerArg = read.call.getArguments().at(-1)!;
    homeEdits.insert(handlerArg.getStart(), `${names.scope}.readHandler(`);
    homeEdits.insert(handlerArg.getEnd(), ')');
    skip.push(read.handler!);
    const handlers = model.requestHandlers.filter((h) => h.call.getSourceFile() === home);
    const lists = handlers.filter((h) => h.method === 'resources/list');
    const templates: string[] = [];
    for (const list of lists) {
      if (!list.handler) {
        return 'the resources/list handler is not written as one function';
      }
      const found = listEdits(home, list.handler, uris, names, touches, homeEdits);
      if (typeof found === 'string') return found;
      removed.push(...found.removed);
      templates.push(...found.templates);
      mappings.push(...found.mappings);
      skip.push(list.handler);
    }
    if (templates.length > 0) {
      const failed = addTemplates(home, handlers, lists[0]!.call, templates, homeEdits);
      if (failed) return failed;
    }
  } else if (model.requestHandlers.some((h) => h.method === 'resources/list' && h.handler && touches(h.handler))) {
    return 'resources/list shows the state but no resources/read handler serves it';
  }

  const templateNames = new Map<SourceFile, string>();
  for (const registration of registrations) {
    const registering = registration.call.getSourceFile();
    const registeringEdits = editsOf(registering);
    const template = () => {
      let name = templateNames.get(registering);
      if (name === undefined) templateNames.set(registering, (name = importedName(registering, 'ResourceTemplate', 'McpServer', registeringEdits)));
      return name;
    };
    if (registering !== file) readers.add(registering);
    const found = registrationEdits(registering, registration.call, names, registeringEdits, template);
    if (typeof found === 'string') return found;
    uris.push(found.uri);
    removed.push(...found.removed);
    if (registration.listCallback) {
      mappings.push(...derivedMappings(registration.listCallback).mappings);
      skip.push(registration.listCallback);
    }
    if (registration.handler) skip.push(registration.handler);
  }
  if (uris.length === 0) return `${members.map((m) => m.name).join(', ')} are read by resources written in a way this cannot rewrite; serve them from a resource template keyed by the handle by hand`;

  // The tools that add an item link to it, and stop announcing a changed list.
  const creators: FunctionLike[] = [];
  for (const mapping of mappings) {
    const template = uriTemplateOf(propertyText(mapping.entry, 'uri'), mapping.param);
    if (!template || !served(uris, template.slice(0, template.indexOf('{') >>> 0))) continue;
    for (const adding of files) {
      for (const addition of additions(adding, mapping.collection)) {
        const statement = standaloneStatement(addition.call);
        const fn = enclosingFunction(addition.call);
        if (!statement || !fn || skip.some((s) => contains(s, addition.call))) continue;
        creators.push(fn, ...callersOf(fn));
        // An item known by its position: the tool names its URI itself (keyed below), there is no item to link.
        if (positional.has(mapping)) continue;
        const link = linkOf(adding, mapping, addition, names, options.resourceLinks);
        const content = contentAfter(statement, fn);
        const built = content ? undefined : contentBuiltIn(statement, fn);
        if (link && adding !== file && (content || built)) readers.add(adding);
        if (link && content) appendTo(adding, content, link, editsOf(adding));
        else if (link && built) editsOf(adding).insert(statement.getEnd(), `\n${indentOf(statement)}${built}.push(${link});`);
        else unlinked.push({ node: statement, message: `this adds a ${keyed(template, names.idParam)} resource: return ${options.resourceLinks ? 'a resource_link to it' : 'its URI'} (${names.scope}.uriOf(…)) in the tool's content` });
      }
    }
  }
  for (const statement of listChangedStatements(creators, 'resource')) editsOf(statement.getSourceFile()).removeStatement(statement);
  removeNotifierCalls(creators, editsOf);
  // Items kept in the fields of an object the record holds (a tool class's `this.screenshots`): the list no
  // longer shows them, so the tools that add one stop announcing a changed list.
  for (const statement of fieldCreatorNotifications(model, candidate)) editsOf(statement.getSourceFile()).removeStatement(statement);

  for (const naming of files) {
    const namingEdits = editsOf(naming);
    const before = namingEdits.size;
    // Notifications about a record's resource name it with the record's id.
    for (const literal of naming.getDescendantsOfKind(SyntaxKind.StringLiteral)) {
      const property = literal.getParent();
      if (!Node.isPropertyAssignment(property) || property.getName() !== 'uri' || property.getInitializer() !== literal) continue;
      if (!uris.includes(literal.getLiteralText()) || skip.some((s) => contains(s, literal)) || !enclosingFunction(literal)) continue;
      if (isPrefix(literal.getLiteralText())) continue;
      namingEdits.replaceNode(literal, `${names.scope}.uriOf(${literal.getText()})`);
    }
    // URIs a tool builds for an item (`research://screenshots/${index}`, alone or told in a sentence) too.
    for (const template of naming.getDescendantsOfKind(SyntaxKind.TemplateExpression)) {
      if (skip.some((s) => contains(s, template)) || !enclosingFunction(template) || template.getFirstAncestorByKind(SyntaxKind.TemplateExpression)) continue;
      keyItemUris(template, uris.filter(isPrefix), names.scope, namingEdits);
    }
    if (naming !== file && namingEdits.size > before) readers.add(naming);
  }
  return { uris: [...new Set(uris)], unlinked, removed, readers: [...readers] };
}

/**
 * Whether code reaches the record: it names the state, or calls a function of the state's module that does
 * (`getScreenshots()` imported from the module that keeps the screenshots).
 */
function reachesRecord(refs: readonly Node[], files: readonly SourceFile[] = []): (node: Node) => boolean {
  const reaching = new Set<Node>();
  const holderOf = (node: Node) => node.getFirstAncestor((a) => (Node.isFunctionDeclaration(a) && a.getParent() === node.getSourceFile()) || Node.isMethodDeclaration(a));
  for (const ref of refs) {
    // A module function, or a method of the class whose fields the record holds (`this.ensureClient()`).
    const fn = holderOf(ref);
    if (fn) reaching.add(fn);
  }
  const callsReaching = (node: Node) =>
    node.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => {
      const callee = call.getExpression();
      // `this.ensureClient()`, or a method of the one instance the tools share (`connectionManager.getDb()`).
      if (Node.isPropertyAccessExpression(callee)) {
        return (callee.getNameNode().getSymbol()?.getDeclarations() ?? []).some((declaration) => reaching.has(declaration));
      }
      if (!Node.isIdentifier(callee)) return false;
      return declarationsThroughImport(callee).some((declaration) => reaching.has(declaration));
    });
  // Through the methods and functions that call those (`mysqlServer.listResources()` calling `this.api.listResources()`).
  const holders = files.flatMap((file) => [...file.getFunctions(), ...file.getClasses().flatMap((cls) => cls.getMethods())]);
  const nameOf = (holder: Node) => (holder as Node & { getName(): string | undefined }).getName();
  for (let round = 0, grew = true; grew && round < 4; round++) {
    grew = false;
    // Resolving calls is slow: only holders whose text names a reaching function are looked at.
    const names = [...reaching].map(nameOf).filter((name): name is string => name !== undefined);
    for (const holder of holders) {
      if (reaching.has(holder)) continue;
      const text = holder.getText();
      if (!names.some((name) => text.includes(name)) || !callsReaching(holder)) continue;
      reaching.add(holder);
      grew = true;
    }
  }
  return (node) => refs.some((ref) => contains(node, ref)) || callsReaching(node);
}

/**
 * Calls of a helper that only announces a changed resource list (`notifyScreenshotUpdate(server)`), made where
 * a tool adds an item the list no longer shows: the call goes, and the helper's import when nothing else uses
 * it, or the helper itself when it is a function of that module nothing else calls or exports.
 */
function removeNotifierCalls(creators: readonly FunctionLike[], editsOf: (file: SourceFile) => TextEdits): void {
  const byFile = new Map<SourceFile, Array<{ statement: Statement; name: string; helper: Node }>>();
  for (const call of notifierStatements(creators, 'resource')) {
    const file = call.statement.getSourceFile();
    byFile.set(file, [...(byFile.get(file) ?? []), call]);
  }
  for (const [file, calls] of byFile) {
    const edits = editsOf(file);
    for (const { statement } of calls) edits.removeStatement(statement);
    const removed = calls.map((c) => c.statement);
    for (const { name, helper } of new Map(calls.map((c) => [c.name, c])).values()) {
      if (helper.getSourceFile() !== file) dropImportIfUnused(edits, file, name, removed);
      else if (!usedOutside(file, name, [...removed, helper]) && !isExported(declarationStatement(helper))) edits.removeDeclaration(declarationStatement(helper));
    }
  }
}

/** The statement that declares a function: the function itself, or the `const` holding an arrow. */
function declarationStatement(declaration: Node): Node {
  return Node.isVariableDeclaration(declaration) ? (declaration.getVariableStatement() ?? declaration) : declaration;
}

/**
 * `resources/list_changed` sent where a tool adds to a field that resources read, in a class whose instance the
 * record holds (`screenshotTool: ScreenshotTool`).
 */
function fieldCreatorNotifications(model: ServerModel, candidate: ScopeCandidate): Node[] {
  const classes = new Set(candidate.members.flatMap((m) => (m.kind === 'variable' ? [m.declaration.getTypeNode()?.getText()] : [])).filter((t): t is string => !!t));
  const creators: FunctionLike[] = [];
  for (const state of model.states) {
    if (state.kind !== 'class-field' || !state.ownerClass || !Node.isClassDeclaration(state.ownerClass)) continue;
    if (!classes.has(state.ownerClass.getName() ?? '')) continue;
    if (!state.accesses.some((a) => a.byOther.some((label) => RESOURCE_READERS.has(label)))) continue;
    for (const access of state.accesses) {
      if (access.mode !== 'write' || !access.by.some((r) => r.kind === 'tool')) continue;
      const fn = enclosingFunction(access.node);
      if (fn) creators.push(fn);
    }
  }
  return listChangedStatements(creators, 'resource');
}

/** The URIs a read handler serves from the record: one `if` per URI (`uri === "…"`, `uri.startsWith("…")`). */
function readBranches(handler: FunctionLike, touches: (node: Node) => boolean): string[] | string {
  const body = handler.getBody();
  if (!body || !Node.isBlock(body)) return 'the resources/read handler is not written as a block';
  const uris: string[] = [];
  for (const statement of body.getStatements()) {
    if (!touches(statement)) continue;
    // `if (uri === a) … else if (uri === b) …`: each branch of the chain that reads the state names its URI.
    for (let branch: Node | undefined = statement; branch; ) {
      if (!Node.isIfStatement(branch)) {
        return 'the resources/read handler reads the state outside a branch for one URI; serve it from a resource template keyed by the handle by hand';
      }
      const next: Node | undefined = branch.getElseStatement();
      if (touches(branch.getThenStatement())) {
        const uri = uriTest(branch.getExpression());
        if (!uri) return `the resources/read branch \`${branch.getExpression().getText()}\` does not name one URI or URI prefix; serve it from a resource template keyed by the handle by hand`;
        uris.push(uri);
      }
      branch = next && touches(next) ? next : undefined;
    }
  }
  return uris;
}

/** `uri === "console://logs"` → the URI; `uri.startsWith("screenshot://")` → the prefix. */
function uriTest(condition: Expression): string | undefined {
  if (Node.isBinaryExpression(condition) && ['===', '=='].includes(condition.getOperatorToken().getText())) {
    const value = stringValue(condition.getRight()) ?? stringValue(condition.getLeft());
    return value && /^[A-Za-z][\w+.-]*:\/\/./.test(value) ? value : undefined;
  }
  if (Node.isCallExpression(condition)) {
    const callee = condition.getExpression();
    const value = stringValue(condition.getArguments()[0]);
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'startsWith' && value && isPrefix(value)) return value;
  }
  return undefined;
}

/** Entries of resources/list the record serves go; they come back as templates keyed by the id. */
function listEdits(
  file: SourceFile,
  handler: FunctionLike,
  uris: readonly string[],
  names: ResourceNames,
  touches: (node: Node) => boolean,
  edits: TextEdits,
): { templates: string[]; mappings: Mapping[]; removed: Node[] } | string {
  const listed = listedArray(handler, touches);
  if (!listed) {
    return handler && touches(handler) ? 'resources/list is not a literal array of entries; serve the state from a resource template keyed by the handle by hand' : { templates: [], mappings: [], removed: [] };
  }
  const { array: init, guards } = listed;
  const { mappings } = derivedMappings(handler);
  // `if (!session) return { resources: [] }`: with the record's entries gone the list no longer depends on it.
  const removed: Node[] = [...guards];
  for (const guard of guards) edits.removeStatement(guard);
  const templates: string[] = [];
  const used: Mapping[] = [];
  for (const element of init.getElements()) {
    if (Node.isObjectLiteralExpression(element)) {
      const uri = stringValue(propertyText(element, 'uri'));
      if (uri && served(uris, uri)) {
        removed.push(element);
        templates.push(templateEntry(file, keyed(uri, names.idParam), element, []));
      } else if (touches(element)) return 'a resources/list entry reads the state; serve it from a resource template keyed by the handle by hand';
      continue;
    }
    const mapping = mappings.find((m) => m.element === element) ?? looseMapping(element);
    const template = mapping && uriTemplateOf(propertyText(mapping.entry, 'uri'), mapping.param);
    if (mapping && template && served(uris, template.slice(0, template.indexOf('{')))) {
      removed.push(element);
      // Positional items are added where tools announce a changed list: those announcements go with the list.
      if (mappings.includes(mapping) || positional.has(mapping) || reached.has(mapping)) used.push(mapping);
      templates.push(templateEntry(file, keyed(template, names.idParam), mapping.entry, callbackParams(mapping)));
    } else if (touches(element)) return `the resources/list entry \`${element.getText().split('\n')[0]}\` is built from the state in a way this cannot key by the handle; serve it from a resource template by hand`;
  }
  removeElements(init, removed.filter((node) => !guards.includes(node)), edits);
  return { templates, mappings: used, removed };
}

/**
 * `...getScreenshots().map((name) => ({ uri: … }))`: the entry a spread maps each item to, whatever the source.
 * Also `...results.map((r, i) => r.path ? { uri: `…/${i}` } : undefined).filter(…)`: an entry keyed by the item's
 * position, given only for some items (the template serves whichever exist).
 */
function looseMapping(element: Node): Mapping | undefined {
  if (!Node.isSpreadElement(element)) return undefined;
  let call: Node = element.getExpression();
  while (Node.isCallExpression(call) && Node.isPropertyAccessExpression(call.getExpression()) && (call.getExpression() as PropertyAccessExpression).getName() === 'filter') {
    call = (call.getExpression() as PropertyAccessExpression).getExpression();
  }
  if (!Node.isCallExpression(call)) return undefined;
  const callee = call.getExpression();
  const callback = call.getArguments()[0];
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'map' || !callback || !(Node.isArrowFunction(callback) || Node.isFunctionExpression(callback))) return undefined;
  const params = callback.getParameters();
  if (params.length === 0 || params.length > 2 || !params.every((p) => Node.isIdentifier(p.getNameNode()))) return undefined;
  const entry = returnedObject(callback) ?? conditionalEntry(callback);
  if (!entry) return undefined;
  // The URI names the item or its position: that parameter is the template's variable.
  const param = params.map((p) => p.getName()).find((name) => uriTemplateOf(propertyText(entry, 'uri'), name) !== undefined) ?? params[0]!.getName();
  const held = heldCollection(callee.getExpression());
  const mapping: Mapping = held
    ? { element, collection: held.name, collectionRoot: callee.getExpression(), view: held.view, param, entry }
    : { element, collection: callee.getExpression().getText(), collectionRoot: callee.getExpression(), view: 'values', param, entry };
  if (held) reached.add(mapping);
  if (param !== params[0]!.getName()) positional.add(mapping);
  callbackNames.set(mapping, params.map((p) => p.getName()));
  return mapping;
}

/** Mappings whose collection was found behind a getter: the tools that add to it can link what they add. */
const reached = new WeakSet<Mapping>();

/**
 * `Array.from(getScreenshots().keys())`: the module collection a getter hands out (`return screenshots;`),
 * and which part of it the list maps.
 */
function heldCollection(source: Node): { name: string; view: 'keys' | 'values' } | undefined {
  let node = source;
  if (Node.isCallExpression(node) && node.getExpression().getText() === 'Array.from' && node.getArguments().length === 1) node = node.getArguments()[0]!;
  let view: 'keys' | 'values' = 'values';
  if (Node.isCallExpression(node) && Node.isPropertyAccessExpression(node.getExpression()) && node.getArguments().length === 0) {
    const part = (node.getExpression() as PropertyAccessExpression).getName();
    if (part !== 'keys' && part !== 'values') return undefined;
    view = part;
    node = (node.getExpression() as PropertyAccessExpression).getExpression();
  }
  if (!Node.isCallExpression(node) || node.getArguments().length > 0 || !Node.isIdentifier(node.getExpression())) return undefined;
  const getter = declarationsThroughImport(node.getExpression())[0];
  if (!getter || !Node.isFunctionDeclaration(getter)) return undefined;
  const statements = getter.getBody() && Node.isBlock(getter.getBody()!) ? (getter.getBody() as Block).getStatements() : [];
  const returned = statements.length === 1 && Node.isReturnStatement(statements[0]) ? statements[0].getExpression() : undefined;
  return returned && Node.isIdentifier(returned) ? { name: returned.getText(), view } : undefined;
}

/** Mappings keyed by an item's position: what a tool adds has no position the link could name. */
const positional = new WeakSet<Mapping>();
/** Every parameter of a mapping's callback: template fields must not use any of them. */
const callbackNames = new WeakMap<Mapping, string[]>();

function callbackParams(mapping: Mapping): string[] {
  return callbackNames.get(mapping) ?? [mapping.param];
}

/**
 * In a template literal, each served prefix directly followed by a substitution (`…at research://snapshots/${i}`)
 * becomes the record's URI for it: the whole literal when it is just the URI, else that part of it.
 */
function keyItemUris(template: TemplateExpression, prefixes: readonly string[], scope: string, edits: TextEdits): void {
  const spans = template.getTemplateSpans();
  if (spans.length === 1 && prefixes.includes(template.getHead().getLiteralText()) && spans[0]!.getLiteral().getLiteralText() === '') {
    edits.replaceNode(template, `${scope}.uriOf(${template.getText()})`);
    return;
  }
  const parts = [template.getHead(), ...spans.map((span) => span.getLiteral())];
  spans.forEach((span, index) => {
    const before = parts[index]!;
    const raw = before.getText();
    // The literal part's source ends with `${`; the URI's fixed part ends right before it.
    const prefix = prefixes.find((candidate) => raw.endsWith(`${candidate}\${`) && /^[A-Za-z]/.test(candidate));
    if (!prefix) return;
    const start = before.getEnd() - 2 - prefix.length;
    const expression = span.getExpression();
    edits.replace(start, expression.getEnd() + 1, `\${${scope}.uriOf(\`${prefix}\${${expression.getText()}}\`)}`);
  });
}

/**
 * `const responseContent = [];` … `responseContent.push(…)` … `return { content: responseContent }`: the local
 * array a function builds its result's content in, when it returns it after `statement`.
 */
function contentBuiltIn(statement: Node, fn: FunctionLike): string | undefined {
  for (const returned of fn.getDescendantsOfKind(SyntaxKind.ReturnStatement)) {
    if (enclosingFunction(returned) !== fn || returned.getStart() < statement.getEnd()) continue;
    let expression: Node | undefined = returned.getExpression();
    while (expression && (Node.isParenthesizedExpression(expression) || Node.isAsExpression(expression))) expression = expression.getExpression();
    const content = expression && Node.isObjectLiteralExpression(expression) ? propertyText(expression, 'content') : undefined;
    if (!content || !Node.isIdentifier(content)) continue;
    const declaration = content.getSymbol()?.getDeclarations()[0];
    const initial = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
    // Declared in this function before `statement`, as an array it adds to.
    if (initial && Node.isArrayLiteralExpression(initial) && enclosingFunction(declaration!) === fn && declaration!.getStart() < statement.getStart()) return content.getText();
  }
  return undefined;
}

/** The functions that call a named helper (`addResult(…)` from the tools' dispatcher). */
function callersOf(fn: FunctionLike): FunctionLike[] {
  if (!Node.isFunctionDeclaration(fn) || !fn.getName()) return [];
  return fn
    .findReferencesAsNodes()
    .flatMap((ref) => {
      const call = ref.getParent();
      return call && Node.isCallExpression(call) && call.getExpression() === ref ? [enclosingFunction(call)] : [];
    })
    .filter((caller): caller is FunctionLike => caller !== undefined && caller !== fn);
}

/** `(r) => r.path ? { … } : undefined`: the entry given for the items that have one. */
function conditionalEntry(callback: FunctionLike): ObjectLiteralExpression | undefined {
  let body: Node | undefined = callback.getBody();
  while (body && Node.isParenthesizedExpression(body)) body = body.getExpression();
  if (!body || !Node.isConditionalExpression(body)) return undefined;
  const branches = [body.getWhenTrue(), body.getWhenFalse()].map((branch) => {
    let node: Node = branch;
    while (Node.isParenthesizedExpression(node) || Node.isAsExpression(node)) node = node.getExpression();
    return node;
  });
  const entries = branches.filter(Node.isObjectLiteralExpression);
  const empty = branches.filter((b) => ['undefined', 'null'].includes(b.getText()));
  return entries.length === 1 && empty.length === 1 ? entries[0] : undefined;
}

/**
 * The array `resources/list` returns, also through a local (`const resources = […]; return { resources }`), and
 * the guards that return an empty list while the state is unset.
 */
function listedArray(handler: FunctionLike, touches: (node: Node) => boolean): { array: ArrayLiteralExpression; guards: Node[] } | undefined {
  const body = handler.getBody();
  if (!body || !Node.isBlock(body)) {
    const array = returnedObject(handler) && propertyText(returnedObject(handler)!, 'resources');
    return array && Node.isArrayLiteralExpression(array) ? { array, guards: [] } : undefined;
  }
  const returns = body.getDescendantsOfKind(SyntaxKind.ReturnStatement).filter((r) => enclosingFunction(r) === handler);
  const guards: Node[] = [];
  let result: ObjectLiteralExpression | undefined;
  for (const statement of returns) {
    const object = statement.getExpression();
    if (!object || !Node.isObjectLiteralExpression(object)) return undefined;
    const listed = propertyText(object, 'resources');
    const guard = statement.getFirstAncestorByKind(SyntaxKind.IfStatement);
    if (listed && Node.isArrayLiteralExpression(listed) && listed.getElements().length === 0 && guard && guard.getParent() === body && touches(guard.getExpression()) && !guard.getElseStatement()) {
      guards.push(guard);
      continue;
    }
    if (result) return undefined;
    result = object;
  }
  if (!result) return undefined;
  const property = result.getProperty('resources');
  let value: Node | undefined = property && Node.isShorthandPropertyAssignment(property) ? property.getNameNode() : result && propertyText(result, 'resources');
  if (value && Node.isIdentifier(value)) {
    // A `const` of the handler's own body, never reassigned.
    const name = value.getText();
    const declaration = body.getVariableStatements().flatMap((statement) => (statement.getDeclarationKind() === 'const' ? statement.getDeclarations() : [])).find((d) => d.getName() === name);
    value = declaration?.getInitializer();
  }
  while (value && (Node.isAsExpression(value) || Node.isSatisfiesExpression(value) || Node.isParenthesizedExpression(value))) value = value.getExpression();
  return value && Node.isArrayLiteralExpression(value) ? { array: value, guards } : undefined;
}

/** A template entry from a list entry: its name (the fixed part of a computed one), mime type and description. */
function templateEntry(file: SourceFile, uriTemplate: string, entry: ObjectLiteralExpression, params: readonly string[]): string {
  const parts = [`uriTemplate: ${quote(file, uriTemplate)}`];
  const name = propertyText(entry, 'name');
  const title = name && Node.isTemplateExpression(name) ? name.getHead().getLiteralText().replace(/[\s:–-]+$/, '') : stringValue(name);
  parts.push(`name: ${title ? quote(file, title) : name && params.length === 0 ? name.getText() : quote(file, uriTemplate.split(':')[0]!)}`);
  for (const field of ['mimeType', 'description']) {
    const expression = propertyText(entry, field);
    const usesItem = expression && [expression, ...expression.getDescendantsOfKind(SyntaxKind.Identifier)].some((id) => Node.isIdentifier(id) && params.includes(id.getText()));
    if (expression && !usesItem) parts.push(`${field}: ${expression.getText()}`);
  }
  return `{ ${parts.join(', ')} }`;
}

/** Remove elements from an array literal with their commas (all of them: the array is left empty). */
function removeElements(array: ArrayLiteralExpression, removed: readonly Node[], edits: TextEdits): void {
  if (removed.length === 0) return;
  const elements = array.getElements();
  if (removed.length === elements.length) {
    edits.replace(array.getStart() + 1, array.getEnd() - 1, '');
    return;
  }
  const lastKept = [...elements].reverse().find((e) => !removed.includes(e))!;
  const trailing = elements.slice(elements.indexOf(lastKept) + 1);
  if (trailing.length > 0) edits.replace(lastKept.getEnd(), trailing.at(-1)!.getEnd(), '');
  for (const element of removed) {
    if (trailing.includes(element as Expression)) continue;
    const next = elements[elements.indexOf(element as Expression) + 1]!;
    edits.replace(element.getStart(), next.getStart(), '');
  }
}

/** The templates go into the file's resources/templates/list handler, or one added after resources/list. */
function addTemplates(file: SourceFile, handlers: ServerModel['requestHandlers'], listCall: CallExpression, templates: readonly string[], edits: TextEdits): string | undefined {
  const existing = handlers.find((h) => h.method === 'resources/templates/list');
  if (existing) {
    const result = existing.handler && returnedObject(existing.handler);
    const array = result && propertyText(result, 'resourceTemplates');
    if (!array || !Node.isArrayLiteralExpression(array)) return 'resources/templates/list is not a literal array; add the templates keyed by the handle by hand';
    appendTo(file, array, templates.join(', '), edits);
    return undefined;
  }
  const statement = listCall.getFirstAncestor((a) => Node.isExpressionStatement(a));
  if (!statement || !Node.isExpressionStatement(statement)) return 'the resources/list registration is not a statement of its own';
  const unit = indentUnit(file);
  let method = quote(file, 'resources/templates/list');
  const listSchema = listCall.getArguments()[0]!;
  if (!stringValue(listSchema)) {
    method = requestSchemaFor('resources/templates/list')!;
    addImport(file, importedFrom(file, listSchema.getText()) ?? V1_TYPES_MODULE, method, edits);
  }
  const receiver = (listCall.getExpression() as Node).asKind(SyntaxKind.PropertyAccessExpression)?.getExpression().getText() ?? 'server';
  const lines = templates.map((t) => `${unit}${unit}${t},`);
  const body = `${receiver}.setRequestHandler(${method}, async () => ({\n${unit}resourceTemplates: [\n${lines.join('\n')}\n${unit}],\n}));`;
  const splice = insertAfter(file, statement, body);
  edits.replace(splice.start, splice.end, splice.text);
  return undefined;
}

function appendTo(file: SourceFile, array: ArrayLiteralExpression, member: string, edits: TextEdits): void {
  const elements = array.getElements();
  const last = elements.at(-1);
  if (!last) {
    edits.replace(array.getStart() + 1, array.getEnd() - 1, member);
    return;
  }
  const between = file.getFullText().slice(last.getEnd(), array.getEnd() - 1);
  const multiline = array.getText().includes('\n');
  if (!multiline) {
    edits.insert(last.getEnd(), `, ${member}`);
    return;
  }
  const lineStart = file.getFullText().lastIndexOf('\n', last.getStart()) + 1;
  const indent = /^[ \t]*/.exec(file.getFullText().slice(lineStart))![0];
  const comma = between.trimStart().startsWith(',');
  const at = comma ? last.getEnd() + between.indexOf(',') + 1 : last.getEnd();
  edits.insert(at, `${comma ? '' : ','}\n${indent}${member}${comma ? ',' : ''}`);
}

/** The link a tool returns to the item it added: the list entry's fields, its URI keyed by the running record. */
function linkOf(file: SourceFile, mapping: Mapping, addition: { key?: Node; value: Node }, names: ResourceNames, resourceLinks: boolean): string | undefined {
  const value = mapping.view === 'keys' ? addition.key : addition.value;
  const uri = propertyText(mapping.entry, 'uri');
  if (!value || !uri) return undefined;
  // Inside `${…}` the value needs no parentheses of its own.
  const put = (node: Node) => substitute(node, mapping.param, value).split(`\${(${value.getText()})}`).join(`\${${value.getText()}}`);
  const fields: Array<[string, string]> = [['uri', `${names.scope}.uriOf(${put(uri)})`]];
  for (const name of ['name', 'mimeType', 'description']) {
    const expression = fieldOf(mapping.entry, name);
    if (expression) fields.push([name, put(expression)]);
    // A link needs a name: the item's URI, as the list entry would have shown it.
    else if (name === 'name') fields.push(['name', put(uri)]);
  }
  return linkItem({ file, resourceLinks }, fields);
}

/** A property's value, also when written shorthand (`{ name }` gives the identifier `name`). */
function fieldOf(entry: ObjectLiteralExpression, name: string): Node | undefined {
  const property = entry.getProperty(name);
  if (property && Node.isShorthandPropertyAssignment(property)) return property.getNameNode();
  return propertyText(entry, name);
}

/** `resource(name, uri | template, …, read)` / `registerResource(…)`: the URI becomes a template keyed by the id. */
function registrationEdits(file: SourceFile, call: CallExpression, names: ResourceNames, edits: TextEdits, template: () => string): { uri: string; removed: Node[] } | string {
  const fast = fastResourceEdits(call, names, edits);
  if (fast !== undefined) return fast;
  const args = call.getArguments();
  const target = args[1];
  const callback = args.at(-1);
  if (!target || !callback || args.length < 3) return `the resource registration \`${call.getText().split('\n')[0]}\` is not one this can read`;
  const fixed = fixedUri(target);
  if (fixed !== undefined) {
    if (!hasScheme(fixed)) return unkeyable(fixed);
    edits.replaceNode(target, `new ${template()}(${quote(file, keyed(fixed, names.idParam))}, { list: undefined })`);
    wrap(edits, callback, `${names.scope}.resource(`);
    return { uri: fixed, removed: [] };
  }
  if (!Node.isNewExpression(target) || !/ResourceTemplate$/.test(target.getExpression().getText())) return `the resource registration's URI \`${target.getText()}\` is not a literal or a ResourceTemplate`;
  const [pattern, callbacks] = target.getArguments();
  const text = stringValue(pattern);
  const prefix = text?.slice(0, text.indexOf('{') >>> 0);
  if (!pattern || !text || !prefix || !isPrefix(prefix)) return `the resource template ${pattern?.getText() ?? ''} does not start with a fixed scheme:// part to key by the handle`;
  edits.replaceNode(pattern, quote(file, keyed(text, names.idParam)));
  const list = callbacks && Node.isObjectLiteralExpression(callbacks) ? callbacks.getProperty('list') : undefined;
  if (list && Node.isPropertyAssignment(list)) edits.replaceNode(list.getInitializer()!, 'undefined');
  else if (list) return 'the resource template lists its resources in a way this cannot remove';
  wrap(edits, callback, `${names.scope}.resourceTemplate(`);
  return { uri: prefix, removed: list && Node.isPropertyAssignment(list) ? [list.getInitializer()!] : [] };
}

/**
 * FastMCP's `addResource({ uri, load, … })` with a fixed URI: `addResourceTemplate(scope.fastResource({ … }))`, the
 * object as written (see templates/handle-scope). Undefined when the call is not FastMCP's.
 */
function fastResourceEdits(call: CallExpression, names: ResourceNames, edits: TextEdits): { uri: string; removed: Node[] } | string | undefined {
  const callee = call.getExpression();
  const [resource, ...others] = call.getArguments();
  if (!Node.isPropertyAccessExpression(callee) || !resource || !Node.isObjectLiteralExpression(resource) || others.length > 0) return undefined;
  if (callee.getName() === 'addResourceTemplate') return 'the FastMCP resource template is read through its own arguments; add the id to them by hand';
  if (callee.getName() !== 'addResource') return undefined;
  const uri = fieldOf(resource, 'uri');
  const fixed = uri && fixedUri(uri);
  if (fixed === undefined) return `the FastMCP resource's uri \`${uri?.getText() ?? '(none)'}\` is not a literal`;
  if (!hasScheme(fixed)) return unkeyable(fixed);
  edits.replaceNode(callee.getNameNode(), 'addResourceTemplate');
  wrap(edits, resource, `${names.scope}.fastResource(`);
  return { uri: fixed, removed: [] };
}

/** A resource's URI written in place or kept in a constant, here or imported (`SCHEMA_OVERVIEW_URI`). */
function fixedUri(node: Node): string | undefined {
  return stringValue(node) ?? constantString(node, (id) => declarationsThroughImport(id)[0]);
}

/** Whether a URI names a scheme the handle can be keyed under (`scheme://…`). */
function hasScheme(uri: string): boolean {
  return /^[A-Za-z][\w+.-]*:\/\/./.test(uri);
}

function unkeyable(uri: string): string {
  return `the resource ${uri} has no scheme to key by the handle; serve it from a resource template by hand`;
}

function wrap(edits: TextEdits, node: Node, open: string): void {
  edits.insert(node.getStart(), open);
  edits.insert(node.getEnd(), ')');
}

/** A name imported from the module another name comes from (`ResourceTemplate` beside `McpServer`), added if missing. */
function importedName(file: SourceFile, name: string, beside: string, edits: TextEdits): string {
  const local = file.getImportDeclarations().flatMap((d) => d.getNamedImports()).find((n) => n.getName() === name);
  if (local) return local.getAliasNode()?.getText() ?? name;
  const module = importedFrom(file, beside);
  if (module) addImport(file, module, name, edits);
  return name;
}

/** Add a named import the way the file writes its imports (layout kept). */
function addImport(file: SourceFile, module: string, name: string, edits: TextEdits): void {
  const splice = importSplice(file, module, name);
  if (splice) edits.replace(splice.start, splice.end, splice.text);
}

/**
 * The references, inside the functions it is handed to, of the parameter an object comes in as:
 * `registerResources(server, browserManager)` → each `browser` in `registerResources(server, browser)`.
 */
function handedParameterReferences(instance: Pick<FactoryInstance, 'declaration' | 'name'>): Node[] {
  const references = holderReferences(instance);
  const out: Node[] = [];
  for (const reference of references) {
    const call = reference.getParent();
    if (!call || !Node.isCallExpression(call)) continue;
    const index = call.getArguments().indexOf(reference as never);
    const callee = call.getExpression();
    if (index < 0 || !Node.isIdentifier(callee)) continue;
    const declaration = declarationsThroughImport(callee)[0];
    const fn = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : declaration;
    if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) continue;
    const parameter = fn.getParameters()[index];
    if (parameter && Node.isIdentifier(parameter.getNameNode())) out.push(...referencesTo(parameter));
  }
  return out;
}
