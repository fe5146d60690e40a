/**
 * Shared state of one analysis run: the resolver, per-file node buckets (each kind collected once), and the
 * SDK names each file imports. Passes read from here instead of walking the trees again.
 */
import {
  Node,
  SyntaxKind,
  type BinaryExpression,
  type CallExpression,
  ts,
  type ClassDeclaration,
  type ClassExpression,
  type ElementAccessExpression,
  type NewExpression,
  type NoSubstitutionTemplateLiteral,
  type PropertyAccessExpression,
  type PropertyAssignment,
  type SourceFile,
  type StringLiteral,
  type TemplateExpression,
} from 'ts-morph';
import { relativeOf } from '../engine/parse.js';
import { detectSdkLine } from '../engine/sdk-detect.js';
import { sdkLineOf } from '../rules/sdk.js';
import type { FileInfo } from './model.js';
import { Resolver } from './scope.js';
import { literalText, unwrap, wrapNode } from './syntax.js';
import { ARGUMENT_CALL_NAMES, CALL_NAMES, LIFECYCLE_CALLBACKS, SESSION_ERROR_TEXT, SESSION_HEADER, SESSION_ID_PROPERTIES, SESSION_OPTIONS } from './vocabulary.js';

/**
 * The nodes the passes look at, collected in one walk over the compiler tree per file. Only nodes that can matter
 * are wrapped as ts-morph nodes (wrapping is the expensive part): calls to the methods and helpers in the
 * vocabulary, `.sessionId` accesses, session-header and session-error strings, and so on.
 */
export interface FileNodes {
  /** Calls whose callee name is in CALL_NAMES (registrations, toggles, routes, header access, …). */
  calls: CallExpression[];
  news: NewExpression[];
  /** `x.sessionId` accesses. */
  propertyAccesses: PropertyAccessExpression[];
  /** `x['sessionId']`, `headers['mcp-session-id']`. */
  elementAccesses: ElementAccessExpression[];
  /** String literals naming the session header or reading like a session error. */
  strings: Array<StringLiteral | NoSubstitutionTemplateLiteral>;
  /** Template literals whose head reads like a session error. */
  templates: TemplateExpression[];
  /** `onsessioninitialized: …` / `onsessionclosed: …` properties. */
  propertyAssignments: PropertyAssignment[];
  /** `x.onclose = …`, `x.oninitialized = …` assignments. */
  assignments: BinaryExpression[];
  /** `… === 'initialize'` comparisons. */
  initializeComparisons: BinaryExpression[];
  classes: Array<ClassDeclaration | ClassExpression>;
}

/** A name imported from an MCP SDK module. */
export interface SdkImport {
  module: string;
  name: string;
}

export class AnalysisContext {
  readonly resolver: Resolver;
  readonly files: FileInfo[];
  private readonly nodes = new Map<string, FileNodes>();
  private readonly sdkNames = new Map<string, Map<string, SdkImport>>();
  private readonly byPath: Map<string, FileInfo>;

  constructor(sourceFiles: readonly SourceFile[]) {
    this.resolver = new Resolver(sourceFiles);
    this.files = sourceFiles.map((sourceFile) => ({ file: relativeOf(sourceFile), sourceFile, sdk: detectSdkLine(sourceFile) }));
    this.byPath = new Map(this.files.map((info) => [info.file, info]));
  }

  nodesOf(info: FileInfo): FileNodes {
    const cached = this.nodes.get(info.file);
    if (cached) return cached;
    const nodes = collectNodes(info.sourceFile);
    this.nodes.set(info.file, nodes);
    return nodes;
  }

  fileInfo(node: Node): FileInfo | undefined {
    const path = relativeOf(node.getSourceFile());
    return this.byPath.get(path);
  }

  /** Local names a file imports from MCP SDK modules (ESM imports and CommonJS `require` destructuring). */
  sdkImports(info: FileInfo): Map<string, SdkImport> {
    const cached = this.sdkNames.get(info.file);
    if (cached) return cached;
    const names = new Map<string, SdkImport>();
    for (const declaration of info.sourceFile.getImportDeclarations()) {
      const module = declaration.getModuleSpecifierValue();
      if (!sdkLineOf(module)) continue;
      for (const specifier of declaration.getNamedImports()) {
        names.set(specifier.getAliasNode()?.getText() ?? specifier.getName(), { module, name: specifier.getName() });
      }
    }
    for (const statement of info.sourceFile.getVariableStatements()) {
      for (const declaration of statement.getDeclarations()) {
        const initializer = declaration.getInitializer();
        const call = initializer ? unwrap(initializer) : undefined;
        if (!call || !Node.isCallExpression(call) || call.getExpression().getText() !== 'require') continue;
        const module = literalText(call.getArguments()[0]) ?? '';
        if (!sdkLineOf(module)) continue;
        const pattern = declaration.getNameNode();
        if (!Node.isObjectBindingPattern(pattern)) continue;
        for (const element of pattern.getElements()) {
          names.set(element.getName(), { module, name: element.getPropertyNameNode()?.getText() ?? element.getName() });
        }
      }
    }
    this.sdkNames.set(info.file, names);
    return names;
  }

  /** The SDK name a local identifier stands for in a file, when it is imported from an SDK module. */
  sdkName(info: FileInfo, local: string): string | undefined {
    return this.sdkImports(info).get(local)?.name;
  }
}

function nameOfCallee(expression: ts.Expression): string | undefined {
  let callee = expression;
  while (ts.isParenthesizedExpression(callee) || ts.isNonNullExpression(callee) || ts.isAsExpression(callee) || ts.isSatisfiesExpression(callee) || ts.isTypeAssertionExpression(callee)) {
    callee = callee.expression;
  }
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

function stringArg(call: ts.CallExpression): string | undefined {
  const first = call.arguments[0];
  return first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : undefined;
}

function collectNodes(file: SourceFile): FileNodes {
  const raw = {
    calls: [] as ts.Node[],
    news: [] as ts.Node[],
    propertyAccesses: [] as ts.Node[],
    elementAccesses: [] as ts.Node[],
    strings: [] as ts.Node[],
    templates: [] as ts.Node[],
    propertyAssignments: [] as ts.Node[],
    assignments: [] as ts.Node[],
    initializeComparisons: [] as ts.Node[],
    classes: [] as ts.Node[],
  };
  const visit = (node: ts.Node): void => {
    switch (node.kind) {
      case SyntaxKind.CallExpression: {
        const call = node as ts.CallExpression;
        const name = nameOfCallee(call.expression);
        if (name && (CALL_NAMES.has(name) || (ARGUMENT_CALL_NAMES.has(name) && isInterestingArgument(stringArg(call))))) raw.calls.push(node);
        break;
      }
      case SyntaxKind.NewExpression:
        raw.news.push(node);
        break;
      case SyntaxKind.PropertyAccessExpression:
        if (SESSION_ID_PROPERTIES.includes((node as ts.PropertyAccessExpression).name.text)) raw.propertyAccesses.push(node);
        break;
      case SyntaxKind.ElementAccessExpression: {
        const argument = (node as ts.ElementAccessExpression).argumentExpression;
        if (ts.isStringLiteralLike(argument) && (SESSION_ID_PROPERTIES.includes(argument.text) || argument.text.toLowerCase() === SESSION_HEADER)) raw.elementAccesses.push(node);
        break;
      }
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral: {
        const text = (node as ts.StringLiteralLike).text;
        if (text.toLowerCase() === SESSION_HEADER || SESSION_ERROR_TEXT.test(text)) raw.strings.push(node);
        break;
      }
      case SyntaxKind.TemplateExpression:
        if (SESSION_ERROR_TEXT.test((node as ts.TemplateExpression).head.text)) raw.templates.push(node);
        break;
      case SyntaxKind.PropertyAssignment: {
        const name = (node as ts.PropertyAssignment).name;
        if ((ts.isIdentifier(name) || ts.isStringLiteral(name)) && SESSION_OPTIONS.callbacks.includes(name.text)) raw.propertyAssignments.push(node);
        break;
      }
      case SyntaxKind.BinaryExpression: {
        const binary = node as ts.BinaryExpression;
        const op = binary.operatorToken.kind;
        if (op === SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(binary.left) && LIFECYCLE_CALLBACKS.includes(binary.left.name.text)) raw.assignments.push(node);
        else if (
          (op === SyntaxKind.EqualsEqualsEqualsToken || op === SyntaxKind.EqualsEqualsToken) &&
          [binary.left, binary.right].some((side) => ts.isStringLiteralLike(side) && side.text === 'initialize')
        ) {
          raw.initializeComparisons.push(node);
        }
        break;
      }
      case SyntaxKind.ClassDeclaration:
      case SyntaxKind.ClassExpression:
        raw.classes.push(node);
        break;
      default:
        break;
    }
    ts.forEachChild(node, visit);
  };
  visit(file.compilerNode);
  const wrapAll = <T extends Node>(list: ts.Node[]): T[] => list.map((n) => wrapNode<T>(file, n)).filter((n): n is T => n !== undefined);
  return {
    calls: wrapAll(raw.calls),
    news: wrapAll(raw.news),
    propertyAccesses: wrapAll(raw.propertyAccesses),
    elementAccesses: wrapAll(raw.elementAccesses),
    strings: wrapAll(raw.strings),
    templates: wrapAll(raw.templates),
    propertyAssignments: wrapAll(raw.propertyAssignments),
    assignments: wrapAll(raw.assignments),
    initializeComparisons: wrapAll(raw.initializeComparisons),
    classes: wrapAll(raw.classes),
  };
}

/** `get`/`set`/`header`/`delete`/`all`/… matter only with a session-header or route-path first argument. */
function isInterestingArgument(text: string | undefined): boolean {
  return text !== undefined && (text.toLowerCase() === SESSION_HEADER || text.startsWith('/'));
}
