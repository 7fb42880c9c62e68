import { defineConfig } from '@playwright/test';

// End-to-end tests in Debian's Chromium with WebGPU (SwiftShader here), against the
// production build served by `vite preview`. Browsers are never downloaded.
//
// The build runs as part of the web server command unless E2E_PREBUILT=1 says dist/ is
// already fresh (scripts/test.sh builds just before).

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PORT = Number(process.env.E2E_PORT ?? 4173);

/** flags every launch gets; WebGPU is switched on per project */
export const BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];
export const WEBGPU_ARGS = [...BASE_ARGS, '--enable-unsafe-webgpu'];

const preview = `npx vite preview --port ${PORT} --strictPort`;

export default defineConfig({
  testDir: 'e2e',
  // SwiftShader runs WebGPU on the CPU, and the machine may have 2 cores: one worker.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 30_000 },
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${PORT}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1360, height: 900 },
    launchOptions: { executablePath: CHROMIUM, args: WEBGPU_ARGS },
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'webgpu', testIgnore: /no-webgpu\.spec\.ts/ },
    {
      // the same browser without --enable-unsafe-webgpu: the notebook must fall back to the CPU
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: CHROMIUM, args: BASE_ARGS } },
    },
  ],
  webServer: {
    command: process.env.E2E_PREBUILT === '1' ? preview : `npx vite build --logLevel warn && ${preview}`,
    url: `http://localhost:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
