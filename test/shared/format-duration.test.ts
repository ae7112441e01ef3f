import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS } from '../../main/core/config/settings.ts';
import { evaluateRules } from '../../main/core/notify/notification-rules.ts';
import { formatDuration } from '../../main/shared/format-duration.ts';

// Moved from test/core/notify/notification-rules.test.ts; the core now words short durations as the
// window did ("4.2 s", not "4 s"): one function for notifications, the CLI and the window.
test('formatDuration: ms, seconds (one decimal under 10 s), minutes, hours', () => {
  assert.equal(formatDuration(400), '400 ms');
  assert.equal(formatDuration(45_000), '45 s');
  assert.equal(formatDuration(65_000), '1m 5s');
  assert.equal(formatDuration(7_380_000), '2h 3m');
  assert.equal(formatDuration(4_200), '4.2 s');
  assert.equal(formatDuration(1_000), '1.0 s');
  assert.equal(formatDuration(10_400), '10 s');
});

test('a notification words a short failure as the window does', () => {
  const decision = evaluateRules(
    {
      id: 'e1',
      received_at: '2026-01-01T00:00:00Z',
      kind: 'shell',
      command: 'make',
      exit_code: 1,
      duration_ms: 4_200,
      output: '',
      metadata: {},
    },
    DEFAULT_SETTINGS.notifications,
  );
  assert.equal(decision?.message, 'Failed (exit 1) after 4.2 s: make');
});
