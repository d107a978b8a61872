import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';
import { decodeInput, type KeyPress } from '../keys.js';

/**
 * Every key press, one call per key even when several arrive in one stdin
 * chunk. Ink's `useInput` hands over a burst of plain characters ("\x7f\x7f",
 * "path\r") as one string and reports Backspace and Delete alike, so this
 * reads the raw input events that Ink's own parser emits and decodes them
 * with `decodeInput`. The handler is read through a ref: it may change on
 * every render without re-subscribing.
 */
export function useKeypresses(handler: (keys: KeyPress[]) => void): void {
  const { stdin, setRawMode, internal_eventEmitter: events } = useStdin();
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  });
  useEffect(() => {
    setRawMode(true);
    return () => setRawMode(false);
  }, [setRawMode]);
  useEffect(() => {
    const onInput = (raw: string) => {
      const keys = decodeInput(raw);
      if (keys.length > 0) handlerRef.current(keys);
    };
    events.on('input', onInput);
    return () => {
      events.removeListener('input', onInput);
    };
  }, [events, stdin]);
}
