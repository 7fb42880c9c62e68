// The benchmark in Chromium: serves bench/browser.html with Vite, opens it in Debian's
// Chromium (headless, --enable-unsafe-webgpu) through Playwright, relays the page's log,
// and writes the Chromium section of docs/benchmarks.md.
//
//   node bench/run-browser.mjs [-- --groups=matmul --sizes=256 --reps=5 … --out=FILE --write=false]
//
// Options other than --out and --write go to the page (see bench/suite.ts). Browsers are
// never downloaded: CHROMIUM_PATH or /usr/bin/chromium.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** the whole suite on SwiftShader takes minutes; a real GPU far less */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 60 * 60 * 1000);

const args = {};
for (const a of process.argv.slice(2)) {
  if (a === '--') continue;
  const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
  if (!m) throw new Error(`unexpected argument '${a}'; options look like --reps=5`);
  args[m[1]] = m[2] ?? 'true';
}
const out = resolve(root, args.out ?? 'docs/benchmarks.md');
const write = args.write !== 'false';
delete args.out;
delete args.write;

if (!existsSync(CHROMIUM)) {
  console.error(`No Chromium at ${CHROMIUM}: install Debian's chromium (scripts/check-system.sh) or set CHROMIUM_PATH.`);
  process.exit(1);
}

const server = await createServer({
  root,
  configFile: resolve(root, 'vite.config.ts'),
  logLevel: 'warn',
  // no watching, no HMR: others editing the tree must not reload the page mid-run
  server: { port: 5190, strictPort: false, host: '127.0.0.1', hmr: false, watch: null },
  clearScreen: false,
});
await server.listen();
const base = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5190/';
const query = new URLSearchParams(args).toString();
const url = `${base}bench/browser.html${query ? `?${query}` : ''}`;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-webgpu', '--disable-background-timer-throttling'],
});
let code = 0;
try {
  const page = await browser.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'log') console.log(msg.text());
    else if (msg.type() === 'error' || msg.type() === 'warning') console.log(`[page ${msg.type()}] ${msg.text()}`);
  });
  page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
  console.log(`[bench] ${url}`);
  await page.goto(url);
  await page.waitForFunction(() => window.__bench && window.__bench.state !== 'running', undefined, {
    timeout: TIMEOUT_MS,
    polling: 1000,
  });
  const res = await page.evaluate(() => window.__bench);
  if (res.state === 'error') {
    console.error(`[bench] the page failed: ${res.error}`);
    code = 1;
  } else if (write) {
    const { mergeDoc } = await server.ssrLoadModule('/bench/report.ts');
    const old = existsSync(out) ? readFileSync(out, 'utf8') : null;
    writeFileSync(out, mergeDoc(old, 'chromium', res.markdown));
    console.log(`[bench] wrote the Chromium section of ${out}`);
  }
} finally {
  await browser.close();
  await server.close();
}
process.exit(code);
