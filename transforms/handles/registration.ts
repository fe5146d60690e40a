import {
  Node,
  type ArrowFunction,
  type CallExpression,
  type Expression,
  type FunctionExpression,
  type MethodDeclaration,
  type ObjectLiteralExpression,
  type ParameterDeclaration,
} from 'ts-morph';
import { isStringExpression, literalText, unwrap } from '../../src/analysis/syntax.js';
import { propertyNamed } from './layout.js';

/** A tool handler written inline (the only kind the handle rewrites edit). */
export type InlineHandler = ArrowFunction | FunctionExpression | MethodDeclaration;

/** Keys that only tool annotations have: tell `tool(name, annotations, cb)` from `tool(name, shape, cb)`. */
const ANNOTATION_KEYS = new Set(['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

/**
 * One tool registration, in either SDK form or FastMCP's:
 * - `server.tool(name, description?, shape?, annotations?, handler)` (v1);
 * - `server.registerTool(name, { description, inputSchema, outputSchema, … }, handler)` (v1 and v2);
 * - `server.addTool({ name, description, parameters, execute: async (args, context) => … })` (FastMCP).
 */
export interface ToolCall {
  call: CallExpression;
  method: 'tool' | 'registerTool' | 'addTool';
  name: string;
  /** The description node (a string or template literal), when the tool has one. */
  description: Expression | undefined;
  /** `registerTool`'s config object. */
  config: ObjectLiteralExpression | undefined;
  /** The input schema: a raw shape object literal, a `z.object({…})` call, or another expression. */
  schema: Expression | undefined;
  /** `tool(…)`'s annotations argument. */
  annotations: ObjectLiteralExpression | undefined;
  handler: InlineHandler | undefined;
  /** The parsed-arguments parameter (only when the tool has an input schema). */
  args: ParameterDeclaration | undefined;
  /** The request-context parameter (`extra` on v1, `ctx` on v2). */
  context: ParameterDeclaration | undefined;
}

/** A tool whose handler is written inline: the only kind the handle rewrites edit. */
export type EditableTool = ToolCall & { handler: InlineHandler };

/** Read a registration call; undefined when it is not a tool registration with a literal name. */
export function readToolCall(call: CallExpression): ToolCall | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.getName();
  if (method === 'addTool') return readObjectToolCall(call);
  if (method !== 'tool' && method !== 'registerTool') return undefined;
  const args = call.getArguments() as Expression[];
  const name = literalText(args[0]);
  if (name === undefined) return undefined;
  const last = args[args.length - 1];
  const handlerNode = last && unwrap(last);
  const handler = handlerNode && (Node.isArrowFunction(handlerNode) || Node.isFunctionExpression(handlerNode)) ? handlerNode : undefined;
  const found: ToolCall = {
    call,
    method,
    name,
    description: undefined,
    config: undefined,
    schema: undefined,
    annotations: undefined,
    handler,
    args: undefined,
    context: undefined,
  };
  if (method === 'registerTool') {
    const config = args[1];
    if (!config || !Node.isObjectLiteralExpression(config)) return undefined;
    found.config = config;
    found.description = initializerOf(propertyNamed(config, 'description'));
    found.schema = initializerOf(propertyNamed(config, 'inputSchema'));
  } else {
    for (const arg of args.slice(1, -1)) {
      if (isStringExpression(arg)) found.description = arg;
      else if (Node.isObjectLiteralExpression(arg) && isAnnotations(arg)) found.annotations = arg;
      else found.schema = arg;
    }
  }
  if (handler) {
    const params = handler.getParameters();
    if (found.schema) {
      found.args = params[0];
      found.context = params[1];
    } else {
      found.context = params[0];
    }
  }
  return found;
}

/** FastMCP's `addTool({ name, description, parameters, execute })`: the handler always takes `(args, context)`. */
function readObjectToolCall(call: CallExpression): ToolCall | undefined {
  const args = call.getArguments();
  const config = args.length === 1 ? unwrap(args[0]!) : undefined;
  if (!config || !Node.isObjectLiteralExpression(config)) return undefined;
  const name = literalText(initializerOf(propertyNamed(config, 'name')));
  if (name === undefined) return undefined;
  // `execute: async (args, context) => …`, or the method `async execute(args, context) { … }`.
  const property = propertyNamed(config, 'execute');
  const execute = property && Node.isMethodDeclaration(property) ? property : initializerOf(property);
  const handlerNode = execute && (Node.isMethodDeclaration(execute) ? execute : unwrap(execute));
  const handler =
    handlerNode && (Node.isArrowFunction(handlerNode) || Node.isFunctionExpression(handlerNode) || Node.isMethodDeclaration(handlerNode)) ? handlerNode : undefined;
  const params = handler?.getParameters() ?? [];
  return {
    call,
    method: 'addTool',
    name,
    description: initializerOf(propertyNamed(config, 'description')),
    config,
    schema: initializerOf(propertyNamed(config, 'parameters')),
    annotations: undefined,
    handler,
    args: params[0],
    context: params[1],
  };
}

function initializerOf(property: Node | undefined): Expression | undefined {
  if (property && Node.isPropertyAssignment(property)) return property.getInitializer();
  return undefined;
}

/** Annotations hold literal hints (`{ title: 'x', readOnlyHint: true }`); a raw shape holds schemas (`{ title: z.string() }`). */
function isAnnotations(object: ObjectLiteralExpression): boolean {
  const properties = object.getProperties();
  return (
    properties.length > 0 &&
    properties.every((p) => {
      if (!Node.isPropertyAssignment(p) || !ANNOTATION_KEYS.has(p.getName())) return false;
      const value = p.getInitializer();
      return value !== undefined && (literalText(value) !== undefined || ['true', 'false'].includes(value.getText()));
    })
  );
}

/** The object literal holding a schema's fields: the raw shape itself, or the argument of `z.object({…})`. */
export function shapeLiteral(schema: Expression | undefined): ObjectLiteralExpression | undefined {
  if (!schema) return undefined;
  if (Node.isObjectLiteralExpression(schema)) return schema;
  if (Node.isCallExpression(schema)) {
    const callee = schema.getExpression();
    const arg = schema.getArguments()[0];
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'object' && arg && Node.isObjectLiteralExpression(arg)) return arg;
  }
  return undefined;
}

/** Whether a schema is written as a raw shape (`{ a: z.string() }`) rather than `z.object(…)`. */
export function isRawShape(schema: Expression | undefined): boolean {
  return schema !== undefined && Node.isObjectLiteralExpression(schema);
}

/** The registration form tools generated next to this one take. */
export function formOf(tool: ToolCall): 'sdk' | 'fastmcp' {
  return tool.method === 'addTool' ? 'fastmcp' : 'sdk';
}

/** The server expression a registration is called on (`server`, `this.server`), for generated registrations next to it. */
export function receiverOf(tool: ToolCall): string {
  const callee = tool.call.getExpression();
  return Node.isPropertyAccessExpression(callee) ? callee.getExpression().getText() : 'server';
}
