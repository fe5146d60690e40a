// Test worker: squares numbers; exits abruptly on -1 to simulate a crash.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (n) => {
  if (n === -1) process.exit(3);
  parentPort.postMessage(n * n);
});
