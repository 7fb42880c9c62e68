import { defineConfig } from 'vitest/config';
import wgslReflection from './scripts/wgsl-reflection.js';

// Node tests: kernels on Dawn (SwiftShader) against the float64 reference,
// gradient checks, parsers. The GPU suite fails — never skips — without an adapter.
export default defineConfig({
  // the engine reads the WGSL's bindings from 'virtual:wgsl-reflection', as in the page
  plugins: [wgslReflection()],
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/setup/global-adapter.ts'],
    setupFiles: ['tests/setup/polyfills.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Dawn + SwiftShader use every core; two forks keep the 2-core machine busy without thrashing.
    pool: 'forks',
    maxWorkers: 2,
  },
});
