import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'katex/dist/katex.min.css';
import './styles/app.css';
import { App } from './App';
import { useDevice } from './store/device';

// Ask for the compute device at once; the badge, notice and device cell follow the store.
void useDevice.getState().init();
// test-only (the page's URL has faults=1): window.__backpropFaults, loaded only then
if (new URLSearchParams(window.location.search).get('faults') === '1') void import('./store/faults').then((m) => m.installFaultHooks());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
