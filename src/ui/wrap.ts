/**
 * Word wrapping done before Ink sees the text, so that a screen knows how
 * many rows a message takes and can make room for it.
 */

/** `text` cut into lines of at most `width` cells, at spaces when it can. */
export function wrapWords(text: string, width: number): string[] {
  const size = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (candidate.length <= size) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      line = word;
      // A word longer than a line is cut where the line ends.
      while (line.length > size) {
        lines.push(line.slice(0, size));
        line = line.slice(size);
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * The hints that fit in `width` cells, joined: wide separators when they
 * fit, narrow ones when not, then the hints of least use dropped (moving
 * first, then from the end) rather than one cut mid-word.
 */
export function fitHints(hints: readonly string[], width: number): string {
  const wide = hints.join('  ·  ');
  if (wide.length <= width) return wide;
  const kept = [...hints];
  const minor = (hint: string) => /^(↑|←|Tab|h )/.test(hint);
  for (;;) {
    const narrow = kept.join(' · ');
    if (narrow.length <= width || kept.length <= 1) return narrow;
    const index = kept.findIndex(minor);
    // The last hint is the way out (Ctrl+C): the one before it goes first.
    kept.splice(index >= 0 ? index : Math.max(0, kept.length - 2), 1);
  }
}
