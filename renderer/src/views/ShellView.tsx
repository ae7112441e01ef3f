import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { ShellTargetStatus } from '../../../main/shared/api-contract.ts';
import { Badge, ErrorBanner } from '../components/common.tsx';
import type { ShellStore } from '../store/shell-store.ts';

const WHAT: Record<ShellTargetStatus['target'], string> = {
  bash: 'Every command you run in bash is recorded, with its exit code and duration.',
  zsh: 'Every command you run in zsh is recorded, with its exit code and duration.',
  fish: 'Every command you run in fish is recorded, with its exit code and duration.',
  git: 'Commits, merges, checkouts and pushes in every repository, through a global core.hooksPath; existing hooks still run first.',
};

function tildify(path: string, home: string): string {
  return path === home ? '~' : path.startsWith(`${home}/`) ? `~/${path.slice(home.length + 1)}` : path;
}

function TargetCard({ status, store, home }: { status: ShellTargetStatus; store: ShellStore; home: string }) {
  const s = useStore(store);
  const result = s.results[status.target];
  const busy = s.busy === status.target;
  return (
    <section className="card shell-card" aria-label={status.target} data-target={status.target}>
      <header>
        <h3>{status.target}</h3>
        {status.installed ? (
          status.outdated ? (
            <Badge tone="warn">outdated</Badge>
          ) : (
            <Badge tone="ok">installed</Badge>
          )
        ) : (
          <Badge tone="muted">not installed</Badge>
        )}
      </header>
      <p>{WHAT[status.target]}</p>
      {status.reports_to && <p className="small">Reports to {status.reports_to}</p>}
      {status.note && <p className="hint">{status.note}</p>}
      <ul className="files">
        {status.files.map((file) => (
          <li key={file.path} className={file.exists ? '' : 'absent'}>
            <code>{tildify(file.path, home)}</code>{' '}
            <span className="muted small">
              {file.role}
              {file.exists ? '' : ', absent'}
            </span>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" disabled={busy} onClick={() => void s.install(status.target)}>
          {status.installed ? (status.outdated ? 'Update' : 'Install again') : 'Install'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy || !status.installed}
          onClick={() => void s.uninstall(status.target)}
        >
          Uninstall
        </button>
      </div>
      {result && (
        <div className="changes" role="status">
          <h4>What changed</h4>
          <ul>
            {result.changes.map((change) => (
              <li key={change.path + change.change}>
                <code>{tildify(change.path, home)}</code>: {change.change}
              </li>
            ))}
          </ul>
          {result.warnings.map((w) => (
            <p key={w} className="hint">
              Note: {w}
            </p>
          ))}
        </div>
      )}
    </section>
  );
}

export function ShellView({ store }: { store: ShellStore }) {
  const s = useStore(store);
  useEffect(() => {
    void store.getState().load();
  }, [store]);
  if (!s.overview)
    return (
      <div className="view">
        {s.status === 'error' ? <ErrorBanner error={s.error} /> : <p className="muted center">Loading…</p>}
      </div>
    );
  return (
    <div className="view shell-view">
      <p className="intro">
        Installs report to <code>{s.overview.base_url}</code> and edit files under <code>{s.overview.home}</code>. Each
        rc file gets one marked block; uninstall removes exactly that block. Open a new terminal after installing.
      </p>
      <ErrorBanner error={s.error} />
      <div className="shell-cards">
        {s.overview.targets.map((status) => (
          <TargetCard key={status.target} status={status} store={store} home={s.overview!.home} />
        ))}
      </div>
    </div>
  );
}
