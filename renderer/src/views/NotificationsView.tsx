import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { Badge, ErrorBanner } from '../components/common.tsx';
import { formatTime } from '../format.ts';
import type { NotificationsStore } from '../store/notifications-store.ts';

export function NotificationsView({ store }: { store: NotificationsStore }) {
  const s = useStore(store);
  const view = s.view;
  const [threshold, setThreshold] = useState('');
  const [newProgram, setNewProgram] = useState('');
  useEffect(() => {
    if (view) setThreshold(String(view.long_running_threshold_ms / 1000));
  }, [view?.long_running_threshold_ms]);

  if (!view)
    return (
      <div className="view">
        {s.status === 'error' ? <ErrorBanner error={s.error} /> : <p className="muted center">Loading…</p>}
      </div>
    );
  const fixed = (field: string) => view.env_overrides.find((o) => o.field === field);
  const note = (field: string) => {
    const o = fixed(field);
    return o ? (
      <span className="hint">
        Set by the environment variable {o.variable}; the config file's value does not apply.
      </span>
    ) : null;
  };
  const thresholdSeconds = Number(threshold);
  // Why a threshold cannot be saved, said next to it (null: it can).
  const thresholdProblem =
    threshold.trim() === '' || !Number.isFinite(thresholdSeconds)
      ? 'Enter a number of seconds.'
      : thresholdSeconds < 1
        ? 'At least 1 second: 0 would report every command as long-running.'
        : thresholdSeconds > 7 * 24 * 3600
          ? 'At most 604800 seconds (a week).'
          : null;
  const thresholdValid = thresholdProblem === null;
  const addProgram = () => {
    const name = newProgram.trim();
    if (!name || view.long_running_ignore.includes(name)) return;
    void s.update({ long_running_ignore: [...view.long_running_ignore, name] }).then((ok) => ok && setNewProgram(''));
  };

  return (
    <div className="view notifications-view">
      <ErrorBanner error={s.error} />
      <section className="card pause-card" aria-label="Pause">
        <header>
          <h2>Desktop notifications</h2>
          {view.pause.paused ? <Badge tone="warn">paused</Badge> : <Badge tone="ok">on</Badge>}
        </header>
        <p>
          {view.pause.paused
            ? view.pause.until
              ? `Paused until ${formatTime(view.pause.until)}. Events are still recorded; nothing pops up.`
              : 'Paused until you resume. Events are still recorded; nothing pops up.'
            : 'A failed or long-running command raises a notification, following the rules below.'}
        </p>
        <div className="actions">
          {view.pause.paused ? (
            <button type="button" onClick={() => void s.resume()}>
              Resume notifications
            </button>
          ) : (
            <>
              <button type="button" className="secondary" onClick={() => void s.pause(60)}>
                Pause for 1 hour
              </button>
              <button type="button" className="secondary" onClick={() => void s.pause(null)}>
                Pause until resumed
              </button>
            </>
          )}
        </div>
        <p className="hint">The pause is shared with the tray menu and survives a restart.</p>
      </section>

      <section className="card" aria-label="Rules">
        <h2>Rules</h2>
        <p className="hint">
          Saved to the <code>[notifications]</code> table of <code>{view.config_path}</code> and applied at once.
        </p>
        <label className="toggle">
          <input
            type="checkbox"
            checked={view.on_failure}
            disabled={s.saving}
            onChange={(e) => void s.update({ on_failure: e.target.checked })}
          />
          <span>
            <strong>When a command fails</strong> (exit code other than 0; Ctrl-C is not a failure)
          </span>
        </label>
        {note('on_failure')}
        <label className="toggle">
          <input
            type="checkbox"
            checked={view.on_long_running}
            disabled={s.saving}
            onChange={(e) => void s.update({ on_long_running: e.target.checked })}
          />
          <span>
            <strong>When a long-running command finishes</strong>
          </span>
        </label>
        {note('on_long_running')}
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (thresholdValid) void s.update({ long_running_threshold_ms: Math.round(thresholdSeconds * 1000) });
          }}
        >
          <label>
            Long-running means longer than
            <input
              aria-label="Threshold in seconds"
              type="number"
              min={1}
              step="any"
              aria-invalid={!thresholdValid}
              aria-describedby={thresholdValid ? undefined : 'threshold-problem'}
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
            />{' '}
            seconds
          </label>
          <button
            type="submit"
            className="secondary small"
            disabled={!thresholdValid || Math.round(thresholdSeconds * 1000) === view.long_running_threshold_ms}
          >
            Save
          </button>
        </form>
        {!thresholdValid && (
          <p className="field-error" id="threshold-problem">
            {thresholdProblem}
          </p>
        )}
        {note('long_running_threshold_ms')}
        {s.notice && (
          <p className="banner ok small" role="status">
            {s.notice}
          </p>
        )}
      </section>

      <section className="card" aria-label="Ignore list">
        <h2>Never report as long-running</h2>
        <p className="hint">
          Programs you keep open on purpose (editors, pagers, ssh). Matched on the program a command runs, also behind
          sudo, env or time.
        </p>
        <ul className="chips">
          {view.long_running_ignore.map((program) => (
            <li key={program}>
              <code>{program}</code>
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${program}`}
                onClick={() =>
                  void s.update({ long_running_ignore: view.long_running_ignore.filter((p) => p !== program) })
                }
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            addProgram();
          }}
        >
          <input
            aria-label="Program to ignore"
            placeholder="program, e.g. lazygit"
            value={newProgram}
            onChange={(e) => setNewProgram(e.target.value)}
          />
          <button type="submit" className="secondary small" disabled={newProgram.trim() === ''}>
            Add
          </button>
        </form>
      </section>
    </div>
  );
}
