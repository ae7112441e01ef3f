import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, NoToken } from './App.tsx';
import { createStores } from './store/stores.ts';
import { connectUrlState } from './store/url-state.ts';
import { chooseTransport } from './transport/choose-transport.ts';
import type { Connection } from './store/ui-store.ts';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('renderer/index.html has no #root');

let setConnection: (c: Connection) => void = () => undefined;
const transport = chooseTransport(
  {
    ...(window.hookbox ? { hookbox: window.hookbox } : {}),
    location: window.location,
    history: window.history,
    sessionStorage: window.sessionStorage,
  },
  (status) => setConnection(status),
);

const root = createRoot(container);
if (transport.kind === 'no-token') {
  root.render(<NoToken port={window.location.port} />);
} else {
  const stores = createStores(transport.api, { storage: window.localStorage });
  setConnection = (c) => stores.ui.getState().setConnection(c);
  // Listening before the first render, not in an effect: the desktop shell sends where to go (a
  // clicked notification) as soon as the page has loaded, which can be before React's effects run.
  stores.navigation.getState().connect();
  connectUrlState(stores, {
    location: window.location,
    history: window.history,
    addEventListener: (type, listener) => window.addEventListener(type, listener),
    removeEventListener: (type, listener) => window.removeEventListener(type, listener),
    localStorage: window.localStorage,
  });
  // A browser tab asks before a reload or close drops unsaved config edits (the desktop window
  // hides to the tray instead of closing, and keeps them).
  if (transport.kind === 'http')
    window.addEventListener('beforeunload', (event) => {
      const config = stores.config.getState();
      if (config.text !== config.savedText) event.preventDefault();
    });
  root.render(
    <StrictMode>
      <App stores={stores} />
    </StrictMode>,
  );
}
