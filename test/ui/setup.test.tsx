import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { waitFor } from 'xstate';
import { renderApp, startJourney } from '../helpers/app.js';
import {
  KEYS,
  press,
  pressAndWait,
  type,
  waitForFrame,
} from '../helpers/ink.js';

afterEach(() => cleanup());

describe('home and setup screens', () => {
  it('takes the setup from the keyboard and saves it', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await waitForFrame(app, 'Resume run run-0000');
    expect(await waitForFrame(app, '❯ New training')).toContain('q quit');

    await pressAndWait(app, [KEYS.enter], 'Where training runs');
    let screen = await waitForFrame(app, '[local]');
    expect(screen).toContain('nothing to sign up for');

    // IBM can be chosen; the screen says it needs credentials.
    screen = await pressAndWait(app, [KEYS.right], '[ibm]');
    // Its own fields, and the secrets it reads: set or not, never shown.
    expect(screen).toContain('Watson Machine Learning');
    expect(screen).toContain('COS endpoint');
    expect(screen).toContain('WML space id');
    expect(screen).toMatch(/ML_APIKEY (NOT SET|…\S*) /);
    expect(screen).toContain('[cpu]  xs   s   m   l   xl   k80   v100');
    screen = await pressAndWait(app, [KEYS.left], '[local]');

    // Data folder: a text field; typing appends to the configured value.
    await press(app, KEYS.down);
    await type(app, 'ml');
    await waitForFrame(app, 'sample_training_data/ml');
    await press(app, KEYS.down);
    await press(
      app,
      KEYS.backspace,
      KEYS.backspace,
      KEYS.backspace,
      KEYS.backspace,
    );
    await type(app, 'mine');
    await waitForFrame(app, 'maxrec-mine');
    await press(app, KEYS.tab, KEYS.tab);
    // Local compute is the trainer's --device: cpu or cuda.
    await pressAndWait(app, [KEYS.right], '[cuda]');
    await press(app, KEYS.enter);
    await waitForFrame(app, '❯ Save and continue');
    await pressAndWait(app, [KEYS.enter], 'Ratings file or folder');

    expect(journey.fake.calls.saveSetup?.[0]?.[1]).toEqual({
      backend: 'local',
      localDataDir: 'sample_training_data/ml',
      dataBucket: 'maxrec-mine',
      resultsBucket: 'maxrec-results',
      compute: 'cuda',
    });
  });

  it('as `maxrec setup`, ends once the setup is saved', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    journey.actor.send({ type: 'NEW_TRAINING', endAfterSetup: true });
    await waitForFrame(app, 'Where training runs');
    await press(app, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab, KEYS.tab);
    const screen = await waitForFrame(app, '❯ Save ▶');
    expect(screen).not.toContain('Save and continue');
    await press(app, KEYS.enter);
    await waitFor(journey.actor, (s) => s.status === 'done');
    expect(journey.actor.getSnapshot().value).toBe('done');
    expect(journey.fake.calls.saveSetup).toHaveLength(1);
    expect(journey.fake.calls.inspectData).toBeUndefined();
  });

  it('on ibm, takes the COS endpoint and the WML space id', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    await pressAndWait(app, [KEYS.enter], 'Where training runs');
    await pressAndWait(app, [KEYS.right], '[ibm]');
    // Backend, data folder, two buckets, the lookup, then the ibm fields.
    await press(app, KEYS.down, KEYS.down, KEYS.down, KEYS.down);
    await waitForFrame(app, '❯ IBM Cloud');
    await press(app, KEYS.down, KEYS.down);
    await waitForFrame(app, '`maxrec ibm spaces` and `maxrec ibm instances`');
    await type(app, 'space-1234');
    await waitForFrame(app, 'space-1234');
    await press(app, KEYS.down, KEYS.down);
    await type(app, 'https://s3.eu-de.cloud-object-storage.appdomain.cloud');
    await waitForFrame(app, 's3.eu-de.cloud-object-storage.appdomain.cloud');
    await press(app, KEYS.down);
    await pressAndWait(app, [KEYS.right, KEYS.right], '[s]');
    await press(app, KEYS.down);
    await waitForFrame(app, '❯ Save and continue');
    await pressAndWait(app, [KEYS.enter], 'Ratings file or folder');
    expect(journey.fake.calls.saveSetup?.[0]?.[1]).toMatchObject({
      backend: 'ibm',
      cosEndpoint: 'https://s3.eu-de.cloud-object-storage.appdomain.cloud',
      spaceId: 'space-1234',
      compute: 's',
    });
  });

  it('Ctrl+C on setup asks to quit; n stays, y quits', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    await pressAndWait(app, [KEYS.enter], 'Where training runs');
    await pressAndWait(app, [KEYS.ctrlC], 'Quit maxrec?');
    await press(app, 'n');
    await waitForFrame(app, (f) => !f.includes('Quit maxrec?'));
    await pressAndWait(app, [KEYS.ctrlC], 'Quit maxrec?');
    await press(app, 'y');
    expect(journey.actor.getSnapshot().value).toBe('quit');
  });

  it('inspects the data and shows the preview, then uploads with progress', async () => {
    const journey = startJourney();
    const app = await renderApp(journey);
    await waitForFrame(app, '❯ New training');
    journey.actor.send({ type: 'NEW_TRAINING' });
    journey.actor.send({ type: 'SUBMIT' });
    await journey.reach('data.choosing');
    await waitForFrame(app, 'Ratings file or folder: sample_training_data/');
    const screen = await pressAndWait(app, [KEYS.enter], 'interactions');
    expect(screen).toContain('610 users · 9,724 items · 100,836 interactions');
    expect(screen).toContain('userId');
    expect(screen).toContain('964982703');
    expect(screen).toContain('! 3 ratings are 0.5 stars or less');

    journey.fake.hold('uploadData');
    journey.clock.set(3_000);
    await press(app, KEYS.enter);
    const uploading = await waitForFrame(app, 'Uploading');
    expect(uploading).toContain('25%');
    expect(uploading).toContain('606 KB / 2.37 MB');
    await pressAndWait(app, [KEYS.escape], 'Upload cancelled');
    expect(journey.fake.signals.uploadData?.[0]?.aborted).toBe(true);
  });
});
