/**
 * Every key the footer names for a machine event must be one the machine
 * takes in that screen's state (screen-local keys are tested on screen).
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import { screenOf } from '../../src/ui/app.js';
import { KEYMAP, type ScreenId } from '../../src/ui/keymap.js';
import { startJourney, type Journey } from '../helpers/app.js';
import {
  FakeJourneyServices,
  successfulRunSteps,
} from '../helpers/journey-fakes.js';

type Step = (journey: Journey) => Promise<unknown> | void;

const send =
  (...types: string[]): Step =>
  (journey) => {
    for (const type of types) journey.actor.send({ type } as never);
  };

const toReviewed: Step[] = [
  (j) => j.reach('home.ready'),
  send('NEW_TRAINING', 'SUBMIT'),
  (j) => j.reach('data.choosing'),
  send('SUBMIT'),
  (j) => j.reach('data.reviewed'),
];
const toHyperparameters: Step[] = [
  ...toReviewed,
  send('SUBMIT'),
  (j) => j.reach('hyperparameters.editing'),
];
const toWatching: Step[] = [
  ...toHyperparameters,
  send('SUBMIT'),
  (j) => j.reach('monitor.watching'),
];

const toIbmSetup: Step[] = [
  (j) => j.reach('home.ready'),
  send('NEW_TRAINING'),
  (j) => j.actor.send({ type: 'SETUP_CHANGE', patch: { backend: 'ibm' } }),
];

const ROUTES: Partial<Record<ScreenId, Step[]>> = {
  home: [(j) => j.reach('home.ready')],
  confirmQuit: [(j) => j.reach('home.ready'), send('INTERRUPT')],
  setup: [(j) => j.reach('home.ready'), send('NEW_TRAINING')],
  'setup.looking': [
    (j) => j.fake.hold('lookUpIbm'),
    ...toIbmSetup,
    send('IBM_LOOKUP'),
  ],
  'setup.choosing': [...toIbmSetup, send('IBM_LOOKUP')],
  'setup.writingKeys': [
    (j) => {
      j.fake.answers.ibm.group = [j.fake.answers.ibm.group[0]!];
      j.fake.hold('writeHmacKeys');
    },
    ...toIbmSetup,
    send('IBM_LOOKUP'),
    (j) => j.reach('setup.choosing'),
    (j) => j.actor.send({ type: 'IBM_PICK', id: 'wml-guid-1' }),
    (j) => j.reach('setup.choosing'),
    (j) => j.actor.send({ type: 'IBM_PICK', id: 'space-0001' }),
    (j) => j.reach('setup.choosing'),
    (j) => j.actor.send({ type: 'IBM_PICK', id: 'cos-guid-1' }),
    (j) => j.reach('setup.choosing'),
    send('IBM_CREATE_CREDENTIAL'),
  ],
  'data.choosing': toReviewed.slice(0, 3),
  'data.inspecting': [
    (j) => j.fake.hold('inspectData'),
    ...toReviewed.slice(0, 3),
    send('SUBMIT'),
  ],
  'data.reviewed': toReviewed,
  'data.uploading': [
    (j) => j.fake.hold('uploadData'),
    ...toReviewed,
    send('SUBMIT'),
  ],
  hyperparameters: toHyperparameters,
  launch: [
    (j) => j.fake.hold('buildCodeArchive'),
    ...toHyperparameters,
    send('SUBMIT'),
    (j) => j.reach('launch.packaging'),
  ],
  'monitor.watching': toWatching,
  'monitor.detached': [...toWatching, send('INTERRUPT')],
  'monitor.confirmCancel': [...toWatching, send('INTERRUPT', 'INTERRUPT')],
  'results.ready': [
    (j) => {
      j.fake.followScript = {
        steps: successfulRunSteps('run-0001', 2),
        final: { id: 'run-0001', status: 'completed' },
      };
    },
    ...toHyperparameters,
    send('SUBMIT'),
    (j) => j.reach('results.ready'),
  ],
};

describe('footer hints', () => {
  for (const [screen, route] of Object.entries(ROUTES)) {
    it(`${screen}: every hinted event is taken`, async () => {
      const journey = startJourney(new FakeJourneyServices());
      for (const step of route) await step(journey);
      const snapshot = await waitFor(
        journey.actor,
        (s) => screenOf(s) === screen,
        { timeout: 2000 },
      );
      const hinted = KEYMAP[screen as ScreenId].filter(
        (b) => b.hint && 'event' in b.command,
      );
      for (const binding of hinted) {
        if (!('event' in binding.command)) continue;
        expect(snapshot.can(binding.command.event), binding.hint).toBe(true);
      }
    });
  }
});
