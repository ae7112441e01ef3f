// A hook's filters (`[hooks.when]` and `[[hooks.when_any]]`), evaluated in the hub before any
// process starts — adnanh/webhook's trigger rules in TOML. A request passes when every key of
// `when` matches and, if `when_any` tables are given, every key of at least one of them does.
// Keys: `header.NAME`, `query.NAME`, `json.dot.path` (array items by index: `json.commits.0.id`).
// Values: a string/number/boolean (equals), `{ regex = "…" }`, `{ not = <value> }`, `{ in = […] }`.
// A key the request lacks matches nothing (not even `not`): `{ not = "" }` means "present and non-empty".

import { parseJsonInput } from '../util/json-input.ts';

type Scalar = string | number | boolean;

type Condition = { equals: string } | { regex: RegExp; source: string } | { not: Condition } | { in: string[] };

interface Rule {
  key: string;
  source: 'header' | 'query' | 'json';
  /** Header name (lower case), query parameter, or JSON path segments. */
  path: string[];
  condition: Condition;
  /**
   * Why the rule failed, worded once at load as a run records it: `when: "json.ref" is absent`,
   * `when: "json.ref" does not match "main"` (a `when_any` rule's without the prefix).
   */
  absent: string;
  mismatch: string;
}

export interface HookFilter {
  all: Rule[];
  any: Rule[][];
}

export type FilterVerdict = { ok: true } | { ok: false; reason: string };

/** Raised at config load: `field` is the config key ("when" or "when_any"), the message names the rule. */
export class FilterConfigError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function compileCondition(value: unknown, where: string, field: string): Condition {
  if (isScalar(value)) return { equals: String(value) };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FilterConfigError(field, `${where} must be a string, { regex = "…" }, { not = … } or { in = […] }`);
  }
  const entries = Object.entries(value);
  if (entries.length !== 1) throw new FilterConfigError(field, `${where} must have exactly one of regex, not, in`);
  const [op, operand] = entries[0]!;
  if (op === 'regex') {
    if (typeof operand !== 'string') throw new FilterConfigError(field, `${where}: regex must be a string`);
    try {
      return { regex: new RegExp(operand), source: operand };
    } catch (error) {
      throw new FilterConfigError(
        field,
        `${where}: bad regex ${JSON.stringify(operand)}: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`,
      );
    }
  }
  if (op === 'not') return { not: compileCondition(operand, `${where}.not`, field) };
  if (op === 'in') {
    if (!Array.isArray(operand) || operand.length === 0 || !operand.every(isScalar)) {
      throw new FilterConfigError(field, `${where}: in must be a non-empty list of strings`);
    }
    return { in: operand.map(String) };
  }
  throw new FilterConfigError(field, `${where}: unknown operator '${op}' (use regex, not or in)`);
}

/**
 * `label` is how messages name the table: "'when'" or "'when_any' table 2"; `prefix` starts the
 * reasons a run records ("when: " for `when`).
 */
function compileRules(table: unknown, field: string, label: string, prefix = ''): Rule[] {
  if (table === null || typeof table !== 'object' || Array.isArray(table))
    throw new FilterConfigError(field, `${label} must be a table of "key" = condition`);
  const rules = Object.entries(table).map(([key, value]) => {
    const match = /^(header|query|json)\.(.+)$/.exec(key);
    if (!match) throw new FilterConfigError(field, `${label} key "${key}" must start with header., query. or json.`);
    const source = match[1] as Rule['source'];
    const rest = match[2]!;
    const path = source === 'json' ? rest.split('.') : [source === 'header' ? rest.toLowerCase() : rest];
    if (path.some((segment) => segment === ''))
      throw new FilterConfigError(field, `${label} key "${key}" has an empty path segment`);
    const condition = compileCondition(value, `${label} "${key}"`, field);
    return {
      key,
      source,
      path,
      condition,
      absent: `${prefix}"${key}" is absent`,
      mismatch: `${prefix}"${key}" does not match ${describe(condition)}`,
    };
  });
  if (rules.length === 0) throw new FilterConfigError(field, `${label} is empty`);
  return rules;
}

/** Compiles `when`/`when_any`; undefined when neither is given. Throws FilterConfigError naming the rule. */
export function compileFilter(when: unknown, whenAny: unknown): HookFilter | undefined {
  if (when === undefined && whenAny === undefined) return undefined;
  const all = when === undefined ? [] : compileRules(when, 'when', "'when'", 'when: ');
  let any: Rule[][] = [];
  if (whenAny !== undefined) {
    if (!Array.isArray(whenAny) || whenAny.length === 0)
      throw new FilterConfigError('when_any', "'when_any' must be one or more [[hooks.when_any]] tables");
    any = whenAny.map((table, index) => compileRules(table, 'when_any', `'when_any' table ${index + 1}`));
  }
  return { all, any };
}

/** What a filter can look at in a request; the JSON body is parsed at most once, and only if a rule needs it. */
export interface FilterInput {
  headers: Record<string, string>;
  query: string;
  body: Buffer;
}

const NOT_JSON = Symbol('not json');

class Lookup {
  #query: URLSearchParams | undefined;
  #json: unknown = undefined;
  #parsed = false;
  readonly #input: FilterInput;

  constructor(input: FilterInput) {
    this.#input = input;
  }

  value(rule: Rule): string | undefined {
    if (rule.source === 'header') return this.#input.headers[rule.path[0]!];
    if (rule.source === 'query') {
      this.#query ??= new URLSearchParams(this.#input.query);
      return this.#query.get(rule.path[0]!) ?? undefined;
    }
    if (!this.#parsed) {
      this.#parsed = true;
      try {
        // The one limit every JSON input meets: a body nested too deep matches no json.* rule.
        this.#json = parseJsonInput(this.#input.body.toString('utf8'), 'the request body');
      } catch {
        this.#json = NOT_JSON;
      }
    }
    let node: unknown = this.#json;
    for (const segment of rule.path) {
      if (node === null || typeof node !== 'object') return undefined;
      if (!Object.hasOwn(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
    if (node === undefined || node === null) return undefined;
    return isScalar(node) ? String(node) : JSON.stringify(node);
  }
}

function holds(condition: Condition, value: string): boolean {
  if ('equals' in condition) return value === condition.equals;
  if ('regex' in condition) return condition.regex.test(value);
  if ('not' in condition) return !holds(condition.not, value);
  return condition.in.includes(value);
}

function describe(condition: Condition): string {
  if ('equals' in condition) return JSON.stringify(condition.equals);
  if ('regex' in condition) return `{ regex = ${JSON.stringify(condition.source)} }`;
  if ('not' in condition) return `{ not = ${describe(condition.not)} }`;
  return `{ in = ${JSON.stringify(condition.in)} }`;
}

/** Why the first rule that does not match fails. */
function firstMiss(rules: readonly Rule[], lookup: Lookup): string | undefined {
  for (const rule of rules) {
    const value = lookup.value(rule);
    if (value === undefined) return rule.absent;
    if (!holds(rule.condition, value)) return rule.mismatch;
  }
  return undefined;
}

/** Whether the request passes; the reason names the first rule that did not match (never a value). */
export function applyFilter(filter: HookFilter, input: FilterInput): FilterVerdict {
  const lookup = new Lookup(input);
  const miss = firstMiss(filter.all, lookup);
  if (miss) return { ok: false, reason: miss };
  if (filter.any.length === 0) return { ok: true };
  const misses: string[] = [];
  for (const rules of filter.any) {
    const anyMiss = firstMiss(rules, lookup);
    if (!anyMiss) return { ok: true };
    misses.push(anyMiss);
  }
  return { ok: false, reason: `when_any: none matched (${misses.join('; ')})` };
}
