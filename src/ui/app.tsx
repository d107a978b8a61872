/**
 * The root of the full-screen app: reads the machine, picks the screen,
 * routes every key through the key map, and keeps the frame below the
 * terminal's height.
 */
import { isIn, type JourneyStatePath } from '../core/state-path.js';
import { Box, Text, useInput, type Key } from 'ink';
import { useCallback, useLayoutEffect, useMemo, useRef } from 'react';
import { ErrorBox } from './components/error-box.js';
import { KeyHints } from './components/key-hints.js';
import { useClock } from './hooks/use-clock.js';
import {
  useDispatch,
  useJourneySnapshot,
  type JourneyActor,
  type JourneySnapshot,
} from './hooks/use-journey.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
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
import { UiContext, type LocalHandler } from './ui-context.js';

const SUBSTATES: ScreenId[] = [
  'data.choosing',
  'data.inspecting',
  'data.reviewed',
  'data.uploading',
  'monitor.watching',
  'monitor.detached',
  'monitor.confirmCancel',
  'monitor.cancelling',
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
  const localHandler = useRef<LocalHandler | null>(null);

  // Keys read the screen through a ref so the input handler never changes.
  const screenRef = useRef(screen);
  useLayoutEffect(() => {
    screenRef.current = screen;
  }, [screen]);
  const onKey = useCallback(
    (input: string, key: Key) => {
      const command = resolveKey(screenRef.current, input, key);
      if (!command) return;
      if ('event' in command) dispatch(command.event);
      else localHandler.current?.(command.local, input);
    },
    [dispatch],
  );
  useInput(onKey);

  const context = snapshot.context;
  const top =
    typeof snapshot.value === 'string'
      ? snapshot.value
      : (Object.keys(snapshot.value)[0] ?? '');
  const showError = context.error && screen !== 'final';
  const value = {
    theme: resolvedTheme,
    layout,
    now: time,
    dispatch,
    localHandler,
    inputActive: !context.quitRequested,
  };

  return (
    <UiContext.Provider value={value}>
      <Box flexDirection="column" height={layout.height} overflow="hidden">
        <Text wrap="truncate-end">
          <Text bold color={resolvedTheme.accent}>
            maxrec
          </Text>
          <Text color={resolvedTheme.muted}> · {TITLES[top] ?? 'Done'}</Text>
        </Text>
        <Box flexDirection="column" flexGrow={1} overflow="hidden">
          <Screen screen={screen} snapshot={snapshot} />
          {showError ? (
            <ErrorBox error={context.error!} theme={resolvedTheme} />
          ) : null}
          {context.notice &&
          screen !== 'final' &&
          screen !== 'monitor.detached' ? (
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
          ) : null}
        </Box>
        <KeyHints hints={hintsFor(screen)} color={resolvedTheme.muted} />
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
