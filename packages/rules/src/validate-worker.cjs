// @ts-check
/**
 * The thread between ControlTowerValidatePlugin and its validation engine.
 *
 * Setting the engine up takes about a second, as long as loading the app's modules and building its
 * construct tree. Started when the plugin is created, with the rules of the resource types the last
 * synth of this checkout had, this worker starts the engine's process (validate-engine.cjs, which
 * says why it is a process of its own) and has it set its engine up while the main thread builds the
 * app; by the time the templates exist the engine is ready. The plugin then hands the templates over
 * and waits for the report (the CDK calls plugins synchronously, so the main thread blocks, and this
 * thread, whose event loop still runs, carries the request to the process and the reply back).
 *
 * Messages: { guardRules, resourceTypes, stackTemplates, cache, signal, port }. The reply goes to `port`
 * ({ reports: [{ templatePath, violations }], early, kept, version } or { error }, see validate-engine.cjs), then
 * `signal[0]` is set to 1 and notified. { ahead: true, resourceTypes, stackTemplates }
 * goes to the engine as it is (templates validated early), and the engine's { validatedAhead } comes
 * back on the worker's own port.
 *
 * Plain CommonJS: it runs as a worker from the sources and from a build alike, with no compiler.
 */
'use strict';
const path = require('node:path');
const { fork } = require('node:child_process');
const { parentPort, workerData } = require('node:worker_threads');

/** What the engine's process runs with (see validate-engine.cjs). */
const ENGINE_EXEC_ARGV = ['--single-threaded'];

const engine = fork(path.join(__dirname, 'validate-engine.cjs'), [], {
  // Not the synth's own flags (its source loader): the engine is plain CommonJS.
  execArgv: ENGINE_EXEC_ARGV,
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  serialization: 'advanced',
});
if (workerData?.prepare) {
  engine.send({ prepare: workerData.prepare });
}

/** @type {Map<number, { signal: Int32Array, port: import('node:worker_threads').MessagePort }>} */
const pending = new Map();
let nextId = 0;

function reply(/** @type {number} */ id, /** @type {unknown} */ message) {
  const request = pending.get(id);
  if (!request) {
    return;
  }
  pending.delete(id);
  request.port.postMessage(message);
  request.port.close();
  Atomics.store(request.signal, 0, 1);
  Atomics.notify(request.signal, 0);
}

engine.on('message', (/** @type {any} */ message) => {
  if (message.validatedAhead !== undefined) {
    parentPort?.postMessage(message);
    return;
  }
  reply(message.id, message);
});
// A process that could not start or that died answers every request it had with an error, and the
// ones after it at once: the plugin then fails the synth with that error rather than wait forever.
let gone = '';
const fail = (/** @type {string} */ why) => {
  gone = `the validation engine's process ${why}`;
  for (const id of [...pending.keys()]) {
    reply(id, { error: gone });
  }
};
engine.on('error', (e) => fail(`failed: ${e.stack ?? e.message}`));
engine.on('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`})`));

parentPort?.on('message', (message) => {
  if (message.ahead) {
    if (!gone) {
      engine.send(message);
    }
    return;
  }
  const { guardRules, resourceTypes, stackTemplates, cache, signal, port } = message;
  const id = nextId++;
  pending.set(id, { signal, port });
  if (gone) {
    reply(id, { error: gone });
  } else {
    engine.send({ id, guardRules, resourceTypes, stackTemplates, cache });
  }
});
