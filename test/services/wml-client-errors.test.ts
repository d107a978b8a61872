import { describe, expect, it } from 'vitest';

import { ExitCode } from '../../src/core/errors.js';
import { WmlClient } from '../../src/services/ibm/wml-client.js';
import {
  ACCESS,
  client,
  failure,
  newClient,
  request,
  SECRET,
  server,
  startTraining,
  tokens,
  setupWmlClientTests,
} from '../helpers/wml-client-fixture.js';

setupWmlClientTests();

describe('WmlClient faults, retries and secrets', () => {
  it('reports a refused body with exit 3, the service message and request id', async () => {
    const training = await request();
    const error = await failure(
      client.createTraining({
        ...training,
        hardwareSpec: { name: 'K80', nodes: 0 },
      }),
    );
    expect(error.exitCode).toBe(ExitCode.configuration);
    expect(error.message).toMatch(
      /hardware_spec\.nodes must be a positive integer \(invalid_request_entity\)/,
    );
    const [post] = server.requestsTo('POST', '/ml/v4/trainings');
    expect(error.message).toContain(`HTTP 400`);
    expect(post!.status).toBe(400);
    expect(error.message).toMatch(/request id [0-9a-f-]{36}/);
  });

  it('does not retry a 500 on create, so no second training starts', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 500, {
      trace: 'trace-500-abc',
      errors: [{ code: 'internal_error', message: 'Cluster hiccup' }],
      status_code: 500,
    });
    const error = await failure(client.createTraining(training));
    expect(server.requestsTo('POST', '/ml/v4/trainings')).toHaveLength(1);
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toContain('Cluster hiccup (internal_error)');
    expect(error.message).toContain('request id trace-500-abc');
  });

  it('retries a 503 on create', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 503);
    const id = await client.createTraining(training);
    expect(server.requestsTo('POST', '/ml/v4/trainings')).toHaveLength(2);
    expect(server.trainings.size).toBe(1);
    expect(server.trainings.has(id)).toBe(true);
  });

  it('does not retry a create whose connection dropped mid-request', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 0);
    const error = await failure(client.createTraining(training));
    expect(server.requestsTo('POST', '/ml/v4/trainings')).toHaveLength(1);
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toMatch(/may have happened anyway/);
  });

  it('retries a 500 and a dropped connection on GET', async () => {
    const id = await startTraining();
    server.failNext('GET', `/ml/v4/trainings/${id}`, 500);
    server.failNext('GET', `/ml/v4/trainings/${id}`, 0);
    await expect(client.getTraining(id)).resolves.toMatchObject({ id });
    expect(server.requestsTo('GET', '/ml/v4/trainings')).toHaveLength(3);
  });

  it('gives up on GET after the retries, exit 2, with the service message', async () => {
    const id = await startTraining();
    for (let i = 0; i < 3; i++) {
      server.failNext('GET', `/ml/v4/trainings/${id}`, 502);
    }
    const error = await failure(client.getTraining(id));
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toMatch(/Injected\. \(injected_fault\)/);
    expect(server.requestsTo('GET', '/ml/v4/trainings')).toHaveLength(3);
  });

  it('gets a new token once after a 401 and succeeds', async () => {
    const id = await startTraining();
    server.revokeTokens();
    await expect(client.getTraining(id)).resolves.toMatchObject({ id });
    expect(server.requestsTo('POST', '/identity/token')).toHaveLength(2);
    const gets = server.requestsTo('GET', '/ml/v4/trainings');
    expect(gets.map((r) => r.status)).toEqual([401, 200]);
  });

  it('stops after one new token when the service keeps answering 401', async () => {
    const id = await startTraining();
    server.failNext('GET', '/ml/v4/trainings', 401);
    server.failNext('GET', '/ml/v4/trainings', 401);
    const error = await failure(client.getTraining(id));
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.hint).toMatch(/ML_APIKEY/);
    expect(server.requestsTo('POST', '/identity/token')).toHaveLength(2);
  });

  it('answers exit 1 for an unknown training id', async () => {
    const error = await failure(client.getTraining('no-such-run'));
    expect(error.exitCode).toBe(ExitCode.invocation);
    expect(error.message).toMatch(/no training no-such-run in this space/);
  });

  it('redacts COS keys the service echoes back in an error', async () => {
    const training = await request();
    server.failNext('POST', '/ml/v4/trainings', 400, {
      trace: 't-1',
      errors: [
        { code: 'bad_conn', message: `Bad key ${SECRET} for ${ACCESS}` },
      ],
      status_code: 400,
    });
    const error = await failure(client.createTraining(training));
    expect(error.message).toContain('Bad key …9876 for …5432');
  });

  it('names the host when WML cannot be reached, exit 2', async () => {
    await tokens.token();
    const dead = newClient('http://127.0.0.1:9');
    const error = await failure(dead.getTraining('any'));
    expect(error.exitCode).toBe(ExitCode.environment);
    expect(error.message).toContain('127.0.0.1:9');
  });

  it('stops when the signal aborts, between retries too', async () => {
    const id = await startTraining();
    const controller = new AbortController();
    server.failNext('GET', '/ml/v4/trainings', 503);
    const slow = new WmlClient({
      url: server.url,
      spaceId: server.spaceId,
      tokens,
      retries: { retries: 2, minDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    const pending = slow.getTraining(id, controller.signal);
    await expect.poll(() => server.requestsTo('GET', '/ml').length).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
