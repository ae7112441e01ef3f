import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'smol-toml';
import {
  checkConfigText,
  mapConfigLines,
  ownAddressProblems,
  setTableValues,
} from '../../../main/core/config/config-editing.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// The config editor's checks (the hub's own, placed at a line) and the surgical [notifications]
// edit behind the Notifications view.

const dir = tempDir();
const path = join(dir, 'config.toml');
mkdirSync(join(dir, 'hooks'));
writeFileSync(join(dir, 'hooks', 'a.sh'), '#!/bin/sh\n');
chmodSync(join(dir, 'hooks', 'a.sh'), 0o755);
const hook = (name: string, extra = '') =>
  `[[hooks]]\nname = "${name}"\nbind = "127.0.0.1:0"\nscript = "hooks/a.sh"\n${extra}`;

test('a valid config has no problems', () => {
  assert.deepEqual(checkConfigText(`[api]\nport = 17002\n\n${hook('one')}\n${hook('two')}`, path, {}), []);
});

test('each kind of problem is placed at its line', () => {
  const syntax = checkConfigText('[api]\nport = \n', path, {});
  assert.equal(syntax[0]?.line, 2);
  assert.ok(syntax[0]?.column);
  assert.doesNotMatch(syntax[0]!.message, new RegExp(path), 'the message does not repeat the file');

  const unknownKey = checkConfigText('# c\n[api]\nport = 1\nprot = 2\n', path, {});
  assert.deepEqual([unknownKey[0]?.line, unknownKey[0]?.message], [4, "unknown field 'api.prot'"]);

  const wrongType = checkConfigText('[notifications]\n\non_failure = "yes"\n', path, {});
  assert.equal(wrongType[0]?.line, 3);

  const missingScript = checkConfigText(
    `${hook('one')}\n${hook('two').replace('hooks/a.sh', 'hooks/missing.sh')}`,
    path,
    {},
  );
  assert.equal(missingScript[0]?.line, 9);
  assert.match(missingScript[0]!.message, /hook 'two': 'script' .*missing\.sh does not exist/);

  const duplicate = checkConfigText(`${hook('same')}\n${hook('same')}`, path, {});
  assert.equal(duplicate[0]?.line, 7);

  const badUrl = checkConfigText('[notifications]\nnotify_service_url = "ftp://x"\n', path, {});
  assert.equal(badUrl[0]?.line, 2);

  const missingName = checkConfigText('[[hooks]]\nbind = "127.0.0.1:1"\nscript = "hooks/a.sh"\n', path, {});
  assert.equal(missingName[0]?.line, 1, 'a missing field points at its table');
});

test('a verifier or filter that cannot work is placed at its key or table', () => {
  const unknownScheme = checkConfigText(
    `${hook('one')}\n${hook('two', 'verify = "paypal"\nsecret = "x"\n')}`,
    path,
    {},
  );
  assert.deepEqual(
    [unknownScheme[0]?.line, unknownScheme[0]?.message],
    [
      10,
      "hook 'two': 'verify' must be one of: github, standard-webhooks, stripe, slack, shopify, gitlab, twilio, ed25519, hmac",
    ],
  );
  const badKey = checkConfigText(hook('one', 'verify = "ed25519"\npublic_key = "nothex"\n'), path, {});
  assert.equal(badKey[0]?.line, 6);
  assert.match(badKey[0]!.message, /'public_key' must be 32 bytes/);
  const badRegex = checkConfigText(
    `${hook('one')}\n${hook('two', '\n[hooks.when]\n"json.ref" = { regex = "(main" }\n')}`,
    path,
    {},
  );
  assert.equal(badRegex[0]?.line, 11);
  assert.match(badRegex[0]!.message, /hook 'two': 'when' "json.ref": bad regex "\(main"/);
});

test('mapConfigLines numbers array tables and skips multi-line strings', () => {
  const { lines, hookIndexByName } = mapConfigLines(`a = """\n[not a table]\n"""\n${hook('x')}`);
  assert.equal(lines.has('not a table'), false);
  assert.equal(lines.get('hooks.0.script'), 7);
  assert.equal(hookIndexByName.get('x'), 0);
});

test('setTableValues changes only the given keys, keeping comments, order and other tables', () => {
  const before = [
    '# my hookbox',
    '[notifications]',
    'on_failure = true   # I want these',
    'long_running_ignore = [',
    '  "vim", # editors',
    '  "less",',
    ']',
    '',
    '[api]',
    'port = 17002',
    '',
  ].join('\n');
  const after = setTableValues(
    before,
    'notifications',
    { on_failure: false, long_running_ignore: ['vim'], long_running_threshold_ms: 60000 },
    path,
  );
  assert.equal(
    after,
    [
      '# my hookbox',
      '[notifications]',
      'on_failure = false   # I want these',
      'long_running_ignore = ["vim"]',
      'long_running_threshold_ms = 60000',
      '',
      '[api]',
      'port = 17002',
      '',
    ].join('\n'),
  );
  assert.deepEqual(JSON.parse(JSON.stringify(parse(after))), {
    notifications: { on_failure: false, long_running_ignore: ['vim'], long_running_threshold_ms: 60000 },
    api: { port: 17002 },
  });
});

test('setTableValues adds the table when there is none, and refuses forms it cannot edit safely', () => {
  assert.equal(
    setTableValues('', 'notifications', { on_failure: false }, path),
    '[notifications]\non_failure = false\n',
  );
  assert.equal(
    setTableValues('[api]\nport = 1', 'notifications', { on_failure: false }, path),
    '[api]\nport = 1\n\n[notifications]\non_failure = false\n',
  );
  assert.throws(
    () => setTableValues('notifications = { on_failure = true }\n', 'notifications', { on_failure: false }, path),
    /could not update \[notifications\] automatically/,
  );
  assert.throws(
    () => setTableValues('notifications.on_failure = true\n', 'notifications', { on_failure: false }, path),
    /automatically/,
  );
});

test('an unterminated string is said plainly, at its opening quote', () => {
  const text = '# x\n[[hooks]]\nname = "github\nbind = "127.0.0.1:0"\nscript = "hooks/a.sh"\n';
  assert.deepEqual(checkConfigText(text, path, {}), [
    { message: 'this string has no closing quote (a string ends on its own line)', line: 3, column: 8 },
  ]);
});

test("a hook's script may start with ~/ (the home); a hook on the hub's own address is refused at its bind", () => {
  const home = tempDir();
  mkdirSync(join(home, 'hooks'));
  writeFileSync(join(home, 'hooks', 'b.sh'), '#!/bin/sh\n');
  chmodSync(join(home, 'hooks', 'b.sh'), 0o755);
  const text = '[[hooks]]\nname = "b"\nbind = "127.0.0.1:17002"\nscript = "~/hooks/b.sh"\n';
  assert.deepEqual(checkConfigText(text, path, { HOME: home }), []);
  const [problem] = ownAddressProblems(text, path, { HOME: home }, { host: '127.0.0.1', port: 17002 });
  assert.match(problem?.message ?? '', /'bind' 127\.0\.0\.1:17002 is the address Hookbox itself listens on/);
  assert.equal(problem?.line, 3);
  assert.deepEqual(ownAddressProblems(text, path, { HOME: home }, { host: '127.0.0.1', port: 17003 }), []);
  assert.equal(ownAddressProblems(text, path, { HOME: home }, { host: '0.0.0.0', port: 17002 }).length, 1);
});

// Cases a line scanner got wrong: what looks like a header or a key inside a string or an array,
// quoted keys, dotted keys and inline tables.

test('mapConfigLines reads the structure: no header inside a string or an array, quoted and dotted keys', () => {
  const text = [
    '"desc" = """', // a quoted key before a multi-line string
    '[[hooks]]',
    '"""',
    'matrix = [',
    '  [1],', // a nested array on its own line, not a [1] table
    ']',
    'port = 2',
    hook('x', '"json.ref" = "a"\nwhen.branch = "main"\n'),
  ].join('\n');
  const { lines, hookIndexByName } = mapConfigLines(text);
  assert.equal(lines.get('hooks.0'), 8);
  assert.equal(hookIndexByName.get('x'), 0);
  assert.equal(lines.has('hooks.1'), false);
  assert.equal(lines.has('1'), false);
  assert.equal(lines.get('port'), 7);
  assert.equal(lines.get('hooks.0.json.ref'), 12);
  assert.equal(lines.get('hooks.0.when'), 13, 'a dotted key places its first part too');
  assert.equal(lines.get('hooks.0.when.branch'), 13);
});

test('hooks written as an inline array of tables are placed at their element', () => {
  const text = [
    'hooks = [',
    '  { name = "one", bind = "127.0.0.1:0", script = "hooks/a.sh" },',
    '  { name = "two", bind = "127.0.0.1:0", script = "hooks/missing.sh" },',
    ']',
    '',
  ].join('\n');
  const [problem] = checkConfigText(text, path, {});
  assert.match(problem?.message ?? '', /hook 'two': 'script' .*missing\.sh does not exist/);
  assert.equal(problem?.line, 3);
});

test('setTableValues keeps the key as written, and finds keys the scanner missed', () => {
  // A quoted key and the user's spacing keep their bytes; only the value changes.
  assert.equal(
    setTableValues('[notifications]\n"on_failure"=true # mine\n', 'notifications', { on_failure: false }, path),
    '[notifications]\n"on_failure"=false # mine\n',
  );
  // A line starting with [ inside a multi-line string does not end the table.
  const withString = '[mcp_servers.hookbox]\nnote = """\n[x]\n"""\ncommand = "old"\n';
  assert.equal(
    setTableValues(withString, 'mcp_servers.hookbox', { command: 'new' }, path),
    withString.replace('"old"', '"new"'),
  );
  // A header written with spaces is the same table.
  assert.equal(
    setTableValues('[ mcp_servers . hookbox ]\ncommand = "old"\n', 'mcp_servers.hookbox', { command: 'new' }, path),
    '[ mcp_servers . hookbox ]\ncommand = "new"\n',
  );
});

test("setTableValues adds a key after the table's last key, not after a comment that introduces the next table", () => {
  const before = '[notifications]\non_failure = true # mine\n\n# the API, for scripts\n[api]\nport = 1\n';
  assert.equal(
    setTableValues(before, 'notifications', { long_running_threshold_ms: 60000 }, path),
    '[notifications]\non_failure = true # mine\nlong_running_threshold_ms = 60000\n\n# the API, for scripts\n[api]\nport = 1\n',
  );
  assert.equal(
    setTableValues('[notifications] # empty\n[api]\n', 'notifications', { on_failure: false }, path),
    '[notifications] # empty\non_failure = false\n[api]\n',
  );
});
