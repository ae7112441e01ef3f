// The request from agentd's documentation (seed 002) that sends a first event, pointed at this
// hub's address. Shown by the empty state; kept outside the .tsx so the tests can run it.
export function firstEventCommand(apiUrl: string): string {
  return [
    `curl -X POST ${apiUrl}/events \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{`,
    `    "kind": "shell",`,
    `    "command": "cargo build",`,
    `    "exit_code": 1,`,
    `    "duration_ms": 45000`,
    `  }'`,
  ].join('\n');
}
