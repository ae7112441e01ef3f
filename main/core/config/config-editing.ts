import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Compile } from 'typebox/compile';
import { ErrorCode, HookboxError } from '../errors.ts';
import { writeAtomically } from '../shell/integration-files.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { ConfigFileSchema, parseConfigText, parseToml, type ConfigFile } from './config-file.ts';
import { hubConfigFrom } from './hub-config.ts';
import { resolveSettings } from './settings.ts';

// The window's config editor: the same checks the hub applies on reload, with each problem placed
// at a line of the text so the editor can show it there before anything is saved; and the
// surgical edit the Notifications view makes to the [notifications] table.

export interface ConfigProblem {
  message: string;
  /** 1-based; null when the problem has no place in the text (e.g. a missing required table). */
  line: number | null;
  column: number | null;
}

const checkConfigFile = Compile(ConfigFileSchema);

/**
 * Where each table and key of a TOML text is: "api" and "api.port", "hooks.0" and
 * "hooks.0.script" (array tables numbered from 0, as the schema errors number them), plus the
 * hook names. A line scanner, not a parser: it only has to find what a valid-enough file holds.
 */
export function mapConfigLines(text: string): { lines: Map<string, number>; hookIndexByName: Map<string, number> } {
  const lines = new Map<string, number>();
  const hookIndexByName = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  let table = '';
  let inMultiline: string | null = null;
  // A sub-table of an array table ([hooks.when] after the second [[hooks]]) belongs to its latest entry: hooks.1.when.
  const withinArray = (name: string): string => {
    const cut = name.indexOf('.');
    const parent = cut < 0 ? undefined : name.slice(0, cut);
    const count = parent === undefined ? undefined : arrayCounts.get(parent);
    return count === undefined ? name : `${parent}.${count - 1}${name.slice(cut)}`;
  };
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (inMultiline) {
      if (line.includes(inMultiline)) inMultiline = null;
      return;
    }
    const arrayHeader = /^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]/.exec(line);
    const header = arrayHeader ? null : /^\[\s*([A-Za-z0-9_.-]+)\s*\]/.exec(line);
    if (arrayHeader) {
      const name = withinArray(arrayHeader[1]!);
      const n = arrayCounts.get(name) ?? 0;
      arrayCounts.set(name, n + 1);
      table = `${name}.${n}`;
      lines.set(table, lineNo);
      return;
    }
    if (header) {
      table = withinArray(header[1]!);
      lines.set(table, lineNo);
      return;
    }
    const key = /^([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*=\s*(.*)$/.exec(line);
    if (!key) return;
    const path = (table ? `${table}.` : '') + key[1]!.replace(/\s+/g, '');
    if (!lines.has(path)) lines.set(path, lineNo);
    const value = key[2]!;
    for (const quote of ['"""', "'''"]) {
      if (value.startsWith(quote) && !value.slice(3).includes(quote)) inMultiline = quote;
    }
    if (/^hooks\.\d+$/.test(table) && key[1] === 'name') {
      const name = /^["']([^"']*)["']/.exec(value)?.[1];
      if (name !== undefined) hookIndexByName.set(name, Number(table.slice('hooks.'.length)));
    }
  });
  return { lines, hookIndexByName };
}

/** The line of a dotted field, or of the nearest enclosing table that is written down. */
function lineOfField(map: Map<string, number>, field: string): number | null {
  let path = field;
  for (;;) {
    const line = map.get(path);
    if (line !== undefined) return line;
    const cut = path.lastIndexOf('.');
    if (cut < 0) return null;
    path = path.slice(0, cut);
  }
}

/**
 * TOML's parser meets an unterminated string at the line's end ("control characters are not
 * allowed in strings", the newline): said plainly, at the opening quote.
 */
function unterminatedString(text: string, line: number, column: number, message: string): ConfigProblem {
  const lineText = text.split('\n')[line - 1] ?? '';
  if (!/control characters are not allowed in strings/.test(message) || column <= lineText.trimEnd().length)
    return { message, line, column };
  const quote = /=\s*(["'])/.exec(lineText);
  return {
    message: 'this string has no closing quote (a string ends on its own line)',
    line,
    column: quote ? quote.index + quote[0].length : column,
  };
}

function withoutFile(message: string, path: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}

/**
 * Every check the hub makes before applying a config (TOML syntax, the schema, each hook's
 * fields, script and bind, the notification URLs), stopping at the first problem as the hub
 * does. An empty list means the hub would apply this text.
 */
export function checkConfigText(text: string, path: string, env: NodeJS.ProcessEnv): ConfigProblem[] {
  let config: ConfigFile;
  try {
    config = parseConfigText(text, path);
  } catch (error) {
    const message = (error as Error).message;
    const syntax = new RegExp(`^${escapeRegExp(path)}:(\\d+):(\\d+): (.*)$`, 's').exec(message);
    if (syntax) return [unterminatedString(text, Number(syntax[1]), Number(syntax[2]), syntax[3]!)];
    // A schema problem: ask the schema which field, and find that field in the text.
    let raw: unknown;
    try {
      raw = parseToml(text);
    } catch {
      return [{ message: withoutFile(message, path), line: null, column: null }];
    }
    const problem = describeSchemaIssues([...checkConfigFile.Errors(raw)]);
    const { lines } = mapConfigLines(text);
    return [
      { message: withoutFile(message, path), line: problem ? lineOfField(lines, problem.field) : null, column: null },
    ];
  }
  try {
    hubConfigFrom(config, path, env);
    resolveSettings({ env, config });
  } catch (error) {
    const message = withoutFile((error as Error).message, path);
    return [{ message, line: lineOfHookProblem(text, message), column: null }];
  }
  return [];
}

/** Hosts that are the same socket as `host` for a listener on one port (a wildcard takes every address). */
function sameListener(a: string, b: string): boolean {
  const wildcard = (h: string) => h === '0.0.0.0' || h === '::' || h === '[::]' || h === '';
  const local = (h: string) => (h === 'localhost' ? '127.0.0.1' : h.replace(/^\[|\]$/g, ''));
  return wildcard(a) || wildcard(b) || local(a) === local(b);
}

/**
 * A hook bound to the address the hub itself listens on would pass every other check and then
 * never listen: refused before saving, at the hook's `bind` line. `text` has passed checkConfigText.
 */
export function ownAddressProblems(
  text: string,
  path: string,
  env: NodeJS.ProcessEnv,
  hub: { host: string; port: number },
): ConfigProblem[] {
  const { hooks } = hubConfigFrom(parseConfigText(text, path), path, env);
  const clash = hooks.find((h) => h.enabled && h.port === hub.port && sameListener(h.host, hub.host));
  if (!clash) return [];
  const message = `hook '${clash.name}': 'bind' ${clash.bind} is the address Hookbox itself listens on (its API); choose another port`;
  return [{ message, line: lineOfHookProblem(text, message), column: null }];
}

/** "hook 'github': 'script' … does not exist" → the line of that hook's script key. */
function lineOfHookProblem(text: string, message: string): number | null {
  const { lines, hookIndexByName } = mapConfigLines(text);
  const hook = /^hook '([^']+)': (.*)$/s.exec(message);
  if (hook) {
    const label = hook[1]!;
    const index = label.startsWith('#') ? Number(label.slice(1)) - 1 : hookIndexByName.get(label);
    if (index === undefined || Number.isNaN(index)) return null;
    const field = /'([a-z_]+)'/.exec(hook[2]!)?.[1] ?? (/duplicate name/.test(hook[2]!) ? 'name' : undefined);
    return lineOfField(lines, field ? `hooks.${index}.${field}` : `hooks.${index}`);
  }
  // Settings: "invalid notifications.notify_service_url=…"
  const setting = /invalid ([a-z_]+\.[a-z_]+)=/.exec(message);
  return setting ? lineOfField(lines, setting[1]!) : null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Writes the config in one step (temp file in the same folder, then rename): never half a file. */
export function writeConfigFile(path: string, text: string): void {
  // An existing file keeps its permissions; a new one may come to hold hook secrets: 0600.
  writeAtomically(path, text, existsSync(path) ? {} : { mode: 0o600 });
}

export type TomlScalar = boolean | number | string | string[];

/** A value as TOML: JSON's string escapes are all valid in TOML basic strings. */
export function tomlValue(value: TomlScalar): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Index just past a value that starts at `from` (arrays may span lines); strings are skipped whole. */
function valueEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) return text.length;
      i = c === '"' ? skipBasicString(text, i) : close;
      continue;
    }
    if (c === '#' && depth > 0) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol;
      continue;
    }
    if (c === '[' || c === '{') depth += 1;
    else if (c === ']' || c === '}') depth -= 1;
    if (depth === 0 && (c === '\n' || c === '#' || (c === ']' && i > from) || c === '}'))
      return c === ']' || c === '}' ? i + 1 : i;
  }
  return text.length;
}

function skipBasicString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

/**
 * Sets keys of one table in a TOML text, keeping everything else as written (comments, order,
 * other tables): an existing `key = …` is replaced where it is, a new key goes at the end of the
 * table, a missing table is appended. The result is parsed back and must differ from the input
 * in exactly those keys; otherwise (dotted keys, inline tables…) this refuses rather than guess.
 */
export function setTableValues(
  original: string,
  table: string,
  values: Record<string, TomlScalar>,
  path: string,
): string {
  const text = original === '' || original.endsWith('\n') ? original : `${original}\n`;
  const lines = text.split('\n');
  const headerIndex = lines.findIndex((l) =>
    new RegExp(`^\\s*\\[\\s*${escapeRegExp(table)}\\s*\\](\\s*#.*)?\\s*$`).test(l),
  );
  const entries = (pairs: Iterable<[string, TomlScalar]>) =>
    [...pairs].map(([k, v]) => `${k} = ${tomlValue(v)}`).join('\n');
  let out: string;
  if (headerIndex < 0) {
    const trimmed = text.replace(/\s*$/, '');
    out = `${trimmed}${trimmed ? '\n\n' : ''}[${table}]\n${entries(Object.entries(values))}\n`;
  } else {
    const tableStart = lines.slice(0, headerIndex + 1).join('\n').length + 1;
    const pending = new Map(Object.entries(values));
    let current = text;
    let position = tableStart;
    let end = -1;
    while (position < current.length) {
      const eol = current.indexOf('\n', position);
      const line = current.slice(position, eol < 0 ? current.length : eol);
      if (/^\s*\[/.test(line)) {
        end = position;
        break;
      }
      const key = /^(\s*)([A-Za-z0-9_-]+)\s*=\s*/.exec(line);
      if (key) {
        const valueStart = position + key[0].length;
        let stop = valueEnd(current, valueStart);
        while (stop > valueStart && (current[stop - 1] === ' ' || current[stop - 1] === '\t')) stop -= 1;
        const name = key[2]!;
        const value = pending.get(name);
        let after = stop;
        if (value !== undefined) {
          const replacement = `${key[1]}${name} = ${tomlValue(value)}`;
          current = current.slice(0, position) + replacement + current.slice(stop);
          after = position + replacement.length;
          pending.delete(name);
        }
        const next = current.indexOf('\n', after);
        position = next < 0 ? current.length : next + 1;
        continue;
      }
      position = eol < 0 ? current.length : eol + 1;
    }
    if (end < 0) end = current.length;
    if (pending.size > 0) {
      // After the table's last non-blank line; one blank line before the next table.
      const kept = current.slice(tableStart, end).replace(/\s*$/, '');
      const rest = current.slice(end);
      current = `${current.slice(0, tableStart)}${kept}${kept ? '\n' : ''}${entries(pending)}\n${rest ? `\n${rest.replace(/^\s*/, '')}` : ''}`;
    }
    out = current;
  }
  verifyEdit(original, out, table, values, path);
  return out;
}

function verifyEdit(
  before: string,
  after: string,
  table: string,
  values: Record<string, TomlScalar>,
  path: string,
): void {
  const refuse = () =>
    new HookboxError(
      ErrorCode.InvalidConfig,
      `${path}: could not update [${table}] automatically (it is written in a form this edit does not handle); change it in the Config view`,
    );
  let old: Record<string, unknown>;
  let next: Record<string, unknown>;
  try {
    old = before.trim() ? parseToml(before) : {};
    next = parseToml(after);
  } catch {
    throw refuse();
  }
  // A dotted name ([mcp_servers.hookbox]) is a table inside a table.
  const expected = JSON.parse(JSON.stringify(old)) as Record<string, unknown>;
  let parent = expected;
  for (const part of table.split('.')) {
    if (typeof parent[part] !== 'object' || parent[part] === null) parent[part] = {};
    parent = parent[part] as Record<string, unknown>;
  }
  Object.assign(parent, values);
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(next)), expected)) throw refuse();
}
