import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import wgslReflection from './scripts/wgsl-reflection.js';

// The WGSL files in shaders/ are imported as text (`?raw`): the engine compiles
// them and the notebook displays the very same source. What they declare (bindings,
// uniform layouts) is reflected here, at build time, into 'virtual:wgsl-reflection' —
// for the page and for its workers, whose bundles take their own plugins.
export default defineConfig({
  plugins: [react(), wgslReflection()],
  worker: { format: 'es', plugins: () => [wgslReflection()] },
  server: { port: 5173, strictPort: false },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
