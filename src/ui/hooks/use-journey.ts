import { useCallback, useSyncExternalStore } from 'react';
import type { Actor } from 'xstate';
import type { JourneyEvent } from '../../core/journey.js';
import type { JourneyMachine } from '../../core/machine.js';

export type JourneyActor = Actor<JourneyMachine>;
export type JourneySnapshot = ReturnType<JourneyActor['getSnapshot']>;

/** The machine's current snapshot, re-rendering on every transition. */
export function useJourneySnapshot(actor: JourneyActor): JourneySnapshot {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = actor.subscribe({
        next: onChange,
        error: onChange,
      });
      return () => subscription.unsubscribe();
    },
    [actor],
  );
  return useSyncExternalStore(subscribe, () => actor.getSnapshot());
}

/** A dispatch whose identity never changes, so input handlers stay put. */
export function useDispatch(
  actor: JourneyActor,
): (event: JourneyEvent) => void {
  return useCallback((event: JourneyEvent) => actor.send(event), [actor]);
}
