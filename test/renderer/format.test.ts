import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTime, hookboxCommand } from '../../renderer/src/format.ts';

// How the window words times and the commands it suggests.

test("today's times show the time of day; older ones also the date", () => {
  const now = new Date(2026, 11, 8, 15, 0, 0);
  const today = new Date(2026, 11, 8, 9, 30, 5).toISOString();
  const yesterday = new Date(2026, 11, 7, 23, 59, 0).toISOString();
  assert.doesNotMatch(formatTime(today, now), /2026/);
  assert.match(formatTime(yesterday, now), /2026/);
  assert.match(formatTime(yesterday, now), new RegExp(new Date(yesterday).toLocaleDateString()));
});

test('a suggested command carries the hub flags that are not the defaults, quoted as a shell reads them', () => {
  assert.equal(
    hookboxCommand({ globals: [], port: null }, ['send', '--name', 'default'], ['hi there']),
    "hookbox send --name default 'hi there'",
  );
  assert.equal(
    hookboxCommand(
      { globals: ['--data-dir', '/tmp/my data'], port: 18000 },
      ['emit', 'x'],
      ['--data', '{"a":"it\'s"}'],
    ),
    `hookbox --data-dir '/tmp/my data' emit x --port 18000 --data '{"a":"it'\\''s"}'`,
  );
});
