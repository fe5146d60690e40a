/**
 * Tool, resource and prompt registrations on both SDK lines, low-level `setRequestHandler` handlers, and the
 * tools a low-level `tools/call` handler serves from a `switch`/`if` on the tool name.
 */
import { Node, SyntaxKind, type CallExpression, type ClassDeclaration, type ClassExpression, type Expression, type Identifier, type ObjectLiteralExpression } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import type { FileInfo, FunctionNode, Registration, RequestHandler } from './model.js';
import { resolveFunction, returnedValues } from './functions.js';
import { isStringExpression, literalText, outermostWrapper, unwrap } from './syntax.js';
import {
  CLIENT_NOTIFICATIONS,
  CONTEXT_PARAM_NAMES,
  NOTIFICATION_HANDLER_METHODS,
  OBJECT_REGISTRATION_METHODS,
  REGISTRATION_METHODS,
  REQUEST_HANDLER_METHODS,
  REQUEST_METHODS,
  type ObjectRegistrationShape,
  type RegistrationShape,
  lookup,
} from './vocabulary.js';

/** Annotation keys: an object of only these in a legacy `tool(…)` call is annotations, not a schema. */
const ANNOTATION_KEYS = new Set(['title', 'readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']);

export function findRegistrations(ctx: AnalysisContext): { registrations: Registration[]; requestHandlers: RequestHandler[] } {
  const registrations: Registration[] = [];
  const requestHandlers: RequestHandler[] = [];
  for (const info of ctx.files) {
    for (const call of ctx.nodesOf(info).calls) {
      // `(server.mcpServer.registerTool as (…) => RegisteredTool)(name, config, handler)`: the cast is the same call.
      const callee = unwrap(call.getExpression());
      if (!Node.isPropertyAccessExpression(callee)) continue;
      const method = callee.getName();
      const shape = lookup(REGISTRATION_METHODS, method);
      const objectShape = shape ? undefined : lookup(OBJECT_REGISTRATION_METHODS, method);
      if (objectShape) {
        const receiver = callee.getExpression();
        if (!plausibleServer(info, receiver)) continue;
        const registration = readObjectRegistration(ctx, info, call, method, objectShape, receiver);
        if (registration) registrations.push(registration);
      } else if (shape) {
        const receiver = callee.getExpression();
        if (!plausibleServer(info, receiver)) continue;
        // `for (const tool of TOOLS) server.registerTool(tool.name, tool.config, tool.handler)`: one per table entry.
        const entries = tableEntries(ctx, call.getArguments()) ?? wrapperEntries(call);
        const argumentLists = entries ?? [call.getArguments()];
        for (const args of argumentLists) {
          const registration = readRegistration(ctx, info, call, method, shape, receiver, args);
          if (registration) registrations.push(registration);
        }
      } else if (REQUEST_HANDLER_METHODS.includes(method) || NOTIFICATION_HANDLER_METHODS.includes(method)) {
        readRequestHandler(ctx, info, call, method, registrations, requestHandlers);
      }
    }
  }
  return { registrations, requestHandlers };
}

/** Whether a receiver plausibly is an MCP server (avoids `router.tool(…)`-style lookalikes in non-SDK files). */
function plausibleServer(info: FileInfo, receiver: Expression): boolean {
  // `this.tool(…)` in a class with a `tool` method of its own calls that helper (which registers on its server).
  if (receiver.getKind() === SyntaxKind.ThisKeyword && ownMethodCalled(receiver)) return false;
  if (info.sdk) return true;
  return /server|mcp/i.test(receiver.getText());
}

function ownMethodCalled(self: Expression): boolean {
  const access = self.getParent();
  const owner = self.getFirstAncestor((node): node is ClassDeclaration | ClassExpression => Node.isClassDeclaration(node) || Node.isClassExpression(node));
  return access !== undefined && Node.isPropertyAccessExpression(access) && owner !== undefined && owner.getMethods().some((method) => method.getName() === access.getName());
}

function readRegistration(
  ctx: AnalysisContext,
  info: FileInfo,
  call: CallExpression,
  method: string,
  shape: RegistrationShape,
  receiver: Expression,
  args: readonly Node[],
): Registration | undefined {
  if (args.length < 2) return undefined;
  const nameNode = args[0];
  const name = literalText(nameNode);
  if (nameNode && !name && !Node.isIdentifier(nameNode) && !Node.isTemplateExpression(nameNode) && !Node.isPropertyAccessExpression(nameNode)) return undefined;
  const handlerArg = args[args.length - 1];
  const handler = resolveFunction(ctx.resolver, handlerArg);
  if (!handler && !(handlerArg && Node.isIdentifier(handlerArg))) return undefined;

  const middle = args.slice(1, -1);
  let config: Node | undefined;
  let contextIndex: number;
  let argsIndex: number | undefined;
  let listCallback: FunctionNode | undefined;
  if (shape.kind === 'resource') {
    const target = middle[0] ? unwrap(middle[0]) : undefined;
    const template = target ? templateOf(ctx, target) : undefined;
    config = shape.style === 'config' ? middle[1] : middle.find((m) => Node.isObjectLiteralExpression(unwrap(m)));
    contextIndex = template ? 2 : 1;
    argsIndex = template ? 1 : 0;
    if (template) listCallback = listCallbackOf(ctx, template);
  } else if (shape.style === 'config') {
    config = middle[0];
    const literal = config ? unwrap(config) : undefined;
    const hasArgs = literal && Node.isObjectLiteralExpression(literal) && shape.argsProperty ? Boolean(literal.getProperty(shape.argsProperty)) : undefined;
    ({ contextIndex, argsIndex } = layout(handler, hasArgs));
  } else {
    const schema = middle.find((m) => !isStringExpression(m) && !isAnnotations(m));
    config = schema;
    ({ contextIndex, argsIndex } = layout(handler, schema ? true : middle.length === 0 || middle.every((m) => isStringExpression(m)) ? false : undefined));
  }
  return {
    ...registrationOf(ctx, info, { call, method, kind: shape.kind, receiver, nameNode, handler, config, argsIndex, contextIndex }),
    listCallback,
  };
}

/** The fields every registration style fills the same way, once its parts are found. */
function registrationOf(
  ctx: AnalysisContext,
  info: FileInfo,
  parts: {
    call: CallExpression;
    method: string;
    kind: Registration['kind'];
    receiver: Expression;
    nameNode: Node | undefined;
    handler: FunctionNode | undefined;
    config: Node | undefined;
    argsIndex: number | undefined;
    contextIndex: number;
  },
): Registration {
  const { call, kind, nameNode, handler } = parts;
  const name = literalText(nameNode);
  const params = handler ? handler.getParameters() : [];
  const contextParam = params[parts.contextIndex];
  const owner = name === undefined && nameNode ? memberOwner(nameNode) : undefined;
  const shown = name ?? (nameNode && constantText(ctx, nameNode)) ?? nameNode?.getText() ?? '?';
  return {
    kind,
    method: parts.method,
    name,
    label: owner ? `the ${kind}s of ${owner}` : kind === 'tool' ? shown : `${kind} ${shown}`,
    file: info.file,
    call,
    nameNode,
    config: parts.config,
    handler,
    argsParam: parts.argsIndex === undefined ? undefined : params[parts.argsIndex],
    contextParam,
    contextName: contextParam && Node.isIdentifier(contextParam.getNameNode()) ? contextParam.getName() : undefined,
    sdk: info.sdk,
    receiver: parts.receiver,
    ownerClass: ownerClassOf(call),
    registeredInside: [],
    handle: handleOf(call),
  };
}

/** `server.addTool({ name, parameters, execute })`: one object holding the name, the schema and the handler. */
function readObjectRegistration(
  ctx: AnalysisContext,
  info: FileInfo,
  call: CallExpression,
  method: string,
  shape: ObjectRegistrationShape,
  receiver: Expression,
): Registration | undefined {
  const [arg] = call.getArguments();
  const object = arg && call.getArguments().length === 1 ? toolObject(ctx, arg) : undefined;
  if (!object) return undefined;
  const handlerNode = object.member(shape.handlerProperty);
  const nameNode = object.member(shape.nameProperty);
  if (!handlerNode || !nameNode) return undefined;
  const handler = Node.isMethodDeclaration(handlerNode) ? handlerNode : resolveFunction(ctx.resolver, handlerNode);
  if (!handler && !Node.isIdentifier(handlerNode)) return undefined;
  return registrationOf(ctx, info, { call, method, kind: shape.kind, receiver, nameNode, handler, config: object.config, argsIndex: shape.argsIndex, contextIndex: shape.contextIndex });
}

/** A member of an object literal: its value, a shorthand's name, or a method. */
function literalMember(object: ObjectLiteralExpression, key: string): Node | undefined {
  const property = object.getProperty(key);
  if (property && Node.isPropertyAssignment(property)) return property.getInitializer();
  if (property && Node.isShorthandPropertyAssignment(property)) return property.getNameNode();
  if (property && Node.isMethodDeclaration(property)) return property;
  return undefined;
}

/**
 * The object a registration is handed: written in place, held by a variable (`server.addTool(searchTool)`, imported
 * or not), or built by a project helper from its arguments (`createTool('search', 'Search', schema, async (args) =>
 * …)`, whose body returns `{ name, description, parameters, execute }`). Each member is the node that gives its value
 * at the registration: a member the helper passes on from a parameter is the argument the call gave it.
 */
function toolObject(ctx: AnalysisContext, node: Node, depth = 0): { config: Node; member: (key: string) => Node | undefined } | undefined {
  const inner = unwrap(node);
  if (Node.isObjectLiteralExpression(inner)) return { config: inner, member: (key) => literalMember(inner, key) };
  if (depth > 3) return undefined;
  if (Node.isIdentifier(inner)) {
    const binding = ctx.resolver.resolve(inner);
    const initializer = binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
    return initializer ? toolObject(ctx, initializer, depth + 1) : undefined;
  }
  if (!Node.isCallExpression(inner)) return undefined;
  const helper = resolveFunction(ctx.resolver, inner.getExpression());
  const returned = helper ? returnedValues(helper).map((value) => value && unwrap(value)) : [];
  const [literal] = returned;
  if (!helper || returned.length !== 1 || !literal || !Node.isObjectLiteralExpression(literal)) return undefined;
  const parameters = helper.getParameters();
  const args = inner.getArguments();
  return {
    config: inner,
    member: (key) => {
      const value = literalMember(literal, key);
      if (!value || !Node.isIdentifier(value)) return value;
      const index = parameters.findIndex((parameter) => parameter.getName() === value.getText());
      return index >= 0 ? args[index] : value;
    },
  };
}

/** Where the arguments and the context sit among a handler's parameters. */
function layout(handler: FunctionNode | undefined, hasArgs: boolean | undefined): { contextIndex: number; argsIndex: number | undefined } {
  if (hasArgs === true) return { contextIndex: 1, argsIndex: 0 };
  if (hasArgs === false) return { contextIndex: 0, argsIndex: undefined };
  const params = handler?.getParameters() ?? [];
  if (params.length >= 2) return { contextIndex: 1, argsIndex: 0 };
  const only = params[0];
  if (only && Node.isIdentifier(only.getNameNode()) && CONTEXT_PARAM_NAMES.test(only.getName())) return { contextIndex: 0, argsIndex: undefined };
  return { contextIndex: 1, argsIndex: 0 };
}

function isAnnotations(node: Node): boolean {
  const inner = unwrap(node);
  if (!Node.isObjectLiteralExpression(inner)) return false;
  const properties = inner.getProperties();
  return properties.length > 0 && properties.every((p) => Node.isPropertyAssignment(p) && ANNOTATION_KEYS.has(p.getName()));
}

/** `new ResourceTemplate(…)`, inline or through a variable. */
function templateOf(ctx: AnalysisContext, node: Node): Node | undefined {
  if (Node.isNewExpression(node) && /ResourceTemplate$/.test(node.getExpression().getText())) return node;
  if (Node.isIdentifier(node)) {
    const binding = ctx.resolver.resolve(node);
    if (binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node)) {
      const initializer = binding.node.getInitializer();
      return initializer ? templateOf(ctx, unwrap(initializer)) : undefined;
    }
  }
  return undefined;
}

function listCallbackOf(ctx: AnalysisContext, template: Node): FunctionNode | undefined {
  if (!Node.isNewExpression(template)) return undefined;
  const options = template.getArguments()[1];
  const literal = options ? unwrap(options) : undefined;
  if (!literal || !Node.isObjectLiteralExpression(literal)) return undefined;
  const list = literal.getProperty('list');
  if (!list) return undefined;
  if (Node.isMethodDeclaration(list)) return list;
  if (Node.isPropertyAssignment(list)) return resolveFunction(ctx.resolver, list.getInitializer());
  if (Node.isShorthandPropertyAssignment(list)) return resolveFunction(ctx.resolver, list.getNameNode());
  return undefined;
}

function ownerClassOf(node: Node): ClassDeclaration | ClassExpression | undefined {
  return node.getFirstAncestor((a): a is ClassDeclaration | ClassExpression => Node.isClassDeclaration(a) || Node.isClassExpression(a));
}

/** The variable or field a registration's returned handle is stored in. */
function handleOf(call: CallExpression): Registration['handle'] {
  const outer = outermostWrapper(call);
  const parent = outer.getParent();
  if (parent && Node.isVariableDeclaration(parent) && Node.isIdentifier(parent.getNameNode())) return { name: parent.getName(), node: parent };
  if (parent && Node.isBinaryExpression(parent) && parent.getRight() === outer && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    const left = parent.getLeft();
    if (Node.isIdentifier(left)) return { name: left.getText(), node: left };
    if (Node.isPropertyAccessExpression(left)) return { name: left.getName(), node: left };
  }
  if (parent && Node.isPropertyDeclaration(parent)) return { name: parent.getName(), node: parent };
  return undefined;
}

function requestMethodOf(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const inner = unwrap(node);
  const literal = literalText(inner);
  if (literal) return literal;
  if (Node.isIdentifier(inner)) return inner.getText();
  if (Node.isPropertyAccessExpression(inner)) return inner.getName();
  return undefined;
}

function readRequestHandler(
  ctx: AnalysisContext,
  info: FileInfo,
  call: CallExpression,
  method: string,
  registrations: Registration[],
  requestHandlers: RequestHandler[],
): void {
  const args = call.getArguments();
  if (args.length < 2) return;
  const key = requestMethodOf(args[0]);
  if (!key) return;
  const handler = resolveFunction(ctx.resolver, args[args.length - 1]);
  const params = handler?.getParameters() ?? [];
  if (NOTIFICATION_HANDLER_METHODS.includes(method)) {
    requestHandlers.push({ call, file: info.file, method: lookup(CLIENT_NOTIFICATIONS, key) ?? key, role: 'notification', handler, contextParam: params[1] });
    return;
  }
  const known = lookup(REQUEST_METHODS, key);
  if (!known) {
    requestHandlers.push({ call, file: info.file, method: key, role: 'other', handler, contextParam: params[1] });
    return;
  }
  if (known.role !== 'call-tool') {
    requestHandlers.push({ call, file: info.file, method: known.method, role: known.role, handler, contextParam: params[1] });
    return;
  }
  const base = {
    kind: 'tool' as const,
    method,
    file: info.file,
    call,
    config: undefined,
    handler,
    argsParam: params[0],
    contextParam: params[1],
    contextName: params[1] && Node.isIdentifier(params[1].getNameNode()) ? params[1].getName() : undefined,
    sdk: info.sdk,
    receiver: (call.getExpression() as Node).asKind(SyntaxKind.PropertyAccessExpression)?.getExpression(),
    ownerClass: ownerClassOf(call),
    registeredInside: [],
  };
  const branches = handler ? toolBranches(ctx, handler) : [];
  if (branches.length === 0) {
    registrations.push({ ...base, name: undefined, label: 'tools/call', nameNode: undefined });
    return;
  }
  for (const branch of branches) registrations.push({ ...base, name: branch.name, label: branch.name, nameNode: branch.label, branch: branch.node });
}

/**
 * Tool names a low-level handler dispatches on: `switch (request.params.name) { case 'x': … }` or `if (name === 'x') …`,
 * the names written as literals or as constants (`case TOOL_NAMES.NAVIGATE:`, `case Tools.Click:`).
 */
function toolBranches(ctx: AnalysisContext, handler: FunctionNode): Array<{ name: string; label: Node; node: Node }> {
  const nameOf = (node: Node | undefined) => constantText(ctx, node);
  const out: Array<{ name: string; label: Node; node: Node }> = [];
  const isToolName = (expression: Node) => /(?:^|\.)(?:name|toolName|tool)$/.test(unwrap(expression).getText());
  for (const statement of handler.getDescendantsOfKind(SyntaxKind.SwitchStatement)) {
    if (!isToolName(statement.getExpression())) continue;
    for (const clause of statement.getCaseBlock().getClauses()) {
      if (!Node.isCaseClause(clause)) continue;
      const name = nameOf(clause.getExpression());
      // A tool whose name cannot be read: the branches would not name every tool the handler serves, and what
      // is planned per tool would miss it. The handler is then taken whole, as for one that does not branch.
      if (!name) return [];
      out.push({ name, label: clause.getExpression(), node: clause });
    }
  }
  for (const statement of handler.getDescendantsOfKind(SyntaxKind.IfStatement)) {
    const condition = unwrap(statement.getExpression());
    if (!Node.isBinaryExpression(condition)) continue;
    const op = condition.getOperatorToken().getKind();
    if (op !== SyntaxKind.EqualsEqualsEqualsToken && op !== SyntaxKind.EqualsEqualsToken) continue;
    const [left, right] = [condition.getLeft(), condition.getRight()];
    const name = nameOf(right) ?? nameOf(left);
    const subject = nameOf(right) !== undefined ? left : right;
    if (name && isToolName(subject)) out.push({ name, label: nameOf(right) !== undefined ? right : left, node: statement.getThenStatement() });
  }
  return out;
}


/**
 * The string a literal or a constant holds: `'navigate'`, `NAVIGATE` (a `const` set to a literal), `TOOL_NAMES.NAVIGATE`
 * (a property of a `const` object literal, `as const` or not), `ToolName.Navigate` (a string enum member). An
 * `McpServer` registration named through a constant gets it as its label only, its `name` staying undefined (no
 * literal to edit); a low-level branch takes it as its name, which the scope matches at run time.
 */
function constantText(ctx: AnalysisContext, node: Node | undefined, depth = 0): string | undefined {
  if (!node || depth > 3) return undefined;
  const inner = unwrap(node);
  const literal = literalText(inner);
  if (literal !== undefined) return literal;
  const declared = (identifier: Node) => {
    const binding = Node.isIdentifier(identifier) ? ctx.resolver.resolve(identifier) : undefined;
    return binding?.kind === 'declaration' ? binding.node : undefined;
  };
  if (Node.isIdentifier(inner)) {
    const declaration = declared(inner);
    return declaration && Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const' ? constantText(ctx, declaration.getInitializer(), depth + 1) : undefined;
  }
  if (!Node.isPropertyAccessExpression(inner)) return undefined;
  const owner = declared(unwrap(inner.getExpression()));
  if (owner && Node.isEnumDeclaration(owner)) return literalText(owner.getMember(inner.getName())?.getInitializer());
  if (!owner || !Node.isVariableDeclaration(owner) || owner.getVariableStatement()?.getDeclarationKind() !== 'const') return undefined;
  const value = owner.getInitializer();
  const object = value ? unwrap(value) : undefined;
  if (!object || !Node.isObjectLiteralExpression(object)) return undefined;
  const property = object.getProperty(inner.getName());
  return property && Node.isPropertyAssignment(property) ? constantText(ctx, property.getInitializer(), depth + 1) : undefined;
}

/**
 * Registrations driven by a table: the call's arguments read properties of a loop element
 * (`for (const t of TOOLS)`, `TOOLS.forEach((t) => …)`, `Object.values(TOOLS)`, destructured or not).
 * Returns, per table entry, the arguments with each element property replaced by that entry's value;
 * undefined when the call is not table-driven or the table is not a literal the analysis can see.
 */
function tableEntries(ctx: AnalysisContext, args: readonly Node[]): Node[][] | undefined {
  let element: Node | undefined;
  const propertyOf = (arg: Node): string | undefined => {
    const inner = unwrap(arg);
    if (Node.isPropertyAccessExpression(inner) && Node.isIdentifier(inner.getExpression())) {
      const binding = ctx.resolver.resolve(inner.getExpression() as Identifier);
      if (binding?.kind === 'declaration' && loopIterable(binding.node)) {
        element = binding.node;
        return inner.getName();
      }
    }
    if (Node.isIdentifier(inner)) {
      const binding = ctx.resolver.resolve(inner);
      if (binding?.kind === 'declaration' && Node.isBindingElement(binding.node)) {
        const holder = binding.node.getParent()?.getParent();
        if (holder && loopIterable(holder)) {
          element = holder;
          return binding.node.getPropertyNameNode()?.getText() ?? binding.node.getName();
        }
      }
    }
    return undefined;
  };
  const properties = args.map(propertyOf);
  if (!element || properties.every((p) => p === undefined)) return undefined;
  const iterable = loopIterable(element);
  const rows = iterable ? tableRows(ctx, iterable) : undefined;
  if (!rows || rows.length === 0) return undefined;
  return rows.map((row) =>
    args.map((arg, index) => {
      const property = properties[index];
      if (property === undefined) return arg;
      const member = row.getProperty(property);
      if (member && Node.isPropertyAssignment(member)) return member.getInitializerOrThrow();
      if (member && (Node.isMethodDeclaration(member) || Node.isShorthandPropertyAssignment(member))) return Node.isShorthandPropertyAssignment(member) ? member.getNameNode() : member;
      return arg;
    }),
  );
}

/**
 * `function tool(server, name, description, schema, handler) { server.registerTool(name, { … }, handler) }`: a
 * helper every tool is registered through. Each call of it is one registration, with the arguments it passes
 * standing for the helper's parameters (the name literal, the handler written at the call).
 */
function wrapperEntries(call: CallExpression): Node[][] | undefined {
  // A function, or a method of the class the tools are registered in (`this.tool('add', shape, handler)`).
  const helper = call.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isMethodDeclaration(a));
  if (!helper || !(Node.isFunctionDeclaration(helper) || Node.isMethodDeclaration(helper)) || !helper.getName()) return undefined;
  const callee = Node.isMethodDeclaration(helper) ? `this.${helper.getName()}` : helper.getName();
  const parameters = helper.getParameters();
  const indexOf = (arg: Node) => {
    const inner = unwrap(arg);
    return Node.isIdentifier(inner) ? parameters.findIndex((p) => p.getName() === inner.getText()) : -1;
  };
  const args = call.getArguments();
  if (!args.some((arg) => indexOf(arg) >= 0)) return undefined;
  const sites = helper
    .findReferencesAsNodes()
    .map((ref) => (Node.isPropertyAccessExpression(ref.getParent()) ? ref.getParent()!.getParent() : ref.getParent()))
    .filter((site): site is CallExpression => site !== undefined && Node.isCallExpression(site) && site.getExpression().getText() === callee);
  if (sites.length === 0) return undefined;
  return sites.map((site) => args.map((arg) => (indexOf(arg) >= 0 ? (site.getArguments()[indexOf(arg)] ?? arg) : arg)));
}

/** The iterable a loop variable (or iteration-callback parameter) walks over. */
function loopIterable(declaration: Node): Node | undefined {
  if (Node.isVariableDeclaration(declaration)) {
    const list = declaration.getParent();
    const loop = list?.getParent();
    if (loop && Node.isForOfStatement(loop)) return loop.getExpression();
    return undefined;
  }
  if (Node.isParameterDeclaration(declaration)) {
    const fn = declaration.getParent();
    const call = fn ? outermostWrapper(fn).getParent() : undefined;
    if (!call || !Node.isCallExpression(call) || fn?.getParentIfKind(SyntaxKind.CallExpression) === undefined) return undefined;
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !['forEach', 'map'].includes(callee.getName())) return undefined;
    if ((fn as FunctionNode).getParameters()[0] !== declaration) return undefined;
    return callee.getExpression();
  }
  return undefined;
}

/** The object literals of a literal table: `[{…}, {…}]`, `Object.values({ a: {…} })`, through variables and imports. */
function tableRows(ctx: AnalysisContext, node: Node, depth = 0): ObjectLiteralExpression[] | undefined {
  if (depth > 4) return undefined;
  const inner = unwrap(node);
  if (Node.isArrayLiteralExpression(inner)) {
    return inner.getElements().flatMap((e) => {
      const row = rowOf(ctx, e, depth);
      return row ? [row] : [];
    });
  }
  if (Node.isCallExpression(inner) && /^Object\.values$/.test(inner.getExpression().getText())) {
    const target = inner.getArguments()[0];
    const object = target ? valueOf(ctx, target, depth) : undefined;
    if (!object || !Node.isObjectLiteralExpression(object)) return undefined;
    return object.getProperties().flatMap((p) => {
      const row = Node.isPropertyAssignment(p) ? rowOf(ctx, p.getInitializerOrThrow(), depth) : undefined;
      return row ? [row] : [];
    });
  }
  const value = valueOf(ctx, inner, depth);
  return value && value !== inner ? tableRows(ctx, value, depth + 1) : undefined;
}

function rowOf(ctx: AnalysisContext, node: Node, depth: number): ObjectLiteralExpression | undefined {
  const value = valueOf(ctx, node, depth);
  return value && Node.isObjectLiteralExpression(value) ? value : undefined;
}

/** What an identifier holds when it is a variable initialised with a literal (followed across imports). */
function valueOf(ctx: AnalysisContext, node: Node, depth: number): Node | undefined {
  const inner = unwrap(node);
  if (!Node.isIdentifier(inner) || depth > 4) return inner;
  const binding = ctx.resolver.resolve(inner);
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node)) return undefined;
  const initializer = binding.node.getInitializer();
  return initializer ? valueOf(ctx, initializer, depth + 1) : undefined;
}

/** The class whose instances name themselves (`register(this.name, …)` in a base class): messages say whose tools. */
function memberOwner(node: Node): string | undefined {
  const inner = unwrap(node);
  if (!Node.isPropertyAccessExpression(inner) || inner.getExpression().getKind() !== SyntaxKind.ThisKeyword) return undefined;
  const owner = inner.getFirstAncestor((a): a is ClassDeclaration | ClassExpression => Node.isClassDeclaration(a) || Node.isClassExpression(a));
  return owner?.getName();
}

