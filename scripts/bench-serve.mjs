#!/usr/bin/env node
/**
 * `maxrec serve` under load, beside a reference measured in the same run:
 * a minimal Python HTTP service scoring the same model with PyTorch
 * (scripts/reference_serve.py). Each service runs alone in a child
 * process on loopback; autocannon, in this process, sends POST
 * /model/predict?user_id=<a random known user>&num_results=10 over a fixed
 * number of connections for a fixed time, after a short warm-up.
 *
 * Usage: npm run build && node scripts/bench-serve.mjs
 *   [--model DIR]         a trained_model/ folder to reuse; by default one is
 *                         trained once on sample_training_data (ml-latest-small)
 *                         into bench-results/serve-model/
 *   [--epochs 3] [--duration 10] [--connections 10] [--threads N]
 * Prints a markdown table and writes bench-results/serve.json. The
 * cache-off rows are measured twice: with user_scores.onnx (one run per
 * user) and with a copy of the folder without it, as an older trainer
 * wrote them (model.onnx scoring every (user, item) pair).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { resolvePython } from './python-env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flag = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const duration = Number(flag('duration', 10));
const connections = Number(flag('connections', 10));
const epochs = Number(flag('epochs', 3));
const threads = flag('threads', undefined);
const results = path.join(root, 'bench-results');

const python = resolvePython({ root }).python;
if (!python) {
  console.error('No Python environment: run npm run setup:python first.');
  process.exit(2);
}
if (!fs.existsSync(path.join(root, 'dist/serve/server.js'))) {
  console.error('No dist/serve/server.js: run npm run build first.');
  process.exit(2);
}

const modelDir = flag('model', undefined) ?? trainModel();
const users = Object.keys(
  JSON.parse(fs.readFileSync(path.join(modelDir, 'users.json'), 'utf8')),
);
const items = Object.keys(
  JSON.parse(fs.readFileSync(path.join(modelDir, 'items.json'), 'utf8')),
).length;

/** Trains once on the bundled sample; later runs reuse the model until the trainer changes. */
function trainModel() {
  const output = path.join(results, 'serve-model', 'trained_model');
  const model = path.join(output, 'user_scores.onnx');
  const trainer = path.join(root, 'training_code', 'maxrec_trainer');
  const trainerChanged = Math.max(
    ...fs
      .readdirSync(trainer)
      .map((f) => fs.statSync(path.join(trainer, f)).mtimeMs),
  );
  if (fs.existsSync(model) && fs.statSync(model).mtimeMs > trainerChanged)
    return output;
  console.error(`Training ${epochs} epochs on ml-latest-small into ${output}`);
  execFileSync(
    python,
    [
      'training_code/train_ncf.py',
      '--data',
      'sample_training_data/data/ratings.csv',
      '--epoch',
      String(epochs),
      '--output',
      output,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return output;
}

/** The model folder as an older trainer wrote it: no user_scores.onnx. */
function pairsOnly(folder) {
  const copy = path.join(results, 'serve-model-pairs-only');
  fs.rmSync(copy, { recursive: true, force: true });
  fs.mkdirSync(copy, { recursive: true });
  for (const name of fs.readdirSync(folder)) {
    if (name !== 'user_scores.onnx') {
      fs.copyFileSync(path.join(folder, name), path.join(copy, name));
    }
  }
  return copy;
}

/** Starts a service; resolves with its port once it prints it. */
function start(command, args) {
  const child = spawn(command, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const port = /listening on port (\d+)/.exec(text)?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.on('exit', (code) => reject(new Error(`${command} exited ${code}`)));
  });
}

/** `maxrec serve`'s startServer, with or without its score cache. */
const ours = (scoreCacheMiB) => `
import { startServer } from './dist/serve/server.js';
const app = await startServer({
  modelDir: process.argv[1],
  port: 0,
  scoreCacheMiB: ${scoreCacheMiB},
  ${threads ? `threads: ${Number(threads)},` : ''}
});
console.log('listening on port', app.server.address().port);
`;

function load(port, seconds) {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          path: `/model/predict?user_id=${encodeURIComponent(
            users[Math.floor(Math.random() * users.length)],
          )}&num_results=10`,
        }),
      },
    ],
  });
}

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function measure(name, command, args) {
  const { child, port } = await start(command, args);
  try {
    await load(port, 2); // warm-up: JIT, caches, thread pools
    const result = await load(port, duration);
    const rss = rssMiB(child.pid);
    const failed = result.non2xx + result.errors + result.timeouts;
    if (failed > 0) throw new Error(`${name}: ${failed} failed requests`);
    return {
      name,
      requestsPerSecond: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      rssMiB: rss,
    };
  } finally {
    child.kill('SIGTERM');
    await sleep(300);
  }
}

const rows = [
  await measure(
    'maxrec serve (Node, fastify, onnxruntime-node)',
    process.execPath,
    ['--input-type=module', '-e', ours(64), modelDir],
  ),
  await measure(
    'maxrec serve, score cache off: a user_scores.onnx run per request',
    process.execPath,
    ['--input-type=module', '-e', ours(0), modelDir],
  ),
  await measure(
    'maxrec serve, score cache off, no user_scores.onnx: model.onnx on every pair',
    process.execPath,
    ['--input-type=module', '-e', ours(0), pairsOnly(modelDir)],
  ),
  await measure('reference (Python http.server, PyTorch)', python, [
    'scripts/reference_serve.py',
    modelDir,
    '--port',
    '0',
  ]),
];

console.log(
  `\nPOST /model/predict, top 10 of ${items} items, ${users.length} users, ` +
    `${connections} connections, ${duration} s, loopback, ` +
    `${(await import('node:os')).cpus().length} cores\n`,
);
console.log('| service | req/s | p50 ms | p99 ms | RSS after load |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${Math.round(r.requestsPerSecond)} | ${r.p50} | ${r.p99} | ` +
      `${r.rssMiB.toFixed(0)} MiB |`,
  );
}
fs.mkdirSync(results, { recursive: true });
fs.writeFileSync(
  path.join(results, 'serve.json'),
  JSON.stringify(
    { items, users: users.length, connections, duration, rows },
    null,
    2,
  ),
);
