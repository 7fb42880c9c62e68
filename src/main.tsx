import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'katex/dist/katex.min.css';
import './styles/app.css';
import { App } from './App';
import { useDevice } from './store/device';
import { installFaultHooks } from './store/faults';

// Ask for the compute device at once; the badge, notice and device cell follow the store.
void useDevice.getState().init();
// test-only (the page's URL has faults=1): window.__backpropFaults
installFaultHooks();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
