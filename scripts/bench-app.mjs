#!/usr/bin/env node
/**
 * The app's own figures, each beside a reference measured in the same run:
 *   - time from `maxrec` to its first frame (reference: bare `node -e 0`);
 *   - CPU and memory of the app while it monitors a run (reference:
 *     `tail -f` on the same log);
 *   - upload throughput and peak memory for a large file through the local
 *     storage service (reference: `cp`).
 * Usage: npm run build && node scripts/bench-app.mjs [--upload-mb 1024]
 * Prints a markdown table. Everything stays on this machine.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from 'node-pty';
import stripAnsi from 'strip-ansi';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'maxrec.js');
const args = process.argv.slice(2);
const uploadMb = Number(args[args.indexOf('--upload-mb') + 1] || 1024);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'maxrec-bench-'));
const env = {
  ...process.env,
  MAXREC_HOME: path.join(work, 'home'),
  MAXREC_CONFIG_HOME: path.join(work, 'prefs'),
};
delete env.CI;
const ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString()) || 100;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) and RSS in MiB of a process, from /proc. */
function usage(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / ticks;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  return { cpu, rss };
}

function startApp(cwd) {
  return pty.spawn(process.execPath, [cli], {
    cwd,
    env,
    cols: 100,
    rows: 30,
    name: 'xterm-256color',
  });
}

function waitFor(term, text, timeoutMs = 60_000) {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${text}" in:\n${seen.slice(-2000)}`)),
      timeoutMs,
    );
    const sub = term.onData((d) => {
      seen += d;
      if (stripAnsi(seen).includes(text)) {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      }
    });
  });
}

async function firstFrame() {
  const app = [];
  const bare = [];
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t);
    t = performance.now();
    const term = startApp(work);
    await waitFor(term, 'maxrec · ');
    app.push(performance.now() - t);
    term.kill();
    await sleep(200);
  }
  return { app: median(app), bare: median(bare) };
}

/** A run long enough to watch: the sample data, many epochs. */
function startLongRun() {
  const config = path.join(work, 'max-recommender-training-config.yaml');
  const run = (a) =>
    spawnSync(process.execPath, [cli, ...a], {
      cwd: work,
      env,
      encoding: 'utf8',
    });
  run([
    'setup',
    config,
    '--backend',
    'local',
    '--data-bucket',
    'bench-data',
    '--results-bucket',
    'bench-results',
  ]);
  execFileSync('sed', ['-i', 's/^    epochs: .*/    epochs: 200/', config]);
  const child = spawn(process.execPath, [cli, 'train', config, 'train'], {
    cwd: work,
    env: { ...env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const id = /Training id: (\S+)/.exec(out)?.[1];
      if (id && /Epoch 1\//.test(out)) {
        child.kill('SIGINT');
        resolve({ id, config });
      }
    });
    child.on('exit', () => reject(new Error(`run did not start:\n${out}`)));
  });
}

async function monitoring(seconds) {
  const { id } = await startLongRun();
  const log = path.join(env.MAXREC_HOME, 'runs', id, 'training-log.txt');
  const term = startApp(work);
  await waitFor(term, 'Resume run');
  term.write('\x1b[B');
  await sleep(300);
  term.write('\r');
  await waitFor(term, 'Epoch');
  const before = usage(term.pid);
  const tail = spawn('tail', ['-f', log], { stdio: 'ignore' });
  await sleep(500);
  const tailBefore = usage(tail.pid);
  await sleep(seconds * 1000);
  const after = usage(term.pid);
  const tailAfter = usage(tail.pid);
  tail.kill();
  term.write('\x03');
  await sleep(300);
  term.write('\x03');
  await sleep(300);
  term.write('y');
  await sleep(3000);
  term.kill();
  return {
    appCpu: ((after.cpu - before.cpu) / seconds) * 100,
    appRss: after.rss,
    tailCpu: ((tailAfter.cpu - tailBefore.cpu) / seconds) * 100,
    tailRss: tailAfter.rss,
  };
}

async function upload(mb) {
  const file = path.join(work, 'big.csv');
  const line = '123456,7654321,4.5,1600000000\n';
  const block = line.repeat(Math.ceil((1 << 20) / line.length));
  const fd = fs.openSync(file, 'w');
  for (let i = 0; i < mb; i++) fs.writeSync(fd, block.slice(0, 1 << 20));
  fs.closeSync(fd);
  const script = `
    import { LocalStorage } from ${JSON.stringify(path.join(root, 'dist/services/local/local-storage.js'))};
    const storage = new LocalStorage(${JSON.stringify(path.join(work, 'store'))});
    await storage.ensureBucket('bench');
    const t = performance.now();
    await storage.upload(${JSON.stringify(file)}, 'bench', '', { onProgress: () => {} });
    const s = (performance.now() - t) / 1000;
    console.log(JSON.stringify({ s, maxRss: process.resourceUsage().maxRSS / 1024 }));
  `;
  const ours = JSON.parse(
    execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      script,
    ]).toString(),
  );
  const t = performance.now();
  execFileSync('cp', [file, path.join(work, 'copy.csv')]);
  const cp = (performance.now() - t) / 1000;
  fs.rmSync(file);
  fs.rmSync(path.join(work, 'copy.csv'));
  fs.rmSync(path.join(work, 'store'), { recursive: true });
  return { mb, ours, cp };
}

const frame = await firstFrame();
const monitor = await monitoring(20);
const up = await upload(uploadMb);
fs.rmSync(work, { recursive: true, force: true });

const rows = [
  ['measure', 'maxrec', 'reference', 'reference is'],
  ['---', '---', '---', '---'],
  [
    'start to first frame (median of 5)',
    `${frame.app.toFixed(0)} ms`,
    `${frame.bare.toFixed(0)} ms`,
    'bare `node -e 0`',
  ],
  [
    'CPU while monitoring a run (20 s)',
    `${monitor.appCpu.toFixed(1)} % of a core`,
    `${monitor.tailCpu.toFixed(1)} %`,
    '`tail -f` on the same log',
  ],
  [
    'memory while monitoring (RSS)',
    `${monitor.appRss.toFixed(0)} MiB`,
    `${monitor.tailRss.toFixed(1)} MiB`,
    '`tail -f`',
  ],
  [
    `upload of a ${up.mb} MiB file (local storage)`,
    `${(up.mb / up.ours.s).toFixed(0)} MiB/s`,
    `${(up.mb / up.cp).toFixed(0)} MiB/s`,
    '`cp`',
  ],
  [
    'peak memory during that upload',
    `${up.ours.maxRss.toFixed(0)} MiB`,
    '',
    'constant: streams',
  ],
];
console.log(rows.map((r) => `| ${r.join(' | ')} |`).join('\n'));
