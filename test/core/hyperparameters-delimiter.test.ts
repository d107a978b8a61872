/**
 * The delimiter after an inspection: the file's own wins, a contradicting
 * one is refused with the file's, and a headless run whose config names
 * another says so in one note line of its output.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import type { Output } from '../../src/cli/output.js';
import { createJourneyPrinter } from '../../src/cli/journey-printer.js';
import { exitCodeOf } from '../../src/core/exit-code.js';
import {
  checkHyperparameter,
  configDelimiterNote,
} from '../../src/core/hyperparameters.js';
import { createJourneyMachine } from '../../src/core/machine.js';
import {
  FakeJourneyServices,
  inspectionFixture,
  settingsFixture,
} from '../helpers/journey-fakes.js';

const tabFile = {
  ...inspectionFixture,
  file: '/data/ml-100k/u.data',
  delimiter: '\t',
};
const pipeFile = {
  ...inspectionFixture,
  file: '/data/ratings.csv',
  delimiter: '|',
};

describe('checkHyperparameter with the inspection', () => {
  it("refuses a delimiter that is not the file's, naming the file's", () => {
    expect(checkHyperparameter('delimiter', ';', tabFile)).toEqual({
      ok: false,
      message:
        "u.data is tab-separated, not ';': keep tab, or go back (Esc) and " +
        'choose another file',
    });
    expect(checkHyperparameter('delimiter', '\\t', tabFile)).toEqual({
      ok: true,
      value: '\\t',
    });
    // Before an inspection, any delimiter the trainer knows.
    expect(checkHyperparameter('delimiter', ';', null)).toEqual({
      ok: true,
      value: ';',
    });
  });
});

describe("the config's delimiter against the file's", () => {
  it('says which one training uses, and how to make the config agree', () => {
    expect(configDelimiterNote(';', pipeFile)).toBe(
      "The config's delimiter ';' does not match ratings.csv, which is " +
        "'|'-separated: training with '|' (set " +
        "train.hyperparameters.delimiter: '|' to match).",
    );
    expect(configDelimiterNote('|', pipeFile)).toBeUndefined();
    expect(configDelimiterNote(',', tabFile)).toMatch(
      /which is tab-separated: training with tab .*delimiter: '\\t'/,
    );
  });

  it("headless prepare trains with the file's and prints one note line", async () => {
    const fake = new FakeJourneyServices();
    fake.answers.settings = {
      ...settingsFixture,
      hyperparameters: { ...settingsFixture.hyperparameters, delimiter: ';' },
    };
    fake.answers.inspection = pipeFile;
    const lines: string[] = [];
    const output: Output = {
      json: false,
      info: (text) => lines.push(text),
      record: (_type, _fields, text) => lines.push(text),
      progress: () => {},
      error: (error) => lines.push(`error: ${String(error)}`),
      flush: () => {},
    };
    const actor = createActor(createJourneyMachine(fake.services), {
      input: { configPath: 'cfg.yaml' },
    });
    const print = createJourneyPrinter(output);
    actor.subscribe((snapshot) => print(snapshot));
    actor.start();
    actor.send({ type: 'RUN_HEADLESS', mode: 'prepare' });
    const snapshot = await waitFor(actor, (s) => s.status === 'done', {
      timeout: 2000,
    });
    expect(exitCodeOf(snapshot)).toBe(0);
    expect(fake.calls.buildCodeArchive?.[0]?.[0]).toMatchObject({
      delimiter: '|',
    });
    const notes = lines.filter((line) => line.includes("delimiter ';'"));
    expect(notes).toEqual([
      "  note: The config's delimiter ';' does not match ratings.csv, which " +
        "is '|'-separated: training with '|' (set " +
        "train.hyperparameters.delimiter: '|' to match).",
    ]);
  });

  it('adds no note when the config already names the file’s delimiter', async () => {
    const fake = new FakeJourneyServices();
    const actor = createActor(createJourneyMachine(fake.services), {
      input: { configPath: 'cfg.yaml' },
    });
    actor.start();
    actor.send({ type: 'RUN_HEADLESS', mode: 'prepare' });
    const snapshot = await waitFor(actor, (s) => s.status === 'done', {
      timeout: 2000,
    });
    expect(snapshot.context.inspection?.warnings).toEqual(
      inspectionFixture.warnings,
    );
  });
});
