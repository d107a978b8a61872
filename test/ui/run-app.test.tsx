import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MaxrecError } from '../../src/core/errors.js';
import { runApp } from '../../src/ui/run-app.js';
import { FakeJourneyServices } from '../helpers/journey-fakes.js';

class FakeStdin extends EventEmitter {
  isTTY = true;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

class FakeStdout extends EventEmitter {
  written = '';
  columns = 80;
  rows = 24;
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(chunk: string) {
    this.written += chunk;
    return true;
  }
}

async function run(isTTY: boolean) {
  const fake = new FakeJourneyServices();
  fake.answers.settings = new MaxrecError(
    3,
    'backend.name: expected local, ibm or ray',
    {
      hint: 'Fix cfg.yaml and run maxrec again.',
    },
  );
  const stdout = new FakeStdout(isTTY);
  const code = await runApp({
    services: fake.services,
    configPath: 'cfg.yaml',
    stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    now: () => 0,
  });
  return { code, written: stdout.written };
}

describe('runApp', () => {
  it('enters and leaves the alternate screen and exits with the journey’s code', async () => {
    const { code, written } = await run(true);
    expect(code).toBe(3);
    expect(written.startsWith('\x1b[?1049h\x1b[?25l')).toBe(true);
    const left = written.lastIndexOf('\x1b[?25h\x1b[?1049l');
    expect(left).toBeGreaterThan(0);
    // The error is printed after the screen is restored, so it stays visible.
    expect(written.slice(left)).toContain(
      'backend.name: expected local, ibm or ray\nFix cfg.yaml and run maxrec again.',
    );
  });

  it('writes no alternate-screen sequences when stdout is not a terminal', async () => {
    const { code, written } = await run(false);
    expect(code).toBe(3);
    expect(written).not.toContain('\x1b[?1049h');
    expect(written).not.toContain('\x1b[?1049l');
  });
});
