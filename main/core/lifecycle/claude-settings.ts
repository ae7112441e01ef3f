import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ErrorCode, HookboxError } from '../errors.ts';
import { JsonTooDeepError, parseJsonInput } from '../util/json-input.ts';

// `hookbox claude install|uninstall`: our entries in Claude Code's settings.json, merged without
// disturbing anything else. Each Claude Code event gets its own matcher group holding only our
// command, so removing it never touches a group the user wrote. Ours are recognised by their
// command (the hookbox launcher followed by `claude-hook`), since Claude Code's settings schema
// has no room for a marker. The file is backed up before every change and replaced atomically;
// running install twice changes nothing the second time.

export interface ClaudeHookSpec {
  event: string;
  matcher?: string;
}

export const CLAUDE_HOOK_EVENTS: readonly ClaudeHookSpec[] = [
  { event: 'PreToolUse', matcher: 'Bash' },
  { event: 'PostToolUse', matcher: 'Bash' },
  { event: 'UserPromptSubmit' },
  { event: 'SessionStart' },
  { event: 'Notification' },
  { event: 'Stop' },
];

export const CLAUDE_HOOK_TIMEOUT_S = 60;

interface CommandHook {
  type: string;
  command?: string;
  timeout?: number;
  [key: string]: unknown;
}
interface MatcherGroup {
  matcher?: string;
  hooks?: CommandHook[];
  [key: string]: unknown;
}
type Settings = Record<string, unknown> & { hooks?: Record<string, MatcherGroup[]> };

/** ~/.claude/settings.json (or $CLAUDE_CONFIG_DIR), or DIR/.claude/settings.json for a project. */
export function claudeSettingsFile(options: { project?: string; env?: NodeJS.ProcessEnv }): string {
  if (options.project !== undefined) return join(resolve(options.project), '.claude', 'settings.json');
  const env = options.env ?? process.env;
  return join(env.CLAUDE_CONFIG_DIR || join(homedir(), '.claude'), 'settings.json');
}

/** True for a command this installer wrote: the hookbox launcher running `claude-hook`. */
export function isHookboxCommand(command: unknown): boolean {
  return typeof command === 'string' && /(^|[\s'"/])hookbox(\.ts|\.mjs)?['"]?(\s|$)/.test(command) && /(^|\s)claude-hook(\s|$)/.test(command);
}


function readSettings(file: string): { settings: Settings; existed: boolean } {
  if (!existsSync(file)) return { settings: {}, existed: false };
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') return { settings: {}, existed: true };
  let value: unknown;
  try {
    value = parseJsonInput(text, file);
  } catch (error) {
    if (error instanceof JsonTooDeepError) throw new HookboxError(ErrorCode.InvalidInput, `${error.message}; nothing was changed`);
    throw new HookboxError(ErrorCode.InvalidInput, `${file}: not valid JSON (${(error as Error).message}); fix it first, nothing was changed`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HookboxError(ErrorCode.InvalidInput, `${file}: must hold a JSON object; nothing was changed`);
  const settings = value as Settings;
  if (settings.hooks !== undefined && (typeof settings.hooks !== 'object' || settings.hooks === null || Array.isArray(settings.hooks))) {
    throw new HookboxError(ErrorCode.InvalidInput, `${file}: "hooks" must be an object; nothing was changed`);
  }
  for (const [event, groups] of Object.entries(settings.hooks ?? {})) {
    if (!Array.isArray(groups)) throw new HookboxError(ErrorCode.InvalidInput, `${file}: hooks.${event} must be a list; nothing was changed`);
  }
  return { settings, existed: true };
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Copies the file beside itself (settings.json.hookbox-backup-<UTC time>) and returns the copy's path. */
function backup(file: string, now: Date): string {
  let path = `${file}.hookbox-backup-${stamp(now)}`;
  for (let n = 1; existsSync(path); n += 1) path = `${file}.hookbox-backup-${stamp(now)}-${n}`;
  copyFileSync(file, path);
  return path;
}

function write(file: string, settings: Settings): void {
  mkdirSync(dirname(file), { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o644;
  const temp = `${file}.hookbox-tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode });
  renameSync(temp, file);
}

/** Removes our command from `groups`; groups we emptied go too. Returns how many were removed. */
function removeOurs(groups: MatcherGroup[]): { groups: MatcherGroup[]; removed: number } {
  let removed = 0;
  const kept: MatcherGroup[] = [];
  for (const group of groups) {
    if (!Array.isArray(group.hooks)) {
      kept.push(group);
      continue;
    }
    const hooks = group.hooks.filter((h) => !isHookboxCommand(h?.command));
    const gone = group.hooks.length - hooks.length;
    removed += gone;
    if (gone > 0 && hooks.length === 0) continue;
    kept.push(gone > 0 ? { ...group, hooks } : group);
  }
  return { groups: kept, removed };
}

export interface InstallReport {
  file: string;
  changed: boolean;
  backup: string | null;
  added: string[];
  updated: string[];
  unchanged: string[];
}

export function installClaudeHooks(file: string, command: string, options: { now?: Date; timeoutS?: number; events?: readonly ClaudeHookSpec[] } = {}): InstallReport {
  const { settings, existed } = readSettings(file);
  const timeout = options.timeoutS ?? CLAUDE_HOOK_TIMEOUT_S;
  const hooks: Record<string, MatcherGroup[]> = { ...(settings.hooks ?? {}) };
  const report: InstallReport = { file, changed: false, backup: null, added: [], updated: [], unchanged: [] };
  for (const spec of options.events ?? CLAUDE_HOOK_EVENTS) {
    const groups = hooks[spec.event] ?? [];
    const ours = groups.filter((g) => Array.isArray(g.hooks) && g.hooks.some((h) => isHookboxCommand(h?.command)));
    const exact =
      ours.length === 1 &&
      ours[0]!.hooks!.length === 1 &&
      (ours[0]!.matcher ?? '') === (spec.matcher ?? '') &&
      ours[0]!.hooks![0]!.command === command &&
      ours[0]!.hooks![0]!.timeout === timeout &&
      groups.filter((g) => Array.isArray(g.hooks)).flatMap((g) => g.hooks!).filter((h) => isHookboxCommand(h?.command)).length === 1;
    if (exact) {
      report.unchanged.push(spec.event);
      continue;
    }
    const { groups: cleaned, removed } = removeOurs(groups);
    cleaned.push({ ...(spec.matcher !== undefined ? { matcher: spec.matcher } : {}), hooks: [{ type: 'command', command, timeout }] });
    hooks[spec.event] = cleaned;
    (removed > 0 ? report.updated : report.added).push(spec.event);
  }
  if (report.added.length === 0 && report.updated.length === 0) return report;
  if (existed) report.backup = backup(file, options.now ?? new Date());
  write(file, { ...settings, hooks });
  report.changed = true;
  return report;
}

export interface UninstallReport {
  file: string;
  changed: boolean;
  backup: string | null;
  removed: number;
}

export function uninstallClaudeHooks(file: string, options: { now?: Date } = {}): UninstallReport {
  const { settings, existed } = readSettings(file);
  const report: UninstallReport = { file, changed: false, backup: null, removed: 0 };
  if (!existed || !settings.hooks) return report;
  const hooks: Record<string, MatcherGroup[]> = {};
  for (const [event, groups] of Object.entries(settings.hooks)) {
    const { groups: kept, removed } = removeOurs(groups);
    report.removed += removed;
    // An event list we emptied goes; one the user left empty stays as it was.
    if (removed > 0 && kept.length === 0) continue;
    hooks[event] = kept;
  }
  if (report.removed === 0) return report;
  report.backup = backup(file, options.now ?? new Date());
  const next: Settings = { ...settings, hooks };
  if (Object.keys(hooks).length === 0) delete next.hooks;
  write(file, next);
  report.changed = true;
  return report;
}
