/**
 * The results screen on small terminals, and its figures after HPO: the
 * recommendations fit the rows left and say how many are cut; the refit and
 * the search are counted as the trainer reports them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import type { TrainerEvent } from '../../src/core/types.js';
import { planResultsRows } from '../../src/ui/screens/results.js';
import { renderApp, startJourney } from '../helpers/app.js';
import { waitForFrame } from '../helpers/ink.js';
import {
  FakeJourneyServices,
  resultsFixture,
  successfulRunSteps,
  type FollowStep,
} from '../helpers/journey-fakes.js';
import { renderAppAt, unmountSized } from '../helpers/sized-render.js';

afterEach(() => {
  cleanup();
  unmountSized();
});

const tenMovies = Array.from({ length: 10 }, (_, i) => ({
  item: String(100 + i),
  score: 0.99 - i * 0.05,
  title: `Movie ${100 + i} (${1990 + i})`,
}));

async function resultsAt(
  size: [number, number] | null,
  fake = new FakeJourneyServices(),
  steps: FollowStep[] = successfulRunSteps('run-0001', 5),
) {
  fake.services.recommend = () => Promise.resolve(tenMovies);
  fake.followScript = {
    steps,
    final: { id: 'run-0001', status: 'completed' },
  };
  const journey = startJourney(fake);
  await journey.reach('home.ready');
  journey.actor.send({ type: 'RESUME', runId: 'run-0001' });
  await journey.reach('results.ready');
  const app = size
    ? await renderAppAt(journey, ...size)
    : await renderApp(journey);
  await waitForFrame(app, 'Try the model');
  return { journey, app };
}

describe('recommendations on the results screen', () => {
  it('at 60x15 lists what fits and says how many more', async () => {
    const { journey, app } = await resultsAt([60, 15]);
    journey.actor.send({ type: 'RECOMMEND', userId: '42' });
    const screen = await waitForFrame(app, 'Movie 100');
    const lines = screen.split('\n');
    expect(lines.length).toBeLessThan(15);
    expect(screen).toContain('Run run-0001 completed');
    expect(screen).toContain('Test HR@10 0.7123 · NDCG@10 0.4567');
    const listed = lines.filter((l) => /^ {0,1}\d+\. Movie/.test(l));
    expect(listed.length).toBeGreaterThan(0);
    expect(screen).toContain(`… ${10 - listed.length} more`);
    expect(lines.at(-1)).toContain('Enter recommend');
  });

  it('at 80x24 lists all ten', async () => {
    const { journey, app } = await resultsAt([80, 24]);
    journey.actor.send({ type: 'RECOMMEND', userId: '42' });
    const screen = await waitForFrame(app, 'Movie 109');
    expect(screen).toContain('10. Movie 109 (1999)');
    expect(screen).not.toContain('more');
    expect(screen.split('\n').length).toBeLessThan(24);
  });

  it('gives the metrics block fewer rows before cutting the list', () => {
    const plan = (bodyHeight: number, recommendations = 10) =>
      planResultsRows({
        bodyHeight,
        columns: 80,
        testText: 'Test HR@10 0.7123 · NDCG@10 0.4567',
        validationText: '  validation HR@10 0.7000 · NDCG@10 0.4000',
        epochsText: '5 epochs in 43s',
        files: 3,
        recommendations,
        extraLines: 0,
      });
    expect(plan(21)).toMatchObject({ block: 'full', shown: 10, more: 0 });
    expect(plan(15)).toMatchObject({ block: 'compact', shown: 10, more: 0 });
    expect(plan(13)).toMatchObject({ block: 'minimal', shown: 10, more: 0 });
    expect(plan(10)).toMatchObject({ block: 'minimal', shown: 6, more: 4 });
    expect(plan(4)).toMatchObject({ block: 'minimal', shown: 1, more: 9 });
    expect(plan(12, 0)).toMatchObject({ block: 'full', shown: 0, more: 0 });
  });
});

describe('results after HPO', () => {
  it('counts the refit without its pretraining and the time with the search', async () => {
    const fake = new FakeJourneyServices();
    fake.answers.results = {
      ...resultsFixture,
      metrics: {
        ...resultsFixture.metrics!,
        epochs_run: 26,
        pretrain_epochs: 5,
        refit_epochs: 21,
        best_epoch: 16,
        train_seconds: 18,
      },
    };
    const trials: FollowStep[] = Array.from({ length: 12 }, (_, i) => ({
      event: {
        event: 'trial',
        trial: i + 1,
        trials: 12,
        params: { epochs: 20 },
        val_hr: 0.6,
        val_ndcg: 0.4,
        state: i % 3 === 0 ? 'pruned' : 'complete',
        seconds: 8.5,
      } satisfies TrainerEvent,
    }));
    const steps = successfulRunSteps('run-0001', 5);
    steps.splice(4, 0, ...trials);
    const { app } = await resultsAt(null, fake, steps);
    const screen = await waitForFrame(app, 'refitting');
    // 16 refit epochs as the log says, not 21; 12 × 8.5 s of search + 18 s.
    expect(screen.replace(/\n/g, ' ')).toContain(
      '21 epochs (+5 pretraining), then 16 refitting (+5 pretraining) in 18s ' +
        '(2m 00s with the 12-trial search)',
    );
  });
});
