import { join, resolve } from 'node:path';
import { claudeStyleAdapter, CLAUDE_EVENTS, CLAUDE_HOOK_TIMEOUT_S } from './claude.ts';
import type { AgentAdapter } from './agent-adapter.ts';

// Codex CLI's hooks (openai/codex codex-rs/hooks; schemas in codex-rs/hooks/schema/generated,
// checked 2026): Claude Code's protocol — the same stdin fields and hookSpecificOutput answers —
// with fewer events and output schemas that refuse unknown fields. Codex always gets JSON answers,
// which the tests validate against those schemas. It has no Notification, SessionEnd or
// PostToolUseFailure; those names (and any newer event) pass untouched.
const CODEX_EVENTS = new Set([
  'SessionStart',
  'UserPromptSubmit',
  'PreToolUse',
  'PermissionRequest',
  'PostToolUse',
  'Stop',
  'SubagentStart',
  'SubagentStop',
  'PreCompact',
]);

export const codexAdapter: AgentAdapter = claudeStyleAdapter({
  id: 'codex',
  label: 'Codex',
  source: 'codex',
  events: (name) => (CODEX_EVENTS.has(name) ? CLAUDE_EVENTS[name] : undefined),
  alwaysJson: true,
  // ~/.codex/hooks.json ($CODEX_HOME) or <repo>/.codex/hooks.json, in Claude Code's shape; the
  // installer also turns on `[features] codex_hooks` in the config.toml beside it.
  hooksFile: {
    path: ({ project, env, home }) =>
      project !== undefined
        ? join(resolve(project), '.codex', 'hooks.json')
        : join(env.CODEX_HOME || join(home, '.codex'), 'hooks.json'),
    events: [...CODEX_EVENTS],
    entry: (_event, command) => ({ hooks: [{ type: 'command', command, timeout: CLAUDE_HOOK_TIMEOUT_S }] }),
    skeleton: {},
    grouped: true,
  },
});
