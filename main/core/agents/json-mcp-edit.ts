import { isDeepStrictEqual } from 'node:util';
import type { Node, ParseError } from 'jsonc-parser';
import { ErrorCode, HookboxError } from '../errors.ts';
import { JsonTooDeepError, jsonTextTooDeep } from '../util/json-input.ts';
import { jsonc } from './json-text-edit.ts';

// Our entry in an agent's JSON config (`"mcpServers": { "hookbox": {…} }`), edited as text: one
// member is inserted or cut, everything else keeps its bytes (comments, order, indentation,
// other servers). jsonc-parser finds where things are; it does not format (its formatter would
// re-indent the neighbours). What an insertion replaced (an empty object's inside, a container
// it created) is returned, so the removal can put exactly that back.

// jsonc-parser as json-text-edit.ts loads it (the UMD build under Node, the ESM build in the bundle).
const { parseTree, findNodeAtLocation, printParseErrorCode } = jsonc;
type JsonNode = Node;

/** What an insertion changed besides adding the member, for an exact removal. */
export interface JsonInsertion {
  /** The container object (e.g. mcpServers) did not exist: the removal drops it when it holds only ours. */
  createdContainer: boolean;
  /** The text that was inside `{` `}` of the object we inserted into when it had no members. */
  emptyInside: string | null;
}

function parseObject(text: string, file: string): JsonNode {
  const errors: ParseError[] = [];
  if (jsonTextTooDeep(text))
    throw new HookboxError(ErrorCode.InvalidInput, `${new JsonTooDeepError(file).message}; nothing was changed`);
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !root) {
    const first = errors[0];
    const where = first ? ` at offset ${first.offset} (${printParseErrorCode(first.error)})` : '';
    throw new HookboxError(
      ErrorCode.InvalidConfig,
      `${file}: not valid JSON${where}; fix it first, nothing was changed`,
    );
  }
  if (root.type !== 'object')
    throw new HookboxError(ErrorCode.InvalidConfig, `${file}: must hold a JSON object; nothing was changed`);
  return root;
}

/** A node's value as plain JSON (jsonc-parser builds objects without a prototype). */
function plain(node: JsonNode): unknown {
  return JSON.parse(JSON.stringify(jsonc.getNodeValue(node)));
}

/** The value at `path` as plain JSON (undefined when absent); throws on a file that does not parse. */
export function readJsonPath(text: string, path: string[], file: string): unknown {
  if (text.trim() === '') return undefined;
  const node = findNodeAtLocation(parseObject(text, file), path);
  return node ? plain(node) : undefined;
}

/** Leading whitespace of the line holding `offset`, or null when something else precedes it there. */
function lineIndent(text: string, offset: number): string | null {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(start, offset);
  return /^[ \t]*$/.test(before) ? before : null;
}

/** One indentation step of the file: from its first indented line, else two spaces. */
function indentUnit(text: string): string {
  const match = /\n([ \t]+)\S/.exec(text);
  if (!match) return '  ';
  return match[1]!.startsWith('\t') ? '\t' : match[1]!;
}

/** `value` as JSON laid out at `indent` (its first line not indented), or on one line for compact files. */
function layout(value: unknown, indent: string | null, unit: string): string {
  if (indent === null) return JSON.stringify(value);
  return JSON.stringify(value, null, unit).replace(/\n/g, `\n${indent}`);
}

function member(key: string, value: unknown, indent: string | null, unit: string): string {
  return `${JSON.stringify(key)}:${indent === null ? '' : ' '}${layout(value, indent, unit)}`;
}

/** Inserts `"key": value` into an object node: before its first member, or inside an empty one. */
function insertMember(
  text: string,
  object: JsonNode,
  key: string,
  value: unknown,
  unit: string,
): { text: string; emptyInside: string | null } {
  const first = object.children?.[0];
  if (first) {
    const indent = lineIndent(text, first.offset);
    const separator = indent === null ? ',' : `,\n${indent}`;
    return {
      text: `${text.slice(0, first.offset)}${member(key, value, indent, unit)}${separator}${text.slice(first.offset)}`,
      emptyInside: null,
    };
  }
  const open = object.offset + 1;
  const close = object.offset + object.length - 1;
  const outer =
    lineIndent(text, object.offset) ??
    text.slice(text.lastIndexOf('\n', object.offset - 1) + 1).match(/^[ \t]*/)?.[0] ??
    '';
  const compact = !text.includes('\n');
  const inner = compact
    ? member(key, value, null, unit)
    : `\n${outer}${unit}${member(key, value, `${outer}${unit}`, unit)}\n${outer}`;
  return { text: `${text.slice(0, open)}${inner}${text.slice(close)}`, emptyInside: text.slice(open, close) };
}

/** Cuts a member: with the separator we would have added, or (last of several) the comma before it. */
function removeMember(text: string, object: JsonNode, index: number, emptyInside: string | null): string {
  const children = object.children!;
  const node = children[index]!;
  if (children.length === 1) {
    const open = object.offset + 1;
    const close = object.offset + object.length - 1;
    return `${text.slice(0, open)}${emptyInside ?? ''}${text.slice(close)}`;
  }
  const next = children[index + 1];
  if (next) return `${text.slice(0, node.offset)}${text.slice(next.offset)}`;
  const previous = children[index - 1]!;
  return `${text.slice(0, previous.offset + previous.length)}${text.slice(node.offset + node.length)}`;
}

function verify(before: string, after: string, container: string, key: string, value: unknown, file: string): void {
  const old = before.trim() === '' ? {} : (plain(parseObject(before, file)) as Record<string, unknown>);
  const next = plain(parseObject(after, file)) as Record<string, unknown>;
  const servers = { ...((old[container] as Record<string, unknown> | undefined) ?? {}) };
  if (value === undefined) delete servers[key];
  else servers[key] = value;
  const expected = { ...old, [container]: servers };
  if (value === undefined && Object.keys(servers).length === 0 && !(container in next)) delete expected[container];
  if (!isDeepStrictEqual(next, expected)) {
    throw new HookboxError(
      ErrorCode.IntegrationFailed,
      `${file}: could not edit "${container}" automatically (it is written in a form this edit does not handle); nothing was changed`,
    );
  }
}

/**
 * Sets `container.key` to `value`, editing only that: an existing entry's value is replaced in
 * place; a new one goes in as the container's first member; a missing container is added as the
 * first member of the file's object. An empty or missing file becomes a new object.
 */
export function setJsonEntry(
  text: string,
  container: string,
  key: string,
  value: unknown,
  file: string,
): { text: string; insertion: JsonInsertion | null } {
  const unit = indentUnit(text);
  if (text.trim() === '') {
    const created = `{\n${unit}${member(container, { [key]: value }, unit, unit)}\n}\n`;
    return { text: created, insertion: { createdContainer: true, emptyInside: null } };
  }
  const root = parseObject(text, file);
  const servers = findNodeAtLocation(root, [container]);
  let out: { text: string; insertion: JsonInsertion | null };
  if (servers && servers.type !== 'object')
    throw new HookboxError(ErrorCode.InvalidConfig, `${file}: "${container}" must be an object; nothing was changed`);
  if (!servers) {
    const inserted = insertMember(text, root, container, { [key]: value }, unit);
    out = { text: inserted.text, insertion: { createdContainer: true, emptyInside: inserted.emptyInside } };
  } else {
    const existing = findNodeAtLocation(servers, [key]);
    if (existing) {
      const indent = lineIndent(text, existing.parent!.offset);
      out = {
        text: `${text.slice(0, existing.offset)}${layout(value, indent, unit)}${text.slice(existing.offset + existing.length)}`,
        insertion: null,
      };
    } else {
      const inserted = insertMember(text, servers, key, value, unit);
      out = { text: inserted.text, insertion: { createdContainer: false, emptyInside: inserted.emptyInside } };
    }
  }
  verify(text, out.text, container, key, value, file);
  return out;
}

/** Removes `container.key`, undoing what `insertion` (the install's record, if known) added. */
export function removeJsonEntry(
  text: string,
  container: string,
  key: string,
  file: string,
  insertion: JsonInsertion | null,
): string {
  if (text.trim() === '') return text;
  const root = parseObject(text, file);
  const servers = findNodeAtLocation(root, [container]);
  if (servers?.type !== 'object') return text;
  const index = (servers.children ?? []).findIndex((p) => p.children?.[0]?.value === key);
  if (index < 0) return text;
  let out: string;
  if (insertion?.createdContainer && servers.children!.length === 1) {
    const containerIndex = root.children!.indexOf(servers.parent!);
    out = removeMember(text, root, containerIndex, insertion.emptyInside);
  } else {
    out = removeMember(text, servers, index, insertion && !insertion.createdContainer ? insertion.emptyInside : null);
  }
  verify(text, out, container, key, undefined, file);
  return out;
}
