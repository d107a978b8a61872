import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One S3 server (OpenStack Swift) for the run, when it is installed.
    globalSetup: ['test/helpers/s3-global-setup.ts'],
  },
});
