import { firstEventCommand } from '../first-event.ts';

// The first-run view: how to send an event, pointed at this hub's address.
export function EmptyState({ apiUrl, onShell }: { apiUrl: string; onShell?: () => void }) {
  return (
    <section className="empty">
      <h2>No events yet</h2>
      <p>
        Hookbox records what your shells, git hooks and scripts send to {apiUrl}. Send a first event from a terminal:
      </p>
      <pre>
        <code>{firstEventCommand(apiUrl)}</code>
      </pre>
      <p className="hint">
        It appears here as soon as it is recorded.{' '}
        {onShell && (
          <>
            To record every command you run, install the{' '}
            <button type="button" className="link" onClick={onShell}>
              shell integration
            </button>
            .
          </>
        )}
      </p>
    </section>
  );
}
