// `npm test` after the build: the tests, with the type-check (`npm run typecheck`: src, transforms, test and scripts)
// running beside them rather than before them. The tests need the build, not the type-check, and most of their
// time is spent waiting on child processes, so on a 2-core machine the type-check costs the run next to nothing.
// Exits non-zero when either fails; arguments go to vitest.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

const onWindows = process.platform === 'win32';

/** Run a command to its end; resolves with its exit code (1 when it could not start or was killed). */
function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { shell: onWindows, ...options });
    child.once('error', (error) => {
      process.stderr.write(`${command}: ${error.message}\n`);
      resolve(1);
    });
    child.once('close', (code) => resolve(code ?? 1));
    options.onSpawn?.(child);
  });
}

let typecheckOutput = '';
const typecheck = run('npm', ['run', '--silent', 'typecheck'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  onSpawn(child) {
    // The tests come first when both want a core; the type-check takes what they leave.
    try {
      setPriority(child.pid, 10);
    } catch {
      // Not permitted here: it runs at normal priority.
    }
    // Its report is printed after the tests', so the two do not interleave.
    child.stdout.setEncoding('utf8').on('data', (chunk) => (typecheckOutput += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (typecheckOutput += chunk));
  },
});
const tests = run('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });

const [testsCode, typecheckCode] = await Promise.all([tests, typecheck]);
if (typecheckCode === 0) process.stdout.write('\nType-check (npm run typecheck): no errors\n');
else process.stderr.write(`\nType-check (npm run typecheck) failed:\n${typecheckOutput}`);
process.exitCode = testsCode !== 0 ? testsCode : typecheckCode;
