import { Node, SyntaxKind, type CallExpression, type ExpressionStatement, type SourceFile, type Statement, type VariableDeclaration } from 'ts-morph';
import { LIST_CHANGED_NOTIFICATIONS, LIST_CHANGED_SENDERS, lookup, TOGGLE_METHODS, type ListKind, type ToggleMethod } from '../../src/rules/lists-sdk.js';
import { gateDescription, gateError, MARKERS, withSentence } from '../../src/rules/lists-messages.js';
import { declarationsThroughImport } from '../../src/analysis/syntax.js';
import { capturedFrom, declarationOf, enclosingFunction, methodCall, quote, referencesTo, rootIdentifier, statementOf, stringValue, type FunctionLike } from './ast.js';
import { appendMember, indentAt, indentUnit, insertAfter, insertAtBodyStart, reindent, removeStatements, spliceText, type Splice } from './edit.js';
import { agreed, conditionsNear, initiallyTruthy, locateDeclaration, resolvesHandle, visibleAt, type GateCondition } from './gate-condition.js';
import { enclosingSite, runsPerCall, toolReaching, type HandlerSite, type Registration } from './handlers.js';
import { inConnectionHook } from './request-context.js';
import type { Edit, Findings, Mark } from './steps.js';
import { isExported } from '../shared/exports.js';
import { nodesOfKind } from '../shared/file-index.js';

/** What one analysis round of the list transforms sees. */
export interface ListScan {
  file: SourceFile;
  registrations: Registration[];
  sites: HandlerSite[];
}

interface Toggle {
  call: CallExpression;
  method: ToggleMethod;
  /** What the call does to the list: true shows, false hides, undefined changes the shape (update). */
  shows: boolean | undefined;
  /** The statement the call stands alone in; undefined when it is part of a larger expression. */
  statement: Statement | undefined;
  perCall: boolean;
}

/** The statement a call stands alone in (`x.enable();`, `await x();`, `void x();`), if it does. */
export function standaloneStatement(call: CallExpression): ExpressionStatement | undefined {
  let expression: Node = call;
  let parent = call.getParent();
  while (parent && (Node.isAwaitExpression(parent) || Node.isVoidExpression(parent))) {
    expression = parent;
    parent = parent.getParent();
  }
  return parent && Node.isExpressionStatement(parent) && parent.getExpression() === expression ? parent : undefined;
}

function showsOf(method: ToggleMethod, call: CallExpression): boolean | undefined {
  if (method === 'enable') return true;
  if (method === 'disable' || method === 'remove') return false;
  const [arg] = call.getArguments();
  if (!arg || !Node.isObjectLiteralExpression(arg) || arg.getProperties().length !== 1) return undefined;
  const enabled = arg.getProperty('enabled');
  const value = enabled && Node.isPropertyAssignment(enabled) ? enabled.getInitializer()?.getText() : undefined;
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** The variable a registration's result is kept in, when there is one. */
export function bindingOf(registration: Registration): VariableDeclaration | undefined {
  const parent = registration.call.getParent();
  if (Node.isVariableDeclaration(parent) && parent.getInitializer() === registration.call) return parent;
  if (Node.isBinaryExpression(parent) && parent.getRight() === registration.call) {
    const root = rootIdentifier(parent.getLeft());
    const declaration = root && parent.getLeft() === root ? declarationOf(root) : undefined;
    return declaration && Node.isVariableDeclaration(declaration) ? declaration : undefined;
  }
  return undefined;
}

function togglesOf(binding: VariableDeclaration, registration: Registration): { toggles: Toggle[]; otherUses: number } {
  const toggles: Toggle[] = [];
  let otherUses = 0;
  for (const reference of referencesTo(binding)) {
    const access = reference.getParent();
    const call = access?.getParent();
    if (
      Node.isPropertyAccessExpression(access) &&
      access.getExpression() === reference &&
      (TOGGLE_METHODS as readonly string[]).includes(access.getName()) &&
      Node.isCallExpression(call) &&
      call.getExpression() === access
    ) {
      const method = access.getName() as ToggleMethod;
      toggles.push({ call, method, shows: showsOf(method, call), statement: standaloneStatement(call), perCall: runsPerCall(call, registration.call) });
    } else otherUses++;
  }
  return { toggles, otherUses };
}

/** `send*ListChanged()` or `notification({ method: 'notifications/…/list_changed' })`, with its kind. */
export function listChangedKind(call: CallExpression): ListKind | undefined {
  const parts = methodCall(call);
  if (!parts) return undefined;
  const sender = lookup(LIST_CHANGED_SENDERS, parts.method);
  if (sender) return sender;
  if (parts.method !== 'notification' && parts.method !== 'sendNotification') return undefined;
  const [arg] = call.getArguments();
  if (!arg || !Node.isObjectLiteralExpression(arg)) return undefined;
  const method = arg.getProperty('method');
  const value = method && Node.isPropertyAssignment(method) ? stringValue(method.getInitializer()) : undefined;
  return value ? lookup(LIST_CHANGED_NOTIFICATIONS, value) : undefined;
}

/** The statements sending list_changed notifications of `kind` from inside `fns`. */
export function listChangedStatements(fns: readonly FunctionLike[], kind: ListKind): Statement[] {
  const seen = new Set<Statement>();
  for (const fn of fns) {
    for (const call of nodesOfKind(fn, SyntaxKind.CallExpression)) {
      const statement = listChangedKind(call) === kind ? standaloneStatement(call) : undefined;
      if (statement) seen.add(statement);
    }
  }
  return [...seen];
}

/**
 * Calls in `fns` of a notifier helper whose whole body announces a changed list of `kind`
 * (`function notifyScreenshotUpdate(server) { server.notification({ method: '…/list_changed' }) }`), with the
 * statement each call stands alone in and the name it is called by. Removing the call removes the
 * announcement and nothing else; the helper stays for its other callers.
 */
export function notifierStatements(fns: readonly FunctionLike[], kind: ListKind): Array<{ statement: Statement; name: string; helper: Node }> {
  const found = new Map<Statement, { name: string; helper: Node }>();
  for (const fn of fns) {
    for (const call of nodesOfKind(fn, SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isIdentifier(callee)) continue;
      const statement = standaloneStatement(call);
      const helper = statement ? announcingHelper(callee, kind) : undefined;
      if (statement && helper) found.set(statement, { name: callee.getText(), helper });
    }
  }
  return [...found].map(([statement, { name, helper }]) => ({ statement, name, helper }));
}

/**
 * The declaration of the function an identifier names (here or through an import), when that function does
 * nothing but send list_changed of `kind`.
 */
function announcingHelper(callee: Node, kind: ListKind): Node | undefined {
  const declarations = declarationsThroughImport(callee);
  if (declarations.length !== 1) return undefined;
  const declaration = declarations[0]!;
  const fn = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : declaration;
  if (!fn || !(Node.isFunctionDeclaration(fn) || Node.isArrowFunction(fn) || Node.isFunctionExpression(fn))) return undefined;
  const body = fn.getBody();
  if (!body) return undefined;
  if (!Node.isBlock(body)) return Node.isCallExpression(body) && listChangedKind(body) === kind ? declaration : undefined;
  const statements = body.getStatements();
  if (statements.length !== 1 || !Node.isExpressionStatement(statements[0])) return undefined;
  let expression: Node = statements[0].getExpression();
  while (Node.isAwaitExpression(expression) || Node.isVoidExpression(expression)) expression = expression.getExpression();
  return Node.isCallExpression(expression) && listChangedKind(expression) === kind ? declaration : undefined;
}

/** The guard that makes a gated handler answer helpfully before its precondition holds. */
function guardText(file: SourceFile, kind: ListKind, condition: GateCondition, message: string, unit: string): string {
  const test = condition.positive ? `!${condition.target}` : condition.target;
  const answer =
    kind === 'tool'
      ? `return { isError: true, content: [{ type: 'text', text: ${quote(file, message)} }] };`
      : `throw new Error(${quote(file, message)});`;
  return `if (${test}) {\n${unit}${answer}\n}`;
}

/** Splices that state the dependency in the registration's description. */
function describeSplices(file: SourceFile, registration: Registration, sentence: string): Splice[] {
  const args = registration.call.getArguments();
  // Legacy `resource(name, uri, [metadata], cb)`: the description lives in the metadata object.
  const legacyMetadata = registration.kind === 'resource' && registration.style === 'legacy' && args.length === 4 && Node.isObjectLiteralExpression(args[2]) ? args[2] : undefined;
  if (registration.kind === 'resource' && registration.style === 'legacy' && !legacyMetadata) return [];
  if (registration.style === 'config' || legacyMetadata) {
    const config = legacyMetadata ?? registration.config;
    if (!config) return [];
    const property = config.getProperty('description');
    if (!property) return [appendMember(file, config, `description: ${quote(file, sentence)}`)];
    if (Node.isShorthandPropertyAssignment(property)) {
      return [{ start: property.getStart(), end: property.getEnd(), text: `description: \`\${description} ${sentence}\`` }];
    }
    if (!Node.isPropertyAssignment(property)) return [];
    const init = property.getInitializerOrThrow();
    const value = stringValue(init);
    if (value !== undefined) return [{ start: init.getStart(), end: init.getEnd(), text: quote(file, withSentence(value, sentence)) }];
    return [{ start: init.getEnd(), end: init.getEnd(), text: ` + ${quote(file, ` ${sentence}`)}` }];
  }
  const second = args[1];
  if (!second) return [];
  const value = args.length > 2 ? stringValue(second) : undefined;
  if (value !== undefined) return [{ start: second.getStart(), end: second.getEnd(), text: quote(file, withSentence(value, sentence)) }];
  return [{ start: second.getStart(), end: second.getStart(), text: `${quote(file, sentence)}, ` }];
}

/** The gate's guard and description splices, applied to the registration's own text. */
function gateSplices(file: SourceFile, registration: Registration, condition: GateCondition | undefined, by: string, positive: boolean): Splice[] {
  const name = registration.name ?? 'this tool';
  const splices = describeSplices(file, registration, gateDescription(by, positive));
  if (condition && registration.handler) {
    splices.push(insertAtBodyStart(file, registration.handler, guardText(file, registration.kind, condition, gateError(name, by, positive), indentUnit(file))));
  }
  return splices;
}

/** One registration whose visibility is switched per call with enable/disable/update/remove. */
function toggledGate(scan: ListScan, registration: Registration, binding: VariableDeclaration): Findings {
  const { file, sites } = scan;
  const { toggles, otherUses } = togglesOf(binding, registration);
  const perCall = toggles.filter((t) => t.perCall);
  if (perCall.length === 0) return { edits: [], marks: [] };
  const name = registration.name ?? binding.getName();
  const mark = (node: Node, message: string): Findings => ({ edits: [], marks: [{ node, rule: 'SL004', message }] });

  const reshaping = toggles.find((t) => t.shows === undefined);
  if (reshaping) return mark(reshaping.call, MARKERS.toggleShape(name, reshaping.method));
  const embedded = toggles.find((t) => !t.statement);
  if (embedded) return mark(embedded.call, MARKERS.noCondition(name, toolReaching(embedded.call, sites)));
  // Switched when a client connects: the condition is about the client, which each request now states.
  const onConnect = perCall.find((t) => inConnectionHook(t.call));
  if (onConnect) return mark(onConnect.call, MARKERS.connectionToggle(name));
  const startup = toggles.filter((t) => !t.perCall);
  const initiallyShown = startup.length > 0 ? startup[startup.length - 1]!.shows! : true;
  const touched = perCall.map((t) => enclosingFunction(t.call)).filter((fn): fn is FunctionLike => !!fn);
  const removals = removeStatements(file, [...toggles.map((t) => t.statement!), ...listChangedStatements(touched, registration.kind)]);
  const unbind = otherUses === 0 ? unbindSplices(binding, registration) : [];

  // enable() on something never hidden changes nothing: the calls just go.
  if (initiallyShown && perCall.every((t) => t.shows)) {
    return { edits: [{ what: `drop no-op toggles of ${name}`, splices: [...removals, ...unbind] }], marks: [] };
  }
  const key = perCall.find((t) => t.shows !== initiallyShown) ?? perCall[0]!;
  const by = toolReaching(key.call, sites);
  const handler = registration.handler;
  const conditions = agreed(perCall.map((t) => conditionsNear(t.statement!, enclosingFunction(t.call)!, t.shows!)));
  // The state must be readable from the gated handler and, where its declaration says, start out
  // matching the tool's initial visibility.
  const usable = conditions.find((c) => {
    const initial = initiallyTruthy(c);
    return !!handler && visibleAt(c, handler) && (initial === undefined || (c.positive ? initial : !initial) === initiallyShown);
  });
  const handleChecked = resolvesHandle(handler);
  if (!by || (!usable && !handleChecked)) return mark(key.call, MARKERS.noCondition(name, by));
  if (!handler) return mark(registration.call, MARKERS.notInline(name));
  const positive = usable ? usable.positive : true;
  const condition = handleChecked ? undefined : usable;
  return {
    edits: [
      {
        what: `gate ${name} at call time`,
        splices: [...gateSplices(file, registration, condition, by, positive), ...removals, ...unbind],
        markers: condition ? stateMarkers(condition) : [],
      },
    ],
    marks: [],
  };
}

/** `const x = server.registerTool(...)` → `server.registerTool(...)` once nothing reads `x`. */
function unbindSplices(binding: VariableDeclaration, registration: Registration): Splice[] {
  const statement = binding.getVariableStatement();
  if (!statement || statement.getDeclarations().length !== 1 || isExported(statement) || binding.getInitializer() !== registration.call) return [];
  return [{ start: statement.getStart(), end: registration.call.getStart(), text: '' }];
}

/** One SL003 marker on the state a new call-time gate reads, when it is a variable the file declares. */
export function stateMarkers(condition: GateCondition): Edit['markers'] {
  const declaration = declarationOf(condition.root);
  if (!declaration || !Node.isVariableDeclaration(declaration)) return [];
  return [{ rule: 'SL003', message: MARKERS.stateGate(declaration.getName()), locate: locateDeclaration(declaration.getName(), declaration.getText()) }];
}

/**
 * A tool or prompt registered inside a handler ("enable advanced tools"): register it up front, right
 * after the startup statement that holds the handler, gated on what that handler established.
 */
function hoistedGate(scan: ListScan, registration: Registration): Findings {
  const { file, sites } = scan;
  const receiverRoot = rootIdentifier(registration.receiver);
  const receiverDeclaration = receiverRoot && declarationOf(receiverRoot);
  if (!receiverDeclaration || !runsPerCall(registration.call, receiverDeclaration)) return { edits: [], marks: [] };
  const startupScope = enclosingFunction(receiverDeclaration);
  const by = toolReaching(registration.call, sites);
  // A start-up helper (`registerMathTools(server)` called at module level, in a factory, `main()` or a
  // constructor) runs once: only a registration a handler reaches is registered while serving a call.
  if (!by && !enclosingSite(registration.call, sites)) return { edits: [], marks: [] };
  const mark = (message: string): Findings => ({ edits: [], marks: [{ node: registration.call, rule: 'SL004', message }] });
  const statement = standaloneStatement(registration.call);
  if (!registration.name) return mark(MARKERS.dynamicName(registration.kind, by));
  if (!statement || statement.getExpression() !== registration.call) return mark(MARKERS.noCondition(registration.name, by));

  // The outermost function between the startup scope and the registration: what the move leaves.
  let outer = enclosingFunction(registration.call)!;
  for (let next = enclosingFunction(outer); next && next !== startupScope; next = enclosingFunction(next)) outer = next;
  const captured = [...new Set(capturedFrom(statement, outer).map((id) => id.getText()))];
  if (captured.length > 0) return mark(MARKERS.captures(registration.name, captured));
  const anchor = statementOf(outer);
  const fn = enclosingFunction(registration.call)!;
  const conditions = conditionsNear(statement, fn, true).filter((c) => anchor && visibleAt(c, anchor));
  const condition = conditions.find((c) => initiallyTruthy(c) !== true);
  const handleChecked = resolvesHandle(registration.handler);
  if (!by || !anchor || (!condition && !handleChecked)) return mark(MARKERS.noCondition(registration.name, by));
  if (!registration.handler) return mark(MARKERS.notInline(registration.name));

  const gate = handleChecked ? undefined : condition;
  const moved = spliceText(statement.getText(), statement.getStart(), gateSplices(file, registration, gate, by, true));
  const text = reindent(moved, indentAt(file, statement.getStart()), '');
  const splices: Splice[] = [
    insertAfter(file, anchor, text),
    ...removeStatements(file, [statement, ...listChangedStatements([fn], registration.kind)]),
  ];
  return { edits: [{ what: `register ${registration.name} up front`, splices, markers: gate ? stateMarkers(gate) : [] }], marks: [] };
}

/** Tools and prompts whose presence in the list changes per call (P4). Resources are the P8 pass. */
export function analyseGates(scan: ListScan): Findings {
  const edits: Edit[] = [];
  const hoists: Edit[] = [];
  const marks: Mark[] = [];
  // Finding references is the expensive step: only bindings something calls a toggle on need it.
  const toggled = new Set<string>();
  for (const access of nodesOfKind(scan.file, SyntaxKind.PropertyAccessExpression)) {
    if ((TOGGLE_METHODS as readonly string[]).includes(access.getName()) && Node.isCallExpression(access.getParent())) toggled.add(access.getExpression().getText());
  }
  for (const registration of scan.registrations) {
    const binding = bindingOf(registration);
    if (binding && toggled.has(binding.getName())) {
      const found = toggledGate(scan, registration, binding);
      edits.push(...found.edits);
      marks.push(...found.marks);
      // One edit per round is all the caller applies; the rest is analysed again afterwards.
      if (edits.length > 0) return { edits, marks };
    }
    if (registration.kind !== 'resource') {
      const hoisted = hoistedGate(scan, registration);
      hoists.push(...hoisted.edits);
      marks.push(...hoisted.marks);
    }
  }
  // Each hoist lands right after the statement holding its handler: last first keeps source order.
  return { edits: [...edits, ...hoists.reverse()], marks };
}
