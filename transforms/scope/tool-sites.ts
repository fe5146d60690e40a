/**
 * One model of a tool registration for the record rewrite, whatever way the server declares its tools:
 * `McpServer.registerTool`/`tool` (inline, by name, or in a loop over a table or tool classes) and the
 * low-level `Server` with `tools/list` and `tools/call` request handlers. Every edit happens at the
 * registration call, on the arguments as written: the handler is wrapped (`scope.tool(handler)`), the input
 * schema gains the id (in the literal, or through `scope.inputShape(…)`), and low-level handlers are wrapped
 * whole. The handlers' own code is never restructured.
 */
import { Node, SyntaxKind, type CallExpression, type Expression, type ObjectLiteralExpression, type PropertyAssignment, type ShorthandPropertyAssignment, type SourceFile } from 'ts-morph';
import type { Registration, RequestHandler } from '../../src/analysis/index.js';
import { returnedValues } from '../../src/analysis/functions.js';
import { isStringExpression, literalText, unwrap } from '../../src/analysis/syntax.js';
import type { SdkLine } from '../../src/rules/sdk.js';
import type { TextEdits } from '../handles/edits.js';
import { addProperties, propertyNamed } from '../handles/layout.js';
import { constantString, declarationOf, soleConstantObject } from '../shared/declarations.js';

/** Keys only tool annotations have: tell `tool(name, annotations, cb)` from `tool(name, shape, cb)`. */
const ANNOTATION_KEYS = new Set(['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

/** Names generated code uses. */
export interface ScopeNames {
  /** The scope constant (`browsers`). */
  scope: string;
  idParam: string;
}

/** An `McpServer` registration call, read for editing. */
interface ServerToolCall {
  call: CallExpression;
  method: 'tool' | 'registerTool' | 'addTool';
  nameArg: Expression;
  /** The name, when it is a literal (registrations in loops pass an expression). */
  name: string | undefined;
  handler: Expression;
  /** registerTool's config, when written as an object literal. */
  config: Expression | undefined;
  /** The input schema expression (raw shape, `z.object(…)`, or anything else), when there is one. */
  schema: Expression | undefined;
  /** tool(…)'s annotations argument. */
  annotations: Expression | undefined;
}

function readServerToolCall(call: CallExpression): ServerToolCall | undefined {
  // `(server.registerTool as any)(…)`: a helper that opts out of the SDK's typings still registers a tool.
  const callee = unwrap(call.getExpression());
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.getName();
  if (method === 'addTool') return readFastMcpTool(call);
  if (method !== 'tool' && method !== 'registerTool') return undefined;
  const args = call.getArguments() as Expression[];
  if (args.length < 2) return undefined;
  const nameArg = args[0]!;
  const handler = args[args.length - 1]!;
  const middle = args.slice(1, -1);
  if (method === 'registerTool') {
    const written = middle[0];
    // A config kept in a const only this registration uses is edited where it is written.
    const config = soleConstantObject(written && unwrap(written)) ?? written;
    const literal = config && unwrap(config);
    const schema = literal && Node.isObjectLiteralExpression(literal) ? initializerOf(literal, 'inputSchema') : undefined;
    return { call, method, nameArg, name: literalText(nameArg), handler, config, schema, annotations: undefined };
  }
  const { schema, annotations } = legacyArguments(middle);
  return { call, method, nameArg, name: literalText(nameArg), handler, config: undefined, schema, annotations };
}

/** FastMCP's `server.addTool({ name, parameters?, execute })`: one object holds it all. */
function readFastMcpTool(call: CallExpression): ServerToolCall | undefined {
  const [object] = call.getArguments();
  const config = object && unwrap(object);
  if (!config || !Node.isObjectLiteralExpression(config) || call.getArguments().length !== 1) return undefined;
  const nameArg = initializerOf(config, 'name');
  const handler = initializerOf(config, 'execute');
  if (!nameArg || !handler) return undefined;
  return { call, method: 'addTool', nameArg, name: literalText(nameArg), handler, config, schema: initializerOf(config, 'parameters'), annotations: undefined };
}

function initializerOf(object: ObjectLiteralExpression, key: string): Expression | undefined {
  const property = propertyNamed(object, key);
  if (property && Node.isShorthandPropertyAssignment(property)) return property.getNameNode();
  return property && Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
}

/**
 * A FastMCP tool's `parameters` gain the id; its `execute` stays as written (the server's `addTool` runs it in the
 * record, see `wrapAddTool`), so FastMCP still infers its arguments from `parameters`.
 */
function scopeFastMcpTool(edits: TextEdits, tool: ServerToolCall, names: ScopeNames): void {
  const schema = tool.schema && unwrap(tool.schema);
  const shape = schema && isZodObjectCall(schema) ? unwrap((schema as CallExpression).getArguments()[0]!) : undefined;
  if (shape && Node.isObjectLiteralExpression(shape)) addProperties(edits, shape, [idProperty(names)], true);
  else if (tool.schema) wrapSchema(edits, tool.schema, names, '');
  else addProperties(edits, tool.config as ObjectLiteralExpression, [`parameters: z.object({ ${idProperty(names)} })`]);
}

/**
 * `tool(name, description?, shape?, annotations?, handler)`: which middle argument is which. Literals say it
 * themselves; a table row's `tool.description` / `tool.schema` goes by position, then by its name.
 */
function legacyArguments(middle: readonly Expression[]): { schema: Expression | undefined; annotations: Expression | undefined } {
  const isAnnotations = (arg: Expression) => {
    const inner = unwrap(arg);
    return Node.isObjectLiteralExpression(inner) && inner.getProperties().length > 0 && inner.getProperties().every((p) => Node.isPropertyAssignment(p) && ANNOTATION_KEYS.has(p.getName()));
  };
  const isDescription = (arg: Expression) => {
    const inner = unwrap(arg);
    if (isStringExpression(inner)) return true;
    return !Node.isObjectLiteralExpression(inner) && !Node.isCallExpression(inner) && /desc|summary|title/i.test(inner.getText());
  };
  const rest = middle.length >= 2 || (middle[0] && isDescription(middle[0])) ? middle.slice(middle[0] && isDescription(middle[0]) ? 1 : 0) : [...middle];
  const annotations = rest.length === 2 || (rest.length === 1 && isAnnotations(rest[0]!)) ? rest.at(-1) : undefined;
  const schema = rest.find((arg) => arg !== annotations);
  return { schema, annotations };
}

/**
 * What the scope's definition goes above in `file`: `anchor`, or the first config a registration keeps in a module
 * const when that comes earlier (`const config = { inputSchema: … }`, edited to name the scope, runs when the
 * module loads).
 */
export function definitionAnchor(tools: readonly Registration[], file: SourceFile, anchor: Node): Node {
  const configs = tools
    .filter((registration) => registration.call.getSourceFile() === file)
    .flatMap((registration) => {
      const config = readServerToolCall(registration.call)?.config;
      return config && !registration.call.getArguments().includes(config) ? [config] : [];
    });
  return [anchor, ...configs].sort((a, b) => a.getStart() - b.getStart())[0]!;
}

/** The statement to put the creator and destroyer registrations before: outside any loop over the tools. */
export function registrationStatement(call: CallExpression): Node | undefined {
  let statement: Node | undefined = call;
  for (const ancestor of call.getAncestors()) {
    // Outside loops over the tools and outside the gates some tools are registered behind: the lifecycle tools serve them all.
    if (Node.isIterationStatement(ancestor) || Node.isIfStatement(ancestor)) statement = ancestor;
    else if ((Node.isArrowFunction(ancestor) || Node.isFunctionExpression(ancestor)) && isIterationCallback(ancestor)) statement = ancestor;
    else if (Node.isFunctionDeclaration(ancestor) || Node.isMethodDeclaration(ancestor) || Node.isSourceFile(ancestor)) break;
  }
  let current: Node | undefined = statement;
  while (current && !(current.getParent() && (Node.isBlock(current.getParent()!) || Node.isSourceFile(current.getParent()!)))) current = current.getParent();
  return current;
}

/** A tool's name, also when it is registered by a `const` that holds it (`const name = 'tally'`). */
export function toolNameOf(registration: Registration): string | undefined {
  return registration.name ?? constantString(registration.nameNode, declarationOf);
}

/** Whether a registration is FastMCP's `server.addTool({ … })`. */
export function isFastMcpRegistration(call: CallExpression): boolean {
  return readServerToolCall(call)?.method === 'addTool';
}

/** Whether a registration runs only on some condition in its function (`if (clientSupportsRoots) { … }`). */
export function isGatedRegistration(call: CallExpression): boolean {
  for (const ancestor of call.getAncestors()) {
    if (Node.isIfStatement(ancestor) || Node.isConditionalExpression(ancestor)) return true;
    if (Node.isFunctionLikeDeclaration(ancestor) || Node.isSourceFile(ancestor)) return false;
  }
  return false;
}

function isIterationCallback(fn: Node): boolean {
  const call = fn.getParent();
  if (!call || !Node.isCallExpression(call)) return false;
  const callee = call.getExpression();
  return Node.isPropertyAccessExpression(callee) && ['forEach', 'map', 'flatMap'].includes(callee.getName());
}

/** The id's schema in a zod shape. */
function idProperty(names: ScopeNames): string {
  return `${names.idParam}: z.string().describe(describeHandleParam(${names.scope}.kind))`;
}

/**
 * Make an `McpServer` tool take the record's id and run inside its record. Returns a reason when the
 * registration is written in a way this cannot edit.
 */
export function scopeServerTool(edits: TextEdits, call: CallExpression, names: ScopeNames, sdk: SdkLine | undefined): string | undefined {
  const tool = readServerToolCall(call);
  if (!tool) return `the registration at line ${call.getStartLineNumber()} is not a tool registration this can read`;
  if (tool.method === 'addTool') {
    scopeFastMcpTool(edits, tool, names);
    return undefined;
  }
  const nameHint = tool.name === undefined ? `, ${tool.nameArg.getText()}` : '';
  let withoutArgs = false;
  const schema = tool.schema ? unwrap(tool.schema) : undefined;
  if (schema && Node.isObjectLiteralExpression(schema)) {
    addProperties(edits, schema, [idProperty(names)], true);
  } else if (schema && isZodObjectCall(schema)) {
    const shape = unwrap((schema as CallExpression).getArguments()[0]!);
    if (Node.isObjectLiteralExpression(shape)) addProperties(edits, shape, [idProperty(names)], true);
    else wrapSchema(edits, tool.schema!, names, nameHint);
  } else if (tool.schema) {
    wrapSchema(edits, tool.schema, names, nameHint);
  } else if (tool.method === 'registerTool') {
    const config = tool.config && unwrap(tool.config);
    if (!config || !Node.isObjectLiteralExpression(config)) return `the config of ${tool.name ?? tool.nameArg.getText()} is not written as an object literal`;
    const shape = `{ ${idProperty(names)} }`;
    addProperties(edits, config, [`inputSchema: ${sdk === 'v2' ? `z.object(${shape})` : shape}`]);
    withoutArgs = true;
  } else {
    const before = tool.annotations ?? tool.handler;
    edits.insert(before.getStart(), `{ ${idProperty(names)} }, `);
    withoutArgs = true;
  }
  edits.insert(tool.handler.getStart(), `${names.scope}.${withoutArgs ? 'toolWithoutArgs' : 'tool'}(`);
  edits.insert(tool.handler.getEnd(), `${nameHint})`);
  return undefined;
}

function isZodObjectCall(node: Node): boolean {
  return Node.isCallExpression(node) && /^z\.(?:object|strictObject|looseObject)$/.test(node.getExpression().getText()) && node.getArguments().length === 1;
}

function wrapSchema(edits: TextEdits, schema: Expression, names: ScopeNames, nameHint: string): void {
  // `{ description, inputSchema }`: the shorthand is written out to take the wrapper.
  const shorthand = schema.getParent();
  if (shorthand && Node.isShorthandPropertyAssignment(shorthand)) {
    edits.replaceNode(shorthand, `${shorthand.getName()}: ${names.scope}.inputShape(${shorthand.getName()}, z${nameHint})`);
    return;
  }
  edits.insert(schema.getStart(), `${names.scope}.inputShape(`);
  edits.insert(schema.getEnd(), `, z${nameHint})`);
}

/**
 * Wrap a low-level request handler's function argument: `setRequestHandler(Schema, scope.callHandler(…))`. A
 * `tools/list` handler that returns its tools in object literals gets `tools: scope.listTools(…)` there instead,
 * so the long tool table inside keeps its indentation (a formatter would re-indent all of it inside a wrapper).
 */
export function scopeRequestHandler(edits: TextEdits, call: CallExpression, wrapper: 'callHandler' | 'listHandler', names: ScopeNames): void {
  const handler = call.getArguments().at(-1)!;
  const lists = wrapper === 'listHandler' ? toolLists(unwrap(handler)) : undefined;
  if (lists) {
    for (const list of lists) {
      if (Node.isShorthandPropertyAssignment(list)) edits.replaceNode(list, `tools: ${names.scope}.listTools(tools)`);
      else {
        edits.insert(list.getInitializerOrThrow().getStart(), `${names.scope}.listTools(`);
        edits.insert(list.getInitializerOrThrow().getEnd(), ')');
      }
    }
    return;
  }
  edits.insert(handler.getStart(), `${names.scope}.${wrapper}(`);
  edits.insert(handler.getEnd(), ')');
}

/** The `tools` property of every object a list handler returns, when each of its returns is such an object. */
function toolLists(handler: Node): Array<PropertyAssignment | ShorthandPropertyAssignment> | undefined {
  if (!Node.isArrowFunction(handler) && !Node.isFunctionExpression(handler)) return undefined;
  const returned = returnedValues(handler);
  const found: Array<PropertyAssignment | ShorthandPropertyAssignment> = [];
  for (const value of returned) {
    const object = value && unwrap(value);
    if (!object || !Node.isObjectLiteralExpression(object)) return undefined;
    const tools = object.getProperty('tools');
    if (!tools || !(Node.isPropertyAssignment(tools) || Node.isShorthandPropertyAssignment(tools))) return undefined;
    found.push(tools);
  }
  return found.length > 0 ? found : undefined;
}

/** Whether a registration is a low-level `tools/call` handler (or one of its switch cases). */
export function isLowLevel(registration: Registration): boolean {
  return registration.method === 'setRequestHandler';
}

/** The low-level `tools/list` handler registered on the same server as a `tools/call` handler. */
export function listHandlerFor(registration: Registration, handlers: readonly RequestHandler[]): RequestHandler | undefined {
  const receiver = registration.receiver?.getText();
  return handlers.find(
    (handler) =>
      handler.method === 'tools/list' &&
      handler.call.getExpression().asKind(SyntaxKind.PropertyAccessExpression)?.getExpression().getText() === receiver &&
      handler.call.getSourceFile() === registration.call.getSourceFile(),
  );
}
