import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { renderApp, startJourney } from '../helpers/app.js';
import { KEYS, pressAndWait, type, waitForFrame } from '../helpers/ink.js';
import { successfulRunSteps } from '../helpers/journey-fakes.js';

afterEach(() => cleanup());

describe('results', () => {
  it('shows the metrics and the files, and tries the model', async () => {
    const journey = startJourney();
    journey.fake.followScript = {
      steps: successfulRunSteps('run-0001', 5),
      final: { id: 'run-0001', status: 'completed' },
    };
    await journey.reach('home.ready');
    journey.actor.send({ type: 'RESUME', runId: 'run-0001' });
    await journey.reach('results.ready');
    const app = await renderApp(journey);
    let screen = await waitForFrame(app, 'Try the model');
    expect(screen).toContain('Test HR@10 0.7123 · NDCG@10 0.4567');
    expect(screen).toContain('validation HR@10 0.7000 · NDCG@10 0.4000');
    expect(screen).toContain(
      '5 epochs in 43s · 610 users · 9,724 items · 100,836 interactions',
    );
    expect(screen).toContain('training_output/training-log.txt');
    expect(screen).toContain('training_output/model_training_output.tar.gz');
    expect(screen).toContain('training_output/trained_model/');

    await type(app, '42');
    await waitForFrame(app, 'user id: 42');
    screen = await pressAndWait(app, [KEYS.enter], 'Movie 100');
    expect(journey.fake.calls.recommend?.[0]).toEqual(['42', 10]);
    expect(screen).toContain(' 1. Movie 100 (1990) (item 100, score 0.990)');
    expect(screen).toMatchSnapshot();

    await pressAndWait(app, [KEYS.escape], 'Results in training_output/');
    expect(journey.actor.getSnapshot().value).toBe('done');
  });
});
