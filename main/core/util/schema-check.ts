import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { Value } from 'typebox/value';

// TypeBox's Compile writes and evaluates JavaScript for a schema: the config file's costs about
// 10 ms, which a short-lived process checking one value (a CLI command, the agent hook when the
// hub is down: bench/sections/agent-hook.ts) pays for nothing. Walking the schema (Value.Check)
// costs far less for one value and far more for thousands, so a check interprets its first values
// and compiles once it is used often, as a JIT does. Both answer the same: TypeBox's own tests hold
// its compiled and interpreted checks to one result.
const INTERPRETED_CHECKS = 8;

export interface SchemaCheck<T extends TSchema> {
  Check(value: unknown): value is Static<T>;
  /** Why a value fails (empty when it passes). */
  Errors(value: unknown): TLocalizedValidationError[];
}

export function schemaCheck<T extends TSchema>(schema: T): SchemaCheck<T> {
  let checks = 0;
  let compiled: { Check(value: unknown): boolean } | undefined;
  return {
    Check(value): value is Static<T> {
      if (compiled) return compiled.Check(value);
      checks += 1;
      if (checks > INTERPRETED_CHECKS) compiled = Compile(schema);
      return Value.Check(schema, value);
    },
    Errors(value) {
      return Value.Errors(schema, value);
    },
  };
}
