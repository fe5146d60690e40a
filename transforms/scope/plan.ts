/**
 * Plan the record rewrite of a group: per file holding conversational state, one scope (a record behind one
 * handle, see templates/handle-scope), the tools that reach the state wrapped to run inside the record of
 * the id they are given, a creator and a destroyer tool, and shutdown code turned into the record's cleanup.
 * References to the old variables become properties of the current record (`page` → `browser.page`); the
 * code around them keeps its control flow exactly as written.
 */
import { posix } from 'node:path';
import { Node, SyntaxKind, type CallExpression, type Identifier, type Project, type SourceFile } from 'ts-morph';
import { analyzeProject, type ServerModel, type StateVariable } from '../../src/analysis/index.js';
import { isNullish } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { DEFAULT_SCOPE_NOUN, SCOPE_NOUNS } from '../../src/rules/scope-state.js';
import { TextEdits } from '../handles/edits.js';
import { str, toolList, ttlText, type Style } from '../handles/generate.js';
import { addNamedImports, ensureZod, isCommonJs, specifierFor } from '../handles/imports.js';
import { indentOf } from '../handles/layout.js';
import { freeLocalName } from '../handles/local-names.js';
import { camelCase, plural } from '../handles/naming.js';
import type { FilePlan, PlannedMarker, ProjectPlan } from '../handles/project-plan.js';
import { statementOf, styleOf } from '../handles/site.js';
import { storePathFor, type HandleOptions } from '../handles/store-file.js';
import { findCandidates, type ScopeCandidate } from './candidates.js';
import { isLowLevel, listHandlerFor, registrationStatement, scopeRequestHandler, scopeServerTool, type ScopeNames } from './tool-sites.js';

/** The plan, plus where the scope module goes. */
export interface ScopePlan extends ProjectPlan {
  scopePath: string | undefined;
}

interface RecordNames extends ScopeNames {
  noun: string;
  /** The current record (`browser`), standing where the variables stood. */
  state: string;
  creator: string;
  destroyer: string;
}

export function planScopes(project: Project, options: HandleOptions): ScopePlan {
  const model = analyzeProject(project);
  const files = new Map<string, FilePlan>();
  const fileOf = (sourceFile: SourceFile): FilePlan => {
    const path = relativeOf(sourceFile);
    let plan = files.get(path);
    if (!plan) {
      plan = { text: sourceFile.getFullText(), edits: new TextEdits(sourceFile), markers: [], results: [] };
      files.set(path, plan);
    }
    return plan;
  };
  const { candidates, declines } = findCandidates(model);
  for (const decline of declines) fileOf(decline.node.getSourceFile()).markers.push(marker(decline.node, decline.message));
  let storePath: string | undefined;
  let scopePath: string | undefined;
  const toolNames = new Set(model.registrations.flatMap((r) => (r.kind === 'tool' && r.name ? [r.name] : [])));
  for (const candidate of candidates) {
    const path = relativeOf(candidate.file);
    if (isCommonJs(candidate.file)) {
      fileOf(candidate.file).markers.push(marker(candidate.states[0]!.declaration, `${stateList(candidate.states)} span tool calls; this CommonJS module cannot import the ESM handle store: give them a handle by hand or convert the module to ESM`));
      continue;
    }
    storePath ??= storePathFor(project, options, path);
    scopePath ??= posix.join(posix.dirname(storePath), `handle-scope${posix.extname(storePath)}`);
    // Plan on copies, so a file whose record cannot be planned keeps the edits of no other file.
    const trial = new Map<string, TextEdits>();
    const editsOf = (file: SourceFile) => {
      const key = relativeOf(file);
      let edits = trial.get(key);
      if (!edits) {
        edits = fileOf(file).edits.clone();
        trial.set(key, edits);
      }
      return edits;
    };
    const reason = planCandidate(candidate, model, options, toolNames, editsOf, { storePath, scopePath });
    if (reason) {
      fileOf(candidate.file).markers.push(marker(candidate.states[0]!.declaration, reason));
      continue;
    }
    for (const [key, edits] of trial) files.get(key)!.edits = edits;
    fileOf(candidate.file).results.push({
      pattern: 'P2',
      rule: 'SL006',
      state: stateList(candidate.states),
      file: path,
      line: candidate.states[0]!.declaration.getStartLineNumber(),
      summary: `${stateList(candidate.states)}: one record per conversation behind a handle, for ${toolList(uniqueLabels(candidate))}`,
    });
  }
  return { files, storePath: scopePath ? storePath : undefined, scopePath };
}

function marker(node: Node, message: string): PlannedMarker {
  return { pos: node.getStart(), rule: 'SL006', pattern: 'P2', message };
}

function stateList(states: readonly StateVariable[]): string {
  return toolList(states.map((s) => s.name));
}

function uniqueLabels(candidate: ScopeCandidate): string[] {
  return [...new Set(candidate.tools.map((r) => r.name ?? r.label))];
}

function recordNames(candidate: ScopeCandidate, options: HandleOptions, toolNames: ReadonlySet<string>): RecordNames {
  const names = candidate.states.map((s) => s.name);
  const noun = options.names[names[0]!] ?? SCOPE_NOUNS.find((entry) => names.some((n) => entry.test.test(n)))?.noun ?? DEFAULT_SCOPE_NOUN;
  const free = (base: string) => {
    let name = base;
    for (let i = 2; toolNames.has(name); i++) name = `${base}_${i}`;
    return name;
  };
  const scopes = [candidate.file];
  const taken = new Set(names);
  const state = freeLocalName(camelCase(noun), scopes, taken);
  const scope = freeLocalName(plural(camelCase(noun)), scopes, [...taken, state]);
  return {
    noun,
    idParam: `${noun}_id`,
    state,
    scope,
    creator: free(options.creatorTemplate.replace('{thing}', noun)),
    destroyer: free(options.destroyTemplate.replace('{thing}', noun)),
  };
}

function planCandidate(
  candidate: ScopeCandidate,
  model: ServerModel,
  options: HandleOptions,
  toolNames: ReadonlySet<string>,
  editsOf: (file: SourceFile) => TextEdits,
  paths: { storePath: string; scopePath: string },
): string | undefined {
  const names = recordNames(candidate, options, toolNames);
  const file = candidate.file;
  const edits = editsOf(file);
  const sdk = model.files.find((info) => info.sourceFile === file)?.sdk;
  const style = styleOf(file, sdk);

  // Declarations: the first becomes the scope, the others go.
  const statements = [...new Set(candidate.states.map((s) => statementOf(s.declaration)!))];
  for (const statement of statements) {
    if (!Node.isVariableStatement(statement)) return `${stateList(candidate.states)} are declared in a way this cannot rewrite`;
    const declared = statement.getDeclarations().map((d) => d.getName());
    if (!declared.every((name) => candidate.states.some((s) => s.name === name))) {
      return `${declared.join(', ')} are declared together with values that do not belong to one conversation; declare them separately`;
    }
  }
  const first = statements.sort((a, b) => a.getStart() - b.getStart())[0]!;
  const lowLevel = candidate.tools.filter(isLowLevel);
  const exported = candidate.tools.some((r) => r.call.getSourceFile() !== file);
  const definition = scopeDefinition(candidate, names, style, lowLevel.length > 0 && lowLevel.some((r) => !r.name) ? 'all' : uniqueLabels(candidate), exported, indentOf(first));
  edits.replace(first.getStart(), first.getEnd(), definition);
  for (const statement of statements.slice(1)) edits.removeStatement(statement);

  // References become properties of the current record.
  for (const refs of candidate.references.values()) {
    for (const ref of refs) substitute(edits, ref, names.state);
  }

  // Shutdown code: the first statement disposes every record; the state's statements become the cleanup.
  const shutdownByHandler = new Map<Node, Node[]>();
  for (const use of candidate.shutdown) shutdownByHandler.set(use.handler, [...(shutdownByHandler.get(use.handler) ?? []), use.statement]);
  for (const [handler, list] of shutdownByHandler) {
    const sorted = list.sort((a, b) => a.getStart() - b.getStart());
    const isAsync = (Node.isArrowFunction(handler) || Node.isFunctionExpression(handler)) && handler.isAsync();
    edits.replace(sorted[0]!.getStart(), sorted[0]!.getEnd(), `${isAsync ? 'await' : 'void'} ${names.scope}.disposeAll();`);
    for (const statement of sorted.slice(1)) edits.removeStatement(statement);
  }

  // Imports each file needs, added once per file at the end (two additions to one import would overlap).
  const imports = new Map<SourceFile, { names: Map<string, Set<string>>; zod: boolean }>();
  const need = (target: SourceFile, path: string, ...wanted: string[]) => {
    const entry = imports.get(target) ?? { names: new Map<string, Set<string>>(), zod: false };
    imports.set(target, entry);
    const specifier = specifierFor(target, relativeOf(target), path);
    entry.names.set(specifier, new Set([...(entry.names.get(specifier) ?? []), ...wanted]));
    return entry;
  };

  // The tools.
  const seen = new Set<CallExpression>();
  let creatorAt: { call: CallExpression; receiver: string } | undefined;
  for (const registration of candidate.tools) {
    if (seen.has(registration.call)) continue;
    seen.add(registration.call);
    const toolFile = registration.call.getSourceFile();
    const toolEdits = editsOf(toolFile);
    if (toolFile === file && registration.call.getStart() < first.getStart()) {
      return `${registration.label} is registered above ${stateList(candidate.states)}; move the declarations above the registrations`;
    }
    if (isLowLevel(registration)) {
      const list = listHandlerFor(registration, model.requestHandlers);
      if (!list) return `the tools/list handler of ${registration.receiver?.getText() ?? 'the server'} was not found; list the ${names.creator} tool by hand`;
      scopeRequestHandler(toolEdits, registration.call, 'callHandler', names);
      scopeRequestHandler(toolEdits, list.call, 'listHandler', names);
    } else {
      const failed = scopeServerTool(toolEdits, registration.call, names, registration.sdk);
      if (failed) return failed;
      need(toolFile, paths.storePath).zod = true;
      if (!creatorAt || (toolFile === creatorAt.call.getSourceFile() && registration.call.getStart() < creatorAt.call.getStart())) {
        creatorAt = { call: registration.call, receiver: registration.receiver?.getText() ?? 'server' };
      }
    }
    if (toolFile !== file) need(toolFile, relativeOf(file), names.scope);
    if (!isLowLevel(registration)) need(toolFile, paths.storePath, 'describeHandleParam');
  }
  if (creatorAt) {
    const toolFile = creatorAt.call.getSourceFile();
    const toolEdits = editsOf(toolFile);
    const statement = registrationStatement(creatorAt.call)!;
    const sdkLine = model.files.find((info) => info.sourceFile === toolFile)?.sdk;
    toolEdits.insert(statement.getStart(), `${lifecycleTools(styleOf(toolFile, sdkLine), names, creatorAt.receiver, indentOf(statement))}\n\n${indentOf(statement)}`);
    need(toolFile, paths.storePath, 'describeHandleParam', 'principalOf');
  }
  need(file, paths.scopePath, 'defineScope');
  for (const [target, entry] of imports) {
    const targetEdits = editsOf(target);
    const quote = styleOf(target, undefined).quote;
    for (const [specifier, wanted] of entry.names) addNamedImports(targetEdits, target, specifier, [...wanted], quote);
    if (entry.zod) ensureZod(targetEdits, target, quote);
  }
  removeStaleMarkers(edits, candidate.states);
  return undefined;
}

/** `page` → `browser.page`; `{ page }` → `{ page: browser.page }`. */
function substitute(edits: TextEdits, ref: Identifier, record: string): void {
  const parent = ref.getParent();
  if (parent && Node.isShorthandPropertyAssignment(parent)) {
    edits.replace(ref.getStart(), ref.getEnd(), `${ref.getText()}: ${record}.${ref.getText()}`);
    return;
  }
  edits.replace(ref.getStart(), ref.getEnd(), `${record}.${ref.getText()}`);
}

/** A node's text with the state references in it made record properties. */
function substitutedText(node: Node, refs: readonly Identifier[], record: string): string {
  const start = node.getStart();
  let text = node.getText();
  const inside = refs.filter((ref) => ref.getStart() >= start && ref.getEnd() <= node.getEnd()).sort((a, b) => b.getStart() - a.getStart());
  for (const ref of inside) {
    const from = ref.getStart() - start;
    const shorthand = Node.isShorthandPropertyAssignment(ref.getParent());
    text = `${text.slice(0, from)}${shorthand ? `${ref.getText()}: ` : ''}${record}.${ref.getText()}${text.slice(from + ref.getText().length)}`;
  }
  return text;
}

/** The initial value of one state in a fresh record, typed as the variable was. */
function initialValue(state: StateVariable, typed: boolean): string {
  const declaration = state.declaration;
  if (!Node.isVariableDeclaration(declaration)) return 'undefined';
  const initializer = declaration.getInitializer();
  const annotation = declaration.getTypeNode()?.getText();
  const value = initializer ? initializer.getText() : 'undefined';
  if (!typed) return value;
  if (annotation) return `${value} as ${annotation}`;
  // What `let x;`, `let x = null` and `let x = []` evolve into.
  if (!initializer || isNullish(initializer) || initializer.getKind() === SyntaxKind.NullKeyword) return `${value} as any`;
  if (Node.isArrayLiteralExpression(initializer) && initializer.getElements().length === 0) return '[] as any[]';
  return value;
}

function scopeDefinition(candidate: ScopeCandidate, names: RecordNames, style: Style, tools: readonly string[] | 'all', exported: boolean, indent: string): string {
  const u = style.unit;
  const i1 = indent + u;
  const i2 = i1 + u;
  const record = candidate.states.map((state) => `${i2}${state.name}: ${initialValue(state, style.typed)},`);
  const cleanup = candidate.shutdown.map((use) => substitutedText(use.statement, candidate.cleanupReferences, names.state));
  const what = candidate.states.length === 1 ? candidate.states[0]!.name : `${candidate.states.slice(0, -1).map((s) => s.name).join(', ')} and ${candidate.states.at(-1)!.name}`;
  const lines = [
    `/** What this server kept for the life of its process (${what}), now one record per conversation behind a ${names.idParam}. */`,
    `${exported ? 'export ' : ''}const ${names.scope} = defineScope({`,
    `${i1}name: ${str(style, names.noun)},`,
    `${i1}idParam: ${str(style, names.idParam)},`,
    `${i1}creator: ${str(style, names.creator)},`,
    `${i1}destroyer: ${str(style, names.destroyer)},`,
    `${i1}summary: ${str(style, `Start a ${names.noun.replace(/_/g, ' ')}: the state the tools keep between calls (${what})`)},`,
    `${i1}ttlSeconds: ${ttlText(30 * 60)},`,
    `${i1}tools: ${tools === 'all' ? str(style, 'all') : `[${tools.map((t) => str(style, t)).join(', ')}]`},`,
    `${i1}init: () => ({`,
    ...record,
    `${i1}}),`,
    ...(cleanup.length > 0
      ? [`${i1}cleanup: async ()${style.typed ? ': Promise<void>' : ''} => {`, ...cleanup.map((text) => `${i2}${text.replace(/\n\s*/g, (m) => `\n${i2}`)}`), `${i1}},`]
      : []),
    `${indent}});`,
    `${indent}/** The record of the ${names.idParam} the running tool call was given. */`,
    `${indent}const ${names.state} = ${names.scope}.state;`,
  ];
  return lines.join('\n');
}

/** `create_browser` and `destroy_browser` as `McpServer` tools. */
function lifecycleTools(style: Style, names: RecordNames, receiver: string, indent: string): string {
  const u = style.unit;
  const i1 = indent + u;
  const i2 = i1 + u;
  const context = style.sdk === 'v2' ? 'ctx' : 'extra';
  const shape = (inner: string) => (style.sdk === 'v2' ? `z.object({ ${inner} })` : `{ ${inner} }`);
  return [
    `${receiver}.registerTool(`,
    `${i1}${str(style, names.creator)},`,
    `${i1}{`,
    `${i2}description: ${names.scope}.creatorDescription,`,
    `${i2}outputSchema: ${shape(`${names.idParam}: z.string()`)},`,
    `${i1}},`,
    `${i1}async (${context}) => ${names.scope}.create(principalOf(${context})),`,
    `${indent});`,
    `${indent}${receiver}.registerTool(`,
    `${i1}${str(style, names.destroyer)},`,
    `${i1}{`,
    `${i2}description: ${names.scope}.destroyerDescription,`,
    `${i2}inputSchema: ${shape(`${names.idParam}: z.string().describe(describeHandleParam(${names.scope}.kind))`)},`,
    `${i1}},`,
    `${i1}async ({ ${names.idParam} }, ${context}) => ${names.scope}.destroy(${names.idParam}, principalOf(${context})),`,
    `${indent});`,
  ].join('\n');
}

/** Markers the fine-grained transforms left on state this rewrite now handles. */
function removeStaleMarkers(edits: TextEdits, states: readonly StateVariable[]): void {
  const text = edits.text;
  const pattern = new RegExp(`^[ \\t]*// ${TODO_MARKER.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\(SL00[36]\\):[^\\n]*\\n`, 'gm');
  for (const match of text.matchAll(pattern)) {
    if (!states.some((s) => new RegExp(`\\b${s.name}\\b`).test(match[0]))) continue;
    try {
      edits.replace(match.index!, match.index! + match[0].length, '');
    } catch {
      // The marker sits inside a range another edit already rewrites.
    }
  }
}

