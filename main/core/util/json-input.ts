import secureJson from 'secure-json-parse';

// Every JSON Hookbox reads from outside (API bodies, shell spool lines, lifecycle script output,
// Claude Code's hook input and settings, the CLI's --data) goes through parseJsonInput. Two
// refusals besides syntax:
// - nesting deeper than JSON_MAX_DEPTH: JSON.parse copes with 10,000 levels, but JSON.stringify,
//   schema checks and the window's renderers recurse, and run out of stack (a 500, a lost event);
// - __proto__ / constructor.prototype keys (prototype poisoning), via secure-json-parse.

/** Objects and arrays may nest this deep in any JSON input (`{"a":{"b":1}}` is 2 levels). */
export const JSON_MAX_DEPTH = 64;

export class JsonTooDeepError extends Error {
  readonly code = 'json_too_deep';
  readonly limit = JSON_MAX_DEPTH;

  constructor(what: string) {
    super(`${what} nests objects/arrays deeper than ${JSON_MAX_DEPTH} levels (the limit for JSON input)`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * True when JSON text opens more than `max` objects/arrays inside each other. Reads the text
 * once without building anything (brackets inside strings do not count), so a hostile document
 * is refused before it is parsed.
 */
export function jsonTextTooDeep(text: string, max = JSON_MAX_DEPTH): boolean {
  // Fewer characters than levels cannot nest that deep: most inputs (shell events) stop here.
  if (text.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The same limit for a value already built by another parser (TOML's dotted keys nest without brackets). */
export function valueTooDeep(value: unknown, max = JSON_MAX_DEPTH): boolean {
  // Iterative: a recursive walk would itself overflow on the values it is meant to catch.
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/**
 * Parses JSON from outside Hookbox. Throws JsonTooDeepError past the depth limit and SyntaxError
 * for malformed JSON or a prototype-poisoning key. `what` names the input in the depth error.
 */
export function parseJsonInput(text: string, what = 'the JSON'): unknown {
  if (jsonTextTooDeep(text)) throw new JsonTooDeepError(what);
  return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
}
