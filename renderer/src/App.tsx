import { useEffect } from 'react';
import { useStore } from 'zustand';
import { isTyping } from './components/common.tsx';
import { unreadCount } from './store/inbox-store.ts';
import type { Stores } from './store/stores.ts';
import { VIEW_TITLES, VIEWS, type Theme, type ViewName } from './store/ui-store.ts';
import { ConfigView } from './views/ConfigView.tsx';
import { EventsView } from './views/EventsView.tsx';
import { HooksView } from './views/HooksView.tsx';
import { InboxView } from './views/InboxView.tsx';
import { NotificationsView } from './views/NotificationsView.tsx';
import { ShellView } from './views/ShellView.tsx';

const THEME_LABEL: Record<Theme, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

function Sidebar({ stores }: { stores: Stores }) {
  const view = useStore(stores.ui, (s) => s.view);
  const setView = useStore(stores.ui, (s) => s.setView);
  const theme = useStore(stores.ui, (s) => s.theme);
  const cycleTheme = useStore(stores.ui, (s) => s.cycleTheme);
  const connection = useStore(stores.ui, (s) => s.connection);
  const unread = useStore(stores.inbox, (s) => s.sessions.reduce((sum, x) => sum + unreadCount(x), 0));
  const hookErrors = useStore(
    stores.hooks,
    (s) => s.hooks.filter((h) => h.state === 'error').length + (s.configError ? 1 : 0),
  );
  const paused = useStore(stores.notifications, (s) => s.view?.pause.paused ?? false);
  const health = useStore(stores.events, (s) => s.health);
  const badges: Partial<Record<ViewName, { text: string; tone: string; label: string } | null>> = {
    inbox: unread > 0 ? { text: String(unread), tone: 'info', label: `${unread} unread` } : null,
    hooks: hookErrors > 0 ? { text: '!', tone: 'bad', label: 'a hook has a problem' } : null,
    notifications: paused ? { text: 'paused', tone: 'warn', label: 'notifications paused' } : null,
  };
  return (
    <nav className="sidebar" aria-label="Views">
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        <span>Hookbox</span>
      </div>
      <ul>
        {VIEWS.map((name, i) => {
          const badge = badges[name];
          return (
            <li key={name}>
              <button
                type="button"
                className={name === view ? 'active' : undefined}
                aria-current={name === view ? 'page' : undefined}
                onClick={() => setView(name)}
                title={`${VIEW_TITLES[name]} (${i + 1})`}
              >
                <span className="key" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="title">{VIEW_TITLES[name]}</span>
                {badge && (
                  <span className={`nav-badge tone-${badge.tone}`} aria-label={badge.label}>
                    {badge.text}
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
      <div className="sidebar-foot">
        {health && (
          <p className="hub" title={`The API shells and scripts post to: ${health.api_url}`}>
            <span className={`dot ${connection}`} aria-hidden="true" /> v{health.version} ·{' '}
            {health.event_count.toLocaleString()} events
            <br />
            <code>{health.api_url}</code>
            <br />
            <span title="This machine's name in records published to NATS and in ntfy pushes">{health.host}</span>
            {health.nats && (
              <span className="nats" title={health.nats.error ?? `NATS ${health.nats.servers.join(', ')}`}>
                {' '}
                · NATS {health.nats.state}
                {health.nats.pending > 0 ? ` (${health.nats.pending} waiting)` : ''}
              </span>
            )}
          </p>
        )}
        <button type="button" className="secondary small" onClick={cycleTheme} title="Switch theme (t)">
          {THEME_LABEL[theme]}
        </button>
        <p className="keys">1–6 views · ↑↓ move · Esc close · / search · t theme</p>
      </div>
    </nav>
  );
}

export function App({ stores }: { stores: Stores }) {
  const view = useStore(stores.ui, (s) => s.view);
  const theme = useStore(stores.ui, (s) => s.theme);
  const connection = useStore(stores.ui, (s) => s.connection);
  const cli = useStore(stores.events, (s) => s.health?.cli);

  // Every store listens from the start, so the sidebar's counts are live whichever view is open.
  useEffect(() => {
    const offs = [stores.events, stores.inbox, stores.hooks, stores.config, stores.notifications].map((store) =>
      store.getState().connect(),
    );
    return () => offs.forEach((off) => off());
  }, [stores]);

  // After the live stream was lost and came back, reload what is shown (arrivals in between were missed).
  useEffect(() => {
    let previous = stores.ui.getState().connection;
    return stores.ui.subscribe((state) => {
      if (state.connection === 'live' && previous === 'offline') {
        void stores.events.getState().reload();
        void stores.inbox.getState().reload();
        void stores.hooks.getState().reload();
        void stores.notifications.getState().load();
      }
      previous = state.connection;
    });
  }, [stores]);

  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event)) return;
      const index = Number(event.key) - 1;
      const target = VIEWS[index];
      if (target) {
        event.preventDefault();
        stores.ui.getState().setView(target);
      } else if (event.key === 't') {
        stores.ui.getState().cycleTheme();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [stores]);

  const go = (name: ViewName) => () => stores.ui.getState().setView(name);
  return (
    <div className="app">
      <Sidebar stores={stores} />
      <main aria-label={VIEW_TITLES[view]}>
        <header className="view-header">
          <h1>{VIEW_TITLES[view]}</h1>
          {connection === 'offline' && (
            <span className="banner warn small" role="status">
              Connection to the hub lost; retrying…
            </span>
          )}
          {connection === 'unauthorized' && (
            <span className="banner error small" role="alert">
              The hub refused this window's token. Open the URL that <code>hookbox serve</code> printed.
            </span>
          )}
        </header>
        {view === 'inbox' && <InboxView store={stores.inbox} cli={cli} />}
        {view === 'events' && <EventsView store={stores.events} onShell={go('shell')} />}
        {view === 'hooks' && <HooksView store={stores.hooks} onConfig={go('config')} cli={cli} />}
        {view === 'config' && <ConfigView store={stores.config} hooks={stores.hooks} />}
        {view === 'notifications' && <NotificationsView store={stores.notifications} />}
        {view === 'shell' && <ShellView store={stores.shell} />}
      </main>
    </div>
  );
}

/** A browser tab opened without the token (a bookmark, a typed address). */
export function NoToken({ port }: { port?: string }) {
  // The page was served by the hub itself: its port is this address's (17002 is the CLI's default).
  const open = `hookbox open${port && port !== '17002' ? ` --port ${port}` : ''}`;
  return (
    <main className="no-token">
      <h1>Hookbox</h1>
      <p>This window needs the address that includes its access token. In a terminal, run:</p>
      <pre>
        <code>{open}</code>
      </pre>
      <p>
        It opens this page signed in (<code>hookbox open --print</code> prints the address instead; add the same{' '}
        <code>--data-dir</code> and <code>--port</code> as the running <code>hookbox serve</code>).
      </p>
      <p className="hint">
        The token is also in the file <code>control-token</code> in Hookbox's data folder; add it to this page's address
        as <code>#token=…</code>.
      </p>
    </main>
  );
}
