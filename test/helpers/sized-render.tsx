/**
 * The app drawn on a fake terminal of a given size: ink-testing-library's
 * stdout is always 100 columns wide and has no rows.
 */
import { EventEmitter } from 'node:events';
import { render, type Instance } from 'ink';
import { App } from '../../src/ui/app.js';
import { createTheme } from '../../src/ui/theme.js';
import type { Journey } from './app.js';
import { tick, type RenderedApp } from './ink.js';

class SizedStdout extends EventEmitter {
  private last: string | undefined;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  write = (frame: string) => {
    // Ink in debug mode writes a bare newline at unmount: keep the frame.
    if (frame !== '\n') this.last = frame;
    return true;
  };
  lastFrame = () => this.last;
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write = (data: string) => {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  };
  read = () => {
    const { data } = this;
    this.data = null;
    return data;
  };
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
}

const mounted: Instance[] = [];

export async function renderAppAt(
  journey: Journey,
  columns: number,
  rows: number,
): Promise<RenderedApp> {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(
    <App
      actor={journey.actor}
      now={journey.clock.now}
      tickMs={0}
      theme={createTheme({})}
    />,
    {
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    },
  );
  mounted.push(instance);
  await tick();
  return { lastFrame: stdout.lastFrame, stdin };
}

export function unmountSized(): void {
  for (const instance of mounted.splice(0)) instance.unmount();
}
