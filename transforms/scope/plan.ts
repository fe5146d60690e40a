/**
 * Plan the record rewrite of a group: per file holding conversational state, one scope (a record behind one
 * handle, see templates/handle-scope), the tools that reach the state wrapped to run inside the record of
 * the id they are given, a creator and a destroyer tool, and shutdown code turned into the record's cleanup.
 * References to the old variables become properties of the current record (`page` → `browser.page`); the
 * code around them keeps its control flow exactly as written.
 */
import { posix } from 'node:path';
import { Node, SyntaxKind, type ClassDeclaration, type TryStatement, type Identifier, type Project, type PropertyAccessExpression, type SourceFile } from 'ts-morph';
import { analyzeProject, type ServerModel } from '../../src/analysis/index.js';
import { projectClassBuilt } from '../../src/analysis/syntax.js';
import { relativeOf } from '../../src/engine/parse.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { DEFAULT_SCOPE_NOUN, FALLBACK_SCOPE_NOUNS, RELEASERS, SCOPE_NOUNS, SCOPE_STATE_PROPERTY } from '../../src/rules/scope-state.js';
import { wordsOf } from '../../src/rules/handles-verbs.js';
import { TextEdits, withTrailingComment } from '../handles/edits.js';
import { str, toolList, ttlText, type Style } from '../handles/generate.js';
import { isExported } from '../shared/exports.js';
import { isCommonJs, usedOutside } from '../handles/imports.js';
import { indentOf, usesSemicolons } from '../handles/layout.js';
import { freeLocalName } from '../handles/local-names.js';
import { camelCase, plural } from '../handles/naming.js';
import type { FilePlan, PlannedMarker, ProjectPlan } from '../handles/project-plan.js';
import { aboveTopLevel, statementOf, styleOf } from '../handles/site.js';
import { storePathFor, type HandleOptions } from '../handles/store-file.js';
import { findCandidates, standsInForRecord, type ScopeCandidate, type ScopeMember } from './candidates.js';
import { singletonOf } from './instances.js';
import { fieldDeclarationEdit } from './fields.js';
import { planRecordResources } from './resources.js';
import { definitionAnchor, toolNameOf, type ScopeNames } from './tool-sites.js';
import { freeNoun, ImportNeeds, wireTools } from './wiring.js';
import { planSessionIds } from './session-ids.js';
import { importsTransitively, planPart, type RecordHome } from './part.js';
import { builtOnByShared, copiedAcrossModules, copyMessage, type CopiedState } from './kept-together.js';
import { recordLines, recordReference, referenceName, reindent, spansLinesInLiteral, stateList } from './record-text.js';
import { removeMarkersNaming } from './stale-markers.js';

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
  // Try with the state resources read in the records; a file whose resources cannot be keyed by the handle
  // falls back to its record without that state, which stays shared with its marker.
  const found = { loose: findCandidates(model, { resources: true }), strict: findCandidates(model, { resources: false }) };
  // State another module builds shared state from stays shared with it.
  const builtOn = builtOnByShared(found.loose, model);
  // Copies of one value kept in several modules the same tools use (`browserContext` handed by a setter to each)
  // move together or not at all: a record for some copies would leave the others shared.
  const { copies, declined } = copiedAcrossModules(found.loose);
  // A copy that is no candidate at all (used outside any tool call) stays shared whatever the others do.
  const first = declined ? undefined : planRecords(project, model, options, found, builtOn);
  const failure = declined ? `${relativeOf(declined.node.getSourceFile())} keeps its copy: ${declined.record!.problem.replace(/;.*$/, '')}` : copyFailure(copies, first!.failures);
  if (!failure) return first!.plan;
  const kept = new Map([...builtOn, ...[...copies].map(([candidate, copy]) => [candidate, copyMessage(candidate, copy, failure)] as const)]);
  return planRecords(project, model, options, found, kept).plan;
}

/** What kept the copies from one record: the first module of theirs whose record or part could not be planned, and why. */
function copyFailure(copies: ReadonlyMap<ScopeCandidate, CopiedState>, failures: ReadonlyMap<SourceFile, string>): string | undefined {
  for (const candidate of copies.keys()) {
    const failed = failures.get(candidate.file);
    if (failed !== undefined) return `${relativeOf(candidate.file)} cannot join it (${failed})`;
  }
  return undefined;
}

/**
 * The records and parts of every candidate but `excluded` (state other modules' state keeps shared, each marked with
 * why), and the files whose candidate was planned and did not land, with the reason.
 */
function planRecords(
  project: Project,
  model: ServerModel,
  options: HandleOptions,
  found: { loose: ReturnType<typeof findCandidates>; strict: ReturnType<typeof findCandidates> },
  excluded: ReadonlyMap<ScopeCandidate, string>,
): { plan: ScopePlan; failures: Map<SourceFile, string> } {
  const failures = new Map<SourceFile, string>();
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
  const { candidates, declines: looseDeclines } = found.loose;
  const strict = found.strict;
  const declinesOf = (list: typeof looseDeclines, keep: (file: SourceFile) => boolean) => list.filter((d) => keep(d.node.getSourceFile()));
  const markDeclines = (list: typeof looseDeclines) => {
    for (const decline of list) {
      // One marker per decision: a finer handle transform may have marked this state already.
      const file = decline.node.getSourceFile();
      const name = Node.isVariableDeclaration(decline.node) || Node.isPropertyDeclaration(decline.node) ? decline.node.getName() : undefined;
      if (name && markedAlready(file.getFullText(), name)) continue;
      const owner = Node.isPropertyDeclaration(decline.node) ? decline.node.getParent() : undefined;
      if (owner && Node.isClassDeclaration(owner) && owner.getName() && markedAlready(file.getFullText(), owner.getName()!)) continue;
      // An object whose class's fields a finer transform marked (`ConnectionManager.db …`, `BrowserManager keeps
      // state …` in the class's own module): that is the decision.
      const built = Node.isVariableDeclaration(decline.node) ? decline.node.getInitializer() : undefined;
      const className = built && Node.isNewExpression(built) ? built.getExpression().getText() : undefined;
      if (className && model.files.some((info) => markedAlready(info.sourceFile.getFullText(), className))) continue;
      fileOf(file).markers.push(marker(decline.node, decline.message));
    }
  };
  let storePath: string | undefined;
  let scopePath: string | undefined;
  const toolNames = new Set(model.registrations.filter((r) => r.kind === 'tool').map(toolNameOf).filter((name): name is string => name !== undefined));
  // One record per tool: where two modules' state reaches the same tools, the larger record takes them and
  // the other is marked (two ids on one tool would be two handles for one conversation).
  const claimed = new Map<Node, RecordHome>();
  // What the records are called (`browser`, `session`): the session-id scope takes a name none of them has.
  const nouns = new Set<string>();
  // State other modules' state keeps shared: none of it moves, and each gets the one reason.
  for (const [candidate, message] of excluded) fileOf(candidate.file).markers.push(marker(candidate.members[0]!.declaration, message));
  // A module the others import defines the record they join (a part imports it; the other way round would be
  // a cycle), then the larger record goes first.
  const importedBy = new Map(candidates.map((candidate) => [candidate, candidates.filter((other) => other !== candidate && importsTransitively(other.file, candidate.file)).length]));
  /** A planned record (or part) goes ahead: its trial edits become the files' edits, its notes their markers. */
  const land = (trial: ReadonlyMap<string, TextEdits>, notes: readonly PlannedMarker[], candidate: ScopeCandidate, what: string) => {
    for (const [key, edits] of trial) files.get(key)!.edits = edits;
    for (const note of notes) fileOf(note.file ?? candidate.file).markers.push(note);
    fileOf(candidate.file).results.push({
      pattern: 'P2',
      rule: 'SL006',
      state: stateList(candidate.members),
      file: relativeOf(candidate.file),
      line: candidate.members[0]!.declaration.getStartLineNumber(),
      summary: `${stateList(candidate.members)}: ${what}`,
    });
  };
  // Among equals, a record only a home can hold (with start-up or shutdown code) goes first, so the others can join it.
  const homeOnly = (candidate: ScopeCandidate) => (candidate.startup.length > 0 || candidate.shutdown.length > 0 ? 1 : 0);
  const queue = [...candidates]
    .filter((candidate) => !excluded.has(candidate))
    .sort((a, b) => importedBy.get(b)! - importedBy.get(a)! || homeOnly(b) - homeOnly(a) || b.members.length - a.members.length);
  const failedFiles = new Set<SourceFile>();
  for (let index = 0; index < queue.length; index++) {
    const candidate = queue[index]!;
    const path = relativeOf(candidate.file);
    const shared = candidate.tools.find((r) => claimed.has(r.call));
    if (shared) {
      // The same tools' state in another module: this module keeps its part of that record, under the same id.
      const home = claimed.get(shared.call)!;
      const trial = new Map<string, TextEdits>();
      const editsOf = (file: SourceFile) => {
        const key = relativeOf(file);
        if (!trial.has(key)) trial.set(key, fileOf(file).edits.clone());
        return trial.get(key)!;
      };
      const notes: PlannedMarker[] = [];
      const style = styleOf(candidate.file, model.files.find((info) => info.sourceFile === candidate.file)?.sdk, options);
      const reason = planPart(candidate, home, { model, options, style, editsOf, notes });
      const other = relativeOf(home.file);
      if (reason) {
        failures.set(candidate.file, reason);
        fileOf(candidate.file).markers.push(marker(candidate.members[0]!.declaration, `${stateList(candidate.members)} ${candidate.members.length === 1 ? 'serves' : 'serve'} ${shared.label} together with the state of ${other}, and cannot join its record (${reason}); move them into ${other} to share its handle, or give them one by hand`));
        continue;
      }
      land(trial, notes, candidate, `part of the record of ${other}, behind its ${home.idParam}`);
      continue;
    }
    if (isCommonJs(candidate.file)) {
      failures.set(candidate.file, 'a CommonJS module cannot import the ESM handle store');
      fileOf(candidate.file).markers.push(marker(candidate.members[0]!.declaration, `${stateList(candidate.members)} span tool calls; this CommonJS module cannot import the ESM handle store: give them a handle by hand or convert the module to ESM`));
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
    const notes: PlannedMarker[] = [];
    const planned = planCandidate(candidate, model, options, toolNames, editsOf, { storePath, scopePath }, notes, nouns);
    if (typeof planned === 'object' && 'resources' in planned && !failedFiles.has(candidate.file)) {
      // The record goes ahead without the state its resources read; that state keeps its own marker.
      failedFiles.add(candidate.file);
      const retry = strict.candidates.find((c) => c.file === candidate.file);
      if (retry) queue.splice(index + 1, 0, retry);
      continue;
    }
    if (typeof planned === 'string' || 'reason' in planned) {
      const reason = typeof planned === 'string' ? planned : planned.reason;
      failures.set(candidate.file, reason);
      fileOf(candidate.file).markers.push(marker(candidate.members[0]!.declaration, reason));
      continue;
    }
    land(trial, notes, candidate, `one record per conversation behind a handle, for ${toolsServed(candidate)}`);
    const home: RecordHome = { file: candidate.file, ...planned, tools: new Set(candidate.tools.map((registration) => registration.call)) };
    for (const registration of candidate.tools) claimed.set(registration.call, home);
  }
  markDeclines([...declinesOf(looseDeclines, (file) => !failedFiles.has(file)), ...declinesOf(strict.declines, (file) => failedFiles.has(file))]);

  // Tools that keyed their state by the MCP session id take a session's id instead.
  const trial = new Map<string, TextEdits>();
  const editsOf = (file: SourceFile) => {
    const key = relativeOf(file);
    if (!trial.has(key)) trial.set(key, fileOf(file).edits.clone());
    return trial.get(key)!;
  };
  const paths = () => {
    storePath ??= storePathFor(project, options, relativeOf(model.files[0]!.sourceFile));
    scopePath ??= posix.join(posix.dirname(storePath), `handle-scope${posix.extname(storePath)}`);
    return { storePath, scopePath };
  };
  const sessions = planSessionIds(model, options, new Set(claimed.keys()), paths, editsOf, toolNames, nouns);
  if (typeof sessions === 'object' && 'declined' in sessions) {
    // One marker per statement that reads the id (`extra.sessionId || context.sessionId` is one).
    const statements = new Set(sessions.reads.map((read) => statementOf(read) ?? read));
    for (const statement of statements) fileOf(statement.getSourceFile()).markers.push({ pos: statement.getStart(), rule: 'SL001', pattern: 'P3', message: sessions.declined });
  } else if (typeof sessions === 'object') {
    for (const [key, edits] of trial) files.get(key)!.edits = edits;
    fileOf(sessions.home).results.push(sessions.result);
  }
  return { plan: { files, storePath: scopePath ? storePath : undefined, scopePath }, failures };
}

function marker(node: Node, message: string): PlannedMarker {
  return { pos: node.getStart(), rule: 'SL006', pattern: 'P2', message };
}

/** The tools a record serves, for the summary: `a, b and c`, and those registered by an expression named once. */
function toolsServed(candidate: ScopeCandidate): string {
  const named = [...new Set(candidate.tools.map(toolNameOf).filter((name): name is string => name !== undefined))];
  const labelled = [...new Set(candidate.tools.flatMap((r) => (toolNameOf(r) ? [] : [r.label])))];
  return toolList([...named, ...(labelled.length > 0 ? [`the tools registered as ${toolList(labelled)}`] : [])]);
}

function uniqueLabels(candidate: ScopeCandidate): string[] {
  return [...new Set(candidate.tools.map((r) => toolNameOf(r) ?? `the tools registered as ${r.label}`))];
}

function recordNames(candidate: ScopeCandidate, options: HandleOptions, toolNames: ReadonlySet<string>): RecordNames {
  const names = candidate.members.map((m) => m.name);
  // An object held whole is named by what it holds (a Context of tabs is a browser).
  const words = candidate.members.flatMap((m) => (m.kind === 'factory-instance' ? [m.name, m.className, ...m.fields.map((f) => f.name)] : [m.name]));
  const chosen = options.names[names[0]!] ?? SCOPE_NOUNS.find((entry) => words.flatMap(wordsOf).some((word) => entry.test.test(word)))?.noun ?? DEFAULT_SCOPE_NOUN;
  const noun = options.names[names[0]!] ?? freeNoun([...new Set([chosen, ...FALLBACK_SCOPE_NOUNS])], candidate.tools, toolNames, options.creatorTemplate) ?? chosen;
  const free = (base: string) => {
    let name = base;
    for (let i = 2; toolNames.has(name); i++) name = `${base}_${i}`;
    return name;
  };
  const scopes = [candidate.file];
  const taken = new Set(names);
  const state = freeLocalName(camelCase(noun), scopes, taken);
  // The scope is imported where the tools and the shutdown code are: its name must be free there too.
  const importers = [...new Set([...candidate.tools.map((r) => r.call.getSourceFile()), ...candidate.shutdown.map((use) => use.statement.getSourceFile())])];
  const scope = freeLocalName(plural(camelCase(noun)), [...new Set([...scopes, ...importers])], [...taken, state]);
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
  notes: PlannedMarker[],
  nouns: Set<string>,
): string | { reason: string; resources: true } | Omit<RecordHome, 'file' | 'tools'> {
  const names = recordNames(candidate, options, toolNames);
  nouns.add(names.noun);
  const file = candidate.file;
  const edits = editsOf(file);
  const sdk = model.files.find((info) => info.sourceFile === file)?.sdk;
  const style = styleOf(file, sdk, options);

  // Resources the state is read by: served from templates keyed by the record's id.
  const resources = planRecordResources(candidate, model, names, editsOf, { resourceLinks: style.supports('resource-link') });
  if (typeof resources === 'string') return { reason: resources, resources: true };
  for (const item of resources?.unlinked ?? []) notes.push({ pos: item.node.getStart(), file: item.node.getSourceFile(), rule: 'SL004', pattern: 'P8', message: item.message });
  for (const note of candidate.notes) notes.push({ ...marker(note.node, note.message), file: note.node.getSourceFile() });

  // Declarations: the first becomes the scope, the others go (objects a factory builds stay, built per record).
  const statements = [...new Set(candidate.members.filter((m) => m.kind !== 'factory-instance' && m.kind !== 'field').map((m) => statementOf(m.declaration)!))];
  for (const statement of statements) {
    if (!Node.isVariableStatement(statement)) return `${stateList(candidate.members)} are declared in a way this cannot rewrite`;
    const declared = statement.getDeclarations().map((d) => d.getName());
    if (!declared.every((name) => candidate.members.some((m) => m.name === name))) {
      return `${declared.join(', ')} are declared together with values that do not belong to one conversation; declare them separately`;
    }
  }
  const first = statements.sort((a, b) => a.getStart() - b.getStart())[0];
  // Factory variables: the factory now runs per request, so the scope lives above it, in the module.
  const factories = [...new Set(candidate.members.flatMap((m) => (m.kind === 'variable' && m.state.factory ? [m.state.factory.node] : m.kind === 'factory-instance' ? [m.factory] : [])))];
  if (factories.length > 1) return `${stateList(candidate.members)} belong to different server factories; give them handles by hand`;
  const factory = factories[0];
  // Fields of a class that builds its server: the scope goes above the class (or the module's own state above it).
  const owners = [...new Set(candidate.members.flatMap((m) => (m.kind === 'field' ? [m.owner] : [])))].sort((a, b) => a.getStart() - b.getStart());
  const ownerClass = owners[0];
  // Objects the class's own constructor builds (`this.paths = new PathManager(…)`) sit beside its fields: one scope above the class.
  const builtByOwner = factory !== undefined && Node.isConstructorDeclaration(factory) && factory.getParent() === ownerClass;
  if (ownerClass && ((factory && !builtByOwner) || (first && first.getStart() > ownerClass.getStart()))) {
    return `${stateList(candidate.members)} are kept partly in ${ownerClass.getName()}'s fields and partly in variables declared ${factory ? 'in a server factory' : 'below it'}; declare the variables above the class, then run migrate again`;
  }
  if (!factory && !first && !ownerClass) return `${stateList(candidate.members)} are declared in a way this cannot rewrite`;
  const exported =
    candidate.tools.some((r) => r.call.getSourceFile() !== file) || candidate.shutdown.some((use) => use.statement.getSourceFile() !== file) || (resources?.readers.length ?? 0) > 0;
  const dynamicNames = candidate.tools.some((r) => !toolNameOf(r));
  // Factory variables: the definition goes to the module's top level, unindented.
  const definition = scopeDefinition(candidate, names, style, { tools: dynamicNames ? 'all' : uniqueLabels(candidate), exported, ttlSeconds: options.ttlSeconds, resources: resources?.uris ?? [] }, factory || !first ? '' : indentOf(first));
  // A singleton keeps its exported name: it now stands for the current record's instance.
  const memberLines = (statement: Node) =>
    candidate.members
      .filter((m) => (m.kind === 'instance' || standsInForRecord(m)) && statementOf(m.declaration) === statement)
      .map((m) => `${isExported(statement) ? 'export ' : ''}const ${m.name} = ${names.scope}.member(${str(style, m.name)});`);
  if (factory || !first) {
    edits.insert(aboveTopLevel(definitionAnchor(candidate.tools, file, (factory ?? ownerClass)!)), `${definition}\n\n`);
    if (first) edits.removeStatement(first);
  } else edits.replace(first!.getStart(), withTrailingComment(file.getFullText(), first!.getEnd()), [definition, ...memberLines(first!)].join(`\n${indentOf(first!)}`));
  for (const member of candidate.members) {
    if (member.kind !== 'factory-instance') continue;
    const built = member.built;
    const shared = member.shared && member.shared.length > 0 ? `, { shared: [${member.shared.map((name) => str(style, name)).join(', ')}] }` : '';
    const build = Node.isObjectLiteralExpression(built) ? `(${built.getText()})` : built.getText();
    edits.replace(built.getStart(), built.getEnd(), `${names.scope}.instance(${str(style, member.name)}, () => ${build}${shared})`);
  }
  // A class's fields go; `this.x` in its members becomes the current record's property.
  for (const member of candidate.members) {
    if (member.kind !== 'field') continue;
    const edit = fieldDeclarationEdit(member, names.state, { typed: style.typed, unit: style.unit });
    if (edit?.text !== undefined) edits.replaceNode(edit.node, edit.text);
    else if (edit) edits.removeStatement(edit.node);
  }
  for (const access of candidate.fieldReferences) edits.replaceNode(access, recordReference(access, names.state));
  for (const statement of statements.slice(1)) {
    const lines = memberLines(statement);
    if (lines.length > 0) edits.replace(statement.getStart(), statement.getEnd(), lines.join(`\n${indentOf(statement)}`));
    else edits.removeStatement(statement);
  }

  // References become properties of the current record.
  const removed = resources?.removed ?? [];
  for (const [name, refs] of candidate.references) {
    // A stand-in keeps its name: `consoleLogs.push(…)` reaches the current record's collection through it.
    if (candidate.members.some((m) => m.name === name && standsInForRecord(m))) continue;
    for (const ref of refs) {
      if (removed.some((node) => node.getSourceFile() === ref.getSourceFile() && ref.getStart() >= node.getStart() && ref.getEnd() <= node.getEnd())) continue;
      edits.replaceNode(ref, recordReference(ref, names.state));
    }
  }

  const imports = new ImportNeeds();
  const need = (target: SourceFile, path: string, ...wanted: string[]) => imports.need(target, path, ...wanted);

  // Shutdown code: the first statement disposes every record; the state's statements become the cleanup.
  const shutdownByHandler = new Map<Node, Node[]>();
  // A statement that stays in place (a release method the tools also call) is only copied into the cleanup.
  const edited = candidate.shutdown.filter((use) => !use.inPlace);
  for (const use of edited) shutdownByHandler.set(use.handler, [...(shutdownByHandler.get(use.handler) ?? []), use.statement]);
  const kept = new Set(edited.filter((use) => use.keepsOwn).map((use) => use.statement));
  // Every shutdown statement that moves counts, in this handler and the others (SIGINT and uncaughtException).
  const moving = edited.filter((use) => !use.keepsOwn).map((use) => use.statement);
  const imported = shutdownByHandler.size > 0 ? importedNames(candidate, model) : [];
  for (const [handler, list] of shutdownByHandler) {
    const sorted = list.sort((a, b) => a.getStart() - b.getStart());
    const isAsync = (Node.isArrowFunction(handler) || Node.isFunctionExpression(handler) || Node.isFunctionDeclaration(handler) || Node.isMethodDeclaration(handler)) && handler.isAsync();
    const handlerFile = handler.getSourceFile();
    const edits = editsOf(handlerFile);
    if (handlerFile !== file) {
      // The singleton's import may have served only the shutdown code that moved into the cleanup.
      const entry = need(handlerFile, relativeOf(file), names.scope);
      for (const name of imported) if (!usedOutside(handlerFile, name, moving)) entry.drop.add(name);
    }
    // Written as the module writes its statements: with or without semicolons.
    const semicolon = usesSemicolons(handlerFile) ? ';' : '';
    const disposeAll = `${isAsync ? 'await' : 'void'} ${names.scope}.disposeAll()${semicolon}`;
    // A release of the run's own instance stays after it; anything else the first statement was gives way to it.
    if (kept.has(sorted[0]!)) edits.insert(sorted[0]!.getStart(), `${disposeAll}\n${indentOf(sorted[0]!)}`);
    else edits.replace(sorted[0]!.getStart(), sorted[0]!.getEnd(), disposeAll);
    const rest = sorted.slice(1).filter((statement) => !kept.has(statement));
    // `finally { browser = undefined; }` left empty goes whole when a `catch` keeps the `try` valid.
    const emptied = new Set<Node>();
    for (const statement of rest) {
      const block = statement.getParent();
      const attempt = block?.getParent();
      if (!block || !Node.isBlock(block) || !attempt || !Node.isTryStatement(attempt) || attempt.getFinallyBlock() !== block || !attempt.getCatchClause()) continue;
      if (block.getStatements().every((s) => rest.includes(s))) emptied.add(block);
    }
    for (const block of emptied) edits.replace((block.getParent() as TryStatement).getCatchClause()!.getEnd(), block.getEnd(), '');
    for (const statement of rest) if (!emptied.has(statement.getParent()!)) edits.removeStatement(statement);
  }

  // The tools.
  for (const registration of candidate.tools) {
    if (registration.call.getSourceFile() === file && !factory && first && registration.call.getStart() < first.getStart()) {
      return `${registration.label} is registered above ${stateList(candidate.members)}; move the declarations above the registrations`;
    }
  }
  const failed = wireTools(candidate.tools, names, file, { model, options, paths, editsOf, imports });
  if (failed) return failed;
  for (const reader of resources?.readers ?? []) need(reader, relativeOf(file), names.scope);
  imports.apply(editsOf, options);
  removeStaleMarkers(edits, candidate.members);
  // Fields live in their class's module, where a finer transform may have marked them.
  const fieldFiles = new Set([
    ...candidate.members.flatMap((m) => (m.kind === 'variable' ? [] : m.fields.map((f) => f.declaration.getSourceFile()))),
    ...candidate.members.flatMap((m) => heldClasses(m).map((c) => c.getSourceFile())),
  ]);
  for (const fieldFile of fieldFiles) if (fieldFile !== file) removeStaleMarkers(editsOf(fieldFile), candidate.members);
  return { scope: names.scope, noun: names.noun, idParam: names.idParam, exported, importers: new Set(imports.files()) };
}

/**
 * The names other modules import the record's state by: its variables, and for fields the variable holding the
 * one instance of their class (`connectionManager`, whose `disconnect()` in the entry's shutdown code went).
 */
function importedNames(candidate: ScopeCandidate, model: ServerModel): string[] {
  const holders = candidate.members.flatMap((member) => (member.kind === 'field' ? [singletonOf(member.owner, model)?.getName()] : []));
  return [...new Set([...candidate.members.map((member) => member.name), ...holders.filter((name): name is string => name !== undefined)])];
}

/**
 * A stopping method's statement about an object of state, as the record's cleanup: `this.state` is the record's
 * object, which a record whose tools never used it has not built.
 */
function objectRelease(statement: Node, name: string, unit: string, indent: string): string {
  const uses = statement.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).filter((access) => access.getName() === name && access.getExpression().getKind() === SyntaxKind.ThisKeyword);
  const text = substitutedText(statement, uses, 'record');
  const body = spansLinesInLiteral(statement) ? text : reindent(text, indentOf(statement), indent + unit);
  return `if (record.${name}) {\n${spansLinesInLiteral(statement) ? '' : indent + unit}${body}\n${indent}}`;
}

/** A node's text with the state references in it made record properties (for code copied elsewhere). */
function substitutedText(node: Node, refs: ReadonlyArray<Identifier | PropertyAccessExpression>, record: string): string {
  const start = node.getStart();
  let text = node.getText();
  const inside = refs.filter((ref) => ref.getStart() >= start && ref.getEnd() <= node.getEnd()).sort((a, b) => b.getStart() - a.getStart());
  for (const ref of inside) {
    const from = ref.getStart() - start;
    text = `${text.slice(0, from)}${recordReference(ref, record)}${text.slice(from + ref.getText().length)}`;
  }
  return text;
}

function scopeDefinition(
  candidate: ScopeCandidate,
  names: RecordNames,
  style: Style,
  spec: { tools: readonly string[] | 'all'; exported: boolean; ttlSeconds: number; resources: readonly string[] },
  indent: string,
): string {
  const { tools, exported, ttlSeconds, resources } = spec;
  const u = style.unit;
  const i1 = indent + u;
  const i2 = i1 + u;
  const record = recordLines(candidate.members, style.typed, i2);
  // Variables become record properties; a singleton's name already stands for the record's instance.
  const variables = new Set(candidate.members.filter((m) => (m.kind === 'variable' && !standsInForRecord(m)) || m.kind === 'field').map((m) => m.name));
  const cleanupReferences = candidate.cleanupReferences.filter((ref) => variables.has(referenceName(ref)));
  const releases = generatedReleases(candidate);
  const cleanup = [
    ...candidate.members.flatMap((m) => (m.kind === 'factory-instance' && m.release ? [`await record.${m.name}?.${m.release}();`] : [])),
    // Lines after a statement's first keep their indentation relative to it. The same statement in several
    // handlers (`await cleanup()` on SIGINT and on SIGTERM) runs once per record.
    ...new Set(
      candidate.shutdown.filter((use) => !use.disposeOnly).map((use) => {
        if (use.instance) return objectRelease(use.statement, use.instance, style.unit, i2);
        const text = substitutedText(use.statement, cleanupReferences, names.state);
        return spansLinesInLiteral(use.statement) ? text : reindent(text, indentOf(use.statement), i2);
      }),
    ),
    // What the server made and did not release (a browser it kept until the process died) goes with its record,
    // after the server's own shutdown code (`await closeShell()` may already have stopped it).
    ...releases,
  ];
  const what = stateList(candidate.members);
  const lines = [
    `/** What this server kept for the life of its process (${what}), now one record per conversation behind a ${names.idParam}. */`,
    `${exported ? 'export ' : ''}const ${names.scope} = defineScope({`,
    `${i1}name: ${str(style, names.noun)},`,
    `${i1}idParam: ${str(style, names.idParam)},`,
    `${i1}creator: ${str(style, names.creator)},`,
    `${i1}destroyer: ${str(style, names.destroyer)},`,
    `${i1}summary: ${str(style, `Start a ${names.noun.replace(/_/g, ' ')}: the state the tools keep between calls (${what})`)},`,
    `${i1}ttlSeconds: ${ttlText(ttlSeconds)},`,
    `${i1}tools: ${tools === 'all' ? str(style, 'all') : `[${tools.map((t) => str(style, t)).join(', ')}]`},`,
    `${i1}init: () => ({`,
    ...record,
    `${i1}}),`,
    // Set while the server starts: each record starts from what start-up left there.
    ...(candidate.startup.length > 0 ? [`${i1}startup: [${candidate.startup.map((name) => str(style, name)).join(', ')}],`] : []),
    ...(cleanup.length > 0
      ? [`${i1}cleanup: async (${candidate.members.some((m) => m.kind === 'factory-instance' && m.release) || releases.length > 0 || candidate.shutdown.some((use) => use.instance) ? 'record' : ''})${style.typed ? ': Promise<void>' : ''} => {`, ...cleanup.map((text) => `${i2}${text}`), `${i1}},`]
      : []),
    ...(resources.length > 0 ? [`${i1}resources: [${resources.map((uri) => str(style, uri)).join(', ')}],`] : []),
    `${indent}});`,
    ...(variables.size > 0
      ? [`${indent}/** The record of the ${names.idParam} the running tool call was given. */`, `${indent}const ${names.state} = ${names.scope}.${SCOPE_STATE_PROPERTY};`]
      : []),
  ];
  return lines.join('\n');
}

/** Whether a file already has a state marker that names `name`. */
function markedAlready(text: string, name: string): boolean {
  return text.split('\n').some((line) => line.includes(`${TODO_MARKER}(SL00`) && new RegExp(`\\b${name}\\b`).test(line));
}

/** Markers the fine-grained transforms left on state this rewrite now handles. */
function removeStaleMarkers(edits: TextEdits, states: readonly ScopeMember[]): void {
  const names = states.flatMap((s) =>
    s.kind === 'variable' ? [s.name, ...heldClasses(s).map((c) => c.getName()!)] : [s.name, ...s.fields.map((f) => f.name), ...(s.kind === 'factory-instance' ? [s.className] : [])],
  );
  removeMarkersNaming(edits, names, ['SL003', 'SL006']);
}

/** Project classes a variable member is built from (`browserManager = new BrowserManager()`): their fields move with it. */
function heldClasses(member: ScopeMember): ClassDeclaration[] {
  if (member.kind !== 'variable') return [];
  return member.state.accesses.flatMap((access) => {
    const built = projectClassBuilt(access.value);
    return built?.getName() ? [built] : [];
  });
}

/**
 * `await record.browser?.close().catch(() => undefined);` for each variable member made by a call RELEASERS knows
 * that the shutdown code does not release already; a page or context only where the record holds no browser.
 */
function generatedReleases(candidate: ScopeCandidate): string[] {
  const released = new Set(candidate.cleanupReferences.map(referenceName));
  const made = candidate.members.flatMap((member) => {
    if (member.kind !== 'variable' && member.kind !== 'field') return [];
    const values = member.state.accesses.map((access) => access.value?.getText() ?? '');
    // By the call that made it, else by its declared type (`let browser: Browser | undefined`).
    const declaration = member.declaration;
    const type = (Node.isVariableDeclaration(declaration) || Node.isPropertyDeclaration(declaration) ? declaration.getTypeNode()?.getText() : undefined) ?? '';
    const byCall = RELEASERS.find((entry) => values.some((text) => entry.made.test(text)));
    const releaser = byCall ?? RELEASERS.find((entry) => entry.typed.test(type));
    if (!releaser) return [];
    // The compiler has the last word where it knows the type: a project's own `Page` may have no close().
    const has = hasMethod(member.declaration, releaser.release);
    return has === true || (has === undefined && byCall) ? [{ name: member.name, releaser }] : [];
  });
  const holdsBrowser = made.some((m) => m.releaser.release === 'close' && !m.releaser.child);
  return made
    .filter((m) => !released.has(m.name) && !(m.releaser.child && holdsBrowser))
    .reverse()
    // A close that fails (the browser already gone) must not keep the rest of the cleanup from running.
    .map((m) => (m.releaser.release === 'close' ? `await record.${m.name}?.close().catch(() => undefined);` : `record.${m.name}?.kill();`));
}

/** Whether the declared type has `method` (undefined: the compiler cannot tell, its types are not installed). */
function hasMethod(declaration: Node, method: string): boolean | undefined {
  const type = declaration.getType();
  if (type.isAny() || type.isUnknown()) return undefined;
  const parts = (type.isUnion() ? type.getUnionTypes() : [type]).filter((part) => !part.isNull() && !part.isUndefined());
  if (parts.length === 0 || parts.some((part) => part.isAny())) return undefined;
  return parts.every((part) => part.getProperty(method) !== undefined);
}

