/**
 * Wiring a scope into a server, shared by every rewrite that puts tools behind a record's id (the module state
 * of a conversation, see ./plan.ts; the MCP session id tools keyed their state by, see ./session-ids.ts): the
 * tools that use the record take the id (each `McpServer` registration, or a low-level server's `tools/list`
 * and `tools/call` handlers wrapped whole), a creator and a destroyer tool are registered beside the first of
 * them, and the imports each touched file needs are added once per file at the end.
 */
import { Node, type CallExpression, type SourceFile } from 'ts-morph';
import type { Registration, ServerModel } from '../../src/analysis/index.js';
import { relativeOf } from '../../src/engine/parse.js';
import type { TextEdits } from '../handles/edits.js';
import { fastmcpToolRegistration, noArgumentsForm, toolRegistration, type Style } from '../handles/generate.js';
import { addNamedImports, ensureZod, namedImportSeparator, specifierFor, valueImportsOf } from '../handles/imports.js';
import { indentOf } from '../handles/layout.js';
import { styleOf } from '../handles/site.js';
import { within } from '../shared/place.js';
import type { HandleOptions } from '../handles/store-file.js';
import { isFastMcpRegistration, isGatedRegistration, isLowLevel, listHandlerFor, registrationStatement, scopeRequestHandler, scopeServerTool, type ScopeNames } from './tool-sites.js';

/** The names a scope's generated code uses. */
export interface LifecycleNames extends ScopeNames {
  creator: string;
  destroyer: string;
}

/** Where the generated modules go. */
export interface ScopePaths {
  storePath: string;
  scopePath: string;
}

interface ImportEntry {
  names: Map<string, Set<string>>;
  zod: boolean;
  /** Named imports to drop (a singleton's import that only served code now moved into the cleanup). */
  drop: Set<string>;
}

/** Imports each file needs, added once per file at the end (two additions to one import would overlap). */
export class ImportNeeds {
  private readonly entries = new Map<SourceFile, ImportEntry>();

  need(target: SourceFile, path: string, ...wanted: string[]): ImportEntry {
    const entry = this.entries.get(target) ?? { names: new Map<string, Set<string>>(), zod: false, drop: new Set<string>() };
    this.entries.set(target, entry);
    const specifier = specifierFor(target, relativeOf(target), path);
    entry.names.set(specifier, new Set([...(entry.names.get(specifier) ?? []), ...wanted]));
    return entry;
  }

  /** The files that import something. */
  files(): SourceFile[] {
    return [...this.entries.keys()];
  }

  apply(editsOf: (file: SourceFile) => TextEdits, options: HandleOptions): void {
    for (const [target, entry] of this.entries) {
      const targetEdits = editsOf(target);
      const quote = styleOf(target, undefined, options).quote;
      for (const [specifier, wanted] of entry.names) {
        const declaration = valueImportsOf(target, specifier).find((d) => d.getNamedImports().length > 0);
        const dropped = declaration?.getNamedImports().filter((n) => entry.drop.has(n.getName())) ?? [];
        if (declaration && dropped.length > 0) {
          const named = declaration.getNamedImports();
          const kept = named.filter((n) => !dropped.includes(n)).map((n) => n.getText());
          const all = [...new Set([...kept, ...wanted])].sort((x, y) => x.localeCompare(y));
          targetEdits.replace(named[0]!.getStart(), named.at(-1)!.getEnd(), all.join(namedImportSeparator(named)));
        } else addNamedImports(targetEdits, target, specifier, [...wanted], quote);
      }
      if (entry.zod) ensureZod(targetEdits, target, quote);
    }
  }
}

/**
 * Put `tools` behind the scope defined in `home`: each takes the id and runs inside its record, and the
 * creator and destroyer join them. Returns why it cannot, when a registration is written in a way it cannot edit.
 */
export function wireTools(
  tools: readonly Registration[],
  names: LifecycleNames,
  home: SourceFile,
  context: { model: ServerModel; options: HandleOptions; paths: ScopePaths; editsOf: (file: SourceFile) => TextEdits; imports: ImportNeeds },
): string | undefined {
  const { model, options, paths, editsOf, imports } = context;
  const seen = new Set<CallExpression>();
  const serverTools: Registration[] = [];
  for (const registration of tools) {
    if (seen.has(registration.call)) continue;
    seen.add(registration.call);
    const toolFile = registration.call.getSourceFile();
    const toolEdits = editsOf(toolFile);
    if (isLowLevel(registration)) {
      const list = listHandlerFor(registration, model.requestHandlers);
      if (!list) return `the tools/list handler of ${registration.receiver?.getText() ?? 'the server'} was not found; list the ${names.creator} tool by hand`;
      scopeRequestHandler(toolEdits, registration.call, 'callHandler', names);
      scopeRequestHandler(toolEdits, list.call, 'listHandler', names);
    } else {
      const failed = scopeServerTool(toolEdits, registration.call, names, registration.sdk);
      if (failed) return failed;
      imports.need(toolFile, paths.storePath).zod = true;
      serverTools.push(registration);
    }
    if (toolFile !== home) imports.need(toolFile, relativeOf(home), names.scope);
    if (!isLowLevel(registration)) imports.need(toolFile, paths.storePath, 'describeHandleParam');
  }
  const creatorAt = lifecycleSite(tools.filter((registration) => serverTools.some((tool) => tool.call === registration.call)));
  if (typeof creatorAt === 'string') return creatorAt;
  if (creatorAt) {
    const toolFile = creatorAt.call.getSourceFile();
    const statement = registrationStatement(creatorAt.call)!;
    const sdkLine = model.files.find((info) => info.sourceFile === toolFile)?.sdk;
    const style = styleOf(toolFile, sdkLine, options);
    const indent = indentOf(statement);
    let lifecycle: string;
    if (isFastMcpRegistration(creatorAt.call)) {
      // FastMCP tools are wrapped where the server adds them: every one must be added after that.
      const fastmcp = tools.filter((registration) => isFastMcpRegistration(registration.call));
      if (fastmcp.some((r) => r.call.getSourceFile() !== toolFile || r.call.getStart() < statement.getStart() || r.receiver?.getText() !== creatorAt.receiver)) {
        return `the FastMCP tools that take the ${names.idParam} are added in several places; add them after one ${names.scope}.wrapAddTool(server) by hand`;
      }
      lifecycle = `${names.scope}.wrapAddTool(${creatorAt.receiver});\n${indent}${fastmcpLifecycleTools(style, names, creatorAt.receiver, indent)}`;
    } else lifecycle = lifecycleTools(style, names, creatorAt.receiver, indent);
    editsOf(toolFile).insert(statement.getStart(), `${lifecycle}\n\n${indent}`);
    imports.need(toolFile, paths.storePath, 'describeHandleParam', 'principalOf');
  }
  imports.need(home, paths.scopePath, 'defineScope');
  return undefined;
}

/**
 * Where the lifecycle tools go: beside a registration that always runs when there is one (not behind an
 * `if (clientSupportsRoots)`), the earliest such in the first module that has one.
 */
function lifecycleSite(tools: readonly Registration[]): { call: CallExpression; receiver: string } | string | undefined {
  const placed: Array<{ call: CallExpression; receiver: string }> = [];
  for (const registration of tools) {
    const placement = placementOf(registration);
    if (typeof placement === 'string') return placement;
    placed.push(placement);
  }
  const always = placed.filter((placement) => !isGatedRegistration(placement.call));
  const pool = always.length > 0 ? always : placed;
  const file = pool[0]?.call.getSourceFile();
  return pool.filter((placement) => placement.call.getSourceFile() === file).sort((a, b) => a.call.getStart() - b.call.getStart())[0];
}

/**
 * Where a registration is written, for code that goes beside it: its own call, or for a tool registered through a
 * helper (`tool(server, 'launch', …)` whose body calls `server.registerTool(name, …)`) the helper's call naming
 * it, on the server that call passes. Beside the helper's own `registerTool` the lifecycle tools would be
 * registered again with every tool.
 */
function placementOf(registration: Registration): { call: CallExpression; receiver: string } | string {
  const receiver = registration.receiver?.getText() ?? 'server';
  const nameNode = registration.nameNode;
  const site = nameNode?.getParent();
  if (!nameNode || within(nameNode, registration.call) || !site || !Node.isCallExpression(site) || !site.getArguments().includes(nameNode)) return { call: registration.call, receiver };
  const helper = registration.call.getFirstAncestor((node) => Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node) || Node.isArrowFunction(node) || Node.isFunctionExpression(node));
  const parameter = helper?.getParameters().find((p) => p.getName() === receiver);
  const passed = parameter ? site.getArguments()[helper!.getParameters().indexOf(parameter)] : undefined;
  if (passed) return { call: site, receiver: passed.getText() };
  // A method helper on the class's own server (`this.server.registerTool(…)` in `private tool(…)`), called in that class.
  const ownClass = (node: Node) => node.getFirstAncestor((a) => Node.isClassDeclaration(a) || Node.isClassExpression(a));
  if (receiver.startsWith('this.') && helper && Node.isMethodDeclaration(helper) && ownClass(site) === ownClass(helper)) return { call: site, receiver };
  return `${registration.label} is registered through a helper whose server is not one of its parameters; register the creator and destroyer tools beside its calls by hand`;
}

/** `create_browser` and `destroy_browser` as `McpServer` tools (`tool(…)` on an SDK release without registerTool). */
function lifecycleTools(style: Style, names: LifecycleNames, receiver: string, indent: string): string {
  const i1 = indent + style.unit;
  const context = style.sdk === 'v2' ? 'ctx' : 'extra';
  const shape = (inner: string) => (style.sdk === 'v2' ? `z.object({ ${inner} })` : `{ ${inner} }`);
  const form = noArgumentsForm(style, context);
  const creator = toolRegistration(style, {
    receiver,
    name: names.creator,
    description: `${names.scope}.creatorDescription`,
    ...(form.input ? { input: form.input } : {}),
    ...(style.supports('structured-output') ? { output: shape(`${names.idParam}: z.string()`) } : {}),
    handler: [`${i1}async (${form.params}) => ${names.scope}.create(principalOf(${context})),`],
    indent,
  });
  const destroyer = toolRegistration(style, {
    receiver,
    name: names.destroyer,
    description: `${names.scope}.destroyerDescription`,
    input: shape(`${names.idParam}: z.string().describe(describeHandleParam(${names.scope}.kind))`),
    handler: [`${i1}async ({ ${names.idParam} }, ${context}) => ${names.scope}.destroy(${names.idParam}, principalOf(${context})),`],
    indent,
  });
  return `${creator}\n${indent}${destroyer}`;
}

/** The same two tools in FastMCP's `addTool({ … })` form, whose `execute` always gets `(args, context)`. */
function fastmcpLifecycleTools(style: Style, names: LifecycleNames, receiver: string, indent: string): string {
  const creator = fastmcpToolRegistration(style, {
    receiver,
    name: names.creator,
    description: `${names.scope}.creatorDescription`,
    params: '_args, context',
    body: [`return ${names.scope}.create(principalOf(context));`],
    indent,
  });
  const destroyer = fastmcpToolRegistration(style, {
    receiver,
    name: names.destroyer,
    description: `${names.scope}.destroyerDescription`,
    input: `z.object({ ${names.idParam}: z.string().describe(describeHandleParam(${names.scope}.kind)) })`,
    params: `{ ${names.idParam} }, context`,
    body: [`return ${names.scope}.destroy(${names.idParam}, principalOf(context));`],
    indent,
  });
  return `${creator}\n${indent}${destroyer}`;
}

/**
 * The first noun whose id parameter (`session_id`) no wrapped tool already uses and whose creator is no tool of
 * the server: a tool that takes its own `session_id` (a terminal's) must not get the scope's too.
 */
export function freeNoun(nouns: readonly string[], tools: readonly Registration[], toolNames: ReadonlySet<string>, creatorTemplate: string): string | undefined {
  const texts = tools.map((tool) => tool.call.getText());
  return nouns.find((noun) => {
    const id = new RegExp(`\\b${noun}_id\\b`);
    return !texts.some((text) => id.test(text)) && !toolNames.has(creatorTemplate.replace('{thing}', noun));
  });
}
