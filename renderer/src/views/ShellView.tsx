import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { AgentPartStatus, AgentStatus, ShellTargetStatus } from '../../../main/shared/api-contract.ts';
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
        <h2>{status.target}</h2>
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
          <h3>What changed</h3>
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

const PART_NAME: Record<AgentPartStatus['part'], string> = {
  hooks: 'Hooks (safety guard, history)',
  mcp: 'MCP server (hookbox mcp)',
};

function AgentPartRow({
  agent,
  part,
  store,
  home,
}: {
  agent: AgentStatus;
  part: AgentPartStatus;
  store: ShellStore;
  home: string;
}) {
  const unavailable = part.install_unavailable;
  const s = useStore(store);
  const key = `${agent.agent}:${part.part}` as const;
  const busy = s.agentBusy === key;
  const result = s.agentResults[key];
  return (
    <li className="agent-part" aria-label={`${agent.label} ${part.part}`} data-part={key}>
      <span>{PART_NAME[part.part]}</span>{' '}
      {part.installed ? (
        part.outdated ? (
          <Badge tone="warn">outdated</Badge>
        ) : (
          <Badge tone="ok">installed</Badge>
        )
      ) : (
        <Badge tone="muted">not installed</Badge>
      )}{' '}
      <code>{tildify(part.file.path, home)}</code>
      {part.file.exists ? '' : <span className="muted small"> absent</span>}
      {part.note && <p className="hint">{part.note}</p>}
      {unavailable && <p className="hint unavailable">Install unavailable: {unavailable}</p>}
      <div className="actions">
        <button
          type="button"
          disabled={busy || unavailable !== null}
          title={unavailable ?? undefined}
          onClick={() => void s.installAgent(agent.agent, part.part)}
        >
          {part.installed ? (part.outdated ? 'Update' : 'Install again') : 'Install'}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy || !part.installed}
          onClick={() => void s.uninstallAgent(agent.agent, part.part)}
        >
          Uninstall
        </button>
      </div>
      {result && (
        <div className="changes" role="status">
          <ul>
            {result.changes.map((change) => (
              <li key={change.path + change.change}>
                <code>{tildify(change.path, home)}</code>: {change.change}
              </li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

function AgentsSection({ store }: { store: ShellStore }) {
  const s = useStore(store);
  const overview = s.agents;
  if (!overview) return null;
  return (
    <section className="agents" aria-label="Agents">
      <h2>Agents</h2>
      <p className="intro">
        Hooks put each coding agent's tool calls through Hookbox's safety guard and into the Events history; the MCP
        server lets the agent read its session inbox. Only Hookbox's own entries are written; uninstall puts the file
        back as it was.
      </p>
      {overview.install_unavailable ? (
        <p className="hint" role="note">
          {overview.install_unavailable}
        </p>
      ) : (
        overview.launcher && (
          <p className="small">
            Agents will run <code>{overview.launcher}</code>
          </p>
        )
      )}
      <div className="shell-cards">
        {overview.agents.map((agent) => (
          <section key={agent.agent} className="card shell-card" aria-label={agent.label} data-agent={agent.agent}>
            <header>
              <h3>{agent.label}</h3>
              {agent.detected ? <Badge tone="ok">detected</Badge> : <Badge tone="muted">not detected</Badge>}
            </header>
            <ul className="files">
              {[agent.hooks, ...(agent.mcp ? [agent.mcp] : [])].map((part) => (
                <AgentPartRow key={part.part} agent={agent} part={part} store={store} home={overview.home} />
              ))}
            </ul>
          </section>
        ))}
      </div>
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
      <AgentsSection store={store} />
    </div>
  );
}
