import { copyFileSync, existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ErrorCode, HookboxError } from '../errors.ts';
import { shellWord } from '../util/shell-words.ts';
import type { AgentAdapter, HooksFileSpec } from './agent-adapter.ts';
import { codexFeatureFile, disableCodexHooksFlag, enableCodexHooksFlag, codexHooksFlag } from './codex-features.ts';
import { realFile, writeText } from './config-file-io.ts';
import {
  appendElement,
  detectStyle,
  insertProperty,
  nodeAt,
  parseJsonText,
  removeChild,
  sameTokens,
  valueOf,
  type JsonNode,
} from './json-text-edit.ts';

// `hookbox agents install|uninstall|status AGENT`: Hookbox's entries in a coding agent's own hooks
// file, written with minimal text edits. Ours are recognised by their command (the hookbox
// launcher running `agent-hook` or `claude-hook`), since none of these files has room for a
// marker. Install is idempotent; every entry and every byte it did not write is kept; a symlinked
// file is written through (the link stays); a file that does not parse is refused. Before each
// change the file is copied beside itself (FILE.hookbox-backup-<UTC time>); uninstall writes that
// copy back byte for byte when removing our entries leaves the same JSON (tokens and comments) —
// so whitespace the edit cannot know (`"hooks": {}`) comes back exactly — and removes a file
// Hookbox created.

/**
 * The command an agent runs for each event: `base` (the hookbox launcher running
 * `agent-hook AGENT`, or the user's --command) and the event's own arguments (Copilot: --event).
 */
export function eventCommands(spec: HooksFileSpec, base: string): (event: string) => string {
  return (event) => [base, ...(spec.args?.(event) ?? []).map(shellWord)].join(' ');
}

/** The agent hook's own bundle, built beside bin/hookbox by `npm run build:cli` (scripts/build-cli.ts). */
export const AGENT_HOOK_BUNDLE = 'out/cli/agent-hook.cjs';

/**
 * `agent-hook AGENT` after the words that start this installation's hookbox. When those are Node
 * running bin/hookbox and the agent hook's bundle is built beside it, Node runs the bundle itself:
 * the launcher (an ES module that first checks the CLI bundle against every source file) took
 * about a fifth of each hook call (docs/benchmarks.md). In a source checkout, rebuild after
 * changing the sources (`npm run build:cli`; `npm run serve` does it).
 */
export function agentHookBase(launcher: readonly string[], agent: string): string {
  const [node, script, ...flags] = launcher;
  const bundle = script && basename(script) === 'hookbox' ? join(dirname(dirname(script)), AGENT_HOOK_BUNDLE) : null;
  const words = node && bundle && existsSync(bundle) ? [node, bundle, ...flags] : launcher;
  return [...words, 'agent-hook', agent].map(shellWord).join(' ');
}

/** True for a command this installer wrote: the hookbox launcher (or the hook's bundle) running agent-hook or claude-hook. */
export function isHookboxCommand(command: unknown): boolean {
  return (
    typeof command === 'string' &&
    /(^|[\s'"/])(hookbox(\.ts|\.mjs)?|agent-hook\.cjs)['"]?(\s|$)/.test(command) &&
    /(^|\s)(claude-hook|agent-hook)(\s|$)/.test(command)
  );
}

/** Claude Code's http form served by the hub: POST …/agents/claude/hook. */
export function isHookboxUrl(url: unknown): boolean {
  return typeof url === 'string' && /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/agents\/claude\/hook$/.test(url);
}

function isOurHook(hook: unknown): boolean {
  const h = hook as { command?: unknown; bash?: unknown; type?: unknown; url?: unknown } | null;
  return isHookboxCommand(h?.command ?? h?.bash) || (h?.type === 'http' && isHookboxUrl(h.url));
}

function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function backup(file: string, now: Date): string {
  let path = `${file}.hookbox-backup-${stamp(now)}`;
  for (let n = 1; existsSync(path); n += 1) path = `${file}.hookbox-backup-${stamp(now)}-${n}`;
  copyFileSync(file, path);
  return path;
}

/** The copies taken before each change, oldest first: `<UTC stamp>[-N]` (N counts copies within one second). */
function backupsOf(file: string): string[] {
  const prefix = `${basename(file)}.hookbox-backup-`;
  let names: string[];
  try {
    names = readdirSync(dirname(file)).filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
  const key = (name: string) => {
    const [time = '', n = '0'] = name.slice(prefix.length).split('-');
    return { time, n: Number(n) };
  };
  names.sort((a, b) => key(a).time.localeCompare(key(b).time) || key(a).n - key(b).n);
  return names.map((n) => resolve(dirname(file), n));
}

interface Ours {
  /** Elements of hooks[event] that are ours alone. */
  elements: JsonNode[];
  /** Our hooks inside a group that also holds the user's. */
  inner: { group: JsonNode; hook: JsonNode }[];
}

function oursIn(list: JsonNode, grouped: boolean): Ours {
  const ours: Ours = { elements: [], inner: [] };
  for (const element of list.children ?? []) {
    if (!grouped) {
      if (isOurHook(valueOf(element))) ours.elements.push(element);
      continue;
    }
    const hooks = nodeAt(element, ['hooks']);
    if (hooks?.type !== 'array') continue;
    const mine = (hooks.children ?? []).filter((h) => isOurHook(valueOf(h)));
    if (mine.length === 0) continue;
    if (mine.length === (hooks.children ?? []).length) ours.elements.push(element);
    else for (const hook of mine) ours.inner.push({ group: hooks, hook });
  }
  return ours;
}

function readText(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

function hooksNode(file: string, tree: JsonNode | undefined): JsonNode | undefined {
  const hooks = nodeAt(tree, ['hooks']);
  if (hooks && hooks.type !== 'object')
    throw new HookboxError(ErrorCode.InvalidInput, `${file}: "hooks" must be an object; nothing was changed`);
  for (const event of hooks?.children ?? []) {
    const list = event.children?.[1];
    if (list && list.type !== 'array')
      throw new HookboxError(
        ErrorCode.InvalidInput,
        `${file}: hooks.${String(valueOf(event.children?.[0]))} must be a list; nothing was changed`,
      );
  }
  return hooks;
}

/** Removes our elements and hooks from hooks[event]; the event's list goes too when only ours was in it. */
function removeOurs(
  text: string,
  file: string,
  spec: HooksFileSpec,
  event: string,
  dropEmptyList: boolean,
): { text: string; removed: number } {
  let removed = 0;
  for (;;) {
    const tree = parseJsonText(file, text);
    const hooks = hooksNode(file, tree);
    const property = hooks?.children?.find((p) => valueOf(p.children?.[0]) === event);
    const list = property?.children?.[1];
    if (!hooks || !property || !list) return { text, removed };
    const ours = oursIn(list, spec.grouped);
    if (ours.inner.length > 0) {
      text = removeChild(text, ours.inner[0]!.group, ours.inner[0]!.hook);
    } else if (ours.elements.length > 0) {
      text =
        ours.elements.length === (list.children ?? []).length && dropEmptyList
          ? removeChild(text, hooks, property)
          : removeChild(text, list, ours.elements[0]!);
    } else {
      return { text, removed };
    }
    removed += 1;
  }
}

/** The oldest copy holds nothing but Hookbox's entries: the file was Hookbox's from the start. */
function createdByHookbox(
  file: string,
  spec: HooksFileSpec,
  oldest: string,
  bare: (value: unknown) => boolean,
): boolean {
  try {
    let text = readFileSync(oldest, 'utf8');
    if (text.trim() === '') return false;
    let removed = 0;
    for (const event of Object.keys(
      (valueOf(nodeAt(parseJsonText(file, text), ['hooks'])) as Record<string, unknown>) ?? {},
    )) {
      const next = removeOurs(text, file, spec, event, true);
      text = next.text;
      removed += next.removed;
    }
    // A copy without our entries is the user's own file from before any install.
    if (removed === 0) return false;
    const left = valueOf(parseJsonText(file, text)) as Record<string, unknown>;
    const { hooks, ...rest } = left;
    return bare(left) || (bare(rest) && isDeepStrictEqual(hooks, {}));
  } catch {
    return false;
  }
}

/** An emptied `"hooks": {}` goes when Hookbox brought it (the copy from before install had none). */
function dropEmptyHooks(file: string, text: string, before: string | null): string {
  const root = parseJsonText(file, text);
  const property = root?.children?.find((p) => valueOf(p.children?.[0]) === 'hooks');
  if (!root || !property || (property.children?.[1]?.children ?? []).length > 0) return text;
  let hadHooks = false;
  try {
    hadHooks = before !== null && nodeAt(parseJsonText(file, before), ['hooks']) !== undefined;
  } catch {
    hadHooks = true;
  }
  return hadHooks ? text : removeChild(text, root, property);
}

export interface InstallReport {
  file: string;
  changed: boolean;
  backup: string | null;
  added: string[];
  updated: string[];
  unchanged: string[];
  /** Codex: what happened to `[features] codex_hooks` in config.toml. */
  flag: string | null;
}

export function installAgentHooks(
  adapter: AgentAdapter,
  spec: HooksFileSpec,
  options: {
    file: string;
    command: (event: string) => string;
    entry?: (event: string) => Record<string, unknown>;
    now?: Date;
  },
): InstallReport {
  const file = realFile(options.file);
  const original = readText(file);
  let text = original ?? '';
  const tree = parseJsonText(file, text);
  hooksNode(file, tree);
  const report: InstallReport = {
    file,
    changed: false,
    backup: null,
    added: [],
    updated: [],
    unchanged: [],
    flag: null,
  };
  const style = detectStyle(text);

  for (const event of spec.events) {
    const wanted = options.entry ? options.entry(event) : spec.entry(event, options.command(event));
    const current = parseJsonText(file, text);
    const list = nodeAt(current, ['hooks', event]);
    if (list) {
      const ours = oursIn(list, spec.grouped);
      if (
        ours.inner.length === 0 &&
        ours.elements.length === 1 &&
        isDeepStrictEqual(valueOf(ours.elements[0]), wanted)
      ) {
        report.unchanged.push(event);
        continue;
      }
      const { text: cleaned, removed } = removeOurs(text, file, spec, event, false);
      text = cleaned;
      const again = nodeAt(parseJsonText(file, text), ['hooks', event])!;
      text = appendElement(text, again, wanted, style);
      (removed > 0 ? report.updated : report.added).push(event);
      continue;
    }
    if (text.trim() === '') text = `${JSON.stringify(spec.skeleton, null, 2)}\n`;
    const root = parseJsonText(file, text)!;
    const hooks = nodeAt(root, ['hooks']);
    text = hooks
      ? insertProperty(text, hooks, event, [wanted], style)
      : insertProperty(text, root, 'hooks', { [event]: [wanted] }, style);
    report.added.push(event);
  }
  // A file only a newline away from what we wrote is ours to finish with one.
  if (original === null && !text.endsWith('\n')) text += '\n';

  if (report.added.length > 0 || report.updated.length > 0) {
    if (original !== null) report.backup = backup(file, options.now ?? new Date());
    writeText(file, text);
    report.changed = true;
  }
  if (adapter.id === 'codex') report.flag = enableCodexHooksFlag(codexFeatureFile(options.file));
  return report;
}

export interface UninstallReport {
  file: string;
  changed: boolean;
  backup: string | null;
  removed: number;
  /** The file is gone: Hookbox had created it. */
  deleted: boolean;
  restored: boolean;
  flag: string | null;
}

export function uninstallAgentHooks(
  adapter: AgentAdapter,
  spec: HooksFileSpec,
  options: { file: string; now?: Date },
): UninstallReport {
  const file = realFile(options.file);
  const report: UninstallReport = {
    file,
    changed: false,
    backup: null,
    removed: 0,
    deleted: false,
    restored: false,
    flag: null,
  };
  const original = readText(file);
  if (original !== null) {
    parseJsonText(file, original);
    let text = original;
    for (const event of spec.events.concat(
      Object.keys((valueOf(nodeAt(parseJsonText(file, text), ['hooks'])) as Record<string, unknown>) ?? {}),
    )) {
      const { text: next, removed } = removeOurs(text, file, spec, event, true);
      text = next;
      report.removed += removed;
    }
    if (report.removed > 0) {
      const copies = backupsOf(file);
      const previous = copies.at(-1) ?? null;
      const before = previous ? readFileSync(previous, 'utf8') : null;
      text = dropEmptyHooks(file, text, before);
      const bare = (value: unknown) =>
        isDeepStrictEqual(value, {}) ||
        isDeepStrictEqual(value, spec.skeleton) ||
        isDeepStrictEqual(value, { ...spec.skeleton, hooks: {} });
      if (
        bare(valueOf(parseJsonText(file, text))) &&
        (copies.length === 0 || createdByHookbox(file, spec, copies[0]!, bare))
      ) {
        // Hookbox created the file and nothing else is in it.
        unlinkSync(file);
        report.deleted = true;
      } else {
        report.backup = backup(file, options.now ?? new Date());
        if (before !== null && sameTokens(before, text)) {
          // The copy taken before install, byte for byte (whitespace the edits could not know).
          writeText(file, before);
          report.restored = true;
        } else {
          writeText(file, text);
        }
      }
      report.changed = true;
    }
  }
  if (adapter.id === 'codex') report.flag = disableCodexHooksFlag(codexFeatureFile(options.file));
  return report;
}

export interface StatusReport {
  agent: string;
  file: string;
  exists: boolean;
  /** The agent's config folder exists (it has been run on this machine). */
  detected: boolean;
  installed: string[];
  missing: string[];
  problem: string | null;
  flag: string | null;
}

/** The agent's own folder for a file under `root` (~/.copilot for ~/.copilot/hooks/hookbox.json). */
function agentFolder(file: string, root: string | undefined): string {
  if (root && file.startsWith(`${root}/`)) return join(root, file.slice(root.length + 1).split('/')[0]!);
  return dirname(file);
}

export function agentHooksStatus(
  adapter: AgentAdapter,
  spec: HooksFileSpec,
  options: { file: string; root?: string },
): StatusReport {
  const file = realFile(options.file);
  const detected = existsSync(agentFolder(options.file, options.root));
  const report: StatusReport = {
    agent: adapter.id,
    file,
    exists: existsSync(file),
    detected,
    installed: [],
    missing: [],
    problem: null,
    flag: null,
  };
  try {
    const tree = parseJsonText(file, readText(file) ?? '');
    for (const event of spec.events) {
      const list = nodeAt(tree, ['hooks', event]);
      const ours = list ? oursIn(list, spec.grouped) : { elements: [], inner: [] };
      (ours.elements.length + ours.inner.length > 0 ? report.installed : report.missing).push(event);
    }
  } catch (error) {
    report.problem = (error as Error).message;
  }
  if (adapter.id === 'codex') report.flag = codexHooksFlag(codexFeatureFile(options.file));
  return report;
}
