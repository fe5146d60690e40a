import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { packageVersion } from '../../version.js';
import type { VerifyReport, VerifyTarget } from '../../verify/types.js';
import { EXIT } from '../exit-codes.js';
import { colorsFor } from '../output.js';
import { UsageError } from './migrate.js';

const FORMATS = ['text', 'json', 'junit'] as const;
type VerifyFormat = (typeof FORMATS)[number];

interface TargetFlags {
  url?: string;
  header?: string[];
  headerB?: string[];
  replica?: string;
}

interface VerifyFlags extends TargetFlags {
  format: string;
  output?: string;
  callAll?: boolean;
  allowDestructive?: boolean;
  scenario?: string;
  strict?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerVerifyCommand(program: Command): void {
  // `verify replay … --format json` is replay's option, not verify's: options belong to the command they follow.
  program.enablePositionalOptions();
  const verify = program
    .command('verify')
    .description('check a running server against SEP-2567 (no sessions, static lists, sound handles); record and replay conversations')
    .argument('[command...]', 'stdio server to start, after --  (e.g. verify -- node dist/index.js)')
    .option('--url <url>', 'HTTP endpoint of the server (e.g. http://127.0.0.1:3000/mcp)')
    .option('--header <header>', "header sent on every request, 'Name: value' (repeatable)", collect)
    .option('--header-b <header>', 'header of a second principal, for the principal checks (repeatable)', collect)
    .option('--replica <url>', 'a second replica of the same server: handles must work there too')
    .option('--call-all', 'call every tool not annotated destructiveHint, not only creators and readers')
    .option('--allow-destructive', 'also call tools annotated destructiveHint')
    .option('--scenario <file>', 'JSON file of further calls to make: { "calls": [{ "tool": …, "arguments": { … } }] }')
    .option('--strict', 'warnings fail the run too (exit 2)')
    .option('--format <format>', `report format: ${FORMATS.join(' | ')}`, 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .enablePositionalOptions()
    .action(async (command: string[], flags: VerifyFlags) => {
      const format = formatOf(flags.format);
      const target = await targetOf(flags, command);
      const { verifyServer } = await import('../../verify/verify.js');
      const { readScenario } = await import('../../verify/scenario.js');
      await runAndReport(
        async () => verifyServer(target, { callAll: flags.callAll, allowDestructive: flags.allowDestructive, scenario: flags.scenario ? await readScenario(flags.scenario) : undefined }),
        format,
        flags,
      );
    });

  verify
    .command('record')
    .description('run an MCP proxy in front of a server and record the conversation any client has through it')
    .argument('[command...]', 'stdio server to start, after --; verify then serves stdio to your client')
    .requiredOption('--out <file>', 'where to write the recorded conversation (JSON)')
    .option('--url <url>', 'HTTP endpoint to proxy; verify listens on 127.0.0.1 and prints its URL')
    .option('--header <header>', "header added to forwarded requests, 'Name: value' (repeatable)", collect)
    .option('--port <port>', 'port for the HTTP proxy (default: a free one)', '0')
    .action(async (command: string[], flags: { out: string; url?: string; header?: string[]; port: string }) => {
      const target = await targetOf(flags, command);
      const { recordConversation } = await import('../../verify/record.js');
      const { VerifyError } = await import('../../verify/errors.js');
      try {
        const recording = await recordConversation(target, {
          out: flags.out,
          port: Number(flags.port),
          onListening: (url) => process.stderr.write(`recording: point your client at ${url} (Ctrl-C to stop)\n`),
        });
        process.stderr.write(`recorded ${recording.steps.length} step(s) to ${flags.out}\n`);
      } catch (error) {
        if (!(error instanceof VerifyError)) throw error;
        process.stderr.write(`${colorsFor(process.stderr).red('error')}: ${error.message}\n`);
        process.exitCode = EXIT.error;
      }
    });

  verify
    .command('replay')
    .description('play a recorded conversation against a (migrated) server and report every difference')
    .argument('<conversation>', 'file written by verify record')
    .argument('[command...]', 'stdio server to start, after --')
    .option('--url <url>', 'HTTP endpoint of the server')
    .option('--header <header>', "header sent on every request, 'Name: value' (repeatable)", collect)
    .option('--strict', 'warnings fail the run too (exit 2)')
    .option('--format <format>', `report format: ${FORMATS.join(' | ')}`, 'text')
    .option('--output <file>', 'write the report to a file instead of stdout')
    .action(async (file: string, command: string[], flags: VerifyFlags) => {
      const format = formatOf(flags.format);
      const target = await targetOf(flags, command);
      const { replayConversation, readConversation } = await import('../../verify/replay.js');
      await runAndReport(async () => replayConversation(await readConversation(file), target), format, flags);
    });
}

function formatOf(value: string): VerifyFormat {
  if (!FORMATS.includes(value as VerifyFormat)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${value}"`);
  return value as VerifyFormat;
}

async function targetOf(flags: TargetFlags, command: readonly string[]): Promise<VerifyTarget> {
  const { parseHeaders } = await import('../../verify/connect.js');
  if (flags.url && command.length > 0) throw new UsageError('give either --url or a command after --, not both');
  const headers = (lines?: string[]) => {
    try {
      return lines ? parseHeaders(lines) : undefined;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  if (flags.url) return { kind: 'http', url: flags.url, headers: headers(flags.header), headersB: headers(flags.headerB), replicaUrl: flags.replica };
  const [executable, ...args] = command;
  if (!executable) throw new UsageError('nothing to verify: give --url <endpoint> or a stdio command after -- (verify -- node server.js)');
  if (flags.headerB || flags.replica) throw new UsageError('--header-b and --replica need an HTTP target (--url)');
  return { kind: 'stdio', command: executable, args };
}

async function runAndReport(run: () => Promise<VerifyReport>, format: VerifyFormat, flags: VerifyFlags): Promise<void> {
  const { VerifyError } = await import('../../verify/errors.js');
  const formats = await import('../../verify/format/index.js');
  const { failures } = await import('../../verify/types.js');
  let report: VerifyReport;
  try {
    report = await run();
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    process.stderr.write(`${colorsFor(process.stderr).red('error')}: ${error.message}\n`);
    process.exitCode = EXIT.error;
    return;
  }
  const text =
    format === 'json'
      ? `${JSON.stringify(formats.toVerifyJson(report, { version: packageVersion() }), null, 2)}\n`
      : format === 'junit'
        ? formats.toVerifyJunit(report, { warningsFail: flags.strict })
        : formats.toVerifyText(report, colorsFor(flags.output ? ({ isTTY: false } as NodeJS.WriteStream) : process.stdout));
  if (flags.output) await writeFile(flags.output, text);
  else process.stdout.write(text);
  const failing = failures(report, flags.strict ? undefined : 'error').length;
  if (flags.output) process.stderr.write(`${failures(report).length} finding(s); ${format} report written to ${flags.output}\n`);
  process.exitCode = failing > 0 ? EXIT.pending : EXIT.ok;
}
