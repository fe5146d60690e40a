import { Node, SyntaxKind, type ParameterDeclaration } from 'ts-morph';
import type { SdkLine } from '../../src/rules/sdk.js';
import type { TextEdits } from './edits.js';
import { addAtOpening, addProperties, indentOf, propertyNamed, type Openings } from './layout.js';
import { shapeLiteral, type InlineHandler, type ToolCall } from './registration.js';

/** How generated code inside a handler reaches the handle id and the request context. */
export interface HandlerNames {
  /** Expression for the id: the destructured name, or `args.<id>`. */
  id: string;
  /** Name of the request-context parameter (declared by us when the handler had none). */
  context: string;
}

/** The context parameter's conventional name on each SDK line, and in FastMCP's `execute(args, context)`. */
export function defaultContextName(sdk: SdkLine | undefined, method?: ToolCall['method']): string {
  if (method === 'addTool') return 'context';
  return sdk === 'v2' ? 'ctx' : 'extra';
}

/** Whether the handler's first parameter is the arguments: the tool has a schema, or the form always passes them. */
function takesArgs(tool: ToolCall): boolean {
  return tool.schema !== undefined || tool.method === 'addTool';
}

/**
 * Give a tool a required string parameter (`cart_id`) carrying a handle: in its input schema (first, since it
 * says what the call acts on) and in its handler's parameters. Returns how the handler reaches the id and the
 * request context, or a reason when the schema or handler is written in a way we do not edit.
 */
export function addIdParam(
  edits: TextEdits,
  tool: ToolCall,
  spec: { idParam: string; schema: string; sdk: SdkLine | undefined; openings?: Openings },
): HandlerNames | string {
  const handler = tool.handler;
  if (!handler) return `the handler of ${tool.name} is not written inline`;
  const property = `${spec.idParam}: ${spec.schema}`;
  if (tool.schema) {
    const shape = shapeLiteral(tool.schema);
    if (!shape) return `the input schema of ${tool.name} is not an object literal or z.object({…})`;
    addProperties(edits, shape, [property], true, 0, spec.openings);
  } else if (tool.method === 'addTool' && tool.config) {
    // FastMCP: `parameters: z.object({…})`, written before the handler as FastMCP's own examples do.
    const execute = propertyNamed(tool.config, 'execute');
    if (!execute) return `the handler of ${tool.name} is not written inline`;
    edits.insert(execute.getStart(), `parameters: z.object({ ${property} }),\n${indentOf(execute)}`);
  } else if (tool.config) {
    addProperties(edits, tool.config, [`inputSchema: ${spec.sdk === 'v2' ? `z.object({ ${property} })` : `{ ${property} }`}`]);
  } else {
    // tool(name, description?, shape, annotations?, handler): the shape goes right before annotations or the handler.
    const before = tool.annotations ?? tool.call.getArguments().at(-1)!;
    edits.insert(before.getStart(), `{ ${property} }, `);
  }
  return addHandlerParams(edits, handler, tool, spec.idParam, defaultContextName(spec.sdk, tool.method), spec.openings);
}

function addHandlerParams(edits: TextEdits, handler: InlineHandler, tool: ToolCall, id: string, contextName: string, openings?: Openings): HandlerNames | string {
  const params = handler.getParameters();
  const context = tool.context;
  if (context && !Node.isIdentifier(context.getNameNode())) return `the context parameter of ${tool.name} is destructured`;
  const contextText = context?.getName() ?? contextName;
  if (!takesArgs(tool)) {
    // The handler took only the context; now it takes the arguments first.
    const list = `{ ${id} }, ${contextText}`;
    if (params.length > 0) replaceParamList(edits, handler, params, list);
    else insertIntoEmptyParens(edits, handler, list);
    return { id, context: contextText };
  }
  const args = tool.args;
  if (!args) {
    insertIntoEmptyParens(edits, handler, `{ ${id} }, ${contextText}`);
    return { id, context: contextText };
  }
  const nameNode = args.getNameNode();
  let idExpression = id;
  if (Node.isObjectBindingPattern(nameNode)) {
    const elements = nameNode.getElements();
    if (elements.length > 0) edits.insert(elements[0]!.getStart(), `${id}, `);
    else edits.replaceNode(nameNode, `{ ${id} }`);
  } else if (Node.isIdentifier(nameNode) && openings?.get(nameNode)) {
    // Another state of the plan already destructured these arguments: add this id beside its own.
    addAtOpening(edits, openings.get(nameNode)!, [id]);
  } else if (Node.isIdentifier(nameNode) && nameNode.getText().startsWith('_') && !readsName(handler, nameNode.getText())) {
    // `(_args, context)`: the arguments were unused, so they become the id alone.
    const [start, end] = [nameNode.getStart(), nameNode.getEnd()];
    if (openings && end - start >= 2) {
      // Split at the name's last character, so another state can add its id before the closing brace.
      edits.replace(start, end - 1, `{ ${id}`);
      edits.replace(end - 1, end, ' }');
      openings.record(nameNode, { pos: end - 1, before: ', ', after: '' });
    } else edits.replaceNode(nameNode, `{ ${id} }`);
  } else if (Node.isIdentifier(nameNode)) {
    idExpression = `${nameNode.getText()}.${id}`;
  } else {
    return `the arguments parameter of ${tool.name} is an array pattern`;
  }
  declareIdInAnnotation(edits, args, id);
  if (!context) edits.insert(args.getEnd(), `, ${contextText}`);
  return { id: idExpression, context: contextText };
}

/** Whether a handler's body refers to a name (its parameter list aside). */
function readsName(handler: InlineHandler, name: string): boolean {
  return (handler.getBody()?.getDescendantsOfKind(SyntaxKind.Identifier) ?? []).some((id) => id.getText() === name);
}

/**
 * A handler whose arguments carry a type annotation (`({ sku }: { sku: string }, extra)`, `(args: AddArgs, …)`)
 * must declare the id there too, or reading it does not type-check: a type literal gets the member, any other
 * type is intersected with one.
 */
function declareIdInAnnotation(edits: TextEdits, args: ParameterDeclaration, id: string): void {
  const type = args.getTypeNode();
  if (!type) return;
  const member = `${id}: string`;
  if (Node.isTypeLiteral(type)) {
    const first = type.getMembers()[0];
    if (first) edits.insert(first.getStart(), `${member}; `);
    else edits.replaceNode(type, `{ ${member} }`);
    return;
  }
  const simple = Node.isTypeReference(type) || Node.isIntersectionTypeNode(type);
  edits.replaceNode(type, `${simple ? type.getText() : `(${type.getText()})`} & { ${member} }`);
}

function replaceParamList(edits: TextEdits, handler: InlineHandler, params: ParameterDeclaration[], list: string): void {
  const first = params[0]!;
  const last = params[params.length - 1]!;
  const parenthesized = handler.getFirstChildByKind(SyntaxKind.OpenParenToken) !== undefined;
  edits.replace(first.getStart(), last.getEnd(), parenthesized ? list : `(${list})`);
}

function insertIntoEmptyParens(edits: TextEdits, handler: InlineHandler, list: string): void {
  const open = handler.getFirstChildByKindOrThrow(SyntaxKind.OpenParenToken);
  edits.insert(open.getEnd(), list);
}

/** Make a handler async (generated code awaits the store), once however many states of the plan need it. */
export function ensureAsync(edits: TextEdits, handler: InlineHandler, openings?: Openings): void {
  if (handler.isAsync() || openings?.get(handler)) return;
  edits.insert(handler.getStart(), 'async ');
  openings?.record(handler, { pos: handler.getStart(), before: '', after: '' });
}

/**
 * Make sure a handler declares the request context (creators need it for the principal) and return its name.
 * A handler with a schema but no parameters gets `_args` first.
 */
export function ensureContext(edits: TextEdits, tool: ToolCall, sdk: SdkLine | undefined): string | undefined {
  const handler = tool.handler;
  if (!handler) return undefined;
  if (tool.context) return Node.isIdentifier(tool.context.getNameNode()) ? tool.context.getName() : undefined;
  const name = defaultContextName(sdk, tool.method);
  if (takesArgs(tool)) {
    if (tool.args) edits.insert(tool.args.getEnd(), `, ${name}`);
    else insertIntoEmptyParens(edits, handler, `_args, ${name}`);
  } else {
    insertIntoEmptyParens(edits, handler, name);
  }
  return name;
}
