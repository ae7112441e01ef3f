import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createEventsStore } from './store/events-store.ts';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('renderer/index.html has no #root');

createRoot(container).render(
  <StrictMode>
    <App store={createEventsStore(window.hookbox)} />
  </StrictMode>,
);
