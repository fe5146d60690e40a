/**
 * Where a value comes from: the session id (context, transport or header), a tool argument, a freshly minted id,
 * a literal, or something else. Keys of state accesses are classified with this; so is "was the stored value
 * derived from the handler's inputs".
 */
import { Node, SyntaxKind, VariableDeclarationKind, ts, type Identifier, type ParameterDeclaration, type VariableDeclaration } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import { resolveFunction, returnedValues } from './functions.js';
import { printed } from './dead-ends.js';
import type { KeyOrigin, Registration, SessionIdRead } from './model.js';
import type { Reach } from './reach.js';
import { identifiersUnder, isFunctionBoundary, literalText, unwrap } from './syntax.js';
import { CONTEXT_PARAM_NAMES, ID_MINTERS, SESSION_HEADER, SESSION_ID_PROPERTIES, SESSION_OPTIONS } from './vocabulary.js';

/** The role a parameter plays for the handler that declares it. */
export type ParamRole = 'args' | 'context' | 'session-id';

const RANK: Record<KeyOrigin, number> = { session: 5, minted: 4, argument: 3, other: 2, constant: 1 };

function strongest(origins: readonly KeyOrigin[]): KeyOrigin {
  return origins.reduce<KeyOrigin>((best, o) => (RANK[o] > RANK[best] ? o : best), 'constant');
}

export class Origins {
  private readonly roles = new Map<ts.Node, ParamRole>();

  constructor(
    private readonly ctx: AnalysisContext,
    private readonly reach: Reach,
    registrations: readonly Registration[],
  ) {
    for (const registration of registrations) {
      if (registration.argsParam) this.roles.set(registration.argsParam.compilerNode, 'args');
      if (registration.contextParam) this.roles.set(registration.contextParam.compilerNode, 'context');
    }
    // Parameters of onsessioninitialized / onsessionclosed callbacks are session ids.
    for (const info of ctx.files) {
      for (const property of ctx.nodesOf(info).propertyAssignments) {
        if (!SESSION_OPTIONS.callbacks.includes(property.getName())) continue;
        const value = property.getInitializer();
        const fn = value ? unwrap(value) : undefined;
        if (fn && (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) {
          const first = fn.getParameters()[0];
          if (first) this.roles.set(first.compilerNode, 'session-id');
        }
      }
    }
  }

  roleOf(parameter: ParameterDeclaration): ParamRole | undefined {
    return this.roles.get(parameter.compilerNode);
  }

  /**
   * Whether an expression reads the session id directly: `extra.sessionId`, `ctx.sessionId`, `transport.sessionId`,
   * `req.query.sessionId` (SSE routing), or the `mcp-session-id` header. `args.sessionId` is a tool argument, not this.
   */
  sessionIdSource(node: Node): SessionIdRead['source'] | undefined {
    const inner = unwrap(node);
    const property = Node.isPropertyAccessExpression(inner)
      ? inner.getName()
      : Node.isElementAccessExpression(inner)
        ? literalText(inner.getArgumentExpression())
        : undefined;
    if (property !== undefined && (Node.isPropertyAccessExpression(inner) || Node.isElementAccessExpression(inner))) {
      if (property.toLowerCase() === SESSION_HEADER) return 'header';
      if (SESSION_ID_PROPERTIES.includes(property)) {
        const receiver = unwrap(inner.getExpression());
        if (this.isArgumentValue(receiver)) return undefined;
        if (/transport/i.test(receiver.getText())) return 'transport';
        return this.carriesSession(receiver) ? 'context' : undefined;
      }
      return undefined;
    }
    if (Node.isCallExpression(inner)) {
      const callee = inner.getExpression();
      const args = inner.getArguments();
      if (Node.isPropertyAccessExpression(callee) && args.length === 1 && ['header', 'get', 'getHeader'].includes(callee.getName())) {
        if (literalText(args[0])?.toLowerCase() === SESSION_HEADER) return 'header';
      }
    }
    return undefined;
  }

  /**
   * Whether `receiver.sessionId` is the MCP session id: the receiver is a request context (a handler's context
   * parameter, or a parameter named or typed like one) or the SSE routing query (`req.query.sessionId`).
   * A cloud-browser session object's `sessionId` is the application's own.
   */
  private carriesSession(receiver: Node): boolean {
    if (/\b(?:req|request)\.query$/.test(receiver.getText())) return true;
    let root: Node = receiver;
    while (Node.isPropertyAccessExpression(root) || Node.isElementAccessExpression(root) || Node.isNonNullExpression(root)) root = unwrap(root.getExpression());
    if (!Node.isIdentifier(root)) return false;
    const parameter = this.parameterOf(root);
    if (!parameter) return false;
    if (this.roles.get(parameter.compilerNode) === 'context') return true;
    // A parameter typed with the application's own interface (`context: ClientContext`) carries the MCP
    // session id only if the application fills that field from one somewhere.
    if (declaresOwnType(parameter)) return this.projectCopiesSessionId(ownTypeName(parameter));
    const type = parameter.getTypeNode()?.getText() ?? '';
    return CONTEXT_PARAM_NAMES.test(parameter.getName()) || /Extra|Context\b|Transport/.test(type);
  }

  private readonly copiesSessionId = new Map<string, boolean>();

  /**
   * Whether any `sessionId: …` property or `x.sessionId = …` write in the project takes its value from the MCP
   * session (context, transport, header, session callback), into an object of type `typeName` where the code
   * says what type the object is (`const context: ToolContext = { sessionId: … }`). Computed once per type;
   * while it is computed, application fields count as not carrying the session, which ends the recursion.
   */
  private projectCopiesSessionId(typeName: string): boolean {
    const known = this.copiesSessionId.get(typeName);
    if (known !== undefined) return known;
    this.copiesSessionId.set(typeName, false);
    let copies = false;
    for (const info of this.ctx.files) {
      for (const name of SESSION_ID_PROPERTIES) {
        for (const identifier of this.ctx.resolver.identifiersNamed(info.sourceFile, name)) {
          const parent = identifier.getParent();
          const value = Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier
            ? parent.getInitializer()
            : Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier
              ? assignedValue(parent)
              : undefined;
          const written = declaredTypeOf(parent);
          // A log line's object (`logger.info('call', { sessionId })`) is no object of any type.
          if (value && (written === undefined || written === typeName) && !printed(parent) && this.origin(value) === 'session') copies = true;
        }
      }
      if (copies) break;
    }
    this.copiesSessionId.set(typeName, copies);
    return copies;
  }

  /**
   * Where a key (or any value) comes from. `ofResult`: the value is a property of `node`'s result
   * (`task.taskId`), which a call taking the session id among other inputs (`createTask(opts, extra.sessionId)`)
   * makes an object of its own, not a key derived from the session.
   */
  origin(node: Node, depth = 0, ofResult = false): KeyOrigin {
    if (depth > 6) return 'other';
    const inner = unwrap(node);
    if (this.sessionIdSource(inner)) return 'session';
    if (Node.isStringLiteral(inner) || Node.isNoSubstitutionTemplateLiteral(inner) || Node.isNumericLiteral(inner)) return 'constant';
    if (Node.isBinaryExpression(inner)) return strongest([this.origin(inner.getLeft(), depth + 1), this.origin(inner.getRight(), depth + 1)]);
    if (Node.isConditionalExpression(inner)) return strongest([this.origin(inner.getWhenTrue(), depth + 1), this.origin(inner.getWhenFalse(), depth + 1)]);
    if (Node.isTemplateExpression(inner)) return strongest(inner.getTemplateSpans().map((span) => this.origin(span.getExpression(), depth + 1)));
    if (Node.isCallExpression(inner)) {
      const callee = unwrap(inner.getExpression());
      const name = Node.isIdentifier(callee) ? callee.getText() : Node.isPropertyAccessExpression(callee) ? callee.getName() : '';
      if (ID_MINTERS.test(name)) return 'minted';
      if (ofResult && inner.getArguments().length > 1) return 'other';
      // `trackElicitation(sessionId)` that returns `randomUUID()`: a fresh id whatever went in.
      if (this.returnsMinted(inner, depth)) return 'minted';
      // `String(id)`, `id.toString()`, `keyFor(extra.sessionId)`: the strongest origin among what goes in.
      const parts = inner.getArguments().map((a) => this.origin(a, depth + 1));
      if (Node.isPropertyAccessExpression(callee)) parts.push(this.origin(callee.getExpression(), depth + 1));
      const best = parts.length ? strongest(parts) : 'other';
      return best === 'constant' ? 'other' : best;
    }
    if (Node.isPropertyAccessExpression(inner) || Node.isElementAccessExpression(inner)) {
      if (this.isArgumentValue(inner)) return 'argument';
      return this.origin(inner.getExpression(), depth + 1, true) === 'session' ? 'session' : 'other';
    }
    if (Node.isIdentifier(inner)) return this.identifierOrigin(inner, depth, ofResult);
    return 'other';
  }

  /** A project function every `return` of which hands back a freshly minted id (directly or through a local). */
  private returnsMinted(call: Node, depth: number): boolean {
    if (!Node.isCallExpression(call)) return false;
    const fn = resolveFunction(this.ctx.resolver, call.getExpression());
    if (!fn?.getBody()) return false;
    const known = this.mintingFunctions.get(fn);
    if (known !== undefined) return known;
    this.mintingFunctions.set(fn, false); // a function returning its own call's result is not a minter
    const returned = returnedValues(fn);
    const mints = returned.length > 0 && returned.every((value) => value !== undefined && this.origin(value, depth + 1) === 'minted');
    this.mintingFunctions.set(fn, mints);
    return mints;
  }

  /** Functions already looked at by returnsMinted (each is walked once per analysis). */
  private readonly mintingFunctions = new Map<Node, boolean>();

  /** Whether an expression is (part of) the tool arguments: `args`, `args.x`, `{ x }` destructured, `request.params.arguments.x`. */
  isArgumentValue(node: Node, depth = 0): boolean {
    let current = unwrap(node);
    // `request.params.arguments ?? {}`: the arguments, or nothing.
    while (Node.isBinaryExpression(current) && ['??', '||'].includes(current.getOperatorToken().getText())) current = unwrap(current.getLeft());
    while (Node.isPropertyAccessExpression(current) || Node.isElementAccessExpression(current)) {
      if (Node.isPropertyAccessExpression(current) && current.getName() === 'arguments') return true;
      current = unwrap(current.getExpression());
    }
    if (!Node.isIdentifier(current)) return false;
    const parameter = this.parameterOf(current);
    if (parameter !== undefined) return this.roles.get(parameter.compilerNode) === 'args';
    // `const args = (request.params.arguments ?? {}) as Record<string, string>`, then `args.name`.
    const binding = this.ctx.resolver.resolve(current);
    const initializer = binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
    return depth < 3 && initializer !== undefined && this.isArgumentValue(initializer, depth + 1);
  }

  private parameterOf(identifier: Identifier): ParameterDeclaration | undefined {
    const binding = this.ctx.resolver.resolve(identifier);
    if (binding?.kind !== 'declaration') return undefined;
    if (Node.isParameterDeclaration(binding.node)) return binding.node;
    if (Node.isBindingElement(binding.node)) return binding.node.getFirstAncestorByKind(SyntaxKind.Parameter);
    return undefined;
  }

  private identifierOrigin(identifier: Identifier, depth: number, ofResult: boolean): KeyOrigin {
    const binding = this.ctx.resolver.resolve(identifier);
    // Provenance, not words: a value named `sessionId` is the MCP session id only when it comes from one
    // (the SDK context, a transport, the header, a session callback). A cloud-browser `sessionId` is not.
    if (!binding || binding.kind !== 'declaration') return 'other';
    const declaration = binding.node;
    if (Node.isParameterDeclaration(declaration) || (Node.isBindingElement(declaration) && declaration.getFirstAncestorByKind(SyntaxKind.Parameter))) {
      const parameter = Node.isParameterDeclaration(declaration) ? declaration : (declaration.getFirstAncestorByKind(SyntaxKind.Parameter) as ParameterDeclaration);
      const role = this.roles.get(parameter.compilerNode);
      if (role === 'args') return 'argument';
      if (role === 'session-id') return 'session';
      if (Node.isBindingElement(declaration)) {
        const property = declaration.getPropertyNameNode()?.getText() ?? declaration.getName();
        if (role === 'context') return SESSION_ID_PROPERTIES.includes(property) ? 'session' : 'other';
      }
      if (role === 'context') return 'other';
      return this.parameterOriginFromCalls(parameter, depth);
    }
    if (Node.isBindingElement(declaration)) {
      const variable = declaration.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
      const initializer = variable?.getInitializer();
      const property = declaration.getPropertyNameNode()?.getText() ?? declaration.getName();
      if (!initializer) return 'other';
      const from = this.origin(initializer, depth + 1);
      if (from === 'argument' || this.isArgumentValue(initializer)) return 'argument';
      if (SESSION_ID_PROPERTIES.includes(property) && (/transport/i.test(initializer.getText()) || this.carriesSession(unwrap(initializer)))) return 'session';
      return from === 'session' ? 'session' : 'other';
    }
    if (Node.isVariableDeclaration(declaration)) {
      const initializer = declaration.getInitializer();
      if (initializer) return this.origin(initializer, depth + 1, ofResult);
      return 'other';
    }
    return 'other';
  }

  /**
   * Whether a value is an id minted for it on every path: minted here, or a helper's parameter every caller of
   * which passes one (`setRequestId(randomUUID())` from a wrapper, but not also `setRequestId(tag)` from a tool).
   */
  isMinted(node: Node, depth = 0): boolean {
    if (depth > 4) return false;
    const inner = unwrap(node);
    if (Node.isIdentifier(inner)) {
      const binding = this.ctx.resolver.resolve(inner);
      const declaration = binding?.kind === 'declaration' ? binding.node : undefined;
      if (declaration && Node.isParameterDeclaration(declaration) && !this.roles.has(declaration.compilerNode)) {
        const passed = this.passedTo(declaration);
        return passed.length > 0 && passed.every((arg) => arg !== undefined && this.isMinted(arg, depth + 1));
      }
      if (declaration && Node.isVariableDeclaration(declaration)) {
        const initializer = declaration.getInitializer();
        return initializer !== undefined && this.isMinted(initializer, depth + 1);
      }
    }
    return this.origin(inner, depth) === 'minted';
  }

  /** A helper's parameter takes the origin of the arguments its callers pass. */
  private parameterOriginFromCalls(parameter: ParameterDeclaration, depth: number): KeyOrigin {
    const origins = this.passedTo(parameter).filter((a): a is Node => a !== undefined).map((a) => this.origin(a, depth + 1));
    return origins.length ? strongest(origins) : 'other';
  }

  /** What each known call of a parameter's function passes for it (undefined where a call passes nothing). */
  private passedTo(parameter: ParameterDeclaration): Array<Node | undefined> {
    const fn = parameter.getParent();
    const index = fn && isFunctionBoundary(fn) ? (fn as unknown as { getParameters(): ParameterDeclaration[] }).getParameters().indexOf(parameter) : -1;
    const sites = fn ? (this.reach.callSites.get(fn.compilerNode) ?? []) : [];
    return sites.map((call) => call.getArguments()[index]);
  }

  /**
   * Whether a value is derived from the inputs of the function computing it: any parameter (tool arguments,
   * context, a helper's parameters), or a local initialised from one.
   */
  fromInput(node: Node | undefined, depth = 0): boolean {
    if (!node || depth > 3) return false;
    const identifiers = Node.isIdentifier(node) ? [node] : identifiersUnder(node);
    const [start, end] = [node.getStart(), node.getEnd()];
    for (const identifier of identifiers.slice(0, 60)) {
      const parent = identifier.getParent();
      if (parent && Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) continue;
      if (parent && Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) continue;
      const binding = this.ctx.resolver.resolve(identifier);
      if (binding?.kind !== 'declaration') continue;
      const declaration = binding.node;
      // Declared inside the value itself (`new Promise((resolve) => …)`'s own parameters and locals): what it
      // computes from, not an input it was given; the inputs it reads still appear as identifiers of their own.
      if (declaration.getStart() >= start && declaration.getEnd() <= end && declaration.getSourceFile() === node.getSourceFile()) continue;
      if (Node.isParameterDeclaration(declaration)) return true;
      if (Node.isBindingElement(declaration) && declaration.getFirstAncestorByKind(SyntaxKind.Parameter)) return true;
      if ((Node.isVariableDeclaration(declaration) || Node.isBindingElement(declaration)) && declaration.getFirstAncestor(isFunctionBoundary)) {
        const variable = Node.isVariableDeclaration(declaration) ? declaration : declaration.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
        if (variable && variable.getInitializer() && this.fromInput(variable.getInitializer(), depth + 1)) return true;
        // `let next = null; if (args.url) next = parse(args.url);`: a local filled in later from the inputs.
        if (variable && Node.isVariableDeclaration(declaration) && laterValues(declaration).some((value) => this.fromInput(value, depth + 1))) return true;
      }
    }
    return false;
  }
}

/** What a `let` local is set to after its declaration, in the function declaring it (`next = parse(args.url)`). */
function laterValues(declaration: VariableDeclaration): Node[] {
  const list = declaration.getParent();
  if (!Node.isVariableDeclarationList(list) || list.getDeclarationKind() !== VariableDeclarationKind.Let) return [];
  const scope = declaration.getFirstAncestor(isFunctionBoundary);
  if (!scope) return [];
  const name = declaration.getName();
  return scope
    .getDescendantsOfKind(SyntaxKind.BinaryExpression)
    .filter((assignment) => assignment.getOperatorToken().getKind() === SyntaxKind.EqualsToken && assignment.getLeft().getText() === name && assignment.getFirstAncestor(isFunctionBoundary) === scope)
    .map((assignment) => assignment.getRight());
}

/** `x.sessionId = value`: the value, when the access is an assignment's target. */
function assignedValue(target: Node): Node | undefined {
  const parent = target.getParent();
  return Node.isBinaryExpression(parent) && parent.getLeft() === target && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken ? parent.getRight() : undefined;
}

/**
 * Whether a parameter's declared type is the application's own: a type reference to an interface or object
 * type declared in the same file, or imported from a relative module (an SDK or framework type comes from a
 * package). Heritage does not matter here: the question is who fills the field, answered by the caller.
 */
function ownTypeName(parameter: ParameterDeclaration): string {
  const typeNode = parameter.getTypeNode();
  return typeNode && Node.isTypeReference(typeNode) ? typeNode.getTypeName().getText() : '';
}

/**
 * The type the code names for the object a `sessionId` is written into: `const c: ToolContext = { sessionId }`,
 * `{ … } as ToolContext`, `(c: ToolContext) => { c.sessionId = … }`; undefined where it names none.
 */
function declaredTypeOf(site: Node | undefined): string | undefined {
  if (!site) return undefined;
  const typeName = (typeNode: Node | undefined) => (typeNode && Node.isTypeReference(typeNode) ? typeNode.getTypeName().getText() : undefined);
  if (Node.isPropertyAssignment(site)) {
    const literal = site.getParent();
    const holder = literal?.getParent();
    if (holder && Node.isVariableDeclaration(holder)) return typeName(holder.getTypeNode());
    if (holder && (Node.isAsExpression(holder) || Node.isSatisfiesExpression(holder))) return typeName(holder.getTypeNode());
    return undefined;
  }
  if (Node.isPropertyAccessExpression(site)) {
    const receiver = site.getExpression();
    if (!Node.isIdentifier(receiver)) return undefined;
    const declaration = receiver.getSymbol()?.getDeclarations()[0];
    const named = declaration && (Node.isVariableDeclaration(declaration) || Node.isParameterDeclaration(declaration)) ? typeName(declaration.getTypeNode()) : undefined;
    // Else what the checker knows (`transport.sessionId = …` on an SDK transport is not an application type).
    const type = receiver.getType();
    return named ?? (type.isAny() || type.isUnknown() ? undefined : (type.getAliasSymbol() ?? type.getSymbol())?.getName());
  }
  return undefined;
}

function declaresOwnType(parameter: ParameterDeclaration): boolean {
  const typeNode = parameter.getTypeNode();
  if (!typeNode || !Node.isTypeReference(typeNode)) return false;
  const name = typeNode.getTypeName().getText();
  if (name.includes('.')) return false;
  const file = parameter.getSourceFile();
  const local = file.getInterface(name) ?? file.getTypeAlias(name);
  if (local) return !Node.isTypeAliasDeclaration(local) || Node.isTypeLiteral(local.getTypeNode());
  for (const declaration of file.getImportDeclarations()) {
    const imported = declaration.getNamedImports().some((specifier) => (specifier.getAliasNode() ?? specifier.getNameNode()).getText() === name);
    // Relative, or through a path alias of the project's own (`@/types/mcp`, `~/types`, `#types`).
    if (imported) return /^(?:\.|@\/|~\/|#)/.test(declaration.getModuleSpecifierValue());
  }
  return false;
}

/**
 * Whether `x.sessionId` reads the application's own copy of the session id (`context: ToolContext` filled
 * from the request's context elsewhere), rather than the SDK's request context itself.
 */
export function readsOwnCopy(read: Node): boolean {
  const inner = unwrap(read);
  if (!Node.isPropertyAccessExpression(inner)) return false;
  let root: Node = unwrap(inner.getExpression());
  while (Node.isPropertyAccessExpression(root) || Node.isElementAccessExpression(root) || Node.isNonNullExpression(root)) root = unwrap(root.getExpression());
  if (!Node.isIdentifier(root)) return false;
  const declaration = root.getSymbol()?.getDeclarations()[0];
  return declaration !== undefined && Node.isParameterDeclaration(declaration) && declaresOwnType(declaration);
}
