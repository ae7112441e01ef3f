import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { schemaCheck } from '../util/schema-check.ts';
import { Value } from 'typebox/value';
import { describeSchemaIssues } from '../util/schema-errors.ts';

/** A 400 that names the offending field; the error handler turns it into JSON. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'validation_error';
  readonly field: string;

  constructor(message: string, field: string) {
    super(message);
    this.name = 'RequestValidationError';
    this.field = field;
  }
}

// Every route schema is a TypeBox schema checked by TypeBox's compiled validator. Bodies are
// checked as sent (a string "1" is not an integer); query strings and path parameters are text
// by nature, so they are converted to the schema's types first.
export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = schemaCheck(schema);
  const convert = httpPart !== 'body';
  return (data: unknown) => {
    if (httpPart === 'body' && (data === undefined || data === null))
      return { error: new RequestValidationError('request body is empty; expected a JSON object', '') };
    const value = convert ? Value.Convert(schema, data) : data;
    if (validator.Check(value)) return { value };
    const problem = describeSchemaIssues([...validator.Errors(value)]);
    const where = httpPart === 'body' ? '' : `${httpPart === 'querystring' ? 'query parameter' : 'path parameter'} `;
    const message = problem ? `${where}${problem.message}` : `invalid ${httpPart}`;
    return {
      error: new RequestValidationError(
        httpPart === 'body' && problem?.field === '' ? `body ${message}` : message,
        problem?.field ?? '',
      ),
    };
  };
};
