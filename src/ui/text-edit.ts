/**
 * Line editing for text fields, pure so that it is tested directly: each
 * key turns a value and a cursor into the next ones, as a shell's line
 * editor would.
 */
import type { KeyPress } from './keys.js';

export interface TextState {
  value: string;
  /** Index in `value` before which the next character goes. */
  cursor: number;
}

/** Word boundaries: spaces, and slashes so that Ctrl+W drops a path part. */
const isBoundary = (char: string | undefined) =>
  char === undefined || /[\s/\\]/.test(char);

function wordStartBefore(value: string, cursor: number): number {
  let at = cursor;
  while (at > 0 && isBoundary(value[at - 1])) at--;
  while (at > 0 && !isBoundary(value[at - 1])) at--;
  return at;
}

function wordEndAfter(value: string, cursor: number): number {
  let at = cursor;
  while (at < value.length && isBoundary(value[at])) at++;
  while (at < value.length && !isBoundary(value[at])) at++;
  return at;
}

/**
 * The field after `key`, or null when the key is not an editing key (Enter,
 * Tab, ↑↓, Esc...) and belongs to the screen.
 */
export function editText(state: TextState, key: KeyPress): TextState | null {
  const { value } = state;
  const cursor = Math.min(Math.max(0, state.cursor), value.length);
  const before = value.slice(0, cursor);
  const after = value.slice(cursor);
  switch (key.name) {
    case 'text': {
      // eslint-disable-next-line no-control-regex
      const typed = key.text.replace(/[\x00-\x1f\x7f]/g, '');
      return { value: before + typed + after, cursor: cursor + typed.length };
    }
    case 'backspace':
      return cursor === 0
        ? { value, cursor }
        : { value: before.slice(0, -1) + after, cursor: cursor - 1 };
    case 'delete':
      return { value: before + after.slice(1), cursor };
    case 'left':
      return { value, cursor: Math.max(0, cursor - 1) };
    case 'right':
      return { value, cursor: Math.min(value.length, cursor + 1) };
    case 'word-left':
      return { value, cursor: wordStartBefore(value, cursor) };
    case 'word-right':
      return { value, cursor: wordEndAfter(value, cursor) };
    case 'home':
    case 'ctrl+a':
      return { value, cursor: 0 };
    case 'end':
    case 'ctrl+e':
      return { value, cursor: value.length };
    case 'ctrl+u':
      return { value: '', cursor: 0 };
    case 'ctrl+k':
      return { value: before, cursor };
    case 'ctrl+w':
    case 'meta+backspace': {
      const start = wordStartBefore(value, cursor);
      return { value: value.slice(0, start) + after, cursor: start };
    }
    default:
      return null;
  }
}

/**
 * The part of the field that fits in `width` cells with the cursor in view
 * (the cursor takes a cell of its own at the end); '…' marks a cut.
 */
export function visibleWindow(
  state: TextState,
  width: number,
): { text: string; cursor: number } {
  const { value, cursor } = state;
  if (width < 2 || value.length < width) return { text: value, cursor };
  const start = Math.max(0, cursor + 1 - width);
  const at = cursor - start;
  let text = value.slice(start, start + width);
  // A cut at either end shows as '…', never over the cursor.
  if (start > 0) text = '…' + text.slice(1);
  if (start + width < value.length && at < width - 1) {
    text = text.slice(0, width - 1) + '…';
  }
  return { text, cursor: at };
}
