// What the safety guard reports when it blocks a command, built the same way by every check.

export interface GuardFinding {
  /** Rule id, e.g. rm-recursive-force, git-push-force, sql-drop, user-deny. */
  rule: string;
  /** The simple command (or script) that matched, on one line and shortened. */
  command: string;
  reason: string;
}

/** On one line, at most `max` characters. */
export function shorten(text: string, max = 160): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export function finding(rule: string, command: string, reason: string): GuardFinding {
  return { rule, command: shorten(command), reason };
}
