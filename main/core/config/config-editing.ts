import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { type AST, parseTOML } from 'toml-eslint-parser';
import { ErrorCode, HookboxError } from '../errors.ts';
import { writeAtomically } from '../shell/integration-files.ts';
import { describeSchemaIssues } from '../util/schema-errors.ts';
import { ConfigFileSchema, parseConfigText, parseToml, type ConfigFile } from './config-file.ts';
import { hubConfigFrom } from './hub-config.ts';
import { resolveSettings } from './settings.ts';
import { schemaCheck } from '../util/schema-check.ts';

// The window's config editor: the same checks the hub applies on reload, with each problem placed
// at a line of the text so the editor can show it there before anything is saved; and the
// surgical edit the Notifications view makes to the [notifications] table.

export interface ConfigProblem {
  message: string;
  /** 1-based; null when the problem has no place in the text (e.g. a missing required table). */
  line: number | null;
  column: number | null;
}

const checkConfigFile = schemaCheck(ConfigFileSchema);

/** The text's TOML syntax tree with positions, or null when it does not parse. */
function syntaxTree(text: string): AST.TOMLTopLevelTable | null {
  try {
    return parseTOML(text).body[0];
  } catch {
    return null;
  }
}

/**
 * Where the table `[path]` is written: from its header's line to the next table's header line
 * (the comments between go with it), or null when no such header is written.
 */
export function tableSpan(text: string, path: string[]): { start: number; end: number } | null {
  const body = syntaxTree(text)?.body ?? [];
  const at = body.findIndex(
    (node) => node.type === 'TOMLTable' && node.kind === 'standard' && isDeepStrictEqual(node.resolvedKey, path),
  );
  if (at < 0) return null;
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const next = body[at + 1];
  return { start: lineStart(body[at]!.range[0]), end: next ? lineStart(next.range[0]) : text.length };
}

const keyNames = (key: AST.TOMLKey): string[] => key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));

/**
 * Where each table and key of a TOML text is: "api" and "api.port", "hooks.0" and
 * "hooks.0.script" (array tables numbered from 0, as the schema errors number them), plus the
 * hook names. Read from a syntax tree, so a header inside a multi-line string is no header, and
 * quoted keys, dotted keys and inline tables are found where they are written. Empty maps when
 * the text does not parse.
 */
export function mapConfigLines(text: string): { lines: Map<string, number>; hookIndexByName: Map<string, number> } {
  const lines = new Map<string, number>();
  const hookIndexByName = new Map<string, number>();
  // The first place wins: a dotted key (a.b = 1) also places "a", unless "a" was written before.
  const place = (path: (string | number)[], line: number) => {
    const name = path.join('.');
    if (!lines.has(name)) lines.set(name, line);
  };
  const hookName = (path: (string | number)[], pairs: AST.TOMLKeyValue[]) => {
    if (path.length !== 2 || path[0] !== 'hooks' || typeof path[1] !== 'number') return;
    const name = pairs.find((kv) => keyNames(kv.key).join('.') === 'name')?.value;
    // The last of two hooks with one name is the duplicate the hub names.
    if (name?.type === 'TOMLValue' && name.kind === 'string') hookIndexByName.set(name.value, path[1]);
  };
  const visitValue = (path: (string | number)[], value: AST.TOMLContentNode) => {
    place(path, value.loc.start.line);
    if (value.type === 'TOMLInlineTable') visitPairs(path, value.body);
    else if (value.type === 'TOMLArray') value.elements.forEach((element, i) => visitValue([...path, i], element));
  };
  const visitPairs = (table: (string | number)[], pairs: AST.TOMLKeyValue[]) => {
    hookName(table, pairs);
    for (const kv of pairs) {
      const names = keyNames(kv.key);
      names.forEach((_, i) => place([...table, ...names.slice(0, i + 1)], kv.loc.start.line));
      visitValue([...table, ...names], kv.value);
    }
  };
  const tree = syntaxTree(text);
  for (const node of tree?.body ?? []) {
    if (node.type === 'TOMLKeyValue') visitPairs([], [node]);
    else {
      // A header names its table anew even when a dotted key placed that path first.
      lines.set(node.resolvedKey.join('.'), node.loc.start.line);
      visitPairs(node.resolvedKey, node.body);
    }
  }
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

/**
 * Sets keys of one table in a TOML text, keeping everything else as written (comments, order,
 * other tables): an existing `key = …` gets its new value where it is, a new key goes on the line
 * after the table's last key, a missing table is appended. Positions come from the syntax tree;
 * only those spans of the text change. The result is parsed back and must differ from the input
 * in exactly those keys; otherwise (dotted keys, inline tables…) this refuses rather than guess.
 */
export function setTableValues(
  original: string,
  table: string,
  values: Record<string, TomlScalar>,
  path: string,
): string {
  const text = original === '' || original.endsWith('\n') ? original : `${original}\n`;
  const entries = (pairs: Iterable<[string, TomlScalar]>) =>
    [...pairs].map(([k, v]) => `${k} = ${tomlValue(v)}`).join('\n');
  const wanted = table.split('.');
  const tree = syntaxTree(text);
  const header = tree?.body.find(
    (node): node is AST.TOMLTable =>
      node.type === 'TOMLTable' && node.kind === 'standard' && isDeepStrictEqual(node.resolvedKey, wanted),
  );
  let out: string;
  if (!header) {
    const trimmed = text.replace(/\s*$/, '');
    out = `${trimmed}${trimmed ? '\n\n' : ''}[${table}]\n${entries(Object.entries(values))}\n`;
  } else {
    const pending = new Map(Object.entries(values));
    const splices: { from: number; to: number; text: string }[] = [];
    for (const kv of header.body) {
      const names = keyNames(kv.key);
      const value = names.length === 1 ? pending.get(names[0]!) : undefined;
      if (value === undefined) continue;
      splices.push({ from: kv.value.range[0], to: kv.value.range[1], text: tomlValue(value) });
      pending.delete(names[0]!);
    }
    if (pending.size > 0) {
      // At the end of the line that holds the last key (or the header): after its comment, and
      // before any comment lines that may introduce the next table.
      const last = header.body.at(-1) ?? header;
      const eol = text.indexOf('\n', last.range[1]);
      splices.push({ from: eol, to: eol, text: `\n${entries(pending)}` });
    }
    out = text;
    for (const { from, to, text: piece } of splices.sort((a, b) => b.from - a.from))
      out = out.slice(0, from) + piece + out.slice(to);
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
