import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The WGSL files in shaders/ are imported as text (`?raw`): the engine compiles
// them and the notebook displays the very same source.
export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
