/**
 * Raw terminal input as a list of key presses. Ink 6 splits a stdin chunk
 * at escape sequences only, so a burst such as sixty Backspaces, or a
 * pasted path followed by Enter, reaches us as one string: it is cut here
 * into one press per key, with runs of printable characters kept together
 * (typed fast or pasted, they land whole in a text field).
 */

/**
 * A key by name: 'text' (printable characters in `text`), 'return', 'tab',
 * 'shift+tab', 'escape', 'backspace', 'delete', 'up', 'down', 'left',
 * 'right', 'word-left', 'word-right', 'home', 'end', 'pageup', 'pagedown',
 * 'ctrl+<letter>' or 'meta+backspace'.
 */
export interface KeyPress {
  name: string;
  /** The characters of a 'text' press; '' for the others. */
  text: string;
}

export const textKey = (text: string): KeyPress => ({ name: 'text', text });

const CSI_FINAL: Record<string, string> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  Z: 'shift+tab',
};
const CSI_TILDE: Record<string, string> = {
  '1': 'home',
  '7': 'home',
  '4': 'end',
  '8': 'end',
  '3': 'delete',
  '5': 'pageup',
  '6': 'pagedown',
};
const SS3_FINAL: Record<string, string> = {
  A: 'up',
  B: 'down',
  C: 'right',
  D: 'left',
  H: 'home',
  F: 'end',
  M: 'return',
};

// eslint-disable-next-line no-control-regex
const CSI = /^\x1b\x1b?\[\[?([0-9;:?<>=]*)[ -/]*([@-~])/;
// eslint-disable-next-line no-control-regex
const SS3 = /^\x1b\x1b?O([@-~])/;

/** The name of a CSI sequence from its parameters and final byte. */
function csiName(params: string, final: string): string | null {
  const [first = '', modifier = '1'] = params.split(';');
  if (final === '~') return CSI_TILDE[first] ?? null;
  const name = CSI_FINAL[final];
  if (!name) return null;
  // Ctrl or Alt with ←→ moves by word, as in most line editors.
  const mod = Number(modifier) - 1;
  if ((name === 'left' || name === 'right') && mod & (2 | 4)) {
    return `word-${name}`;
  }
  return name;
}

/** One control character (below 0x20, or DEL) as a key name. */
function controlName(char: string): string | null {
  const code = char.charCodeAt(0);
  if (char === '\r' || char === '\n') return 'return';
  if (char === '\t') return 'tab';
  if (char === '\x7f' || char === '\b') return 'backspace';
  if (code >= 1 && code <= 26) {
    return `ctrl+${String.fromCharCode(code + 96)}`;
  }
  return null;
}

/** Every key in `raw`, in order; unknown sequences are dropped. */
export function decodeInput(raw: string): KeyPress[] {
  const keys: KeyPress[] = [];
  let text = '';
  const push = (name: string | null) => {
    if (text) keys.push(textKey(text));
    text = '';
    if (name) keys.push({ name, text: '' });
  };
  let i = 0;
  while (i < raw.length) {
    const char = raw[i]!;
    if (char === '\x1b') {
      const rest = raw.slice(i);
      const csi = CSI.exec(rest);
      if (csi) {
        push(csiName(csi[1] ?? '', csi[2] ?? ''));
        i += csi[0].length;
        continue;
      }
      const ss3 = SS3.exec(rest);
      if (ss3) {
        push(SS3_FINAL[ss3[1] ?? ''] ?? null);
        i += ss3[0].length;
        continue;
      }
      const next = raw[i + 1];
      if (next === '\x7f' || next === '\b') {
        // Alt+Backspace deletes a word.
        push('meta+backspace');
        i += 2;
        continue;
      }
      // Escape alone, or Escape and the next key arriving together (Ink
      // would read "\x1bn" as Alt+n): Escape, then that key on its own.
      push('escape');
      i += 1;
      continue;
    }
    if (char < ' ' || char === '\x7f') {
      push(controlName(char));
      i += 1;
      continue;
    }
    text += char;
    i += 1;
  }
  push(null);
  return keys;
}
