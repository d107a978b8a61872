/**
 * The setup screen's IBM Cloud lookup in the journey machine, over fake
 * services: the steps in order and what each choice fills in, the only
 * group taken without asking, Esc back one list, a lookup cancelled, the
 * errors, credentials without HMAC keys, and the keys written.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { MaxrecError } from '../../src/core/errors.js';
import {
  earlierList,
  NO_IBM_LOOKUP,
  pick,
  withList,
} from '../../src/core/ibm-lookup.js';
import { createJourneyMachine } from '../../src/core/machine.js';
import { isIn, type JourneyStatePath } from '../../src/core/state-path.js';
import {
  FakeJourneyServices,
  settingsFixture,
} from '../helpers/journey-fakes.js';

function start(fake = new FakeJourneyServices()) {
  fake.answers.settings = {
    ...settingsFixture,
    backend: 'ibm',
    wmlUrl: 'https://us-south.ml.cloud.ibm.com',
  };
  const actor = createActor(createJourneyMachine(fake.services), {
    input: { configPath: 'cfg.yaml' },
  });
  actor.start();
  const at = (state: JourneyStatePath) =>
    waitFor(actor, (s) => isIn(s, state), { timeout: 2000 });
  const step = () => actor.getSnapshot().context.ibmLookup.step;
  return { actor, fake, at, step };
}

type Journey = ReturnType<typeof start>;

/** Home → setup → the lookup's first list. */
async function toGroups(journey: Journey) {
  await journey.at('home.ready');
  journey.actor.send({ type: 'NEW_TRAINING' });
  journey.actor.send({ type: 'IBM_LOOKUP' });
  await journey.at('setup.choosing');
}

/** Picks `id`, then waits for the next list. */
async function choose(journey: Journey, id: string) {
  journey.actor.send({ type: 'IBM_PICK', id });
  await journey.at('setup.choosing');
}

describe('setup: the IBM Cloud lookup', () => {
  it('walks group, WML, space, COS and credential, filling the form', async () => {
    const journey = start();
    const { actor, fake } = journey;
    await toGroups(journey);
    expect(journey.step()).toBe('group');
    expect(fake.calls.lookUpIbm?.[0]).toEqual([{ step: 'group' }]);

    await choose(journey, 'group-research');
    expect(journey.step()).toBe('wml');
    expect(fake.calls.lookUpIbm?.[1]).toEqual([
      { step: 'wml', resourceGroupId: 'group-research' },
    ]);

    // A WML instance's region gives the WML URL, whose spaces come next.
    await choose(journey, 'wml-guid-2');
    expect(actor.getSnapshot().context.setup.wmlUrl).toBe(
      'https://eu-de.ml.cloud.ibm.com',
    );
    expect(fake.calls.lookUpIbm?.[2]).toEqual([
      { step: 'space', wmlUrl: 'https://eu-de.ml.cloud.ibm.com' },
    ]);

    await choose(journey, 'space-0002');
    expect(actor.getSnapshot().context.setup.spaceId).toBe('space-0002');
    expect(fake.calls.lookUpIbm?.[3]).toEqual([
      { step: 'cos', resourceGroupId: 'group-research' },
    ]);

    await choose(journey, 'cos-guid-1');
    expect(actor.getSnapshot().context.setup.cosInstance).toBe('cos-guid-1');
    expect(fake.calls.lookUpIbm?.[4]).toEqual([
      { step: 'credential', cosInstance: 'cos-guid-1' },
    ]);

    actor.send({ type: 'IBM_PICK', id: 'key-guid-1' });
    await journey.at('setup.editing');
    expect(fake.calls.writeHmacKeys?.[0]).toEqual([
      {
        configPath: 'cfg.yaml',
        cosInstance: 'cos-guid-1',
        credentialId: 'key-guid-1',
      },
    ]);
    const context = actor.getSnapshot().context;
    expect(context.ibmLookup.keys?.file).toBe('/work/cos-keys.sh');
    expect(context.notice).toBe(
      'Credential "maxrec-hmac" read: its HMAC keys are in ' +
        '/work/cos-keys.sh, readable by you only.',
    );

    actor.send({ type: 'SUBMIT' });
    await journey.at('data.choosing');
    expect(fake.calls.saveSetup?.[0]?.[1]).toMatchObject({
      backend: 'ibm',
      wmlUrl: 'https://eu-de.ml.cloud.ibm.com',
      spaceId: 'space-0002',
      cosInstance: 'cos-guid-1',
    });
    expect(actor.getSnapshot().context.notice).toBe(
      'Saved to cfg.yaml. For `maxrec train` in a shell: source /work/cos-keys.sh',
    );
  });

  it("takes the account's only group without asking", async () => {
    const fake = new FakeJourneyServices();
    fake.answers.ibm.group = [fake.answers.ibm.group[0]!];
    const journey = start(fake);
    await toGroups(journey);
    expect(journey.step()).toBe('wml');
    const lookup = journey.actor.getSnapshot().context.ibmLookup;
    expect(lookup.picked.group?.name).toBe('Default');
    expect(lookup.groupTaken).toBe(true);
    // Esc from the first list shown goes back to the form.
    journey.actor.send({ type: 'BACK' });
    expect(isIn(journey.actor.getSnapshot(), 'setup.editing')).toBe(true);
  });

  it('goes back one list with Esc, and to the form from the first', async () => {
    const journey = start();
    const { actor } = journey;
    await toGroups(journey);
    await choose(journey, 'group-default');
    await choose(journey, 'wml-guid-1');
    expect(journey.step()).toBe('space');
    actor.send({ type: 'BACK' });
    expect(journey.step()).toBe('wml');
    expect(isIn(actor.getSnapshot(), 'setup.choosing')).toBe(true);
    actor.send({ type: 'BACK' });
    expect(journey.step()).toBe('group');
    actor.send({ type: 'BACK' });
    expect(isIn(actor.getSnapshot(), 'setup.editing')).toBe(true);
    // What was chosen stays in the form.
    expect(actor.getSnapshot().context.setup.wmlUrl).toBe(
      'https://us-south.ml.cloud.ibm.com',
    );
  });

  it('cancels a lookup in flight, aborting it', async () => {
    const journey = start();
    const { actor, fake } = journey;
    await toGroups(journey);
    fake.hold('lookUpIbm');
    actor.send({ type: 'IBM_PICK', id: 'group-default' });
    await journey.at('setup.looking');
    await waitFor(actor, () => fake.isWaiting('lookUpIbm'));
    actor.send({ type: 'CANCEL' });
    expect(isIn(actor.getSnapshot(), 'setup.choosing')).toBe(true);
    expect(journey.step()).toBe('group');
    expect(fake.signals.lookUpIbm?.at(-1)?.aborted).toBe(true);

    // Ctrl+C cancels too; from the first lookup, back to the form.
    actor.send({ type: 'BACK' });
    fake.hold('lookUpIbm');
    actor.send({ type: 'IBM_LOOKUP' });
    await waitFor(actor, () => fake.isWaiting('lookUpIbm'));
    actor.send({ type: 'INTERRUPT' });
    expect(isIn(actor.getSnapshot(), 'setup.editing')).toBe(true);
    expect(actor.getSnapshot().context.quitRequested).toBe(false);
  });

  it('shows a failed lookup as the error, on the list or form it came from', async () => {
    const journey = start();
    const { actor, fake } = journey;
    await journey.at('home.ready');
    actor.send({ type: 'NEW_TRAINING' });
    fake.hold('lookUpIbm');
    actor.send({ type: 'IBM_LOOKUP' });
    await waitFor(actor, () => fake.isWaiting('lookUpIbm'));
    fake.fail(
      'lookUpIbm',
      new MaxrecError(2, 'ML_APIKEY is not set, so maxrec cannot look up.', {
        hint: 'Type the values in the fields instead.',
      }),
    );
    await journey.at('setup.editing');
    expect(actor.getSnapshot().context.error).toEqual({
      message: 'ML_APIKEY is not set, so maxrec cannot look up.',
      hint: 'Type the values in the fields instead.',
      exitCode: 2,
    });

    // The form still works by hand, and the error goes with an edit.
    actor.send({ type: 'SETUP_CHANGE', patch: { spaceId: 'typed' } });
    expect(actor.getSnapshot().context.error).toBeNull();

    actor.send({ type: 'IBM_LOOKUP' });
    await journey.at('setup.choosing');
    fake.hold('lookUpIbm');
    actor.send({ type: 'IBM_PICK', id: 'group-default' });
    await waitFor(actor, () => fake.isWaiting('lookUpIbm'));
    fake.fail('lookUpIbm', new Error('connect ECONNREFUSED'));
    await journey.at('setup.choosing');
    expect(journey.step()).toBe('group');
    expect(actor.getSnapshot().context.error?.message).toBe(
      'connect ECONNREFUSED',
    );
  });

  it('refuses a credential without HMAC keys, creates one, and shows a failed write', async () => {
    const journey = start();
    const { actor, fake } = journey;
    await toGroups(journey);
    await choose(journey, 'group-default');
    await choose(journey, 'wml-guid-1');
    await choose(journey, 'space-0001');
    await choose(journey, 'cos-guid-1');

    actor.send({ type: 'IBM_PICK', id: 'key-guid-2' });
    expect(isIn(actor.getSnapshot(), 'setup.choosing')).toBe(true);
    expect(actor.getSnapshot().context.error?.message).toBe(
      'Credential "reader" holds no HMAC keys, and WML reads the buckets ' +
        'with them.',
    );
    expect(fake.callCount('writeHmacKeys')).toBe(0);

    // An id that is not in the list is no choice.
    actor.send({ type: 'IBM_PICK', id: 'nothing-like-it' });
    expect(isIn(actor.getSnapshot(), 'setup.choosing')).toBe(true);

    fake.hold('writeHmacKeys');
    actor.send({ type: 'IBM_CREATE_CREDENTIAL' });
    await journey.at('setup.writingKeys');
    expect(actor.getSnapshot().context.error).toBeNull();
    expect(fake.calls.writeHmacKeys?.[0]).toEqual([
      { configPath: 'cfg.yaml', cosInstance: 'cos-guid-1' },
    ]);
    // Esc does not abandon a credential being created.
    actor.send({ type: 'CANCEL' });
    actor.send({ type: 'BACK' });
    expect(isIn(actor.getSnapshot(), 'setup.writingKeys')).toBe(true);
    await waitFor(actor, () => fake.isWaiting('writeHmacKeys'));
    fake.fail(
      'writeHmacKeys',
      new MaxrecError(2, 'Created credential "x", but could not write f.'),
    );
    await journey.at('setup.choosing');
    expect(actor.getSnapshot().context.error?.message).toMatch(
      /could not write/,
    );
    expect(actor.getSnapshot().context.ibmLookup.keys).toBeNull();
  });

  it('leaves for the form by hand, and looks up on ibm only', async () => {
    const journey = start();
    const { actor } = journey;
    await toGroups(journey);
    await choose(journey, 'group-default');
    actor.send({ type: 'IBM_BY_HAND' });
    expect(isIn(actor.getSnapshot(), 'setup.editing')).toBe(true);

    actor.send({ type: 'SETUP_CHANGE', patch: { backend: 'local' } });
    actor.send({ type: 'IBM_LOOKUP' });
    expect(isIn(actor.getSnapshot(), 'setup.editing')).toBe(true);
  });
});

describe('ibm-lookup steps', () => {
  const groups = [{ id: 'g', name: 'Default' }];

  it('keeps each list for going back, skipping a group taken', () => {
    const taken = withList(NO_IBM_LOOKUP, groups);
    expect(taken.step).toBe('wml');
    expect(earlierList(taken)).toBeUndefined();
    const listed = withList(taken, [{ id: 'w', name: 'ml', region: 'eu-gb' }]);
    const next = pick(listed, { ...settingsFixture }, listed.lists.wml![0]!);
    expect(next.lookup.step).toBe('space');
    expect(next.setup.wmlUrl).toBe('https://eu-gb.ml.cloud.ibm.com');
    expect(earlierList(next.lookup)).toBe('wml');
  });

  it('leaves the WML URL alone for an instance without a region', () => {
    const listed = withList({ ...NO_IBM_LOOKUP, step: 'wml' }, [
      { id: 'w', name: 'ml' },
    ]);
    const setup = { ...settingsFixture, wmlUrl: 'https://x.example' };
    expect(pick(listed, setup, listed.lists.wml![0]!).setup.wmlUrl).toBe(
      'https://x.example',
    );
  });
});
