import { useEffect } from 'react';
import { useStore } from 'zustand';
import { EmptyState } from './components/EmptyState.tsx';
import { EventsTable } from './components/EventsTable.tsx';
import type { EventsStore } from './store/events-store.ts';

export function App({ store }: { store: EventsStore }) {
  const events = useStore(store, (s) => s.events);
  const health = useStore(store, (s) => s.health);
  const status = useStore(store, (s) => s.status);
  const error = useStore(store, (s) => s.error);
  const connect = useStore(store, (s) => s.connect);

  useEffect(() => connect(), [connect]);

  return (
    <div className="app">
      <header>
        <h1>Hookbox</h1>
        {health && (
          <p className="hub">
            <span>v{health.version}</span>
            <span>
              listening on <code>{health.api_url}</code>
            </span>
            <span>
              {health.event_count} {health.event_count === 1 ? 'event' : 'events'}
            </span>
          </p>
        )}
      </header>
      <main>
        {status === 'error' && (
          <p className="error" role="alert">
            Could not load events: {error}
          </p>
        )}
        {status === 'loading' && events.length === 0 && <p className="loading">Loading…</p>}
        {events.length > 0 && <EventsTable events={events} />}
        {status === 'ready' && events.length === 0 && health && <EmptyState apiUrl={health.api_url} />}
      </main>
    </div>
  );
}
