import { describe, expect, it } from 'vitest';
import {
  createJourneyPrinter,
  printNotes,
  transferLine,
} from '../../src/cli/journey-printer.js';
import { createOutput } from '../../src/cli/output.js';
import type { JourneyContext } from '../../src/core/journey.js';

const progress = {
  name: 'data/README.txt',
  bytesDone: 8_345,
  bytesTotal: 2_873_000,
  filesDone: 0,
  filesTotal: 3,
};

describe('transferLine', () => {
  it('never says 0% once bytes were sent, and names the file in the total', () => {
    expect(transferLine(progress)).toBe(
      '  <1% 8.15 KB of 2.74 MB (file 1 of 3: data/README.txt)',
    );
  });

  it('says 100% only at the end', () => {
    expect(
      transferLine({ ...progress, bytesDone: 2_872_999, filesDone: 2 }),
    ).toMatch(/^ {2}99% .*\(file 3 of 3: /);
    expect(
      transferLine({
        ...progress,
        name: 'data/ratings.csv',
        bytesDone: 2_873_000,
        filesDone: 3,
      }),
    ).toBe('  100% 2.74 MB of 2.74 MB (file 3 of 3: data/ratings.csv)');
  });

  it('names a lone file without a count', () => {
    expect(
      transferLine({
        name: 'training-log.txt',
        bytesDone: 512,
        bytesTotal: 1024,
        filesDone: 0,
        filesTotal: 1,
      }),
    ).toBe('  50% 512 B of 1.00 KB (training-log.txt)');
  });
});

/** What the printer writes, one string a line, as a pipe would get it. */
function printed() {
  const lines: string[] = [];
  const stream = {
    write: (text: string) => {
      lines.push(...text.split('\n').filter(Boolean));
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const output = createOutput(
    { stdout: stream, stderr: stream },
    { json: false },
  );
  return { output, lines };
}

/** A snapshot with only what the printer reads set. */
function snapshot(
  value: unknown,
  context: Partial<JourneyContext>,
): { value: unknown; context: JourneyContext } {
  const base: Partial<JourneyContext> = {
    epochs: [],
    trials: [],
    phases: [],
    followNotices: [],
    startEvent: null,
    endEvent: null,
    run: null,
    runId: 'run-1',
    archive: null,
    upload: null,
    download: null,
  };
  return { value, context: { ...base, ...context } as JourneyContext };
}

const epoch = (n: number) => ({
  epoch: n,
  epochs: 3,
  loss: 0.5,
  valHr: 0.6,
  valNdcg: 0.3,
  seconds: 1,
});

describe('createJourneyPrinter', () => {
  it('prints each notice about the following once, as it comes', () => {
    const { output, lines } = printed();
    const print = createJourneyPrinter(output);
    const watching = { monitor: 'watching' };
    const first = 'WML not answering; trying again, attempt 2 of 5';
    const second = 'WML not answering; trying again, attempt 3 of 5';
    print(snapshot(watching, { followNotices: [first] }));
    print(snapshot(watching, { followNotices: [first] }));
    print(snapshot(watching, { followNotices: [first, second] }));
    expect(lines.filter((l) => l.includes('not answering'))).toEqual([
      first,
      second,
    ]);
  });

  it('prints a followed run’s status before its replayed log, once', () => {
    const { output, lines } = printed();
    const print = createJourneyPrinter(output);
    const watching = { monitor: 'watching' };
    print(snapshot(watching, {}));
    // The log is replayed before the backend's first status comes.
    print(snapshot(watching, { epochs: [epoch(1)] }));
    print(snapshot(watching, { epochs: [epoch(1), epoch(2)] }));
    const running = { id: 'run-1', status: 'running' as const };
    print(snapshot(watching, { epochs: [epoch(1), epoch(2)], run: running }));
    print(
      snapshot(watching, {
        epochs: [epoch(1), epoch(2), epoch(3)],
        run: running,
      }),
    );
    print(
      snapshot(
        { results: 'downloading' },
        {
          epochs: [epoch(1), epoch(2), epoch(3)],
          run: { id: 'run-1', status: 'completed' },
        },
      ),
    );
    const shown = lines.filter((l) => /^(Status|Epoch)/.test(l));
    expect(shown).toEqual([
      'Status: running',
      expect.stringMatching(/^Epoch 1\/3/),
      expect.stringMatching(/^Epoch 2\/3/),
      expect.stringMatching(/^Epoch 3\/3/),
      'Status: completed',
    ]);
  });

  it('prints a finished file once, not again as the next file’s count', () => {
    const { output, lines } = printed();
    const print = createJourneyPrinter(output);
    const downloading = { results: 'downloading' };
    const download = (p: Partial<typeof progress>) =>
      snapshot(downloading, {
        download: {
          progress: { ...progress, filesTotal: 2, ...p },
          startedAt: 0,
        } as JourneyContext['download'],
      });
    const log = { name: 'training-log.txt', bytesDone: 1966, bytesTotal: 1966 };
    print(download({ ...log, filesDone: 0 }));
    print(download({ ...log, filesDone: 1 }));
    print(
      download({
        name: 'model_training_output.tar.gz',
        bytesDone: 345_000,
        bytesTotal: 345_000,
        filesDone: 2,
      }),
    );
    expect(lines.filter((l) => l.includes('%'))).toEqual([
      '  100% 1.92 KB of 1.92 KB (file 1 of 2: training-log.txt)',
      '  100% 337 KB of 337 KB (file 2 of 2: model_training_output.tar.gz)',
    ]);
  });
});

describe('printNotes', () => {
  it('prints each config note as a note: line, and a record in JSON', () => {
    const { output, lines } = printed();
    printNotes(output, ['k80 is read as cpu']);
    expect(lines).toEqual(['note: k80 is read as cpu']);
    const json: string[] = [];
    const stdout = { write: (text: string) => json.push(text) } as never;
    printNotes(createOutput({ stdout, stderr: stdout }, { json: true }), ['x']);
    expect(json.map((line) => JSON.parse(line) as unknown)).toEqual([
      { type: 'note', message: 'x' },
    ]);
  });
});
