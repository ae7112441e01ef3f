import * as jsoncModule from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';
import { ErrorCode, HookboxError } from '../errors.ts';
import { JsonTooDeepError, jsonTextTooDeep } from '../util/json-input.ts';

// Minimal text edits to another program's JSON (or JSONC) file: a property or an array element is
// inserted or removed by splicing the text around it, so every byte the edit does not touch stays
// as the user wrote it — comments, key order, indentation, line endings. (jsonc-parser's own
// modify() reformats the enclosing array; these splice exactly.)

// Node loads jsonc-parser's CommonJS (UMD) build — its ESM build has extensionless imports Node
// cannot load — and sees only a default export; the CLI bundle takes the ESM build (scripts/build-cli.ts).
type Jsonc = typeof jsoncModule;
export const jsonc: Jsonc = (Reflect.get(jsoncModule, 'default') as Jsonc | undefined) ?? jsoncModule;
const { parseTree, findNodeAtLocation, printParseErrorCode, getNodeValue, createScanner } = jsonc;
export type JsonNode = Node;
// jsonc.SyntaxKind is a const enum, which this project's TypeScript settings cannot read: its values.
const SYNTAX_LINE_BREAK = 14;
const SYNTAX_TRIVIA = 15;
const SYNTAX_EOF = 17;

/** The tree of `text`; throws InvalidInput naming the file and the first syntax error. */
export function parseJsonText(file: string, text: string): JsonNode | undefined {
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  if (jsonTextTooDeep(text))
    throw new HookboxError(ErrorCode.InvalidInput, `${new JsonTooDeepError(file).message}; nothing was changed`);
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = text.slice(0, first.offset).split('\n').length;
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `${file}: not valid JSON (${printParseErrorCode(first.error)} at line ${line}); fix it first, nothing was changed`,
    );
  }
  if (tree?.type !== 'object')
    throw new HookboxError(ErrorCode.InvalidInput, `${file}: must hold a JSON object; nothing was changed`);
  return tree;
}

export function nodeAt(tree: JsonNode | undefined, path: (string | number)[]): JsonNode | undefined {
  return tree ? findNodeAtLocation(tree, path) : undefined;
}

/** The node's value as plain JSON (jsonc-parser builds objects without a prototype). */
export function valueOf(node: JsonNode | undefined): unknown {
  return node ? (JSON.parse(JSON.stringify(getNodeValue(node))) as unknown) : undefined;
}

export interface TextStyle {
  unit: string;
  eol: string;
}

/** The file's indentation unit and line ending (two spaces and \n when it has none yet). */
export function detectStyle(text: string): TextStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = text
    .split(/\r?\n/)
    .map((line) => /^[ \t]+(?=\S)/.exec(line)?.[0])
    .filter((w): w is string => w !== undefined);
  const unit = indented.length === 0 ? '  ' : indented.reduce((a, b) => (b.length < a.length ? b : a));
  return { unit, eol };
}

function indentOfLine(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))?.[0] ?? '';
}

/** `value` as JSON in the file's style: indented from `indent`, or on one line where its neighbours are. */
function render(value: unknown, indent: string | null, style: TextStyle): string {
  if (indent === null) return JSON.stringify(value).replace(/([,:])(?=["{[\d tfn-])/g, '$1 ');
  return JSON.stringify(value, null, style.unit).split('\n').join(`${style.eol}${indent}`);
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Inserts `"key": value` as the last property of `object`. */
export function insertProperty(text: string, object: JsonNode, key: string, value: unknown, style: TextStyle): string {
  const children = object.children ?? [];
  const last = children[children.length - 1];
  if (last) {
    const indent = indentOfLine(text, last.offset);
    const sameLine = !text.slice(object.offset, last.offset).includes('\n');
    const sep = sameLine ? ' ' : `${style.eol}${indent}`;
    return splice(
      text,
      last.offset + last.length,
      last.offset + last.length,
      `,${sep}${JSON.stringify(key)}: ${render(value, sameLine ? null : indent, style)}`,
    );
  }
  const outer = indentOfLine(text, object.offset);
  const inner = outer + style.unit;
  return splice(
    text,
    object.offset + 1,
    object.offset + object.length - 1,
    `${style.eol}${inner}${JSON.stringify(key)}: ${render(value, inner, style)}${style.eol}${outer}`,
  );
}

/** Appends `value` to `array`. */
export function appendElement(text: string, array: JsonNode, value: unknown, style: TextStyle): string {
  const children = array.children ?? [];
  const last = children[children.length - 1];
  if (last) {
    const indent = indentOfLine(text, last.offset);
    const sameLine = !text.slice(array.offset, last.offset).includes('\n');
    const sep = sameLine ? ' ' : `${style.eol}${indent}`;
    return splice(
      text,
      last.offset + last.length,
      last.offset + last.length,
      `,${sep}${render(value, sameLine ? null : indent, style)}`,
    );
  }
  const outer = indentOfLine(text, array.offset);
  const inner = outer + style.unit;
  return splice(
    text,
    array.offset + 1,
    array.offset + array.length - 1,
    `${style.eol}${inner}${render(value, inner, style)}${style.eol}${outer}`,
  );
}

/**
 * Removes `child` (an element, or a property node) from its container, with the separator that
 * joined it to its neighbour — the inverse of insertProperty/appendElement.
 */
export function removeChild(text: string, container: JsonNode, child: JsonNode): string {
  const children = container.children ?? [];
  const index = children.indexOf(child);
  if (index < 0) return text;
  if (children.length === 1) return splice(text, container.offset + 1, container.offset + container.length - 1, '');
  if (index > 0) {
    const previous = children[index - 1]!;
    return splice(text, previous.offset + previous.length, child.offset + child.length, '');
  }
  const next = children[1]!;
  return splice(text, child.offset, next.offset, '');
}

/** The file's tokens without whitespace (comments kept): two texts that differ only in layout are equal. */
export function sameTokens(a: string, b: string): boolean {
  const tokens = (text: string) => {
    const scanner = createScanner(text, false);
    const out: string[] = [];
    for (let kind: number = scanner.scan(); kind !== SYNTAX_EOF; kind = scanner.scan()) {
      if (kind === SYNTAX_TRIVIA || kind === SYNTAX_LINE_BREAK) continue;
      out.push(scanner.getTokenValue());
    }
    return out.join('\u0000');
  };
  return tokens(a) === tokens(b);
}
