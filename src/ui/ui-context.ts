import { createContext, useContext, useEffect, type RefObject } from 'react';
import type { JourneyEvent } from '../core/journey.js';
import type { LocalCommand } from './keymap.js';
import type { Layout } from './layout.js';
import type { Theme } from './theme.js';

export type LocalHandler = (command: LocalCommand, input: string) => void;

export interface UiContextValue {
  theme: Theme;
  layout: Layout;
  /** The clock's time for this frame, in ms. */
  now: number;
  dispatch: (event: JourneyEvent) => void;
  /** Where the key map sends screen-local commands. */
  localHandler: RefObject<LocalHandler | null>;
  /** False while a question (quit?) has the keyboard. */
  inputActive: boolean;
}

export const UiContext = createContext<UiContextValue | null>(null);

export function useUi(): UiContextValue {
  const value = useContext(UiContext);
  if (!value) throw new Error('useUi outside <UiContext.Provider>');
  return value;
}

/** Receive the key map's local commands while this screen is shown. */
export function useLocalCommands(handler: LocalHandler): void {
  const { localHandler } = useUi();
  useEffect(() => {
    localHandler.current = handler;
  });
  useEffect(
    () => () => {
      localHandler.current = null;
    },
    [localHandler],
  );
}
