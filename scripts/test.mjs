// `npm test` after the build: the tests, with the type-check (`npm run typecheck`: src, transforms, test and scripts)
// running beside them rather than before them: the tests need the build, not the type-check, and the type-check
// (about 10 s of CPU) then overlaps the first test files instead of holding them back.
// Exits non-zero when either fails; arguments go to vitest.
import { spawn } from 'node:child_process';

/** Start a command; `done` resolves with its exit code (1 when it could not start or was killed). */
function start(command, args, options) {
  const child = spawn(command, args, { shell: process.platform === 'win32', ...options });
  const done = new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`${command}: ${error.message}\n`);
      resolve(1);
    });
    child.once('close', (code) => resolve(code ?? 1));
  });
  return { child, done };
}

const typecheck = start('npm', ['run', '--silent', 'typecheck'], { stdio: ['ignore', 'pipe', 'pipe'] });
// Its report is printed after the tests', so the two do not interleave.
let typecheckOutput = '';
for (const stream of [typecheck.child.stdout, typecheck.child.stderr]) stream.setEncoding('utf8').on('data', (chunk) => (typecheckOutput += chunk));
const tests = start('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });

const [testsCode, typecheckCode] = await Promise.all([tests.done, typecheck.done]);
if (typecheckCode === 0) process.stdout.write('\nType-check (npm run typecheck): no errors\n');
else process.stderr.write(`\nType-check (npm run typecheck) failed:\n${typecheckOutput}`);
process.exitCode = testsCode !== 0 ? testsCode : typecheckCode;
