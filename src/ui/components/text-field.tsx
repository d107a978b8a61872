/**
 * A one-line text field. The screen that owns it passes it the keys (its
 * handle's `edit`) while it has the focus. Its value lives in a ref between
 * renders, so that each key of a burst (a paste, sixty Backspaces) builds
 * on the one before it rather than on the value of the last render.
 */
import { Text } from 'ink';
import {
  useImperativeHandle,
  useLayoutEffect,
  useReducer,
  useRef,
  type Ref,
} from 'react';
import type { KeyPress } from '../keys.js';
import { editText, visibleWindow, type TextState } from '../text-edit.js';
import { useUi } from '../ui-context.js';

export interface TextFieldHandle {
  /** Apply an editing key; false when the key is not one (Enter, Tab...). */
  edit: (key: KeyPress) => boolean;
}

export interface TextFieldProps {
  value: string;
  onChange: (value: string) => void;
  /** Shows the cursor; keys still come only through the handle. */
  focus: boolean;
  placeholder?: string;
  /** Cells available; a longer value scrolls to keep the cursor in view. */
  width?: number;
  ref?: Ref<TextFieldHandle>;
}

export function TextField({
  value,
  onChange,
  focus,
  placeholder = '',
  width = 0,
  ref,
}: TextFieldProps) {
  const { theme } = useUi();
  const state = useRef<TextState>({ value, cursor: value.length });
  const onChangeRef = useRef(onChange);
  const [, redraw] = useReducer((n: number) => n + 1, 0);

  // A value set from outside (another screen, a rejected edit) wins, with
  // the cursor at its end. Our own edits come back equal and change nothing.
  useLayoutEffect(() => {
    onChangeRef.current = onChange;
    if (state.current.value !== value) {
      state.current = { value, cursor: value.length };
    }
  });

  useImperativeHandle(
    ref,
    () => ({
      edit: (key) => {
        const next = editText(state.current, key);
        if (!next) return false;
        const changed = next.value !== state.current.value;
        state.current = next;
        if (changed) onChangeRef.current(next.value);
        redraw();
        return true;
      },
    }),
    [],
  );

  const current =
    state.current.value === value
      ? state.current
      : { value, cursor: value.length };
  if (!focus) {
    return (
      <Text wrap="truncate-end" color={value ? undefined : theme.muted}>
        {value || placeholder}
      </Text>
    );
  }
  if (value === '') {
    return (
      <Text wrap="truncate-end">
        <Text inverse>{placeholder.slice(0, 1) || ' '}</Text>
        <Text color={theme.muted}>{placeholder.slice(1)}</Text>
      </Text>
    );
  }
  const shown = visibleWindow(current, width);
  return (
    <Text wrap="truncate-end">
      {shown.text.slice(0, shown.cursor)}
      <Text inverse>{shown.text[shown.cursor] ?? ' '}</Text>
      {shown.text.slice(shown.cursor + 1)}
    </Text>
  );
}
