/**
 * The one table of keys: for each screen, which key sends which machine
 * event or which screen-local command (moving between fields, stepping a
 * value), and the hint the footer shows for it. Text fields type their own
 * characters, so screens with one bind no printable keys here.
 */
import {
  runOpenedFromHome,
  type JourneyContext,
  type JourneyEvent,
} from '../core/journey.js';
import type { KeyPress } from './keys.js';

export type ScreenId =
  | 'loading'
  | 'home'
  | 'setup'
  | 'setup.looking'
  | 'setup.choosing'
  | 'setup.writingKeys'
  | 'data.choosing'
  | 'data.inspecting'
  | 'data.reviewed'
  | 'data.uploading'
  | 'hyperparameters'
  | 'launch'
  | 'monitor.watching'
  | 'monitor.detached'
  | 'monitor.confirmCancel'
  | 'monitor.cancelling'
  | 'monitor.ended'
  | 'results.downloading'
  | 'results.ready'
  | 'confirmQuit'
  | 'final';

/** Handled by the screen itself: focus and value editing. */
export type LocalCommand =
  | 'next'
  | 'previous'
  | 'increase'
  | 'decrease'
  | 'toggle'
  | 'type'
  | 'erase'
  | 'activate';

export type Command = { event: JourneyEvent } | { local: LocalCommand };

/** `digit` stands for any of 0-9 and '.'. */
export type KeyName =
  | 'ctrl+c'
  | 'escape'
  | 'return'
  | 'tab'
  | 'shift+tab'
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'backspace'
  | 'digit'
  | (string & {});

export interface Binding {
  keys: KeyName[];
  command: Command;
  /** Footer text, e.g. 'Enter continue'; bindings without one are silent. */
  hint?: string;
  /** The hint is shown only while the key would do something. */
  hintWhen?: (context: JourneyContext) => boolean;
}

const interrupt: Binding = {
  keys: ['ctrl+c'],
  command: { event: { type: 'INTERRUPT' } },
};
const quitHint: Binding = { ...interrupt, hint: 'Ctrl+C quit' };
const ev = (event: JourneyEvent['type']) =>
  ({ event: { type: event } }) as Command;
const local = (name: LocalCommand): Command => ({ local: name });

/** Moving through a form's fields, the same on every form. */
const formMoves: Binding[] = [
  { keys: ['down', 'tab'], command: local('next'), hint: '↑↓ Tab move' },
  { keys: ['up', 'shift+tab'], command: local('previous') },
  { keys: ['return'], command: local('activate'), hint: 'Enter next' },
];

export const KEYMAP: Record<ScreenId, Binding[]> = {
  loading: [quitHint],
  home: [
    { keys: ['down'], command: local('next'), hint: '↑↓ choose' },
    { keys: ['up'], command: local('previous') },
    { keys: ['return'], command: local('activate'), hint: 'Enter select' },
    { keys: ['n'], command: ev('NEW_TRAINING'), hint: 'n new training' },
    { keys: ['q'], command: ev('QUIT'), hint: 'q quit' },
    interrupt,
  ],
  setup: [
    ...formMoves,
    { keys: ['left'], command: local('decrease'), hint: '←→ change' },
    { keys: ['right'], command: local('increase') },
    { keys: ['escape'], command: ev('BACK'), hint: 'Esc back' },
    quitHint,
  ],
  'setup.looking': [
    { keys: ['escape'], command: ev('CANCEL'), hint: 'Esc cancel' },
    { ...interrupt, hint: 'Ctrl+C cancel' },
  ],
  'setup.choosing': [
    { keys: ['down', 'tab'], command: local('next'), hint: '↑↓ choose' },
    { keys: ['up', 'shift+tab'], command: local('previous') },
    { keys: ['return'], command: local('activate'), hint: 'Enter pick' },
    { keys: ['escape'], command: ev('BACK'), hint: 'Esc back' },
    quitHint,
  ],
  // Not cancelled: a new credential's secret would be lost.
  'setup.writingKeys': [quitHint],
  'data.choosing': [
    // The text field types and edits the path itself: hints only.
    { keys: [], command: local('type'), hint: 'type a path' },
    { keys: [], command: local('erase'), hint: 'Ctrl+U clear' },
    { keys: ['return'], command: ev('SUBMIT'), hint: 'Enter inspect' },
    { keys: ['escape'], command: ev('BACK'), hint: 'Esc back' },
    quitHint,
  ],
  'data.inspecting': [
    { keys: ['escape'], command: ev('CANCEL'), hint: 'Esc cancel' },
    { ...interrupt, hint: 'Ctrl+C cancel' },
  ],
  'data.reviewed': [
    {
      keys: ['return'],
      command: ev('SUBMIT'),
      hint: 'Enter upload',
      // Data with errors is refused: the footer does not offer it.
      hintWhen: (context) => (context.inspection?.errors.length ?? 0) === 0,
    },
    { keys: ['escape'], command: ev('BACK'), hint: 'Esc choose another' },
    quitHint,
  ],
  'data.uploading': [
    { keys: ['escape'], command: ev('CANCEL'), hint: 'Esc cancel upload' },
    { ...interrupt, hint: 'Ctrl+C cancel upload' },
  ],
  hyperparameters: [
    ...formMoves,
    { keys: ['left', '-'], command: local('decrease'), hint: '←→ +- step' },
    { keys: ['right', '+'], command: local('increase') },
    { keys: ['digit'], command: local('type'), hint: 'type to replace' },
    { keys: ['backspace'], command: local('erase') },
    { keys: ['h', ' '], command: local('toggle'), hint: 'h HPO' },
    { keys: ['escape'], command: ev('BACK'), hint: 'Esc back' },
    quitHint,
  ],
  launch: [
    { keys: ['escape'], command: ev('CANCEL'), hint: 'Esc cancel' },
    { ...interrupt, hint: 'Ctrl+C cancel' },
  ],
  'monitor.watching': [
    { ...interrupt, hint: 'Ctrl+C stop watching (the run goes on)' },
  ],
  'monitor.detached': [
    { keys: ['w'], command: ev('WATCH'), hint: 'w watch again' },
    { keys: ['return'], command: ev('EXIT'), hint: 'Enter exit' },
    { ...interrupt, hint: 'Ctrl+C cancel the run' },
  ],
  'monitor.confirmCancel': [
    { keys: ['y'], command: ev('CONFIRM'), hint: 'y cancel the run' },
    { keys: ['n', 'escape'], command: ev('DENY'), hint: 'n keep it going' },
    interrupt,
  ],
  'monitor.cancelling': [interrupt],
  'monitor.ended': [
    {
      keys: ['return', 'escape', 'q'],
      command: ev('EXIT'),
      hint: 'Enter back to Home',
      hintWhen: runOpenedFromHome,
    },
    {
      keys: [],
      command: ev('EXIT'),
      hint: 'Enter exit',
      hintWhen: (context) => !runOpenedFromHome(context),
    },
    { keys: ['ctrl+c'], command: ev('EXIT') },
  ],
  'results.downloading': [quitHint],
  'results.ready': [
    { keys: ['return'], command: ev('RECOMMEND'), hint: 'Enter recommend' },
    { keys: ['escape'], command: ev('EXIT'), hint: 'Esc exit' },
    quitHint,
  ],
  confirmQuit: [
    { keys: ['y', 'ctrl+c'], command: ev('CONFIRM'), hint: 'y quit' },
    { keys: ['n', 'escape'], command: ev('DENY'), hint: 'n stay' },
  ],
  final: [],
};

/** The names a key press answers to, most specific first. */
export function keyNames(key: KeyPress): KeyName[] {
  switch (key.name) {
    case 'text':
      if (key.text.length !== 1) return [];
      return /^[0-9.]$/.test(key.text) ? [key.text, 'digit'] : [key.text];
    case 'delete':
    case 'meta+backspace':
      return [key.name, 'backspace'];
    case 'word-left':
      return [key.name, 'left'];
    case 'word-right':
      return [key.name, 'right'];
    default:
      return [key.name];
  }
}

export function resolveKey(screen: ScreenId, key: KeyPress): Command | null {
  const bindings = KEYMAP[screen];
  for (const name of keyNames(key)) {
    const binding = bindings.find((b) => b.keys.includes(name));
    if (binding) return binding.command;
  }
  return null;
}

/** The footer's hints; with the context, only those that apply now. */
export function hintsFor(screen: ScreenId, context?: JourneyContext): string[] {
  return KEYMAP[screen].flatMap((b) =>
    b.hint && (!context || !b.hintWhen || b.hintWhen(context)) ? [b.hint] : [],
  );
}
