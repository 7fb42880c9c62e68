// The benchmark in the browser (bench/browser.html), on navigator.gpu. Same workloads,
// contenders and shared device as in Node. The result is left in window.__bench for the
// driver (bench/run-browser.mjs), which writes the Chromium section of docs/benchmarks.md.

import { sectionMarkdown } from './report';
import { openSharedDevice } from './shared-device';
import { resolveOptions, runSuite } from './suite';

export type BenchState =
  | { state: 'running' }
  | { state: 'done'; markdown: string; adapter: string }
  | { state: 'error'; error: string };

declare global {
  interface Window {
    __bench: BenchState;
  }
}

const logEl = document.getElementById('log')!;
function log(line: string): void {
  console.log(line);
  logEl.textContent += `${line}\n`;
}

/** "Chromium 156.0.8078.79" (the user-agent string only says 156.0.0.0) */
async function browserName(): Promise<string> {
  type Brands = { brand: string; version: string }[];
  const uaData = (navigator as Navigator & { userAgentData?: { getHighEntropyValues(h: string[]): Promise<{ fullVersionList?: Brands }> } })
    .userAgentData;
  try {
    const list = (await uaData?.getHighEntropyValues(['fullVersionList']))?.fullVersionList ?? [];
    const b = list.find((x) => /chromium/i.test(x.brand)) ?? list.find((x) => /chrome|edge/i.test(x.brand));
    if (b) return `${b.brand} ${b.version}`;
  } catch {
    // fall back to the user-agent string
  }
  const m = /(HeadlessChrome|Chrome|Firefox|Version)\/([\d.]+)/.exec(navigator.userAgent);
  return m ? `${m[1] === 'HeadlessChrome' ? 'Chromium' : m[1] === 'Version' ? 'Safari' : m[1]} ${m[2]}` : navigator.userAgent;
}

async function main(): Promise<void> {
  window.__bench = { state: 'running' };
  if (!navigator.gpu) throw new Error('navigator.gpu is missing: this browser has no WebGPU (Chromium: --enable-unsafe-webgpu)');
  const args = Object.fromEntries(new URLSearchParams(location.search));
  const shared = await openSharedDevice(navigator.gpu);
  const { opts, notes } = resolveOptions(args, shared.isSoftware);
  const query = new URLSearchParams(args).toString();
  const command = `node bench/run-browser.mjs${query ? ` -- ${query.split('&').map((kv) => `--${kv}`).join(' ')}` : ''}`;
  const result = await runSuite(shared, opts, { environment: `${await browserName()}${/Headless/.test(navigator.userAgent) ? ' (headless)' : ''}, WebGPU`, command, notes }, log);
  window.__bench = { state: 'done', markdown: sectionMarkdown('chromium', result), adapter: shared.adapterName };
  log('done');
}

main().catch((e: unknown) => {
  const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  log(`error: ${error}`);
  window.__bench = { state: 'error', error };
});
