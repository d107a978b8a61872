/**
 * `maxrec serve [MODEL_DIR] [--port] [--host] [--titles FILE]`: the REST
 * service in the foreground until SIGTERM or SIGINT (Ctrl+C).
 */
import type { AddressInfo } from 'node:net';
import type { Output } from '../cli/output.js';
import { ExitCode } from '../core/errors.js';
import { DOCS_PATH, startServer } from './server.js';

export interface ServeCommandOptions {
  /** Default: training_output/trained_model, where `maxrec train` puts it. */
  modelDir?: string;
  /** Default 5000, the original's; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 to be reachable from other machines. */
  host?: string;
  /** Item ids and titles in a delimited file, e.g. movies.csv or u.item. */
  titles?: string;
  /** A line per request on the output. */
  logRequests?: boolean;
  output: Output;
  /** Stops the service as SIGTERM does. */
  signal?: AbortSignal;
}

/**
 * Serves until closed, then resolves with exit 0. Rejects with a
 * MaxrecError before listening: exit 3 for a missing or broken model
 * folder, 4 for an unreadable titles file, 2 for a port in use, 1 for a
 * --host that is not this machine's.
 */
export async function serveCommand(
  options: ServeCommandOptions,
): Promise<number> {
  const { output } = options;
  const modelDir = options.modelDir ?? 'training_output/trained_model';
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const app = await startServer({
    modelDir,
    titlesFile: options.titles,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 5000,
    logRequests: options.logRequests,
    requestLog: (line) => output.info(line),
    onClose: () => closed(),
  });
  const stop = () => void app.close();
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener('abort', stop, { once: true });

  const { address, port } = app.server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  output.record(
    'serving',
    { modelDir, url, docs: `${url}${DOCS_PATH}/` },
    `Serving ${modelDir} on ${url} (Swagger UI at ${url}${DOCS_PATH}/)\n` +
      `Try: curl -X POST '${url}/model/predict?user_id=USER&num_results=5'`,
  );
  await done;
  options.signal?.removeEventListener('abort', stop);
  output.record('stopped', { url }, 'Stopped serving.');
  return ExitCode.ok;
}
