/**
 * State one module keeps for tools whose record another module already defines (`state` of console logs and
 * screenshots in the server module, `browser` and `page` in the browser module, both reached by one `tools/call`
 * dispatcher): the first module keeps its part of the same record, behind the same handle, instead of a second
 * handle for one conversation. Its declarations become `<scope>.part(…)` (see Scope.part in
 * templates/handle-scope), the references properties of the current record's part; the tools are already run
 * inside the record by the module that defines it.
 */
import { Node, type SourceFile } from 'ts-morph';
import type { ServerModel } from '../../src/analysis/index.js';
import { relativeOf } from '../../src/engine/parse.js';
import { str, toolList, type Style } from '../handles/generate.js';
import type { TextEdits } from '../handles/edits.js';
import { isCommonJs } from '../handles/imports.js';
import { indentOf } from '../handles/layout.js';
import { freeLocalName } from '../handles/local-names.js';
import { camelCase } from '../handles/naming.js';
import type { PlannedMarker } from '../handles/project-plan.js';
import type { HandleOptions } from '../handles/store-file.js';
import { aboveTopLevel, statementOf } from '../handles/site.js';
import { standsInForRecord, type ScopeCandidate } from './candidates.js';
import { recordLines, recordReference } from './record-text.js';
import { fieldDeclarationEdit } from './fields.js';
import { planRecordResources } from './resources.js';
import { isExported } from '../shared/exports.js';
import { ImportNeeds } from './wiring.js';

/** A record another module defines, as the modules joining it need to know it. */
export interface RecordHome {
  file: SourceFile;
  /** The scope constant (`browsers`), its noun and the id parameter. */
  scope: string;
  noun: string;
  idParam: string;
  /** Whether the scope constant is exported (a part imports it). */
  exported: boolean;
  /** The registration calls the record's tools are wired at. */
  tools: ReadonlySet<Node>;
  /** The modules that import the scope constant already (each import is edited once). */
  importers: Set<SourceFile>;
}

/** Plan `candidate` as a part of `home`'s record; a reason when it cannot join (its marker says so). */
export function planPart(
  candidate: ScopeCandidate,
  home: RecordHome,
  context: { model: ServerModel; options: HandleOptions; style: Style; editsOf: (file: SourceFile) => TextEdits; notes: PlannedMarker[] },
): string | undefined {
  const { model, options, style, editsOf, notes } = context;
  const file = candidate.file;
  const homePath = relativeOf(home.file);
  if (!home.exported) return `the record of ${homePath} is not exported`;
  if (isCommonJs(file)) return 'this CommonJS module cannot import the record';
  // This module would import the record's module while that one is still loading it: the record is not there yet.
  if (importsTransitively(home.file, file)) return `${homePath} imports this module, which would then import it back`;
  const others = candidate.tools.filter((registration) => !home.tools.has(registration.call));
  if (others.length > 0) return `they also serve ${toolList(others.map((r) => r.name ?? r.label))}, which the record of ${homePath} does not`;
  // Module variables, or the fields of one class: a part holds values, not objects a factory builds.
  const owners = new Set(candidate.members.map((member) => (member.kind === 'field' ? member.owner : undefined)));
  const fields = candidate.members.every((member) => member.kind === 'field') && owners.size === 1;
  if (!fields && candidate.members.some((member) => member.kind !== 'variable' || member.state.factory)) return 'they are not module variables';
  if (candidate.shutdown.length > 0) return 'shutdown code here uses them';
  if (candidate.startup.length > 0) return 'code that runs while the server starts uses them';
  const statements = fields ? [] : [...new Set(candidate.members.map((member) => statementOf(member.declaration)!))].sort((a, b) => a.getStart() - b.getStart());
  for (const statement of statements) {
    if (!Node.isVariableStatement(statement)) return 'they are declared in a way this cannot rewrite';
    if (!statement.getDeclarations().every((d) => candidate.members.some((member) => member.name === d.getName()))) return 'they are declared together with other values';
  }

  // Resources that read this part are served from the record's templates too.
  const names = { scope: home.scope, idParam: home.idParam };
  const resources = planRecordResources(candidate, model, names, editsOf, { resourceLinks: style.supports('resource-link') });
  if (typeof resources === 'string') return resources;
  for (const item of resources?.unlinked ?? []) notes.push({ pos: item.node.getStart(), file: item.node.getSourceFile(), rule: 'SL004', pattern: 'P8', message: item.message });

  const edits = editsOf(file);
  const taken = candidate.members.map((member) => member.name);
  const part = freeLocalName(`${camelCase(home.noun)}Part`, [file], taken);
  const standIns = candidate.members.filter(standsInForRecord);
  const variables = candidate.members.filter((member) => !standsInForRecord(member));
  const state = variables.length > 0 ? freeLocalName(camelCase(home.noun), [file], [...taken, part]) : undefined;
  // A class's fields: the part goes above the class, whose `this.x` become the part's properties.
  const owner = fields ? [...owners][0]! : undefined;
  const first = owner ?? statements[0]!;
  const indent = indentOf(first);
  const unit = style.unit;
  // The module's path names its part: unique in the project (two `index` modules in different folders).
  const key = relativeOf(file).replace(/\.[cm]?[jt]sx?$/, '');
  const uris = resources?.uris ?? [];
  const lines = [
    `/** This module's part of a ${home.noun.replace(/_/g, ' ')}'s record (${toolList(taken)}), behind the ${home.idParam} of ${homePath}. */`,
    `const ${part} = ${home.scope}.part(${str(style, key)}, () => ({`,
    ...recordLines(candidate.members, style.typed, indent + unit),
    `${indent}})${uris.length > 0 ? `, { resources: [${uris.map((uri) => str(style, uri)).join(', ')}] }` : ''});`,
    // A stand-in keeps its name (and its export): it reaches the current record's object.
    ...standIns.map((member) => `${indent}${isExported(statementOf(member.declaration)!) ? 'export ' : ''}const ${member.name} = ${part}.member(${str(style, member.name)});`),
    ...(state ? [`${indent}const ${state} = ${part}.state;`] : []),
  ];
  // Imported first: a module without imports gets its import at the top, where the part may go too.
  const imports = new ImportNeeds();
  for (const importer of new Set([file, ...(resources?.readers ?? [])])) if (importer !== home.file && !home.importers.has(importer)) imports.need(importer, homePath, home.scope);
  imports.apply(editsOf, options);
  for (const importer of imports.files()) home.importers.add(importer);
  if (owner) {
    edits.insert(aboveTopLevel(owner), `${lines.join(`\n${indent}`)}\n\n`);
    for (const member of candidate.members) {
      if (member.kind !== 'field') continue;
      const edit = fieldDeclarationEdit(member, state!, { typed: style.typed, unit: style.unit });
      if (edit?.text !== undefined) edits.replaceNode(edit.node, edit.text);
      else if (edit) edits.removeStatement(edit.node);
    }
    for (const access of candidate.fieldReferences) edits.replaceNode(access, recordReference(access, state!));
  } else {
    edits.replace(first.getStart(), first.getEnd(), lines.join(`\n${indent}`));
    for (const statement of statements.slice(1)) edits.removeStatement(statement);
  }

  const removed = resources?.removed ?? [];
  for (const member of variables) {
    for (const ref of candidate.references.get(member.name) ?? []) {
      if (removed.some((node) => node.getSourceFile() === ref.getSourceFile() && ref.getStart() >= node.getStart() && ref.getEnd() <= node.getEnd())) continue;
      edits.replaceNode(ref, recordReference(ref, state!));
    }
  }
  return undefined;
}

/** Whether `from` imports `to`, directly or through the modules it imports. */
export function importsTransitively(from: SourceFile, to: SourceFile): boolean {
  const seen = new Set<SourceFile>([from]);
  const queue = [from];
  while (queue.length > 0) {
    for (const declaration of queue.shift()!.getImportDeclarations()) {
      if (declaration.isTypeOnly()) continue;
      const target = declaration.getModuleSpecifierSourceFile();
      if (!target || seen.has(target)) continue;
      if (target === to) return true;
      seen.add(target);
      queue.push(target);
    }
  }
  return false;
}
