import { claudeStyleAdapter, CLAUDE_EVENTS } from './claude.ts';
import type { AgentAdapter } from './agent-adapter.ts';

// Codex CLI's hooks (openai/codex codex-rs/hooks; schemas in codex-rs/hooks/schema/generated,
// checked 2026): Claude Code's protocol — the same stdin fields and hookSpecificOutput answers —
// with fewer events and output schemas that refuse unknown fields. Codex always gets JSON answers,
// which the tests validate against those schemas. It has no Notification, SessionEnd or
// PostToolUseFailure; those names (and any newer event) pass untouched.
const CODEX_EVENTS = new Set(['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop', 'SubagentStart', 'SubagentStop', 'PreCompact']);

export const codexAdapter: AgentAdapter = claudeStyleAdapter({
  id: 'codex',
  label: 'Codex',
  source: 'codex',
  events: (name) => (CODEX_EVENTS.has(name) ? CLAUDE_EVENTS[name] : undefined),
  alwaysJson: true,
});
