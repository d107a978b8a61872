#!/usr/bin/env node
/**
 * Builds dist/ with esbuild: the CLI as one bundle split at its lazy
 * imports, so `maxrec` loads a few files instead of hundreds of modules
 * (Ink's dependency graph alone took about 0.5 s to load unbundled). Type
 * checking is `npm run typecheck`. Packages that read files beside their
 * own code (fastify's Swagger UI assets) and native ones stay external.
 */
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: {
    'cli/main': 'src/cli/main.ts',
    // Entry points the benchmark scripts import directly.
    'serve/server': 'src/serve/server.ts',
    'services/local/local-storage': 'src/services/local/local-storage.ts',
    'services/ibm/cos-storage': 'src/services/ibm/cos-storage.ts',
  },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: [
    'onnxruntime-node',
    'node-pty',
    'fastify',
    '@fastify/*',
    // AWS SDK v2's fork loads its API models with require() at run time.
    'ibm-cos-sdk',
    // Ink loads it only when DEV=true; it is not installed.
    'react-devtools-core',
  ],
  define: { 'process.env.NODE_ENV': '"production"' },
  // Bundled CommonJS (React, write-file-atomic) uses require() and
  // __filename, which ES modules do not have.
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      "import { dirname as __pathDirname } from 'node:path';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join(' '),
  },
  logLevel: 'warning',
});
