import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { Badge, ErrorBanner } from '../components/common.tsx';
import { formatTime } from '../format.ts';
import type { NotificationsStore } from '../store/notifications-store.ts';
import type { NotificationSettingsView } from '../../../main/shared/api-contract.ts';

type When = NotificationSettingsView['failure_when'];
const WHEN_LABELS: Record<When, string> = {
  always: 'always',
  unfocused: 'only when its terminal is not in front',
  never: 'never',
};

/** "Notify: always | only when its terminal is not in front | never" for one rule, its default said beside it. */
function WhenChoice(props: {
  id: string;
  /** The select's name for assistive technology: both rules' selects read "Notify" on screen. */
  name: string;
  value: When;
  disabled: boolean;
  defaultValue: When;
  why: string;
  onChange: (value: When) => void;
}) {
  return (
    <div className="when-choice">
      <label htmlFor={props.id}>Notify</label>{' '}
      <select
        id={props.id}
        aria-label={props.name}
        value={props.value}
        disabled={props.disabled}
        aria-describedby={`${props.id}-default`}
        onChange={(e) => props.onChange(e.target.value as When)}
      >
        {(Object.keys(WHEN_LABELS) as When[]).map((when) => (
          <option key={when} value={when}>
            {WHEN_LABELS[when]}
          </option>
        ))}
      </select>
      <span className="hint" id={`${props.id}-default`}>
        Default: {WHEN_LABELS[props.defaultValue]} — {props.why}
      </span>
    </div>
  );
}

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
        <WhenChoice
          id="failure-when"
          name="When a failure notifies"
          value={view.failure_when}
          disabled={s.saving || !view.on_failure}
          defaultValue="always"
          why="a failure is news even in the window you are watching."
          onChange={(failure_when) => void s.update({ failure_when })}
        />
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
        <WhenChoice
          id="long-running-when"
          name="When a long run notifies"
          value={view.long_running_when}
          disabled={s.saving || !view.on_long_running}
          defaultValue="unfocused"
          why="a build you are watching needs no notification."
          onChange={(long_running_when) => void s.update({ long_running_when })}
        />
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

      <section className="card" aria-label="Terminal focus">
        <h2>Is the terminal in front?</h2>
        <p className="hint">
          "Only when its terminal is not in front" asks tmux, then the desktop: sway, Hyprland, niri, X11 (terminals
          that set $WINDOWID) or macOS (the frontmost application). Where it cannot tell, it notifies as "always" does.
        </p>
        {view.focus_unknown.length === 0 ? (
          <p className="muted">No command so far came from a terminal whose focus could not be told.</p>
        ) : (
          <>
            <p>Could not be told here (since Hookbox started), so those commands notify:</p>
            <ul className="focus-unknown">
              {view.focus_unknown.map((place) => (
                <li key={place.where}>
                  <strong>{place.where}</strong>: {place.why}
                </li>
              ))}
            </ul>
          </>
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
