import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { ConfigFileSchema } from '../../../main/core/config/config-file.ts';
import { schemaCheck } from '../../../main/core/util/schema-check.ts';

const Sample = Type.Object({
  name: Type.String({ pattern: '^[a-z]+$' }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  mode: Type.Union([Type.Literal('always'), Type.Literal('never')]),
  tags: Type.Optional(Type.Array(Type.String())),
});

const VALUES: unknown[] = [
  { name: 'ok', mode: 'always' },
  { name: 'ok', mode: 'never', port: 8080, tags: ['a'] },
  { name: 'Bad', mode: 'always' },
  { name: 'ok', mode: 'sometimes' },
  { name: 'ok', mode: 'always', port: 0 },
  { name: 'ok', mode: 'always', port: 1.5 },
  { name: 'ok', mode: 'always', tags: [1] },
  { mode: 'always' },
  null,
  [],
  'text',
  { name: 'ok', mode: 'always', extra: true },
];

test('a schema check answers as the compiled validator does, before and after it compiles itself', () => {
  const compiled = Compile(Sample);
  const check = schemaCheck(Sample);
  // Three rounds: the first values are interpreted, the later ones go through the compiled code.
  for (let round = 0; round < 3; round++) {
    for (const value of VALUES) assert.equal(check.Check(value), compiled.Check(value), JSON.stringify(value));
  }
});

test("the errors name the field, as the compiled validator's do", () => {
  const check = schemaCheck(Sample);
  const value = { name: 'ok', mode: 'always', port: 0 };
  assert.deepEqual(check.Errors(value), Compile(Sample).Errors(value));
  assert.ok(check.Errors(value).some((error) => error.instancePath === '/port'));
  assert.deepEqual(check.Errors({ name: 'ok', mode: 'never' }), []);
});

test('the config file schema: the same answers interpreted and compiled', () => {
  const compiled = Compile(ConfigFileSchema);
  const check = schemaCheck(ConfigFileSchema);
  const configs: unknown[] = [
    {},
    { server: { port: 7777 } },
    { hooks: [{ name: 'a', bind: '127.0.0.1:9000', script: '/bin/true' }] },
    { hooks: 'not a list' },
    { server: { port: 'x' } },
  ];
  for (let round = 0; round < 3; round++) {
    for (const value of configs) assert.equal(check.Check(value), compiled.Check(value), JSON.stringify(value));
  }
});
