/** The core's public surface: the machine, its ports and pure helpers. */
export { createJourneyActors } from './actors.js';
export { closingMessage, exitCodeOf } from './exit-code.js';
export * from './hyperparameters.js';
export * from './journey.js';
export { resumeCommand, toJourneyError } from './machine-setup.js';
export { createJourneyMachine, journeyMachine } from './machine.js';
export type { JourneyMachine } from './machine.js';
export type * from './ports.js';
export * from './progress.js';
export { isIn, type JourneyStatePath } from './state-path.js';
export type { ActorInputs, JourneyActors, Report } from './effects.js';
