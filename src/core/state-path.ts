/** Dotted names of the journey's states, for screens, tests and the CLI. */
export type JourneyStatePath =
  | 'home'
  | 'home.loading'
  | 'home.routing'
  | 'home.ready'
  | 'setup'
  | 'setup.editing'
  | 'setup.looking'
  | 'setup.choosing'
  | 'setup.writingKeys'
  | 'setup.saving'
  | 'data'
  | 'data.choosing'
  | 'data.inspecting'
  | 'data.reviewed'
  | 'data.uploading'
  | 'hyperparameters'
  | 'hyperparameters.editing'
  | 'hyperparameters.saving'
  | 'launch'
  | 'launch.packaging'
  | 'launch.starting'
  | 'monitor'
  | 'monitor.watching'
  | 'monitor.detached'
  | 'monitor.confirmCancel'
  | 'monitor.cancelling'
  | 'monitor.ended'
  | 'results'
  | 'results.downloading'
  | 'results.ready'
  | 'results.recommending'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'quit';

/**
 * Whether the machine is in a state given by its dotted path. xstate's own
 * `matches` types only the object form; the dotted form works the same.
 */
export function isIn(
  snapshot: { matches: (value: never) => boolean },
  path: JourneyStatePath,
): boolean {
  return snapshot.matches(path as never);
}
