import { isDeepStrictEqual } from 'node:util';
import { parse } from 'smol-toml';
import { setTableValues, tableSpan, tomlValue, type TomlScalar } from '../config/config-editing.ts';
import { ErrorCode, HookboxError } from '../errors.ts';

// Our table in a TOML config (Codex: `[mcp_servers.hookbox]`), edited as text: appended at the
// end as a table of its own, changed in place with the config editor's setTableValues, and cut
// out again (header to the next table, found in the syntax tree). Everything else keeps its bytes.

function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(parse(text))) as Record<string, unknown>;
  } catch (error) {
    throw new HookboxError(
      ErrorCode.InvalidConfig,
      `${file}: not valid TOML (${(error as Error).message.split('\n')[0]}); fix it first, nothing was changed`,
    );
  }
}

function at(value: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = value;
  for (const part of path)
    current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[part] : undefined;
  return current;
}

/** The table's value as plain data, or undefined; throws on a file that does not parse. */
export function readTomlTable(text: string, path: string[], file: string): unknown {
  return at(parseToml(text, file), path);
}

/**
 * Sets the table at `path` (e.g. mcp_servers.hookbox) to `values`. A new table is appended after
 * a blank line; `separator` is what was added before it (for an exact removal).
 */
export function setTomlTable(
  text: string,
  path: string[],
  values: Record<string, TomlScalar>,
  file: string,
): { text: string; separator: string | null } {
  const old = parseToml(text, file);
  if (at(old, path) === undefined) {
    const separator = text === '' ? '' : `${text.endsWith('\n') ? '' : '\n'}\n`;
    const table = [`[${path.join('.')}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${tomlValue(v)}`)].join(
      '\n',
    );
    const out = `${text}${separator}${table}\n`;
    const expected = structuredClone(old);
    let parent = expected;
    for (const part of path.slice(0, -1)) parent = (parent[part] ??= {}) as Record<string, unknown>;
    parent[path.at(-1)!] = values;
    if (!isDeepStrictEqual(parseToml(out, file), expected)) throw refuse(file, path);
    return { text: out, separator };
  }
  try {
    return { text: setTableValues(text, path.join('.'), values, file), separator: null };
  } catch {
    throw refuse(file, path);
  }
}

function refuse(file: string, path: string[]): HookboxError {
  return new HookboxError(
    ErrorCode.IntegrationFailed,
    `${file}: could not edit [${path.join('.')}] automatically (it is written in a form this edit does not handle); nothing was changed`,
  );
}

/** Cuts the table at `path` (its header to the next table), and `separator` before it when it was last. */
export function removeTomlTable(text: string, path: string[], file: string, separator: string | null): string {
  const old = parseToml(text, file);
  if (at(old, path) === undefined) return text;
  const span = tableSpan(text, path);
  if (!span) throw refuse(file, path);
  const { start, end } = span;
  let before = text.slice(0, start);
  if (end === text.length) {
    // Last in the file: take back the blank line that separated it (or what the install added).
    if (separator !== null && before.endsWith(separator)) before = before.slice(0, before.length - separator.length);
    else if (separator === null) before = before.replace(/\n\n$/, '\n');
  }
  const out = `${before}${text.slice(end)}`;
  const expected = structuredClone(old);
  let parent = expected;
  for (const part of path.slice(0, -1)) parent = parent[part] as Record<string, unknown>;
  delete parent[path.at(-1)!];
  const next = parseToml(out, file);
  const container = path.slice(0, -1);
  if (container.length > 0 && at(next, container) === undefined && isDeepStrictEqual(at(expected, container), {})) {
    let holder = expected;
    for (const part of container.slice(0, -1)) holder = holder[part] as Record<string, unknown>;
    delete holder[container.at(-1)!];
  }
  if (!isDeepStrictEqual(next, expected)) throw refuse(file, path);
  return out;
}
