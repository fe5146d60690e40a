/**
 * Shared state of one analysis run: the resolver, per-file node buckets (each kind collected once), and the
 * SDK names each file imports. Passes read from here instead of walking the trees again.
 */
import {
  Node,
  SyntaxKind,
  type BinaryExpression,
  type CallExpression,
  type ClassDeclaration,
  type ClassExpression,
  type ElementAccessExpression,
  type NewExpression,
  type NoSubstitutionTemplateLiteral,
  type PropertyAccessExpression,
  type PropertyAssignment,
  type SourceFile,
  type StringLiteral,
} from 'ts-morph';
import { relativeOf } from '../engine/parse.js';
import { detectSdkLine } from '../engine/sdk-detect.js';
import { sdkLineOf } from '../rules/sdk.js';
import type { FileInfo } from './model.js';
import { Resolver } from './scope.js';
import { literalText, unwrap } from './syntax.js';

/** The kinds of node the passes look at, collected once per file. */
export interface FileNodes {
  calls: CallExpression[];
  news: NewExpression[];
  propertyAccesses: PropertyAccessExpression[];
  elementAccesses: ElementAccessExpression[];
  strings: Array<StringLiteral | NoSubstitutionTemplateLiteral>;
  propertyAssignments: PropertyAssignment[];
  assignments: BinaryExpression[];
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
    const file = info.sourceFile;
    const nodes: FileNodes = {
      calls: file.getDescendantsOfKind(SyntaxKind.CallExpression),
      news: file.getDescendantsOfKind(SyntaxKind.NewExpression),
      propertyAccesses: file.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression),
      elementAccesses: file.getDescendantsOfKind(SyntaxKind.ElementAccessExpression),
      strings: [...file.getDescendantsOfKind(SyntaxKind.StringLiteral), ...file.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral)],
      propertyAssignments: file.getDescendantsOfKind(SyntaxKind.PropertyAssignment),
      assignments: file
        .getDescendantsOfKind(SyntaxKind.BinaryExpression)
        .filter((b) => b.getOperatorToken().getKind() === SyntaxKind.EqualsToken),
      classes: [...file.getDescendantsOfKind(SyntaxKind.ClassDeclaration), ...file.getDescendantsOfKind(SyntaxKind.ClassExpression)],
    };
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
