import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { ErrorBanner } from '../components/common.tsx';
import { ConfigEditor, type ConfigEditorHandle } from '../components/ConfigEditor.tsx';
import type { ConfigSaveResult } from '../../../main/shared/api-contract.ts';
import { TAB_HINT } from '../editor/toml-editor.ts';
import { newHookProblems, VERIFY_CHOICES, type ConfigStore, type NewHook } from '../store/config-store.ts';
import type { HooksStore } from '../store/hooks-store.ts';

const EMPTY_HOOK: NewHook = {
  name: '',
  bind: '127.0.0.1:9876',
  script: '',
  timeout: 30,
  session: '',
  verify: '',
  secret: '',
  extra: '',
};

function AddHookForm({ store, existing }: { store: ConfigStore; existing: string[] }) {
  const s = useStore(store);
  const [hook, setHook] = useState<NewHook>(EMPTY_HOOK);
  const [tried, setTried] = useState(false);
  const [hubProblems, setHubProblems] = useState<Partial<Record<keyof NewHook, string>>>({});
  const problems = { ...newHookProblems(hook, existing), ...hubProblems };
  const choice = VERIFY_CHOICES.find((c) => c.value === hook.verify);
  const edit = (change: Partial<NewHook>) => {
    setHook({ ...hook, ...change });
    setHubProblems({});
  };
  const show = (field: keyof NewHook) =>
    tried && problems[field] ? <span className="field-error">{problems[field]}</span> : null;
  useEffect(() => {
    void s.loadScripts();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <form
      className="add-hook"
      aria-label="Add a hook"
      onSubmit={(e) => {
        e.preventDefault();
        setTried(true);
        if (Object.keys(newHookProblems(hook, existing)).length > 0) return;
        // The hub's own checks (the script exists, is a file and executable; the bind is free).
        void s.checkNewHook(hook).then((found) => {
          setHubProblems(found);
          if (Object.keys(found).length > 0) return;
          s.addHook(hook);
          setHook(EMPTY_HOOK);
          setTried(false);
        });
      }}
    >
      <h2>Add a webhook hook</h2>
      <label>
        Name
        <input name="name" value={hook.name} placeholder="github" onChange={(e) => edit({ name: e.target.value })} />
        {show('name')}
      </label>
      <label>
        Listen on
        <input name="bind" value={hook.bind} onChange={(e) => edit({ bind: e.target.value })} />
        {show('bind')}
      </label>
      <label>
        Script
        <input
          name="script"
          list="hookbox-scripts"
          value={hook.script}
          placeholder="hooks/github.sh"
          onChange={(e) => edit({ script: e.target.value })}
        />
        <datalist id="hookbox-scripts">
          {s.scripts.map((script) => (
            <option key={script} value={script} />
          ))}
        </datalist>
        <span className="hint">
          {s.scripts.length > 0
            ? `${s.scripts.length} executable ${s.scripts.length === 1 ? 'file' : 'files'} beside the config and in your home to pick from; `
            : 'An executable file; '}
          relative paths start at the config file's folder, ~/ is your home
        </span>
        {show('script')}
      </label>
      <label>
        Timeout (seconds)
        <input
          name="timeout"
          type="number"
          min={1}
          max={3600}
          value={hook.timeout ?? ''}
          onChange={(e) => edit({ timeout: e.target.value === '' ? null : Number(e.target.value) })}
        />
        {show('timeout')}
      </label>
      <label>
        Session <span className="hint">(optional; default "default")</span>
        <input name="session" value={hook.session} onChange={(e) => edit({ session: e.target.value })} />
        {show('session')}
      </label>
      <label>
        Verify senders <span className="hint">(checked before anything runs)</span>
        <select name="verify" value={hook.verify ?? ''} onChange={(e) => edit({ verify: e.target.value })}>
          <option value="">No check</option>
          {VERIFY_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      {choice && (
        <label>
          {choice.value === 'ed25519' ? 'Public key' : 'Secret'}
          <input
            name="secret"
            value={hook.secret ?? ''}
            placeholder={choice.value === 'ed25519' ? '64 hex digits' : '${WEBHOOK_SECRET}'}
            onChange={(e) => edit({ secret: e.target.value })}
          />
          <span className="hint">
            {choice.value === 'ed25519'
              ? 'As the sender shows it'
              : '${VARIABLE} reads it from the environment, so the file need not hold it'}
          </span>
          {show('secret')}
        </label>
      )}
      {choice?.extra && (
        <label>
          {choice.extra.label}
          <input name="extra" value={hook.extra ?? ''} onChange={(e) => edit({ extra: e.target.value })} />
          {show('extra')}
        </label>
      )}
      <button type="submit" className="secondary">
        Add to the config
      </button>
      <p className="hint">The hook is added to the text on the left; it starts listening when you save.</p>
    </form>
  );
}

function describeReport(report: {
  started: string[];
  stopped: string[];
  restarted: string[];
  failed: Array<{ name: string }>;
}): string {
  const parts = [
    ...report.started.map((n) => `${n} started`),
    ...report.restarted.map((n) => `${n} restarted`),
    ...report.stopped.map((n) => `${n} stopped`),
    ...report.failed.map((f) => `${f.name} failed`),
  ];
  return parts.length ? parts.join(', ') : 'no hook changed';
}

/** After a save: applied in full (ok), or saved with hooks that did not start (a warning, said once). */
function SaveOutcome({ result }: { result: ConfigSaveResult }) {
  const failed = result.report?.failed ?? [];
  if (failed.length > 0 || result.config_error)
    return (
      <div className="banner warn" role="alert">
        <p>Saved, but {failed.length > 0 ? `${failed.map((f) => f.name).join(', ')} did not start` : 'not applied'}:</p>
        <ul>
          {failed.length > 0
            ? failed.map((f) => (
                <li key={f.name}>
                  {f.name}: {f.error}
                </li>
              ))
            : [<li key="error">{result.config_error}</li>]}
        </ul>
      </div>
    );
  return (
    <p className="banner ok" role="status">
      Saved and applied: {result.report ? describeReport(result.report) : 'reloaded'}.
    </p>
  );
}

export function ConfigView({ store, hooks }: { store: ConfigStore; hooks: HooksStore }) {
  const s = useStore(store);
  const hookList = useStore(hooks, (h) => h.hooks);
  const hookNames = hookList.map((x) => x.name);
  const editor = useRef<ConfigEditorHandle | null>(null);
  const dirty = s.text !== s.savedText;
  const canSave = dirty && s.problems.length === 0 && !s.saving && !s.checking;
  const save = () => {
    if (store.getState().text !== store.getState().savedText) void store.getState().save();
  };

  return (
    <div className="view config-view">
      <div className="editor-pane">
        <header className="pane-header">
          <p className="muted small path">
            <code>{s.path}</code>
            {!s.exists && ' (not created yet: saving creates it)'}
          </p>
          <div className="actions">
            <span className={`save-state ${s.problems.length ? 'bad' : dirty ? 'warn' : 'ok'}`} role="status">
              {s.checking
                ? 'Checking…'
                : s.problems.length
                  ? `${s.problems.length} problem${s.problems.length > 1 ? 's' : ''}: not saved`
                  : dirty
                    ? 'Unsaved changes'
                    : 'Saved'}
            </span>
            <button type="button" className="secondary" disabled={!dirty} onClick={() => s.setText(s.savedText)}>
              Revert
            </button>
            <button type="button" disabled={!canSave} onClick={save} title="Ctrl+S">
              {s.saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </header>
        <ErrorBanner error={s.error} />
        {s.diskText !== null && (
          <div className="banner warn conflict" role="alert">
            <p>The config file changed on disk while you were editing it. Saving now would overwrite that change.</p>
            <div className="actions">
              <button type="button" onClick={() => s.reloadFromDisk()}>
                Reload from disk
              </button>
              <button type="button" className="secondary" onClick={() => s.keepMine()}>
                Keep mine
              </button>
            </div>
          </div>
        )}
        {s.configError && !dirty && !(s.lastSave?.saved && s.lastSave.config_error === s.configError) && (
          <p className="banner error" role="alert">
            The running config differs from the file: {s.configError}
          </p>
        )}
        {s.status !== 'idle' && (
          <ConfigEditor text={s.text} problems={s.problems} onChange={s.setText} onSave={save} handle={editor} />
        )}
        {s.problems.length > 0 && (
          <ul className="problems" aria-label="Problems">
            {s.problems.map((problem, i) => (
              <li key={i}>
                {problem.line !== null ? (
                  <button type="button" className="link" onClick={() => editor.current?.goToLine(problem.line!)}>
                    Line {problem.line}
                    {problem.column !== null ? `:${problem.column}` : ''}
                  </button>
                ) : (
                  <span>File</span>
                )}
                : {problem.message}
              </li>
            ))}
          </ul>
        )}
        {s.lastSave?.saved && !dirty && <SaveOutcome result={s.lastSave} />}
        <p className="hint">{TAB_HINT}</p>
        <p className="hint">
          Problems are checked as you type, with the checks the hub makes before it applies a config. A config with a
          problem is never saved: the running hooks keep listening.
        </p>
      </div>
      <AddHookForm store={store} existing={hookNames} />
    </div>
  );
}
