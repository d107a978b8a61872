/**
 * The data screen's footer and preview, and the results' epoch count and
 * recommendations, as a new user meets them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { renderApp, startJourney } from '../helpers/app.js';
import { KEYS, frame, pressAndWait, waitForFrame } from '../helpers/ink.js';
import {
  FakeJourneyServices,
  brokenInspectionFixture,
  resultsFixture,
  successfulRunSteps,
} from '../helpers/journey-fakes.js';
import { renderAppAt, unmountSized } from '../helpers/sized-render.js';

afterEach(() => {
  cleanup();
  unmountSized();
});

const footer = (screen: string) => screen.trimEnd().split('\n').at(-1) ?? '';

describe('data screen', () => {
  it('offers only what works for an unusable file, and Esc leaves no stale message', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.inspection = brokenInspectionFixture;
    const journey = startJourney(fake);
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await journey.reach('data.choosing');
    const choosing = await waitForFrame(app, 'Ratings file or folder');
    expect(footer(choosing)).toContain('type a path');
    expect(footer(choosing)).toContain('Ctrl+U clear');

    const reviewed = await pressAndWait(app, [KEYS.enter], 'no item id');
    expect(footer(reviewed)).not.toContain('Enter upload');
    expect(footer(reviewed)).toContain('Esc choose another');

    // Enter still explains itself; Esc takes the explanation away.
    await pressAndWait(app, [KEYS.enter], 'The data has errors');
    await pressAndWait(app, [KEYS.escape], 'type a path');
    await journey.reach('data.choosing');
    expect(frame(app)).not.toContain('The data has errors');
  });

  it('at 60x15 shows preview rows and a footer cut between hints', async () => {
    const journey = startJourney();
    const app = await renderAppAt(journey, 60, 15);
    await journey.reach('home.ready');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await journey.reach('data.choosing');
    const choosing = await waitForFrame(app, 'Ratings file or folder');
    expect(footer(choosing)).not.toContain('…');
    expect(footer(choosing)).toContain('Ctrl+C quit');
    journey.actor.send({ type: 'SUBMIT' });
    await journey.reach('data.reviewed');
    const screen = await waitForFrame(app, '964982703');
    expect(screen).toContain('! 3 ratings are 0.5 stars or less');
    expect(screen.split('\n').length).toBeLessThan(15);
    expect(footer(screen)).not.toContain('…');
  });
});

describe('results', () => {
  it('counts pretraining apart from the epochs asked for', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.results = {
      ...resultsFixture,
      metrics: {
        ...resultsFixture.metrics!,
        epochs_run: 15,
        pretrain_epochs: 5,
        train_seconds: 28,
      },
    };
    fake.followScript = {
      steps: successfulRunSteps('run-0001', 10),
      final: { id: 'run-0001', status: 'completed' },
    };
    const journey = startJourney(fake);
    await journey.reach('home.ready');
    journey.actor.send({ type: 'RESUME', runId: 'run-0001' });
    await journey.reach('results.ready');
    const app = await renderApp(journey);
    const screen = await waitForFrame(app, 'Try the model');
    expect(screen).toContain('10 epochs (+5 pretraining) in 28s');
  });

  it('lists recommendations without titles with no empty parentheses', async () => {
    const fake = new FakeJourneyServices();
    fake.services.recommend = () =>
      Promise.resolve([{ item: '405', score: 0.955 }]);
    fake.followScript = {
      steps: successfulRunSteps('run-0001', 5),
      final: { id: 'run-0001', status: 'completed' },
    };
    const journey = startJourney(fake);
    await journey.reach('home.ready');
    journey.actor.send({ type: 'RESUME', runId: 'run-0001' });
    await journey.reach('results.ready');
    const app = await renderApp(journey);
    await waitForFrame(app, 'Try the model');
    journey.actor.send({ type: 'RECOMMEND', userId: '42' });
    const screen = await waitForFrame(app, 'item 405');
    expect(screen).toContain(' 1. item 405 · score 0.955');
    expect(screen).not.toContain('()');
  });
});
