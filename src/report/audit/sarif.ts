/**
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers. Rules come from RULES (every rule is listed so
 * ruleIndex stays stable across runs); artifact URIs are root-relative against %SRCROOT%.
 */
import type { AuditReport, Finding } from '../../audit/types.js';
import { RULES, PATTERNS, SEVERITY_OF_LEVEL, type Rule, type RuleId, type Severity } from '../../rules/rules.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/modelcontextprotocol/modelcontextprotocol';
const RULE_IDS = Object.keys(RULES) as RuleId[];


/** PascalCase rule name SARIF viewers show next to the id. */
function ruleName(rule: Rule): string {
  return rule.title.replace(/[^A-Za-z0-9 ]/g, ' ').split(/\s+/).filter(Boolean).map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifRun {
  tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: SarifRule[] } };
  artifacts: Array<{ location: { uri: string; uriBaseId: '%SRCROOT%' } }>;
  results: SarifResult[];
  invocations: Array<{ executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }>;
  properties: { classification: AuditReport['classification'] };
}

export interface SarifRule {
  id: RuleId;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: Severity };
  properties: { tags: string[]; precision: 'high' | 'medium' };
}

export interface SarifResult {
  ruleId: RuleId;
  ruleIndex: number;
  level: Severity;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: '%SRCROOT%'; index: number }; region: { startLine: number; startColumn: number } } }>;
  partialFingerprints: { 'mcpSessionless/v1': string };
  properties: { pattern: string; patternTitle: string; kind: string; fixedBy: string; state?: string; readers: string[]; writers: string[]; category: string };
}

export interface SarifNotification {
  level: 'error';
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: '%SRCROOT%' }; region?: { startLine: number; startColumn: number } } }>;
}

export function toSarif(report: AuditReport, options: { version: string }): SarifLog {
  const artifacts = [...new Set(report.findings.map((f) => f.file))].sort();
  const artifactIndex = new Map(artifacts.map((uri, index) => [uri, index]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mcp-sessionless',
            version: options.version,
            semanticVersion: options.version,
            informationUri: INFORMATION_URI,
            rules: RULE_IDS.map((id) => sarifRule(RULES[id])),
          },
        },
        artifacts: artifacts.map((uri) => ({ location: { uri: encodeUri(uri), uriBaseId: '%SRCROOT%' } })),
        results: report.findings.map((finding) => sarifResult(finding, artifactIndex.get(finding.file) ?? 0)),
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: report.errors.map((error) => ({
              level: 'error',
              message: { text: `${error.code}: ${error.message}` },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: encodeUri(error.file), uriBaseId: '%SRCROOT%' },
                    ...(error.line > 0 ? { region: { startLine: error.line, startColumn: Math.max(1, error.column) } } : {}),
                  },
                },
              ],
            })),
          },
        ],
        properties: { classification: report.classification },
      },
    ],
  };
}

function sarifRule(rule: Rule): SarifRule {
  return {
    id: rule.id,
    name: ruleName(rule),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.help },
    help: { text: rule.help, markdown: `**${rule.title}** (${rule.level}, MCP 2026-07-28)\n\n${rule.help}` },
    defaultConfiguration: { level: SEVERITY_OF_LEVEL[rule.level] },
    properties: { tags: ['mcp', 'sessionless', rule.level], precision: rule.id === 'SL005' || rule.id === 'SL006' ? 'medium' : 'high' },
  };
}

function sarifResult(finding: Finding, index: number): SarifResult {
  return {
    ruleId: finding.rule,
    ruleIndex: RULE_IDS.indexOf(finding.rule),
    level: finding.severity,
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeUri(finding.file), uriBaseId: '%SRCROOT%', index },
          region: { startLine: Math.max(1, finding.line), startColumn: Math.max(1, finding.column) },
        },
      },
    ],
    // Stable across line moves: same rule, file, kind and state is the same alert.
    partialFingerprints: { 'mcpSessionless/v1': `${finding.rule}:${finding.file}:${finding.kind}:${finding.state ?? finding.line}` },
    properties: {
      pattern: finding.pattern,
      patternTitle: PATTERNS[finding.pattern],
      kind: finding.kind,
      fixedBy: finding.fixedBy,
      ...(finding.state ? { state: finding.state } : {}),
      readers: finding.readers,
      writers: finding.writers,
      category: finding.category,
    },
  };
}

/** Root-relative posix path → relative URI reference (segments percent-encoded). */
function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
