// The engine side of load.js: applies one transform to one file per message, through the same adapter the
// library exports (transforms/jscodeshift.js), and answers with the output, the reports and any error.
import { parentPort } from 'node:worker_threads';
import { jscodeshiftModule } from '../transforms/jscodeshift.js';

parentPort.on('message', ({ request, id, file, options }) => {
  const reports = [];
  try {
    const output = jscodeshiftModule(id).default(file, { report: (message) => reports.push(message) }, options);
    parentPort.postMessage({ request, output, reports });
  } catch (error) {
    parentPort.postMessage({ request, reports, error: error instanceof Error ? error.message : String(error) });
  }
});
