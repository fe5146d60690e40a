import { Node, SyntaxKind, type Expression, type SourceFile, type Statement, type VariableStatement } from 'ts-morph';
import { CLIENT_ACCESSORS, type EnvelopeValue } from '../../src/rules/context-sdk.js';
import { capabilityError } from '../../src/rules/lists-messages.js';
import { lookup } from '../../src/rules/lists-sdk.js';
import type { SdkLine } from '../../src/rules/sdk.js';
import { methodCall, quote } from './ast.js';
import { chainMovable, chainReferences, isAccessorCall, shapeOf, type FunctionShape, type RegistrationCall, type RegistrationStatement } from './capability-chain.js';
import { hookAssignments, moduleFunction, type ConnectionPlan, type HookAssignment } from './connection-plan.js';
import { indentAt, indentUnit, insertAtBodyStart, removeStatement, spliceText, type Splice } from './edit.js';
import { contextParameter, helperImports, helperSplices } from './request-context.js';
import type { Edit, Findings } from './steps.js';
import { lineStart, removalStart } from '../shared/statement-comments.js';

/*
 * Registrations that depended on the connection (P4 + P9): a tool registered only when the client declared
 * sampling, elicitation or roots, inside `oninitialized`. The tool list must not vary per connection
 * (SEP-2575) and the client's declaration now comes with each request, so the tool is registered at
 * start-up and its handler checks the declaration of the request it serves, answering a tool error that
 * names the missing capability. The connection-plan module says which functions and hooks qualify.
 */

interface Scan {
  file: SourceFile;
  sdk: SdkLine;
  relPath: string;
}

/** Text of a statement with the comment lines directly above it, moved from `from` indentation to none. */
function statementLines(file: SourceFile, statement: Statement, splices: readonly Splice[] = []): string {
  const text = file.getFullText();
  const start = lineStart(text, removalStart(text, statement));
  const base = indentAt(file, statement.getStart());
  const moved = spliceText(text.slice(start, statement.getEnd()), start, splices);
  return moved
    .split('\n')
    .map((line) => (line.startsWith(base) ? line.slice(base.length) : line.trimStart()))
    .join('\n');
}

/** Chain links a handler needs: those it (and its gate) names, with the links they derive from. */
function neededLinks(shape: FunctionShape, fn: Node | undefined, condition: Expression | undefined): VariableStatement[] {
  const needed = new Set<string>();
  const pending = [...(fn ? chainReferences(fn, shape) : []), ...(condition ? chainReferences(condition, shape) : [])].map((id) => id.getText());
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    const link = shape.chain.find((s) => s.getDeclarations()[0]?.getName() === name);
    if (link) pending.push(...chainReferences(link, shape).map((id) => id.getText()));
  }
  return shape.chain.filter((s) => needed.has(s.getDeclarations()[0]!.getName()));
}

/** Did the file separate two statements (and the comments above the second) with a blank line? */
function blankBetween(file: SourceFile, first: Statement, second: Statement): boolean {
  const text = file.getFullText();
  return /\n[ \t]*\r?\n/.test(text.slice(first.getEnd(), lineStart(text, removalStart(text, second))));
}

/** `caps.elicitation`, `(caps.tasks as T)?.requests?.sampling`: the capability path it reads, if any. */
function accessPath(node: Node, roots: ReadonlyMap<string, string[]>): string[] | undefined {
  const segments: string[] = [];
  let current: Node = node;
  for (;;) {
    if (Node.isPropertyAccessExpression(current)) {
      segments.unshift(current.getName());
      current = current.getExpression();
    } else if (Node.isParenthesizedExpression(current) || Node.isNonNullExpression(current) || Node.isAsExpression(current)) {
      current = current.getExpression();
    } else break;
  }
  if (isAccessorCall(current)) return methodCall(current)?.method === 'getClientCapabilities' ? segments : undefined;
  const root = Node.isIdentifier(current) ? roots.get(current.getText()) : undefined;
  return root ? [...root, ...segments] : undefined;
}

/** The capabilities a gate asks for, as dotted paths (`sampling`, `elicitation.url`), most specific only. */
function capabilityPaths(links: readonly VariableStatement[], condition: Expression | undefined): string[] {
  const roots = new Map<string, string[]>();
  const paths: string[][] = [];
  const collect = (node: Node) => {
    for (const access of [node, ...node.getDescendants()]) {
      if (!Node.isPropertyAccessExpression(access)) continue;
      let outer: Node = access;
      while (Node.isParenthesizedExpression(outer.getParent()) || Node.isNonNullExpression(outer.getParent())) outer = outer.getParentOrThrow();
      const parent = outer.getParent();
      if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === outer) continue;
      const path = accessPath(access, roots);
      if (path && path.length > 0) paths.push(path);
    }
  };
  for (const link of links) {
    const declaration = link.getDeclarations()[0]!;
    let init: Node | undefined = declaration.getInitializer();
    // `getClientCapabilities() || {}` and `caps.tasks as T` name the same capabilities as what they wrap.
    while (init && (Node.isParenthesizedExpression(init) || Node.isAsExpression(init) || Node.isNonNullExpression(init) || (Node.isBinaryExpression(init) && ['||', '??'].includes(init.getOperatorToken().getText())))) {
      init = Node.isBinaryExpression(init) ? init.getLeft() : init.getExpression();
    }
    const root = init && (isAccessorCall(init) ? (methodCall(init)?.method === 'getClientCapabilities' ? [] : undefined) : accessPath(init, roots));
    if (root) roots.set(declaration.getName(), root);
    collect(declaration.getInitializerOrThrow());
  }
  if (condition) collect(condition);
  const dotted = [...new Set(paths.map((p) => p.join('.')))];
  return dotted.filter((p) => !dotted.some((other) => other !== p && other.startsWith(`${p}.`)));
}

/** `!x`, `!(a && b)`, and `!x` undone to `x`. */
function negated(condition: Expression): string {
  if (Node.isPrefixUnaryExpression(condition) && condition.getOperatorToken() === SyntaxKind.ExclamationToken) return condition.getOperand().getText();
  const simple = Node.isIdentifier(condition) || Node.isPropertyAccessExpression(condition) || Node.isCallExpression(condition) || Node.isElementAccessExpression(condition) || Node.isParenthesizedExpression(condition);
  return simple ? `!${condition.getText()}` : `!(${condition.getText()})`;
}

/** Accessor calls in a link rewritten to the per-request helper; the helpers used are collected. */
function linkText(file: SourceFile, link: VariableStatement, context: string, used: Set<EnvelopeValue>): string {
  const splices: Splice[] = [];
  for (const call of link.getDescendants().filter(isAccessorCall)) {
    const parts = methodCall(call)!;
    const value = lookup(CLIENT_ACCESSORS, parts.method)!;
    used.add(value);
    splices.push({ start: call.getStart(), end: call.getEnd(), text: `${value.helper}(${context}, ${parts.receiver.getText()})` });
  }
  return statementLines(file, link, splices);
}

/** The check at the top of the entry handler: a tool error (or an error, outside tools/call) naming the capability. */
function guardText(file: SourceFile, call: RegistrationCall, condition: Expression, message: string): string {
  const unit = indentUnit(file);
  // A tool callback answers a tool error; a task's createTask or a prompt can only throw.
  const answer =
    call.kind === 'tool' && call.handlers.length === 1
      ? `return { isError: true, content: [{ type: ${quote(file, 'text')}, text: ${quote(file, message)} }] };`
      : `throw new Error(${quote(file, message)});`;
  return `if (${negated(condition)}) {\n${unit}${answer}\n}`;
}

/**
 * The registration statement(s) of one gated or plain registration, with the chain moved into the handlers
 * that read it and the gate turned into a call-time check; at the statement's own indentation (first line
 * unindented). Undefined when a handler's context parameter cannot be named.
 */
function ungatedText(file: SourceFile, sdk: SdkLine, shape: FunctionShape, registration: RegistrationStatement, used: Set<EnvelopeValue>): string | undefined {
  const texts: string[] = [];
  for (const call of registration.calls) {
    const splices: Splice[] = [];
    for (const handler of call.handlers) {
      const gate = handler.entry ? registration.condition : undefined;
      const links = neededLinks(shape, handler.fn, gate);
      if (links.length === 0 && !gate) continue;
      const access = contextParameter(file, { fn: handler.fn, ctxIndex: handler.ctxIndex }, sdk);
      if (!access) return undefined;
      const lines = links.map((link, i) => `${i > 0 && blankBetween(file, links[i - 1]!, link) ? '\n' : ''}${linkText(file, link, access.name, used)}`);
      if (gate) {
        const message = capabilityError(call.name ?? 'This tool', capabilityPaths(neededLinks(shape, undefined, gate), gate));
        lines.push(guardText(file, call, gate, message));
      }
      splices.push(...access.splices, insertAtBodyStart(file, handler.fn, `${lines.join('\n')}\n`));
    }
    const text = spliceText(call.statement.getText(), call.statement.getStart(), splices);
    texts.push(registration.condition ? reindentFrom(text, indentAt(file, call.statement.getStart()), indentAt(file, registration.statement.getStart())) : text);
  }
  return texts.join(`\n${indentAt(file, registration.statement.getStart())}`);
}

/** Move a snippet whose later lines sit at `from` to `to` (the first line carries no indentation). */
function reindentFrom(text: string, from: string, to: string): string {
  return text
    .split('\n')
    .map((line, index) => (index === 0 || line.trim() === '' ? (index === 0 ? line : '') : line.startsWith(from) ? to + line.slice(from.length) : line))
    .join('\n');
}

function helperEdits(file: SourceFile, sdk: SdkLine, used: ReadonlySet<EnvelopeValue>): { splices: Splice[]; imports: NonNullable<Edit['imports']> } {
  const values = [...used];
  return { splices: values.flatMap((v) => helperSplices(file, v, sdk)), imports: values.flatMap((v) => helperImports(file, v, sdk)) };
}

/** A registering function reached from a connection hook: its gates become call-time checks. */
function ungateFunction(scan: Scan, name: string): Edit | undefined {
  const fn = moduleFunction(scan.file, name);
  const body = fn?.getBody();
  if (!fn || !body || !Node.isBlock(body)) return undefined;
  const shape = shapeOf(body);
  if ((shape.chain.length === 0 && !shape.registrations.some((r) => r.condition)) || !chainMovable(shape)) return undefined;
  const used = new Set<EnvelopeValue>();
  const splices: Splice[] = [];
  for (const registration of shape.registrations) {
    if (!registration.condition && !registration.calls.some((c) => c.handlers.some((h) => chainReferences(h.fn, shape).length > 0))) continue;
    const text = ungatedText(scan.file, scan.sdk, shape, registration, used);
    if (text === undefined) return undefined;
    splices.push({ start: registration.statement.getStart(), end: registration.statement.getEnd(), text });
  }
  splices.push(...removeOpening(scan.file, shape.chain));
  const helpers = helperEdits(scan.file, scan.sdk, used);
  return { what: `register ${name}'s tools for every client`, splices: [...splices, ...helpers.splices], imports: helpers.imports };
}

/** Statements leaving a connection hook for start-up, right after the hook (or in its place when it empties). */
function moveOutOfHook(scan: Scan, hook: HookAssignment, moves: readonly string[]): Edit | undefined {
  const { file } = scan;
  const shape = shapeOf(hook.body);
  const moving = hook.body.getStatements().filter((s) => moves.includes(s.getText()));
  if (moving.length === 0) return undefined;
  const used = new Set<EnvelopeValue>();
  const texts: string[] = [];
  let previous: Statement | undefined;
  for (const statement of moving) {
    const registration = shape.registrations.find((r) => r.statement === statement);
    const ungated = registration ? ungatedText(file, scan.sdk, shape, registration, used) : statement.getText();
    if (ungated === undefined) return undefined;
    const full = file.getFullText();
    const spaced = previous && /\n[ \t]*\r?\n/.test(full.slice(previous.getEnd(), lineStart(full, removalStart(full, statement))));
    const withComments = statementLines(file, statement, [{ start: statement.getStart(), end: statement.getEnd(), text: ungated }]);
    texts.push(`${spaced ? '\n' : ''}${withComments}`);
    previous = statement;
  }
  // The plan moves gated registrations only when nothing staying reads the chain: then all of it goes.
  const leaving = new Set<Statement>([...moving, ...(used.size > 0 ? shape.chain : [])]);
  const indent = indentAt(file, hook.statement.getStart());
  const block = texts.join('\n').split('\n').map((line, i) => (i === 0 || line === '' ? line : indent + line)).join('\n');
  const helpers = helperEdits(file, scan.sdk, used);
  const emptied = hook.body.getStatements().every((s) => leaving.has(s));
  const splices: Splice[] = emptied
    ? [{ start: hook.statement.getStart(), end: hook.statement.getEnd(), text: block }]
    : [...removeOpening(file, [...leaving]), { start: hook.statement.getEnd(), end: hook.statement.getEnd(), text: `\n${blankAfter(file, hook.statement) ? '\n' : ''}${indent}${block}` }];
  return { what: 'register per-connection tools at start-up', splices: [...splices, ...helpers.splices], imports: helpers.imports };
}

/**
 * Remove statements like `removeStatement`; where a run of them opened its block (the line before ends
 * with `{`), the blank line after the run goes too, so the block does not start with one.
 */
function removeOpening(file: SourceFile, statements: readonly Statement[]): Splice[] {
  const text = file.getFullText();
  const runs: Splice[] = [];
  for (const splice of statements.map((s) => removeStatement(file, s)).sort((a, b) => a.start - b.start)) {
    const last = runs[runs.length - 1];
    if (last && text.slice(last.end, splice.start).trim() === '') last.end = splice.end;
    else runs.push({ ...splice });
  }
  for (const run of runs) {
    if (run.start === 0 || lineStart(text, run.start) !== run.start) continue;
    const previous = text.slice(lineStart(text, run.start - 1), run.start - 1);
    const blank = /^[ \t]*\r?\n/.exec(text.slice(run.end));
    if (previous.trimEnd().endsWith('{') && blank) run.end += blank[0].length;
  }
  return runs;
}

function blankAfter(file: SourceFile, statement: Statement): boolean {
  return /^[ \t]*\r?\n[ \t]*\r?\n/.test(file.getFullText().slice(statement.getEnd()));
}

/**
 * Tools registered per connection because of what the client declared (P4 on connect): registered at
 * start-up, checking the declaration of each request. One edit per round, like the other list passes.
 */
export function analyseCapabilityGates(scan: Scan, plan: ConnectionPlan | undefined): Findings {
  if (!plan) return { edits: [], marks: [] };
  for (const name of plan.functions.get(scan.relPath) ?? []) {
    const edit = ungateFunction(scan, name);
    if (edit) return { edits: [edit], marks: [] };
  }
  for (const planned of plan.hooks.get(scan.relPath) ?? []) {
    const hook = hookAssignments(scan.file).find((h) => h.assignment.getLeft().getText() === planned.hook);
    const edit = hook && moveOutOfHook(scan, hook, planned.moves);
    if (edit) return { edits: [edit], marks: [] };
  }
  return { edits: [], marks: [] };
}
