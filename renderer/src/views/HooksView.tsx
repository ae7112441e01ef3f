import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type {
  HookRunDetail,
  HookStatus,
  HubHealth,
  LifecycleDelivery,
  LifecycleEventDetail,
  LifecycleEventRecord,
} from '../../../main/shared/api-contract.ts';
import {
  Badge,
  ErrorBanner,
  SelectableTable,
  Teach,
  useScrollIntoView,
  type TableColumn,
} from '../components/common.tsx';
import { formatDuration, formatTime, hookboxCommand } from '../format.ts';
import type { HooksStore } from '../store/hooks-store.ts';

const LIFECYCLE_COLUMNS: TableColumn[] = [
  { label: 'Time' },
  { label: 'Event' },
  { label: 'Source' },
  { label: 'Decision' },
  { label: 'Why' },
  { label: 'Took', numeric: true },
];
const RUN_COLUMNS: TableColumn[] = [
  { label: 'Time' },
  { label: 'Hook' },
  { label: 'Request' },
  { label: 'Outcome' },
  { label: 'HTTP', numeric: true },
  { label: 'Took', numeric: true },
];

const STATE_TONE: Record<HookStatus['state'], 'ok' | 'bad' | 'muted'> = {
  listening: 'ok',
  error: 'bad',
  disabled: 'muted',
};

function outcomeTone(outcome: string): 'ok' | 'bad' | 'warn' | 'muted' {
  if (outcome === 'injected') return 'ok';
  if (outcome === 'empty' || outcome === 'filtered' || outcome === 'duplicate') return 'muted';
  if (outcome === 'queue_full' || outcome === 'bad_signature' || outcome === 'method_not_allowed') return 'warn';
  return 'bad';
}

const DELIVERY_TONE: Record<LifecycleDelivery['state'], 'ok' | 'warn' | 'bad'> = {
  delivered: 'ok',
  pending: 'warn',
  dead: 'bad',
};

/** When a pending delivery is tried next: "now", "in 12 s", "in 3 min". */
function nextAttempt(delivery: LifecycleDelivery, now: number): string {
  if (delivery.state !== 'pending') return '—';
  const wait = delivery.next_attempt_at - now;
  if (wait <= 1000) return 'now';
  if (wait < 90_000) return `in ${Math.round(wait / 1000)} s`;
  return `in ${Math.round(wait / 60_000)} min`;
}

function DeliveryRow({
  delivery,
  retrying,
  onRetry,
  onOpenEvent,
}: {
  delivery: LifecycleDelivery;
  retrying: boolean;
  onRetry: () => void;
  onOpenEvent: () => void;
}) {
  return (
    <tr data-delivery-id={delivery.id} data-state={delivery.state}>
      <td>
        <time dateTime={delivery.created_at}>{formatTime(delivery.created_at)}</time>
      </td>
      <td>
        <button type="button" className="link" onClick={onOpenEvent} title="Open the lifecycle event">
          <code>{delivery.event}</code>
        </button>
      </td>
      <td title={delivery.url}>{delivery.hook}</td>
      <td>
        <Badge tone={DELIVERY_TONE[delivery.state]}>{delivery.state}</Badge>
      </td>
      <td className="numeric">
        {delivery.attempts}/{delivery.max_attempts}
      </td>
      <td className="small delivery-error">{delivery.last_error ?? ''}</td>
      <td className="small">{nextAttempt(delivery, Date.now())}</td>
      <td>
        {delivery.state === 'dead' && (
          <button
            type="button"
            className="secondary small"
            onClick={onRetry}
            disabled={retrying}
            title="Attempt this delivery once more, now"
          >
            {retrying ? 'Retrying…' : 'Retry'}
          </button>
        )}
      </td>
    </tr>
  );
}

function LifecycleEventRow({
  event,
  selected,
  onSelect,
}: {
  event: LifecycleEventRecord;
  selected: boolean;
  onSelect: () => void;
}) {
  const ref = useScrollIntoView<HTMLTableRowElement>(selected);
  return (
    <tr
      ref={ref}
      className={selected ? 'selected' : undefined}
      aria-selected={selected}
      onClick={onSelect}
      data-lifecycle-event-id={event.id}
    >
      <td>
        <time dateTime={event.received_at}>{formatTime(event.received_at)}</time>
      </td>
      <td>
        <code>{event.event}</code>
      </td>
      <td>{event.source}</td>
      <td>{event.allowed ? <Badge tone="ok">allowed</Badge> : <Badge tone="bad">blocked</Badge>}</td>
      <td className="small">{event.allowed ? '' : `${event.hook ? `${event.hook}: ` : ''}${event.reason ?? ''}`}</td>
      <td className="numeric">{formatDuration(event.duration_ms)}</td>
    </tr>
  );
}

function LifecycleEventPane({ detail, onClose }: { detail: LifecycleEventDetail; onClose: () => void }) {
  const { event } = detail;
  return (
    <aside className="detail" aria-label="Lifecycle event detail">
      <header>
        <h2>
          <code>{event.event}</code>
        </h2>
        <button type="button" className="secondary small" onClick={onClose}>
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>Decision</dt>
        <dd>
          {event.allowed ? <Badge tone="ok">allowed</Badge> : <Badge tone="bad">blocked</Badge>}
          {event.reason ? ` ${event.hook ? `${event.hook}: ` : ''}${event.reason}` : ''}
        </dd>
        <dt>Received</dt>
        <dd>
          {formatTime(event.received_at)} from {event.source}
        </dd>
        <dt>Id</dt>
        <dd>
          <code className="id">{event.id}</code>
        </dd>
      </dl>
      <h3>Data</h3>
      <pre className="output">{JSON.stringify(event.data, null, 2)}</pre>
      <h3>Handler runs</h3>
      {detail.runs.length === 0 ? (
        <p className="muted">None ran.</p>
      ) : (
        <ul className="plain">
          {detail.runs.map((run) => (
            <li key={run.id}>
              <strong>{run.hook}</strong> ({run.kind}): {run.outcome}
              {run.exit_code !== null ? `, exit ${run.exit_code}` : ''}, {formatDuration(run.duration_ms)}
              {run.error ? <span className="hook-error"> {run.error}</span> : null}
            </li>
          ))}
        </ul>
      )}
      <h3>Webhook deliveries</h3>
      {detail.deliveries.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="plain">
          {detail.deliveries.map((d) => (
            <li key={d.id}>
              {d.hook}: <Badge tone={DELIVERY_TONE[d.state]}>{d.state}</Badge> after {d.attempts} of {d.max_attempts}{' '}
              attempts{d.last_error ? `: ${d.last_error}` : ''}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

function HookCard({ hook, active, onClick }: { hook: HookStatus; active: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      className={`hook-card ${active ? 'selected' : ''}`}
      onClick={onClick}
      aria-pressed={active}
      data-hook={hook.name}
    >
      <header>
        <strong>{hook.name}</strong>
        <Badge tone={STATE_TONE[hook.state]}>{hook.state}</Badge>
      </header>
      <dl>
        <dt>Listens on</dt>
        <dd>
          <code>{hook.port ? `${hook.bind.replace(/:\d+$/, '')}:${hook.port}` : hook.bind}</code>
        </dd>
        <dt>Session</dt>
        <dd>
          {hook.session}
          {hook.claim && (
            <span className="hook-claim">
              {' '}
              (claimed by a running <code>hookbox run</code>)
            </span>
          )}
        </dd>
        <dt>Script</dt>
        <dd>
          <code title={hook.script}>{hook.script.split('/').pop()}</code>, {hook.timeout_s} s timeout
        </dd>
        {(hook.verify || hook.filtered) && (
          <>
            <dt>Checks</dt>
            <dd>
              {[hook.verify ? `${hook.verify} signature` : null, hook.filtered ? 'filters' : null]
                .filter(Boolean)
                .join(', ')}
            </dd>
          </>
        )}
        {(hook.running > 0 || hook.queued > 0) && (
          <>
            <dt>Now</dt>
            <dd>
              {hook.running} running, {hook.queued} queued
            </dd>
          </>
        )}
      </dl>
      {hook.error && <p className="hook-error">{hook.error}</p>}
    </button>
  );
}

function RunDetail({ run, store }: { run: HookRunDetail; store: HooksStore }) {
  const s = useStore(store);
  const [copied, setCopied] = useState<string | null>(null);
  // The "Copied" note belongs to the run it was for.
  useEffect(() => setCopied(null), [run.id]);
  return (
    <aside className="detail" aria-label="Run detail">
      <header>
        <h2>
          {run.method} {run.path}
          {run.query ? `?${run.query}` : ''}
        </h2>
        <button type="button" className="secondary small" onClick={() => void s.selectRun(null)}>
          Close
        </button>
      </header>
      <dl className="facts">
        <dt>Hook</dt>
        <dd>{run.hook}</dd>
        <dt>Outcome</dt>
        <dd>
          <Badge tone={outcomeTone(run.outcome)}>{run.outcome}</Badge> HTTP {run.status}
          {run.exit_code !== null ? `, exit ${run.exit_code}` : ''}
        </dd>
        <dt>Received</dt>
        <dd>
          {formatTime(run.received_at)} from {run.source_address}
        </dd>
        <dt>Took</dt>
        <dd>{formatDuration(run.duration_ms)}</dd>
        {run.replay_of && (
          <>
            <dt>Replay of</dt>
            <dd>
              <button type="button" className="link" onClick={() => void s.selectRun(run.replay_of)}>
                {run.replay_of}
              </button>
            </dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button
          type="button"
          onClick={() => void s.replayRun(run.id)}
          disabled={s.busy || run.body_truncated}
          title={
            run.body_truncated ? 'The body was truncated when recorded' : 'Send the same request through the hook again'
          }
        >
          {s.busy ? 'Replaying…' : 'Replay'}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void s.copyAsCurl(run.id).then(async (curl) => {
              if (curl === null) return;
              // One click copies; where the clipboard is refused, the command is shown to copy by hand.
              const copied = await navigator.clipboard?.writeText(curl).then(
                () => true,
                () => false,
              );
              setCopied(copied ? 'Copied' : 'Select the command below to copy it');
            })
          }
        >
          Copy as curl
        </button>
        {copied && (
          <span className="small copied" role="status">
            {copied}
          </span>
        )}
      </div>
      {s.replay && s.replay.replay_of === run.id && (
        <p className="banner info" role="status">
          Replayed: HTTP {s.replay.status}.{' '}
          <button type="button" className="link" onClick={() => void s.selectRun(s.replay!.run_id)}>
            Open the new run
          </button>
        </p>
      )}
      {s.curl && (
        <div className="curl">
          <pre className="output">{s.curl}</pre>
          <p className="muted small">Secret headers are masked.</p>
        </div>
      )}
      <h3>Headers</h3>
      <table className="headers">
        <tbody>
          {Object.entries(run.headers).map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>
                <code>{value}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>
        Body{' '}
        <span className="muted small">
          ({run.body_size} bytes{run.body_encoding === 'base64' ? ', base64' : ''})
        </span>
      </h3>
      {run.body ? <pre className="output">{run.body}</pre> : <p className="muted">Empty.</p>}
      <h3>stdout</h3>
      {run.stdout ? <pre className="output">{run.stdout}</pre> : <p className="muted">Empty.</p>}
      <h3>stderr</h3>
      {run.stderr ? <pre className="output">{run.stderr}</pre> : <p className="muted">Empty.</p>}
    </aside>
  );
}

function RunRow({
  run,
  selected,
  onSelect,
}: {
  run: {
    id: string;
    hook: string;
    method: string;
    path: string;
    outcome: string;
    status: number;
    duration_ms: number;
    received_at: string;
    replay_of: string | null;
    reason?: string | null;
  };
  selected: boolean;
  onSelect: () => void;
}) {
  const ref = useScrollIntoView<HTMLTableRowElement>(selected);
  return (
    <tr
      ref={ref}
      className={selected ? 'selected' : undefined}
      aria-selected={selected}
      onClick={onSelect}
      data-run-id={run.id}
    >
      <td>
        <time dateTime={run.received_at}>{formatTime(run.received_at)}</time>
      </td>
      <td>{run.hook}</td>
      <td>
        <code>
          {run.method} {run.path}
        </code>
        {run.replay_of && <span className="muted small"> (replay)</span>}
      </td>
      <td>
        <Badge tone={outcomeTone(run.outcome)}>{run.outcome}</Badge>
        {run.reason && <span className="muted small run-reason"> {run.reason}</span>}
      </td>
      <td className="numeric">{run.status}</td>
      <td className="numeric">{formatDuration(run.duration_ms)}</td>
    </tr>
  );
}

export function HooksView({
  store,
  onConfig,
  cli,
}: {
  store: HooksStore;
  onConfig: () => void;
  cli?: HubHealth['cli'] | undefined;
}) {
  const s = useStore(store);
  return (
    <div className={`view hooks-view ${s.run || s.lifecycleEvent ? 'with-detail' : ''}`}>
      <div className="list-pane">
        <ErrorBanner error={s.error} />
        {s.configError && (
          <p className="banner error" role="alert">
            Config problem: {s.configError}
          </p>
        )}
        {s.status === 'ready' && s.hooks.length === 0 && s.lifecycle.length === 0 ? (
          <Teach title="No webhook hooks yet">
            <p>
              A webhook hook listens on an address of its own, runs a script for every request it receives and writes
              what the script prints into a session's inbox. Add one with the form in the{' '}
              <button type="button" className="link" onClick={onConfig}>
                Config
              </button>{' '}
              view, or write it into the config file:
            </p>
            <pre>
              <code>
                {'[[hooks]]\nname = "github"\nbind = "127.0.0.1:9876"\nscript = "hooks/github.sh"\ntimeout = 30'}
              </code>
            </pre>
          </Teach>
        ) : (
          <div className="hook-cards">
            {s.hooks.map((hook) => (
              <HookCard
                key={hook.name}
                hook={hook}
                active={s.hookFilter === hook.name}
                onClick={() => void s.filterHook(s.hookFilter === hook.name ? null : hook.name)}
              />
            ))}
          </div>
        )}
        {s.lifecycle.length > 0 && (
          <>
            <h2 className="section-title">Lifecycle hooks</h2>
            <table className="lifecycle" aria-label="Lifecycle hooks">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Handler</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Runs</th>
                  <th scope="col">What it does</th>
                </tr>
              </thead>
              <tbody>
                {s.lifecycle.map((h) => (
                  <tr key={`${h.event}/${h.name}`} className={h.enabled ? undefined : 'muted'}>
                    <td>
                      <code>{h.event}</code>
                    </td>
                    <td>{h.name}</td>
                    <td>{h.kind}</td>
                    <td>
                      {!h.enabled ? (
                        <Badge tone="muted">disabled</Badge>
                      ) : h.in_chain ? (
                        <Badge tone="info">in chain, on failure {h.on_failure}</Badge>
                      ) : (
                        <Badge tone="muted">background</Badge>
                      )}{' '}
                      <span className="muted small">{h.timeout_s} s</span>
                    </td>
                    <td className="small">{h.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        {(s.deliveries.length > 0 || s.lifecycle.some((h) => h.kind === 'webhook')) && (
          <>
            <h2 className="section-title">Webhook deliveries</h2>
            {s.deliveries.length === 0 ? (
              <p className="muted">No lifecycle event has been sent to a webhook yet.</p>
            ) : (
              <div className="table-scroll">
                <table className="deliveries" aria-label="Webhook deliveries">
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Event</th>
                      <th scope="col">Webhook</th>
                      <th scope="col">State</th>
                      <th scope="col" className="numeric">
                        Attempts
                      </th>
                      <th scope="col">Last error</th>
                      <th scope="col">Next attempt</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {s.deliveries.map((d) => (
                      <DeliveryRow
                        key={d.id}
                        delivery={d}
                        retrying={s.retrying.includes(d.id)}
                        onRetry={() => void s.retryDelivery(d.id)}
                        onOpenEvent={() => void s.selectLifecycleEvent(d.event_id)}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
        {(s.lifecycleEvents.length > 0 || s.lifecycle.length > 0) && (
          <>
            <h2 className="section-title">Recent lifecycle events</h2>
            {s.lifecycleEvents.length === 0 ? (
              <p className="muted">
                None yet. Emit one:{' '}
                <code>{hookboxCommand(cli, ['emit', 'task.completed'], ['--data', '{"task_id":"t1"}'])}</code>
              </p>
            ) : (
              <SelectableTable
                className="lifecycle-events"
                label="Lifecycle events"
                columns={LIFECYCLE_COLUMNS}
                items={s.lifecycleEvents}
                selectedId={s.selectedLifecycleEventId}
                onSelect={(id) => void s.selectLifecycleEvent(id)}
                row={(event, selected) => (
                  <LifecycleEventRow
                    key={event.id}
                    event={event}
                    selected={selected}
                    onSelect={() => void s.selectLifecycleEvent(event.id)}
                  />
                )}
              />
            )}
          </>
        )}
        {s.hooks.length > 0 && (
          <>
            <h2 className="section-title">
              Recent runs{s.hookFilter ? ` of ${s.hookFilter}` : ''}
              {s.hookFilter && (
                <button type="button" className="link small" onClick={() => void s.filterHook(null)}>
                  show all hooks
                </button>
              )}
            </h2>
            {s.runs.length === 0 ? (
              <p className="muted">
                No requests yet. Send one:{' '}
                <code>
                  curl -X POST http://{s.hooks[0]!.bind.replace(/:\d+$/, '')}:{s.hooks[0]!.port ?? '?'}/ -d '{'{'}
                  "hello":"world"{'}'}'
                </code>
              </p>
            ) : (
              <SelectableTable
                className="runs"
                label="Hook runs"
                columns={RUN_COLUMNS}
                items={s.runs}
                selectedId={s.selectedRunId}
                onSelect={(id) => void s.selectRun(id)}
                row={(run, selected) => (
                  <RunRow key={run.id} run={run} selected={selected} onSelect={() => void s.selectRun(run.id)} />
                )}
              />
            )}
          </>
        )}
      </div>
      {s.run && <RunDetail run={s.run} store={store} />}
      {s.lifecycleEvent && (
        <LifecycleEventPane detail={s.lifecycleEvent} onClose={() => void s.selectLifecycleEvent(null)} />
      )}
    </div>
  );
}
