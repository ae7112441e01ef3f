import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseConfigText } from '../../../main/core/config/config-file.ts';
import { validateHooks } from '../../../main/core/webhooks/hook-config.ts';
import { applyFilter, type FilterInput } from '../../../main/core/webhooks/hook-filters.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';

// The rules of [hooks.when] / [[hooks.when_any]], compiled from a config file as the hub does.

const dir = tempDir();
writeScript(dir, 'ok.sh', '#!/bin/sh\ncat\n');
const file = join(dir, 'config.toml');

function filterOf(tables: string) {
  const [hook] = validateHooks(
    parseConfigText(`[[hooks]]\nname = "h"\nbind = "127.0.0.1:0"\nscript = "ok.sh"\n${tables}\n`, file).hooks ?? [],
    { file, env: {} },
  );
  return hook!.filter!;
}

function input(body: unknown, headers: Record<string, string> = {}, query = ''): FilterInput {
  return { headers, query, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

const push = {
  ref: 'refs/heads/main',
  repository: { full_name: 'acme/api' },
  commits: [{ id: 'c1' }],
  forced: false,
  size: 3,
};

describe('filters', () => {
  const issueExample = filterOf(`[hooks.when]
"header.x-github-event" = "push"
"json.ref" = { regex = "^refs/heads/(main|develop)$" }
"query.token" = { not = "" }
"json.repository.full_name" = { in = ["acme/api", "acme/web"] }`);

  test('a body nested past the JSON limit (64 levels) matches no json.* key, and a __proto__ key is not walked', () => {
    const ref = filterOf(`[hooks.when]\n"json.ref" = "refs/heads/main"`);
    const deep = `{"ref":"refs/heads/main","x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    assert.equal(applyFilter(ref, input(deep)).ok, false);
    assert.equal(applyFilter(ref, input('{"ref":"refs/heads/main","__proto__":{"ref":"x"}}')).ok, false);
    assert.equal(applyFilter(ref, input({ ref: 'refs/heads/main' })).ok, true);
  });

  test("the issue's example: every key must match", () => {
    assert.deepEqual(applyFilter(issueExample, input(push, { 'x-github-event': 'push' }, 'token=t')), { ok: true });
    assert.deepEqual(applyFilter(issueExample, input(push, { 'x-github-event': 'issues' }, 'token=t')), {
      ok: false,
      reason: 'when: "header.x-github-event" does not match "push"',
    });
    assert.deepEqual(
      applyFilter(issueExample, input({ ...push, ref: 'refs/heads/feature' }, { 'x-github-event': 'push' }, 'token=t')),
      {
        ok: false,
        reason: 'when: "json.ref" does not match { regex = "^refs/heads/(main|develop)$" }',
      },
    );
    assert.deepEqual(applyFilter(issueExample, input(push, { 'x-github-event': 'push' }, 'token=')), {
      ok: false,
      reason: 'when: "query.token" does not match { not = "" }',
    });
    assert.deepEqual(applyFilter(issueExample, input(push, { 'x-github-event': 'push' })), {
      ok: false,
      reason: 'when: "query.token" is absent',
    });
    assert.equal(
      applyFilter(
        issueExample,
        input({ ...push, repository: { full_name: 'evil/api' } }, { 'x-github-event': 'push' }, 'token=t'),
      ).ok,
      false,
    );
  });

  test('header names are case-insensitive; JSON numbers, booleans and array items compare as text', () => {
    const f = filterOf(`[hooks.when]
"header.X-GitHub-Event" = "push"
"json.size" = 3
"json.forced" = false
"json.commits.0.id" = "c1"`);
    assert.equal(applyFilter(f, input(push, { 'x-github-event': 'push' })).ok, true);
    assert.equal(applyFilter(f, input({ ...push, size: 4 }, { 'x-github-event': 'push' })).ok, false);
  });

  test('a body that is not JSON has no json.* values', () => {
    const f = filterOf('[hooks.when]\n"json.ref" = { not = "x" }');
    assert.deepEqual(applyFilter(f, input('ref=main')), { ok: false, reason: 'when: "json.ref" is absent' });
  });

  test('when_any: one of the tables must match, on top of every key of when', () => {
    const f = filterOf(`[hooks.when]
"header.x-github-event" = "push"

[[hooks.when_any]]
"json.ref" = "refs/heads/main"

[[hooks.when_any]]
"json.ref" = { regex = "^refs/tags/v" }
"json.repository.full_name" = "acme/api"`);
    const headers = { 'x-github-event': 'push' };
    assert.equal(applyFilter(f, input(push, headers)).ok, true);
    assert.equal(applyFilter(f, input({ ...push, ref: 'refs/tags/v1.2' }, headers)).ok, true);
    assert.deepEqual(applyFilter(f, input({ ...push, ref: 'refs/heads/dev' }, headers)), {
      ok: false,
      reason:
        'when_any: none matched ("json.ref" does not match "refs/heads/main"; "json.ref" does not match { regex = "^refs/tags/v" })',
    });
    assert.equal(applyFilter(f, input(push, { 'x-github-event': 'issues' })).ok, false);
  });

  const refusals: Array<[string, string, RegExp]> = [
    [
      'a bad regex',
      '[hooks.when]\n"json.ref" = { regex = "(main" }',
      /hook 'h': 'when' "json.ref": bad regex "\(main"/,
    ],
    [
      'a key without a source',
      '[hooks.when]\n"ref" = "main"',
      /'when' key "ref" must start with header\., query\. or json\./,
    ],
    [
      'an unknown operator',
      '[hooks.when]\n"json.ref" = { like = "main" }',
      /'when' "json.ref": unknown operator 'like'/,
    ],
    [
      'two operators at once',
      '[hooks.when]\n"json.ref" = { regex = "a", not = "b" }',
      /must have exactly one of regex, not, in/,
    ],
    ['an empty in list', '[hooks.when]\n"json.ref" = { in = [] }', /in must be a non-empty list/],
    ['an empty when_any table', '[[hooks.when_any]]', /'when_any' table 1 is empty/],
  ];
  for (const [what, tables, expected] of refusals) {
    test(`refused at load: ${what}`, () => assert.throws(() => filterOf(tables), expected));
  }
});
