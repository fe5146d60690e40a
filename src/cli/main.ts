import { Command, CommanderError } from 'commander';
import { RunError } from '../engine/errors.js';
import { packageVersion } from '../version.js';
import { registerAddCommand } from './commands/add.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerMigrateCommand, UsageError } from './commands/migrate.js';
import { registerNewCommand } from './commands/new.js';
import { registerVerifyCommand } from './commands/verify.js';
import { EXIT } from './exit-codes.js';
import { colorsFor, exitQuietlyOnClosedPipe } from './output.js';
import { OutputFileError } from './output-files.js';

/** Build the program; exported so tests can drive the CLI in-process. */
export function buildProgram(): Command {
  const program = new Command('mcp-sessionless')
    .description('Audit, migrate and scaffold sessionless MCP servers (protocol revision 2026-07-28)')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(run mcp-sessionless --help for usage)')
    .exitOverride();
  registerAuditCommand(program);
  registerMigrateCommand(program);
  registerNewCommand(program);
  registerAddCommand(program);
  registerVerifyCommand(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  exitQuietlyOnClosedPipe(process.stdout, process.stderr);
  const c = colorsFor(process.stderr);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here with exit code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    // Ctrl-C at a prompt: inquirer rejects with ExitPromptError; that is the user's choice, not a failure to explain.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      process.stderr.write('cancelled\n');
      return EXIT.cancelled;
    }
    if (error instanceof RunError || error instanceof UsageError || error instanceof OutputFileError) {
      process.stderr.write(`${c.red('error')}: ${error.message}\n`);
      for (const line of error instanceof RunError ? error.details : []) process.stderr.write(`  ${line}\n`);
      return EXIT.error;
    }
    process.stderr.write(`${c.red('internal error')}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.error;
  }
}
