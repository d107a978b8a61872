import { appendFileSync } from 'node:fs';
import { format } from 'node:util';

/**
 * Diagnostics for developers: appended to the file named by
 * MAXREC_DEBUG_LOG, never written to the screen. Synchronous so that the
 * last lines before a crash are not lost.
 */
export function debugLog(...parts: unknown[]): void {
  const file = process.env['MAXREC_DEBUG_LOG'];
  if (!file) return;
  try {
    appendFileSync(file, `${new Date().toISOString()} ${format(...parts)}\n`);
  } catch {
    // A debug log that cannot be written must never break the app.
  }
}
