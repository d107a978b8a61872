/**
 * The root of the full-screen app: reads the machine, picks the screen,
 * routes every key through the key map, and keeps the frame below the
 * terminal's height.
 */
import { isIn, type JourneyStatePath } from '../core/state-path.js';
import { Box, Text } from 'ink';
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { JourneyError } from '../core/journey.js';
import { ErrorBox } from './components/error-box.js';
import { KeyHints } from './components/key-hints.js';
import { useClock } from './hooks/use-clock.js';
import { useKeypresses } from './hooks/use-keypresses.js';
import {
  useDispatch,
  useJourneySnapshot,
  type JourneyActor,
  type JourneySnapshot,
} from './hooks/use-journey.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { textKey, type KeyPress } from './keys.js';
import { hintsFor, resolveKey, type ScreenId } from './keymap.js';
import { calculateLayout } from './layout.js';
import { DataScreen } from './screens/data.js';
import { FinalScreen } from './screens/final.js';
import { HomeScreen } from './screens/home.js';
import { HyperparametersScreen } from './screens/hyperparameters.js';
import { LaunchScreen } from './screens/launch.js';
import { MonitorScreen } from './screens/monitor.js';
import { ResultsScreen } from './screens/results.js';
import { SetupScreen } from './screens/setup.js';
import { createTheme, type Theme } from './theme.js';
import { UiContext, type LocalHandlers } from './ui-context.js';

const SUBSTATES: ScreenId[] = [
  'setup.looking',
  'setup.choosing',
  'setup.writingKeys',
  'data.choosing',
  'data.inspecting',
  'data.reviewed',
  'data.uploading',
  'monitor.watching',
  'monitor.detached',
  'monitor.confirmCancel',
  'monitor.cancelling',
  'monitor.ended',
  'results.downloading',
];

/** Which screen (and which key map) a machine state shows. */
export function screenOf(snapshot: JourneySnapshot): ScreenId {
  if (snapshot.status !== 'active') return 'final';
  if (snapshot.context.quitRequested) return 'confirmQuit';
  if (isIn(snapshot, 'home.loading')) return 'loading';
  for (const id of SUBSTATES) {
    if (isIn(snapshot, id as JourneyStatePath)) return id;
  }
  if (snapshot.matches('results')) return 'results.ready';
  for (const id of ['home', 'setup', 'hyperparameters', 'launch'] as const) {
    if (snapshot.matches(id)) return id;
  }
  return 'final';
}

const TITLES: Record<string, string> = {
  home: 'Home',
  setup: 'Setup',
  data: 'Data',
  hyperparameters: 'Hyperparameters',
  launch: 'Launch',
  monitor: 'Monitor',
  results: 'Results',
};

/** Monitor screens whose box says what the notice and the error would. */
const MONITOR_BOXES: ScreenId[] = [
  'monitor.detached',
  'monitor.confirmCancel',
  'monitor.ended',
];

/** Screens whose figures move with time (elapsed, rates, spinners). */
const TICKING = ['data.', 'launch', 'monitor.', 'results.'];

export interface AppProps {
  actor: JourneyActor;
  /** The clock; tests pass a fixed one. */
  now?: () => number;
  /** How often moving figures are redrawn; 0 never (tests). */
  tickMs?: number;
  theme?: Theme;
}

export function App({ actor, now = Date.now, tickMs = 1000, theme }: AppProps) {
  const snapshot = useJourneySnapshot(actor);
  const dispatch = useDispatch(actor);
  const size = useTerminalSize();
  const layout = calculateLayout(size.columns, size.rows);
  const resolvedTheme = useMemo(() => theme ?? createTheme(), [theme]);
  const screen = screenOf(snapshot);
  const time = useClock(
    now,
    tickMs,
    TICKING.some((prefix) => screen.startsWith(prefix)),
  );
  const localHandler = useRef<LocalHandlers | null>(null);
  const latest = useCallback(() => actor.getSnapshot(), [actor]);
  // An error stays in the machine until something replaces it; on screen
  // it goes with the next key that does something.
  const [dismissed, setDismissed] = useState<JourneyError | null>(null);
  const noticeSeen = useRef<{ notice: string | null; screen: ScreenId }>({
    notice: null,
    screen,
  });

  // Keys wait here while a key before them has changed the screen and the
  // new one has not rendered yet (its local handler is not in place).
  const queue = useRef<KeyPress[]>([]);
  const draining = useRef(false);
  const renderedScreen = useRef<ScreenId>(screen);

  const handleKey = useCallback(
    (current: ScreenId, key: KeyPress): void => {
      const local = localHandler.current;
      if (current !== 'confirmQuit' && local?.edit?.(key)) return;
      if (key.name === 'text' && key.text.length > 1) {
        // Not for a text field: each character is a key of its own.
        queue.current.unshift(...[...key.text].map(textKey));
        return;
      }
      const command = resolveKey(current, key);
      if (!command) return;
      if ('event' in command) dispatch(command.event);
      else local?.command?.(command.local, key);
    },
    [dispatch],
  );

  const drain = useCallback(() => {
    if (draining.current) return;
    draining.current = true;
    try {
      while (queue.current.length > 0) {
        const before = actor.getSnapshot();
        const current = screenOf(before);
        if (current !== renderedScreen.current) return;
        handleKey(current, queue.current.shift()!);
        const error = before.context.error;
        if (error && actor.getSnapshot().context.error === error) {
          setDismissed(error);
        }
      }
    } finally {
      draining.current = false;
    }
  }, [actor, handleKey]);

  useLayoutEffect(() => {
    renderedScreen.current = screen;
    drain();
  });
  useKeypresses(
    useCallback(
      (keys: KeyPress[]) => {
        queue.current.push(...keys);
        drain();
      },
      [drain],
    ),
  );

  const context = snapshot.context;
  const top =
    typeof snapshot.value === 'string'
      ? snapshot.value
      : (Object.keys(snapshot.value)[0] ?? '');
  // The monitor's boxes hold the error themselves, in one box with the rest.
  const showError =
    context.error &&
    context.error !== dismissed &&
    screen !== 'final' &&
    !MONITOR_BOXES.includes(screen);
  // A notice belongs to the screen it first showed on: leaving that screen
  // (Esc from reviewed data) takes it away.
  if (noticeSeen.current.notice !== context.notice) {
    noticeSeen.current = { notice: context.notice, screen };
  }
  const showNotice =
    context.notice !== null &&
    screen !== 'final' &&
    !MONITOR_BOXES.includes(screen) &&
    noticeSeen.current.screen === screen;
  const value = {
    theme: resolvedTheme,
    layout,
    now: time,
    dispatch,
    latest,
    localHandler,
    inputActive: !context.quitRequested,
  };

  return (
    <UiContext.Provider value={value}>
      <Box flexDirection="column" height={layout.height} overflow="hidden">
        {/* Header and footer never shrink: the body gives way. */}
        <Box flexShrink={0}>
          <Text wrap="truncate-end">
            <Text bold color={resolvedTheme.accent}>
              maxrec
            </Text>
            <Text color={resolvedTheme.muted}> · {TITLES[top] ?? 'Done'}</Text>
          </Text>
        </Box>
        <Box flexDirection="column" flexGrow={1} overflow="hidden">
          {/* A screen taller than the body is cut at its foot; the error
              and the notice below it stay in view. */}
          <Box flexDirection="column" flexShrink={1} overflow="hidden">
            <Box flexDirection="column" flexShrink={0}>
              <Screen screen={screen} snapshot={snapshot} />
            </Box>
          </Box>
          {showError ? (
            <Box flexShrink={0}>
              <ErrorBox error={context.error!} theme={resolvedTheme} />
            </Box>
          ) : null}
          {showNotice ? (
            <Box flexShrink={0}>
              <Text
                wrap="truncate-end"
                color={
                  context.quitRequested
                    ? resolvedTheme.warning
                    : resolvedTheme.accent
                }
              >
                {context.notice}
              </Text>
            </Box>
          ) : null}
        </Box>
        <Box flexShrink={0}>
          <KeyHints
            hints={hintsFor(screen, context)}
            width={layout.columns}
            color={resolvedTheme.muted}
          />
        </Box>
      </Box>
    </UiContext.Provider>
  );
}

function Screen({
  screen,
  snapshot,
}: {
  screen: ScreenId;
  snapshot: JourneySnapshot;
}) {
  if (screen === 'final') return <FinalScreen snapshot={snapshot} />;
  if (snapshot.matches('home')) return <HomeScreen snapshot={snapshot} />;
  if (snapshot.matches('setup')) return <SetupScreen snapshot={snapshot} />;
  if (snapshot.matches('data')) return <DataScreen snapshot={snapshot} />;
  if (snapshot.matches('hyperparameters'))
    return <HyperparametersScreen snapshot={snapshot} />;
  if (snapshot.matches('launch')) return <LaunchScreen snapshot={snapshot} />;
  if (snapshot.matches('monitor')) return <MonitorScreen snapshot={snapshot} />;
  if (snapshot.matches('results')) return <ResultsScreen snapshot={snapshot} />;
  return null;
}
