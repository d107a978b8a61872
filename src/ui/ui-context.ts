import {
  createContext,
  useContext,
  useLayoutEffect,
  type RefObject,
} from 'react';
import type { JourneyEvent } from '../core/journey.js';
import type { JourneySnapshot } from './hooks/use-journey.js';
import type { KeyPress } from './keys.js';
import type { LocalCommand } from './keymap.js';
import type { Layout } from './layout.js';
import type { Theme } from './theme.js';

/** What a screen does with the keys the key map leaves to it. */
export interface LocalHandlers {
  /** A screen-local command of the key map (next, previous, increase...). */
  command?: (command: LocalCommand, key: KeyPress) => void;
  /**
   * Offered every key first while the screen has a focused text field:
   * true when the field took it (typing, Backspace, ←→...).
   */
  edit?: (key: KeyPress) => boolean;
}

export interface UiContextValue {
  theme: Theme;
  layout: Layout;
  /** The clock's time for this frame, in ms. */
  now: number;
  dispatch: (event: JourneyEvent) => void;
  /**
   * The machine's snapshot right now. Key handlers read this, not the
   * snapshot of their render: keys of one burst come before any re-render.
   */
  latest: () => JourneySnapshot;
  /** Where the key map sends screen-local commands. */
  localHandler: RefObject<LocalHandlers | null>;
  /** False while a question (quit?) has the keyboard. */
  inputActive: boolean;
}

export const UiContext = createContext<UiContextValue | null>(null);

export function useUi(): UiContextValue {
  const value = useContext(UiContext);
  if (!value) throw new Error('useUi outside <UiContext.Provider>');
  return value;
}

/**
 * Receive the key map's local commands while this screen is shown. Set in
 * a layout effect, so the handler is in place before the app passes on
 * keys that waited for this screen to appear.
 */
export function useLocalCommands(handlers: LocalHandlers): void {
  const { localHandler } = useUi();
  useLayoutEffect(() => {
    localHandler.current = handlers;
  });
  useLayoutEffect(
    () => () => {
      localHandler.current = null;
    },
    [localHandler],
  );
}
