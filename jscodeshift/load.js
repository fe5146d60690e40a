'use strict';
// Shared by every jscodeshift module in this folder. jscodeshift require()s its transforms through
// @babel/register (unless --no-babel), and that hook then compiles every module loaded in the process: Babel's
// preset cannot compile ts-morph, and the engine is an ES module anyway. So the engine runs in a worker thread,
// whose module loader has no such hook, and each file is a message to it and back.
const { join } = require('node:path');
const { Worker } = require('node:worker_threads');

let thread;
let next = 0;
const pending = new Map();

function engineThread() {
  if (thread) return thread;
  thread = new Worker(join(__dirname, 'engine-thread.mjs'));
  thread.on('message', ({ request, output, reports, error }) => {
    const waiting = pending.get(request);
    pending.delete(request);
    for (const message of reports) waiting.report(message);
    if (error === undefined) waiting.resolve(output);
    else waiting.reject(new Error(error));
  });
  thread.on('error', (error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
    thread = undefined;
  });
  // jscodeshift ends its worker process when every file is done; an idle thread must not keep it alive
  // (unref after the listeners: adding a message listener refs the thread again).
  thread.unref();
  return thread;
}

/** A jscodeshift module (async default export, parser) for one transform id. */
module.exports = function jscodeshiftModule(id) {
  return {
    parser: 'ts',
    default: (file, api, options) =>
      new Promise((resolve, reject) => {
        const request = next++;
        const report = typeof api.report === 'function' ? api.report : () => {};
        pending.set(request, { resolve, reject, report });
        engineThread().postMessage({ request, id, file: { path: file.path, source: file.source }, options: { ...options } });
      }),
  };
};
