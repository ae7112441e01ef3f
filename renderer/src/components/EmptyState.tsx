// The first-run view: how to send an event, with the request from agentd's documentation
// (seed 002) pointed at this hub's address.
export function firstEventCommand(apiUrl: string): string {
  return [
    `curl -X POST ${apiUrl}/events \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"kind": "shell", "command": "cargo build", "exit_code": 1, "duration_ms": 45000}'`,
  ].join('\n');
}

export function EmptyState({ apiUrl }: { apiUrl: string }) {
  return (
    <section className="empty">
      <h2>No events yet</h2>
      <p>Hookbox records what your shells, git hooks and scripts send to {apiUrl}. Send a first event from a terminal:</p>
      <pre>
        <code>{firstEventCommand(apiUrl)}</code>
      </pre>
      <p className="hint">It appears here as soon as it is recorded.</p>
    </section>
  );
}
