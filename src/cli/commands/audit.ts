import { assertWritableOutput, writeOutput } from '../output-files.js';
import type { Command } from 'commander';
import { packageVersion } from '../../version.js';
import { EXIT } from '../exit-codes.js';
import { parseList } from '../options.js';
import { colorsFor, NO_COLORS, progressLine } from '../output.js';
import { UsageError } from './migrate.js';

const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
type AuditFormat = (typeof FORMATS)[number];

interface AuditFlags {
  format: string;
  output?: string;
  check?: boolean;
  include?: string[];
  exclude?: string[];
  summary?: boolean;
  pathsFrom?: string;
  includeTests?: boolean;
}

async function runFleetSummary(given: string[], flags: AuditFlags): Promise<void> {
  if (!flags.summary) throw new UsageError('--paths-from lists projects for a fleet summary: pass --summary too');
  if (flags.format === 'sarif') throw new UsageError('--summary prints text, json or markdown; SARIF is per project');
  const { auditFleet, readPathList } = await import('../../fleet/fleet.js');
  const paths = [...given, ...(flags.pathsFrom ? readPathList(flags.pathsFrom) : [])];
  if (paths.length === 0) throw new UsageError('--summary needs project paths (as arguments or with --paths-from)');
  const progress = progressLine(process.stderr);
  const report = await auditFleet(paths, {
    include: flags.include,
    exclude: flags.exclude,
    onProject: (done, total, path) => progress.update(`audit ${done}/${total} ${path}`),
  });
  progress.done();
  const formats = await import('../../report/fleet/index.js');
  const text =
    flags.format === 'json'
      ? `${JSON.stringify(formats.toFleetJson(report, packageVersion()), null, 2)}\n`
      : flags.format === 'markdown'
        ? formats.toFleetMarkdown(report)
        : formats.toFleetText(report, flags.output ? colorsFor({ isTTY: false } as NodeJS.WriteStream) : colorsFor(process.stdout));
  if (flags.output) await writeOutput('--output', flags.output, text);
  else process.stdout.write(text);
  const failed = report.projects.some((p) => p.errors.length > 0);
  process.exitCode = failed ? EXIT.error : flags.check && report.totals.findings > 0 ? EXIT.pending : EXIT.ok;
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('report every place a server depends on sessions, connections or process-lifetime state')
    .argument('[paths...]', 'project folder or file (several with --summary)')
    .option('--format <format>', `report format: ${FORMATS.join(' | ')}`, 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--check', 'exit 2 when any finding remains (for CI)')
    .option('--include <glob>', 'only files matching this glob (repeatable, or comma-separated)', parseList)
    .option('--exclude <glob>', 'skip files matching this glob (repeatable, or comma-separated)', parseList)
    .option('--summary', 'fleet summary: one row per project path, the survey categories and what migrate would fix')
    .option('--paths-from <file>', 'with --summary, read project paths from a file (one per line; # comments)')
    .option('--include-tests', 'also audit tests, fixtures and MCP client code, reported apart from the server')
    .action(async (paths: string[], flags: AuditFlags) => {
      if (!FORMATS.includes(flags.format as AuditFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${flags.format}"`);
      if (flags.summary || flags.pathsFrom) return runFleetSummary(paths, flags);
      if (paths.length > 1) throw new UsageError(`several paths are audited together only with --summary; got ${paths.length}`);
      const path = paths[0] ?? '.';
      const format = flags.format as AuditFormat;
      if (flags.output) assertWritableOutput('--output', flags.output);
      // The analysis (ts-morph, TypeScript) loads only now, so --help stays instant.
      const { auditProject } = await import('../../audit/index.js');
      const report = await auditProject(path, { include: flags.include, exclude: flags.exclude, includeTests: flags.includeTests });
      const formats = await import('../../report/audit/index.js');
      const version = packageVersion();
      const text =
        format === 'json'
          ? `${JSON.stringify(formats.toAuditJson(report, { version, root: path }), null, 2)}\n`
          : format === 'sarif'
            ? `${JSON.stringify(formats.toSarif(report, { version }), null, 2)}\n`
            : format === 'markdown'
              ? formats.toAuditMarkdown(report)
              : formats.toAuditText(report, flags.output ? NO_COLORS : colorsFor(process.stdout));
      if (flags.output) await writeOutput('--output', flags.output, text);
      else process.stdout.write(text);
      if (flags.output && format !== 'text') {
        process.stderr.write(`${report.findings.length} finding(s), ${report.errors.length} error(s); ${format} report written to ${flags.output}\n`);
      }
      // Errors win over findings: a partial audit must not pass for a clean or merely dirty one.
      process.exitCode = report.errors.length > 0 ? EXIT.error : flags.check && report.findings.length > 0 ? EXIT.pending : EXIT.ok;
    });
}
