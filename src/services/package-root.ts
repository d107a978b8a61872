import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder holding maxrec's package.json: where training_code/, the
 * bundled sample data and the default configuration are. Found by walking
 * up from this file, so it works from src/ (tests) and dist/ (installed).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('maxrec: package.json not found');
    dir = parent;
  }
  cached = dir;
  return dir;
}
