// One wording for schema violations everywhere (HTTP bodies, config files, script output), so a
// user always sees which field is wrong and why. Works on the error objects of TypeBox's
// compiled validators (the same shape as Ajv's).

export interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

export interface FieldProblem {
  /** Dotted path of the offending field ('' for the value itself). */
  field: string;
  message: string;
}

function joinPath(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

function pathOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function quoteList(values: unknown): string {
  return Array.isArray(values) ? values.map(String).join(', ') : String(values);
}

// TypeBox reports `additionalProperties: false` twice (a 'boolean' error on the property and an
// 'additionalProperties' error on the object); keep the informative ones first.
const KEYWORD_RANK: Record<string, number> = { required: 0, additionalProperties: 1, type: 2 };

export function describeSchemaIssues(issues: readonly SchemaIssue[]): FieldProblem | undefined {
  const useful = issues.filter((issue) => issue.keyword !== 'boolean' || issues.length === 1);
  const sorted = [...useful].sort((a, b) => (KEYWORD_RANK[a.keyword] ?? 9) - (KEYWORD_RANK[b.keyword] ?? 9));
  const issue = sorted[0] ?? issues[0];
  if (!issue) return undefined;
  const at = pathOf(issue.instancePath);
  const p = issue.params;
  switch (issue.keyword) {
    case 'required': {
      const missing = Array.isArray(p.requiredProperties) ? p.requiredProperties[0] : p.missingProperty;
      const field = joinPath(at, String(missing));
      return { field, message: `missing required field '${field}'` };
    }
    case 'additionalProperties': {
      const extra = Array.isArray(p.additionalProperties) ? p.additionalProperties[0] : p.additionalProperty;
      const field = joinPath(at, String(extra));
      return { field, message: `unknown field '${field}'` };
    }
    case 'boolean':
      return { field: at, message: `unknown field '${at}'` };
    case 'enum':
      return { field: at, message: `'${at}' must be one of: ${quoteList(p.allowedValues)}` };
    case 'type':
      return {
        field: at,
        message: at ? `'${at}' must be ${article(String(p.type))}` : `must be ${article(String(p.type))}`,
      };
    default:
      return { field: at, message: at ? `'${at}' ${issue.message ?? 'is invalid'}` : (issue.message ?? 'is invalid') };
  }
}

function article(type: string): string {
  const name =
    type === 'object'
      ? 'a JSON object'
      : type === 'integer'
        ? 'an integer'
        : type === 'array'
          ? 'an array'
          : `a ${type}`;
  return name;
}
