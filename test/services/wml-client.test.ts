import { describe, expect, it } from 'vitest';

import { ExitCode } from '../../src/core/errors.js';
import {
  runStatusOf,
  WmlClient,
  type TrainingState,
} from '../../src/services/ibm/wml-client.js';
import {
  client,
  connection,
  failure,
  request,
  server,
  startTraining,
  tokens,
  setupWmlClientTests,
  zip,
} from '../helpers/wml-client-fixture.js';

setupWmlClientTests();

describe('WmlClient against the v4 contract', () => {
  it('creates a model definition and uploads the code as octet-stream', async () => {
    const id = await client.createModelDefinition({
      name: 'maxrec code',
      command: './train-max-model.sh',
    });
    await client.uploadModelDefinitionCode(id, zip);
    const [create] = server.requestsTo('POST', '/ml/v4/model_definitions');
    expect(create!.query).toEqual({ version: '2023-05-02' });
    expect(create!.body).toEqual({
      name: 'maxrec code',
      space_id: server.spaceId,
      version: '1.0',
      platform: { name: 'python', versions: ['3.11'] },
      command: './train-max-model.sh',
    });
    const [put] = server.requestsTo('PUT', `/ml/v4/model_definitions/${id}`);
    expect(put!.path).toBe(`/ml/v4/model_definitions/${id}/model`);
    expect(put!.query).toEqual({
      version: '2023-05-02',
      space_id: server.spaceId,
    });
    expect(put!.headers['content-type']).toBe('application/octet-stream');
    expect(server.modelDefinitions.get(id)!.code).toEqual(
      Buffer.from('PK\u0003\u0004 pretend zip bytes'),
    );
  });

  it('sends the documented training body, field by field', async () => {
    const training = await request();
    const id = await client.createTraining(training);
    expect(server.trainings.has(id)).toBe(true);
    const [post] = server.requestsTo('POST', '/ml/v4/trainings');
    expect(post!.query).toEqual({ version: '2023-05-02' });
    expect(post!.headers.authorization).toMatch(/^Bearer tok-/);
    expect(post!.body).toEqual({
      name: 'maxrec run',
      space_id: server.spaceId,
      training_data_references: [
        {
          type: 's3',
          connection,
          location: { bucket: 'data', path: 'ratings' },
        },
      ],
      results_reference: {
        type: 's3',
        connection,
        location: { bucket: 'results', path: 'runs' },
      },
      model_definition: {
        id: training.modelDefinitionId,
        command: 'chmod +x *.sh && ./train-max-model.sh',
        hardware_spec: { name: 'K80', nodes: 1 },
        software_spec: { name: 'runtime-23.1-py3.10' },
        parameters: {},
      },
    });
  });

  it('leaves out an empty data path and a missing software spec', async () => {
    const { softwareSpec: _, ...training } = await request();
    await client.createTraining({ ...training, dataPath: '' });
    const [post] = server.requestsTo('POST', '/ml/v4/trainings');
    const body = post!.body as Record<string, Record<string, unknown>>;
    expect(body['training_data_references']).toEqual([
      { type: 's3', connection, location: { bucket: 'data' } },
    ]);
    expect(body['model_definition']).not.toHaveProperty('software_spec');
  });

  it('follows the states the service reports, with the results location', async () => {
    const id = await startTraining();
    server.script(id, ['queued', 'running', 'storing', 'completed']);
    const seenStates: TrainingState[] = [];
    for (let i = 0; i < 4; i++) seenStates.push(await client.getTraining(id));
    expect(seenStates.map((s) => runStatusOf(s).status)).toEqual([
      'pending',
      'running',
      'running',
      'completed',
    ]);
    const done = seenStates[3]!;
    expect(done.runningAt).toBeDefined();
    expect(done.completedAt).toBeDefined();
    expect(done.resultsLocation).toEqual({
      bucket: 'results',
      path: 'runs',
      training: `runs/${id}`,
      logs: `runs/${id}`,
      model: `runs/${id}/model`,
    });
  });

  it('shows a failed run with the failure message as it is', async () => {
    const id = await startTraining();
    const message = 'Training process exited with code 4: bad ratings file';
    server.advance(id, 'failed', { failure: { code: 'user_error', message } });
    const training = await client.getTraining(id);
    expect(training.failure).toEqual({ code: 'user_error', message });
    expect(runStatusOf(training)).toEqual({
      status: 'failed',
      reason: message,
    });
  });

  it('cancels a running training with DELETE', async () => {
    const id = await startTraining();
    server.advance(id, 'running');
    await expect(client.cancelTraining(id)).resolves.toEqual({
      alreadyEnded: false,
    });
    const [del] = server.requestsTo('DELETE', `/ml/v4/trainings/${id}`);
    expect(del!.query).toEqual({
      version: '2023-05-02',
      space_id: server.spaceId,
    });
    const training = await client.getTraining(id);
    expect(training.state).toBe('canceled');
    expect(runStatusOf(training).status).toBe('cancelled');
  });

  it('takes "already completed" as done and hard-deletes only when asked', async () => {
    const id = await startTraining();
    server.advance(id, 'completed');
    await expect(client.cancelTraining(id)).resolves.toEqual({
      alreadyEnded: true,
    });
    expect((await client.getTraining(id)).state).toBe('completed');
    await client.cancelTraining(id, { hardDelete: true });
    const dels = server.requestsTo('DELETE', `/ml/v4/trainings/${id}`);
    expect(dels.map((r) => [r.query['hard_delete'], r.status])).toEqual([
      [undefined, 400],
      ['true', 204],
    ]);
    const error = await failure(client.getTraining(id));
    expect(error.exitCode).toBe(ExitCode.invocation);
  });

  it('refuses a space id together with a project id', () => {
    const both = () =>
      new WmlClient({ url: server.url, spaceId: 's', projectId: 'p', tokens });
    expect(both).toThrow(/exactly one of a space id or a project id/);
  });

  it('hands a created training to a runner, which drives its state', async () => {
    let code: Buffer | undefined;
    server.runner = async (run) => {
      code = run.code;
      run.setState('storing');
      await new Promise((resolve) => setImmediate(resolve));
    };
    const id = await startTraining();
    await expect
      .poll(async () => (await client.getTraining(id)).state)
      .toBe('completed');
    expect(code?.toString()).toContain('pretend zip bytes');
    server.runner = () => Promise.reject(new Error('epoch 3: NaN loss'));
    const failed = await startTraining();
    await expect
      .poll(async () => runStatusOf(await client.getTraining(failed)))
      .toEqual({ status: 'failed', reason: 'epoch 3: NaN loss' });
  });
});

describe('runStatusOf', () => {
  it.each([
    ['queued', 'pending'],
    ['pending', 'pending'],
    ['running', 'running'],
    ['storing', 'running'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['error', 'failed'],
    ['canceled', 'cancelled'],
  ] as const)('maps %s to %s', (state, status) => {
    expect(runStatusOf({ state }).status).toBe(status);
  });

  it('falls back on the status message, then a plain reason', () => {
    expect(runStatusOf({ state: 'error', message: 'node lost' })).toEqual({
      status: 'failed',
      reason: 'node lost',
    });
    expect(runStatusOf({ state: 'failed' }).reason).toMatch(/without a reason/);
  });
});
