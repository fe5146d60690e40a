import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { packageVersion } from '../../version.js';
import { EXIT } from '../exit-codes.js';
import { parseList } from '../options.js';
import { colorsFor, NO_COLORS } from '../output.js';
import { UsageError } from './migrate.js';

const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;
type AuditFormat = (typeof FORMATS)[number];

interface AuditFlags {
  format: string;
  output?: string;
  check?: boolean;
  include?: string[];
  exclude?: string[];
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('report every place a server depends on sessions, connections or process-lifetime state')
    .argument('[path]', 'project folder or file', '.')
    .option('--format <format>', `report format: ${FORMATS.join(' | ')}`, 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--check', 'exit 2 when any finding remains (for CI)')
    .option('--include <glob>', 'only files matching this glob (repeatable, or comma-separated)', parseList)
    .option('--exclude <glob>', 'skip files matching this glob (repeatable, or comma-separated)', parseList)
    .action(async (path: string, flags: AuditFlags) => {
      if (!FORMATS.includes(flags.format as AuditFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${flags.format}"`);
      const format = flags.format as AuditFormat;
      // The analysis (ts-morph, TypeScript) loads only now, so --help stays instant.
      const { auditProject } = await import('../../audit/index.js');
      const report = await auditProject(path, { include: flags.include, exclude: flags.exclude });
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
      if (flags.output) await writeFile(flags.output, text);
      else process.stdout.write(text);
      if (flags.output && format !== 'text') {
        process.stderr.write(`${report.findings.length} finding(s), ${report.errors.length} error(s); ${format} report written to ${flags.output}\n`);
      }
      // Errors win over findings: a partial audit must not pass for a clean or merely dirty one.
      process.exitCode = report.errors.length > 0 ? EXIT.error : flags.check && report.findings.length > 0 ? EXIT.pending : EXIT.ok;
    });
}
