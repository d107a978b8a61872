/**
 * The journey's one state machine: home → setup → data → hyperparameters →
 * launch → monitor → results, with the finals done, failed, cancelled and
 * quit. Screens and headless commands drive it with the same events; its
 * effects are the actors of createJourneyActors, provided by the caller.
 */
import { assign } from 'xstate';
import { createJourneyActors } from './actors.js';
import { ExitCode } from './errors.js';
import type { JourneyServices } from './ports.js';
import { initialContext, journeySetup } from './machine-setup.js';
import { homeState } from './states/home.js';
import { monitorState } from './states/monitor.js';
import { resultsState } from './states/results.js';
import { dataState, setupState } from './states/setup-data.js';
import { hyperparametersState, launchState } from './states/training.js';

export const journeyMachine = journeySetup.createMachine({
  id: 'journey',
  context: ({ input }) => initialContext(input),
  initial: 'home',
  on: {
    INTERRUPT: [
      {
        guard: 'headless',
        target: '.failed',
        actions: assign({
          error: { message: 'Interrupted.', exitCode: ExitCode.invocation },
        }),
      },
      { guard: 'quitRequested', target: '.quit' },
      { actions: 'requestQuit' },
    ],
    CONFIRM: { guard: 'quitRequested', target: '.quit' },
    DENY: { guard: 'quitRequested', actions: 'stayAfterQuitRequest' },
  },
  states: {
    home: homeState,
    setup: setupState,
    data: dataState,
    hyperparameters: hyperparametersState,
    launch: launchState,
    monitor: monitorState,
    results: resultsState,
    done: { type: 'final' },
    failed: { type: 'final' },
    cancelled: { type: 'final' },
    quit: { type: 'final' },
  },
});

export type JourneyMachine = typeof journeyMachine;

/** The machine with its effects implemented over `services`. */
export function createJourneyMachine(services: JourneyServices) {
  return journeyMachine.provide({ actors: createJourneyActors(services) });
}
