/**
 * The setup screen's IBM Cloud lookup, drawn and driven by keys over fake
 * services: the lists, a choice filling its field, "by hand" back at that
 * field, Esc cancelling a lookup, an error on screen, and the keys file as
 * the summary shows it, masked. The frames stay below the terminal height.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { MaxrecError } from '../../src/core/errors.js';
import { calculateLayout, FALLBACK_SIZE } from '../../src/ui/layout.js';
import { renderApp, startJourney, type Journey } from '../helpers/app.js';
import {
  KEYS,
  press,
  pressAndWait,
  type,
  waitForFrame,
  type RenderedApp,
} from '../helpers/ink.js';
import {
  FakeJourneyServices,
  settingsFixture,
} from '../helpers/journey-fakes.js';

const API_KEY = 'ibm-api-key-for-tests-9f3e';

beforeEach(() => {
  vi.stubEnv('ML_APIKEY', API_KEY);
  vi.stubEnv('ML_APIKEY_FILE', '');
  vi.stubEnv('AWS_ACCESS_KEY_ID', '');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
});

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
});

/** The terminal the tests draw in: ink-testing-library has no rows. */
const HEIGHT = calculateLayout(
  FALLBACK_SIZE.columns,
  FALLBACK_SIZE.rows,
).height;

/** The setup screen on ibm, its focus on the IBM Cloud row. */
async function atLookupRow(fake = new FakeJourneyServices()) {
  fake.answers.settings = {
    ...settingsFixture,
    backend: 'ibm',
    wmlUrl: 'https://us-south.ml.cloud.ibm.com',
    cosEndpoint: 'https://s3.us-south.cloud-object-storage.appdomain.cloud',
  };
  const journey = startJourney(fake);
  const app = await renderApp(journey);
  await waitForFrame(app, '❯ New training');
  await pressAndWait(app, [KEYS.enter], 'Where training runs');
  await press(app, KEYS.down, KEYS.down, KEYS.down, KEYS.down);
  await waitForFrame(app, '❯ IBM Cloud');
  return { journey, app };
}

/** The lines of the frame: never as tall as the terminal. */
function lines(screen: string): string[] {
  const all = screen.split('\n');
  expect(all.length).toBeLessThanOrEqual(HEIGHT);
  return all;
}

async function pick(app: RenderedApp, keys: string[], next: string) {
  return pressAndWait(app, [...keys, KEYS.enter], next);
}

function noSecretIn(journey: Journey, screen: string) {
  expect(screen).not.toContain(API_KEY);
  expect(JSON.stringify(journey.actor.getSnapshot().context)).not.toContain(
    API_KEY,
  );
}

describe('setup: the IBM Cloud lookup on screen', () => {
  it('lists each step to choose from, fills the form, and sums up the keys', async () => {
    const { journey, app } = await atLookupRow();
    const form = await waitForFrame(app, 'Enter: look up WML');
    expect(lines(form).at(-1)).toBe(
      '↑↓ Tab move  ·  Enter next  ·  ←→ change  ·  Esc back  ·  Ctrl+C quit',
    );

    // Two groups: the default one highlighted.
    const groups = await pressAndWait(app, [KEYS.enter], 'Resource group');
    expect(lines(groups).join('\n')).toMatchSnapshot();

    await pick(app, [], 'Watson Machine Learning instance');
    const wml = await pressAndWait(app, [KEYS.down], '❯ maxrec-ml-frankfurt');
    expect(wml).toContain('IBM Cloud lookup · group Default');

    const spaces = await pick(app, [], 'Deployment space');
    expect(lines(spaces).join('\n')).toMatchSnapshot();
    expect(journey.fake.calls.lookUpIbm?.at(-1)).toEqual([
      { step: 'space', wmlUrl: 'https://eu-de.ml.cloud.ibm.com' },
    ]);

    await pick(app, [KEYS.down], 'Cloud Object Storage instance');
    const credentials = await pick(app, [], 'COS credential');
    expect(lines(credentials).join('\n')).toMatchSnapshot();

    // A new credential: its keys written, the form sums them up, masked.
    await press(app, KEYS.down, KEYS.down);
    await waitForFrame(app, '❯ + Create a new credential');
    const summary = await pressAndWait(app, [KEYS.enter], 'for this session');
    expect(journey.fake.calls.writeHmacKeys?.[0]).toEqual([
      { configPath: 'cfg.yaml', cosInstance: 'cos-guid-1' },
    ]);
    expect(lines(summary).join('\n')).toMatchSnapshot();
    noSecretIn(journey, summary);
  });

  it('goes back to the field by hand, and back one list with Esc', async () => {
    const fake = new FakeJourneyServices();
    // More spaces than rows: the list scrolls to keep the highlight shown.
    fake.answers.ibm.space = Array.from({ length: 40 }, (_, i) => ({
      id: `space-${String(i + 1).padStart(4, '0')}`,
      name: `space ${i + 1}`,
    }));
    const { journey, app } = await atLookupRow(fake);
    await pressAndWait(app, [KEYS.enter], 'Resource group');
    await pick(app, [], 'Watson Machine Learning instance');
    await pick(app, [], 'Deployment space');
    // Esc: the list before, as it was.
    await pressAndWait(app, [KEYS.escape], 'Watson Machine Learning instance');
    await pick(app, [], 'Deployment space');
    const first = await waitForFrame(app, '❯ space 1 ');
    expect(first).not.toContain('space 40');
    lines(first);
    const last = await pressAndWait(
      app,
      [KEYS.up],
      '❯ Type the space id by hand',
    );
    expect(last).toContain('space 40');
    expect(last).not.toContain('space 1 ');
    lines(last);
    const form = await pressAndWait(app, [KEYS.enter], '❯ WML space id');
    expect(form).toContain('Save and continue');
    await press(app, KEYS.backspace, KEYS.backspace);
    await type(app, 'typed-space');
    await waitForFrame(app, 'typed-space');
    expect(journey.actor.getSnapshot().context.setup.spaceId).toBe(
      'typed-space',
    );
  });

  it('cancels a lookup with Esc, and shows a failed one as the error', async () => {
    const fake = new FakeJourneyServices();
    const { journey, app } = await atLookupRow(fake);
    fake.hold('lookUpIbm');
    const looking = await pressAndWait(
      app,
      [KEYS.enter],
      'Looking up your resource groups…',
    );
    expect(lines(looking).at(-1)).toBe('Esc cancel  ·  Ctrl+C cancel');
    await pressAndWait(app, [KEYS.escape], '❯ IBM Cloud');
    expect(fake.signals.lookUpIbm?.at(-1)?.aborted).toBe(true);

    fake.hold('lookUpIbm');
    await pressAndWait(app, [KEYS.enter], 'Looking up');
    await waitForFrame(app, () => fake.isWaiting('lookUpIbm'));
    fake.fail(
      'lookUpIbm',
      new MaxrecError(2, 'Could not list the resource groups: Forbidden.', {
        hint: "Check ML_APIKEY: its identity needs Viewer access to the account's instances.",
      }),
    );
    const failed = await waitForFrame(app, 'Forbidden');
    expect(failed).toContain('Check ML_APIKEY');
    expect(failed).toContain('❯ IBM Cloud');
    lines(failed);
    noSecretIn(journey, failed);
  });

  it('says how to set the API key when there is none', async () => {
    vi.stubEnv('ML_APIKEY', '');
    const { app } = await atLookupRow();
    const form = await waitForFrame(app, '❯ IBM Cloud');
    expect(form).toContain('needs ML_APIKEY or ML_APIKEY_FILE');
    expect(form).toContain('ML_APIKEY NOT SET');
  });
});
