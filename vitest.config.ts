import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources: workspace packages resolve through their `development` export
// condition (to src/), so no build is needed first. Vite's own server defaults stay beside it.
const conditions = ['development', 'node'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['./tests/test-tiers.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
