/**
 * Plan every handle migration of a project at once, from the untouched project, then hand each file its
 * share when the runner reaches it. Planning up front matters: a piece of state is declared in one file,
 * created in a second and cleaned up in a third, and all three must agree on names and on what the store
 * holds, whichever file the runner visits first.
 */
import { Node, type Project, type SourceFile } from 'ts-morph';
import { analyzeProject, type ServerModel, type StateVariable } from '../../src/analysis/index.js';
import { carriesConversation } from '../../src/analysis/conversational.js';
import { servedPerConnection } from '../../src/analysis/served.js';
import { relativeOf } from '../../src/engine/parse.js';
import { classFieldsDeclined } from '../../src/rules/marker-messages.js';
import type { PatternId, RuleId } from '../../src/rules/rules.js';
import { TextEdits } from './edits.js';
import { toolList, type StoreExport } from './generate.js';
import { addNamedImports, ensureZod, isCommonJs, specifierFor } from './imports.js';
import { planKeyedState } from './keyed-state.js';
import { quoteOf, type Opening } from './layout.js';
import { planRecordState, recordGroups } from './record-state.js';
import { factoryInstances } from '../scope/instances.js';
import { SiteEdits, Undecided, type PlanContext, type SiteResult } from './site.js';
import { storePathFor, type HandleOptions } from './store-file.js';
import { valueGroups } from './value-groups.js';
import { planSelectionParams } from './selection-params.js';
import { planValueState, valuePattern } from './value-state.js';
import { OverlappingEdits } from '../shared/text-edits.js';

/** Which patterns a transform migrates. */
export type Family = 'session' | 'process';

const FAMILY_PATTERNS: Record<Family, readonly PatternId[]> = {
  session: ['P1', 'P5', 'P6', 'P7'],
  process: ['P2'],
};

/** A marker to leave, by position in the untouched file. */
export interface PlannedMarker {
  pos: number;
  /** The module `pos` is in, where that is not the module whose plan holds the marker. */
  file?: SourceFile;
  rule: RuleId;
  pattern: PatternId;
  message: string;
}

/** One file's share of the plan. */
export interface FilePlan {
  /** The file's text when planned: the plan applies only to exactly this text. */
  text: string;
  edits: TextEdits;
  markers: PlannedMarker[];
  results: SiteResult[];
}

export interface ProjectPlan {
  files: Map<string, FilePlan>;
  /** Where the handle-store module goes, when any site was migrated. */
  storePath: string | undefined;
}

/** Which pattern a state follows, if it is one the handle transforms handle. */
export function patternOf(state: StateVariable, model: ServerModel): PatternId | undefined {
  // A timer pushing to the session between requests: no handle makes it work, so it is one decision (see pushes.ts).
  if (state.push) return undefined;
  // The roots a client listed: where paths come from is decided with the roots requests (per-request-context).
  if (state.holdsRoots) return undefined;
  if (state.dependence === 'session-keyed' && !state.holdsTransports && !state.holdsUpstreams) return 'P1';
  // State the server shares with every client on purpose (a pool, a cache) is no conversation's handle.
  if (state.dependence !== 'implicit' || !carriesConversation(state)) return undefined;
  if (state.kind === 'class-field') return 'P6';
  return valuePattern(state, model);
}

export function planProject(project: Project, family: Family, options: HandleOptions): ProjectPlan {
  const model = analyzeProject(project);
  const files = new Map<string, FilePlan>();
  const fileOf = (path: string): FilePlan => {
    let plan = files.get(path);
    if (!plan) {
      const sourceFile = project.getSourceFileOrThrow(`/${path}`);
      plan = { text: sourceFile.getFullText(), edits: new TextEdits(sourceFile), markers: [], results: [] };
      files.set(path, plan);
    }
    return plan;
  };
  const taken = new Set<string>();
  const retired = new Set<Node>();
  const opened = new Map<Node, Opening>();
  // Session-keyed state declined because of one tool (an admin tool reading every session's entries): one decision.
  const declinedBy = new Map<string, { marker: PlannedMarker; states: string[]; file: string }>();
  const imports = new Map<string, { store: Set<StoreExport>; zod: boolean }>();
  let storePath: string | undefined;

  // Found only when a per-connection class's fields cannot move one by one (most runs have none).
  let heldWhole: Set<StateVariable> | undefined;
  const isHeldWhole = (state: StateVariable) => (heldWhole ??= new Set(factoryInstances(model).flatMap((instance) => instance.fields))).has(state);
  const sites: Array<{ pattern: PatternId; states: StateVariable[] }> = [];
  const grouped = new Set<StateVariable>();
  for (const group of recordGroups(model)) {
    if (!FAMILY_PATTERNS[family].includes('P6')) break;
    sites.push({ pattern: 'P6', states: group });
    for (const state of group) grouped.add(state);
  }
  const valueFamily = (state: StateVariable) => {
    const pattern = patternOf(state, model);
    return !!pattern && pattern !== 'P1' && pattern !== 'P6' && FAMILY_PATTERNS[family].includes(pattern);
  };
  for (const group of valueGroups(model, valueFamily)) {
    sites.push({ pattern: patternOf(group[0]!, model)!, states: group });
    for (const state of group) grouped.add(state);
  }
  for (const state of model.states) {
    if (grouped.has(state)) continue;
    const pattern = patternOf(state, model);
    if (!pattern || pattern === 'P6' || !FAMILY_PATTERNS[family].includes(pattern)) continue;
    sites.push({ pattern, states: [state] });
  }

  const perConnection = servedPerConnection(model);
  for (const { pattern, states } of sites) {
    const first = states[0]!;
    // As the audit rules it: a field of an object kept for the whole process, on a server that is one process, is SL006.
    const rule: RuleId = pattern === 'P2' || (pattern === 'P6' && !(first.perConnectionClass === true && perConnection)) ? 'SL006' : 'SL003';
    const declarationFile = relativeOf(first.declaration.getSourceFile());
    if (isCommonJs(first.declaration.getSourceFile())) {
      fileOf(declarationFile).markers.push({
        pos: first.declaration.getStart(),
        rule,
        pattern,
        message: `${first.name} spans requests; this CommonJS module cannot import the ESM handle store: make ${first.name} a handle by hand or convert the module to ESM`,
      });
      continue;
    }
    let edits = new SiteEdits();
    let context: PlanContext = { model, options, edits, taken, retired, opened };
    // A selection of a value the caller can name becomes a parameter; else it becomes a handle.
    const selection = pattern === 'P7' && states.length === 1 ? planSelectionParams(first, context) : undefined;
    if (!selection) {
      edits = new SiteEdits();
      context = { model, options, edits, taken, retired, opened };
    }
    try {
      const result = selection ??
        (pattern === 'P1'
          ? planKeyedState(first, context)
          : pattern === 'P6'
            ? planRecordState(states, context)
            : planValueState(states, pattern, context));
      commit(edits, fileOf);
      for (const read of edits.retired) retired.add(read);
      for (const [node, opening] of edits.opened) opened.set(node, opening);
      fileOf(result.file).results.push(result);
      for (const [path, used] of edits.imports) {
        const entry = imports.get(path) ?? { store: new Set<StoreExport>(), zod: false };
        for (const name of used.store) entry.store.add(name);
        entry.zod ||= used.zod;
        imports.set(path, entry);
      }
      storePath ??= storePathFor(project, options, declarationFile);
    } catch (error) {
      if (!(error instanceof Undecided) && !(error instanceof OverlappingEdits)) throw error;
      // Fields of an object a server factory builds per connection: session-scope moves the whole object into a record.
      if (pattern === 'P6' && isHeldWhole(first)) continue;
      if (error instanceof Undecided && error.leftToRecord) continue;
      const reason = error instanceof Undecided ? error.message : `${first.name} could not be rewritten automatically: two of its rewrites change the same code; make it a handle by hand`;
      const together = pattern !== 'P6' && states.length > 1;
      const owner = pattern === 'P6' && first.ownerClass && Node.isClassDeclaration(first.ownerClass) ? first.ownerClass.getName() : undefined;
      const message = together
        ? `${toolList(states.map((s) => s.name))} are set by one tool and move together as one handle: ${reason}`
        : owner && !reason.startsWith(owner)
          ? classFieldsDeclined(owner, states.map((s) => s.name), reason)
          : reason;
      // Only within a file: the leftover markers look for a state's marker in its own file.
      const sameTool = pattern === 'P1' && error instanceof Undecided && error.tool ? declinedBy.get(error.tool) : undefined;
      if (sameTool && sameTool.file === declarationFile && error instanceof Undecided && error.tool) {
        sameTool.states.push(first.name);
        sameTool.marker.message = sharedByTool(sameTool.states, error.tool);
        continue;
      }
      // Values that move together are declined together, as one decision: one marker, on the first, naming them all.
      const marker: PlannedMarker = { pos: first.declaration.getStart(), rule, pattern, message };
      fileOf(relativeOf(first.declaration.getSourceFile())).markers.push(marker);
      if (pattern === 'P1' && error instanceof Undecided && error.tool) declinedBy.set(error.tool, { marker, states: [first.name], file: declarationFile });
    }
  }

  if (storePath) {
    for (const [path, used] of imports) {
      const plan = fileOf(path);
      const sourceFile = project.getSourceFileOrThrow(`/${path}`);
      const quote = quoteOf(sourceFile);
      if (used.store.size > 0) addNamedImports(plan.edits, sourceFile, specifierFor(sourceFile, path, storePath), [...used.store], quote);
      if (used.zod) ensureZod(plan.edits, sourceFile, quote);
    }
  }
  return { files, storePath };
}

/** The one marker for session-keyed state that one tool uses beyond the entry of the caller (no apostrophes: reports group markers by their quoted parts). */
function sharedByTool(states: readonly string[], tool: string): string {
  return `${toolList(states)} are used by ${tool} beyond the entry of the caller (the entries of every session, or keys other than the session id): decide whether their entries belong to one caller (then hand out handles and rework ${tool}) or to everyone (then key them explicitly)`;
}

/** Move a site's edits into the project plan; a clash with an earlier site's edits rejects the whole site. */
function commit(site: SiteEdits, fileOf: (path: string) => FilePlan): void {
  const staged: Array<{ target: TextEdits; edits: TextEdits }> = [];
  for (const [path, edits] of site.files) staged.push({ target: fileOf(path).edits, edits });
  for (const { target, edits } of staged) {
    const trial = target.clone();
    trial.merge(edits);
  }
  for (const { target, edits } of staged) target.merge(edits);
}
