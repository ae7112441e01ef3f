import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { EventSearchInfo, NotificationRecord, RecordedEvent } from '../../../main/shared/api-contract.ts';
import { ErrorBanner, isTyping } from '../components/common.tsx';
import { EmptyState } from '../components/EmptyState.tsx';
import { EventsTable } from '../components/EventsTable.tsx';
import { formatDuration, formatTime } from '../format.ts';
import { NO_FILTERS, type EventsStore, type KindFilter } from '../store/events-store.ts';

const SEARCH_DELAY_MS = 250;

function EventDetail({
  event,
  onClose,
}: {
  event: RecordedEvent & { notifications?: NotificationRecord[] };
  onClose: () => void;
}) {
  const metadata = Object.keys(event.metadata).length > 0 ? JSON.stringify(event.metadata, null, 2) : null;
  return (
    <aside className="detail" aria-label="Event detail">
      <header>
        <h2>
          <code>{event.command}</code>
        </h2>
        <button type="button" className="secondary small" onClick={onClose} aria-label="Close detail">
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>Kind</dt>
        <dd>
          <span className={`kind kind-${event.kind}`}>{event.kind}</span>
        </dd>
        {event.kind === 'agent' ? (
          <>
            <dt>Agent</dt>
            <dd>
              {String(event.metadata.agent_name ?? event.metadata.agent)}
              {event.metadata.session ? (
                <span className="muted"> · session {String(event.metadata.session)}</span>
              ) : null}
            </dd>
            <dt>Decision</dt>
            <dd className={event.metadata.decision === 'deny' ? 'failed' : 'ok'}>
              {event.metadata.decision === 'deny'
                ? `denied by ${String(event.metadata.rule ?? 'Hookbox')}${event.metadata.guard_rule ? ` (${String(event.metadata.guard_rule)})` : ''}`
                : 'allowed'}
            </dd>
          </>
        ) : null}
        <dt>Exit code</dt>
        <dd className={event.exit_code === 0 ? 'ok' : 'failed'}>{event.exit_code}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(event.duration_ms)}</dd>
        <dt>Received</dt>
        <dd>
          <time dateTime={event.received_at}>{formatTime(event.received_at)}</time>
        </dd>
        <dt>Notified</dt>
        <dd className="notifications">
          {event.notifications === undefined ? (
            '…'
          ) : event.notifications.length === 0 ? (
            <span className="muted">No notification (no rule applied, or they were paused or off)</span>
          ) : (
            event.notifications.map((n) => (
              <p key={n.id} className="notified">
                {n.title}: {n.message}{' '}
                <span className="muted small">
                  ({n.rule === 'long_running' ? 'long-running' : n.rule} rule, via{' '}
                  {n.deliveries.map((d) => `${d.channel}${d.ok ? '' : ' (failed)'}`).join(', ') || 'no channel'})
                </span>
              </p>
            ))
          )}
        </dd>
        <dt>Id</dt>
        <dd>
          <code className="id">{event.id}</code>
        </dd>
      </dl>
      <h3>Output</h3>
      {event.output ? (
        <pre className="output">{event.output}</pre>
      ) : (
        <p className="muted">No output was sent with this event.</p>
      )}
      <h3>Metadata</h3>
      {metadata ? <pre className="output">{metadata}</pre> : <p className="muted">None.</p>}
    </aside>
  );
}

/** Says when a search or a filter was not answered in full from the indexes. */
function SearchNotes({ search, partial }: { search: EventSearchInfo | null; partial: boolean }) {
  const notes: string[] = [];
  if (search?.method === 'scan')
    notes.push('Searches shorter than 3 characters look through the newest events one page at a time.');
  if (search && search.unindexed > 0)
    notes.push(
      `The search index is catching up: ${search.unindexed.toLocaleString()} recent events are searched one by one meanwhile.`,
    );
  if (partial)
    notes.push('This page stopped before it was full: older events were not looked at yet (Older → continues).');
  if (notes.length === 0) return null;
  return <p className="banner info search-notes">{notes.join(' ')}</p>;
}

export function EventsView({ store, onShell }: { store: EventsStore; onShell: () => void }) {
  const s = useStore(store);
  const [search, setSearch] = useState(s.filters.text);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (search === store.getState().filters.text) return;
    const timer = setTimeout(() => void store.getState().setFilters({ text: search }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search, store]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '/' && !isTyping(event)) {
        event.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const filtered =
    s.filters.failedOnly || s.filters.longRunning || s.filters.kind !== '' || s.filters.text.trim() !== '';
  const shownBefore = s.previousCounts.reduce((sum, n) => sum + n, 0);
  const first = shownBefore + 1;
  const last = shownBefore + s.events.length;
  // "at least": the hub stopped counting (10,000 matches, or a bounded walk); never a made-up figure.
  const total = `${s.totalIsLowerBound ? 'at least ' : ''}${s.total.toLocaleString()}`;
  const noHistory = s.status === 'ready' && s.health?.event_count === 0 && !filtered;

  return (
    <div className={`view events-view ${s.selected ? 'with-detail' : ''}`}>
      <div className="list-pane">
        <div className="toolbar" role="search">
          <input
            ref={searchRef}
            type="search"
            placeholder="Search commands and output  ( / )"
            aria-label="Search events"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <label
            className="check"
            title="Exit code other than 0, as the notification rules say: Ctrl-C (130) and a kill (143) are no failure"
          >
            <input
              type="checkbox"
              checked={s.filters.failedOnly}
              onChange={(e) => void s.setFilters({ failedOnly: e.target.checked })}
            />{' '}
            Failed only
          </label>
          <label
            className="check"
            title={`Longer than ${formatDuration(s.thresholdMs)}, leaving out the programs on the ignore list (the notification rules)`}
          >
            <input
              type="checkbox"
              checked={s.filters.longRunning}
              onChange={(e) => void s.setFilters({ longRunning: e.target.checked })}
            />{' '}
            Long-running
          </label>
          <select
            aria-label="Kind"
            value={s.filters.kind}
            onChange={(e) => void s.setFilters({ kind: e.target.value as KindFilter })}
          >
            <option value="">All kinds</option>
            <option value="shell">shell</option>
            <option value="git">git</option>
            <option value="system">system</option>
            <option value="agent">agent</option>
          </select>
          {filtered && (
            <button
              type="button"
              className="secondary small"
              onClick={() => {
                setSearch('');
                void s.setFilters(NO_FILTERS);
              }}
            >
              Clear filters
            </button>
          )}
        </div>
        <ErrorBanner error={s.error} />
        {s.arrivedMeanwhile > 0 && (
          <p className="banner info">
            {s.arrivedMeanwhile} new {s.arrivedMeanwhile === 1 ? 'event' : 'events'} since this page was loaded.{' '}
            <button type="button" className="link" onClick={() => void s.newestPage()}>
              Show the newest
            </button>
          </p>
        )}
        {noHistory && s.health && <EmptyState apiUrl={s.health.api_url} onShell={onShell} />}
        {!noHistory && s.events.length > 0 && (
          <EventsTable events={s.events} selectedId={s.selectedId} onSelect={(id) => void s.select(id)} />
        )}
        {s.status === 'ready' && <SearchNotes search={s.search} partial={s.partial} />}
        {!noHistory && s.status === 'ready' && s.events.length === 0 && !s.partial && (
          <p className="muted center">No events match these filters.</p>
        )}
        {s.status === 'ready' && s.events.length === 0 && s.partial && (
          <p className="muted center">
            No match among the events looked at so far.{' '}
            <button type="button" className="link" onClick={() => void s.olderPage()}>
              Look further back
            </button>
          </p>
        )}
        {s.status === 'loading' && s.events.length === 0 && <p className="muted center">Loading…</p>}
        {s.events.length > 0 && (
          <nav className="pager" aria-label="Pages">
            <span>
              {first}–{last} of {total}
              {filtered ? ' matching' : ''}
            </span>
            <button
              type="button"
              className="secondary small"
              disabled={s.previous.length === 0}
              onClick={() => void s.newerPage()}
            >
              ← Newer
            </button>
            <button
              type="button"
              className="secondary small"
              disabled={s.nextCursor === null}
              onClick={() => void s.olderPage()}
            >
              Older →
            </button>
          </nav>
        )}
      </div>
      {s.selected && <EventDetail event={s.selected} onClose={() => void s.select(null)} />}
    </div>
  );
}
