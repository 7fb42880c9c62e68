import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import base from '../playwright.config';

const root = fileURLToPath(new URL('..', import.meta.url));

// `npm run bench:main-thread`: the long-task budget of the page's main thread while a
// worker trains (bench/main-thread.bench.ts), in the same Chromium and build as the
// end-to-end tests. A benchmark: it prints its figures and asserts no time.
export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: /main-thread\.bench\.ts$/,
  projects: undefined,
  timeout: 300_000,
  outputDir: '../test-results/bench-main-thread',
  // the server runs from the project's root (where dist/ and vite.config.ts are)
  webServer: base.webServer && !Array.isArray(base.webServer) ? { ...base.webServer, cwd: root } : base.webServer,
});
