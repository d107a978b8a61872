import { describe, expect, it } from 'vitest';
import { decodeInput, textKey, type KeyPress } from '../../src/ui/keys.js';
import {
  editText,
  visibleWindow,
  type TextState,
} from '../../src/ui/text-edit.js';

const names = (raw: string) =>
  decodeInput(raw).map((k) => (k.name === 'text' ? `"${k.text}"` : k.name));

const key = (name: string): KeyPress => ({ name, text: '' });

function edits(start: string, ...keys: KeyPress[]): TextState {
  let state: TextState = { value: start, cursor: start.length };
  for (const k of keys) state = editText(state, k) ?? state;
  return state;
}

describe('decodeInput', () => {
  it('cuts a burst into one key each', () => {
    expect(names('\x7f'.repeat(3))).toEqual([
      'backspace',
      'backspace',
      'backspace',
    ]);
    expect(names('/tmp/my data/ratings.csv\r')).toEqual([
      '"/tmp/my data/ratings.csv"',
      'return',
    ]);
    expect(names('3\x1b[B\x1b[B\r')).toEqual(['"3"', 'down', 'down', 'return']);
    expect(names('ab\tc\x1b[Z')).toEqual(['"ab"', 'tab', '"c"', 'shift+tab']);
  });

  it('names control keys and escape sequences', () => {
    expect(names('\x03\x01\x05\x15\x17\b')).toEqual([
      'ctrl+c',
      'ctrl+a',
      'ctrl+e',
      'ctrl+u',
      'ctrl+w',
      'backspace',
    ]);
    expect(
      names('\x1b[3~\x1b[H\x1b[F\x1b[1~\x1b[4~\x1bOH\x1bOF\x1b[1;5D\x1b[1;3C'),
    ).toEqual([
      'delete',
      'home',
      'end',
      'home',
      'end',
      'home',
      'end',
      'word-left',
      'word-right',
    ]);
    expect(names('\x1b[A\x1bOB\x1b[C\x1b[D')).toEqual([
      'up',
      'down',
      'right',
      'left',
    ]);
    // Bracketed-paste markers and unknown sequences are dropped.
    expect(names('\x1b[200~/a/b\x1b[201~\x1b[I')).toEqual(['"/a/b"']);
  });

  it('reads Escape and a key arriving together as two keys', () => {
    expect(names('\x1bn')).toEqual(['escape', '"n"']);
    expect(names('\x1b')).toEqual(['escape']);
    expect(names('\x1b\x1b')).toEqual(['escape', 'escape']);
    expect(names('\x1b\x7f')).toEqual(['meta+backspace']);
  });
});

describe('editText', () => {
  it('types, pastes and erases at the cursor', () => {
    expect(edits('', textKey('/a'), textKey('/b c'))).toEqual({
      value: '/a/b c',
      cursor: 6,
    });
    expect(edits('abcdef', ...Array(3).fill(key('backspace')))).toEqual({
      value: 'abc',
      cursor: 3,
    });
    expect(edits('abc', ...Array(10).fill(key('backspace')))).toEqual({
      value: '',
      cursor: 0,
    });
    expect(edits('abcd', key('left'), key('left'), textKey('X'))).toEqual({
      value: 'abXcd',
      cursor: 3,
    });
    expect(edits('abcd', key('home'), key('delete'), key('right'))).toEqual({
      value: 'bcd',
      cursor: 1,
    });
    expect(edits('abcd', key('ctrl+a'), key('ctrl+e'), textKey('!'))).toEqual({
      value: 'abcd!',
      cursor: 5,
    });
  });

  it('clears the field, deletes a word or a path part', () => {
    expect(edits('/some/path', key('left'), key('ctrl+u'))).toEqual({
      value: '',
      cursor: 0,
    });
    expect(edits('/work/main/sample_training_data/', key('ctrl+w'))).toEqual({
      value: '/work/main/',
      cursor: 11,
    });
    expect(edits('my ratings', key('meta+backspace'))).toEqual({
      value: 'my ',
      cursor: 3,
    });
    expect(edits('a b', key('word-left'), key('word-left')).cursor).toBe(0);
  });

  it('leaves Enter, Tab, ↑↓ and Esc to the screen', () => {
    for (const name of ['return', 'tab', 'up', 'down', 'escape']) {
      expect(editText({ value: 'x', cursor: 1 }, key(name))).toBeNull();
    }
  });

  it('shows a long value around the cursor', () => {
    expect(visibleWindow({ value: 'abc', cursor: 3 }, 10)).toEqual({
      text: 'abc',
      cursor: 3,
    });
    expect(visibleWindow({ value: 'abcdefghij', cursor: 10 }, 5)).toEqual({
      text: '…hij',
      cursor: 4,
    });
    expect(visibleWindow({ value: 'abcdefghij', cursor: 0 }, 5)).toEqual({
      text: 'abcd…',
      cursor: 0,
    });
  });
});
