// Claude Code's hook JSON, as Claude Code sends it, through the real `hookbox claude-hook`
// command: with the hub running (recorded, notifications, inbox) and with the hub down (the same
// chain runs locally and stderr says so). Answers are checked in Claude Code's protocol.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { closedPort, eventually } from '../../helpers/http-receiver.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';
import { startLifecycleHub, type LifecycleHub } from './lifecycle-fixture.ts';

const TOML = `
[[lifecycle."pre-tool-call"]]
name = "safety-check"
builtin = "safety-guard"

[[lifecycle."post-tool-call"]]
name = "truncate-output"
builtin = "output-truncator"
max_bytes = 64

[[lifecycle."on-claim"]]
name = "inject-context"
builtin = "context-injector"

[[lifecycle.pre_prompt]]
name = "no-secrets"
script = "no-secrets.sh"
`;

function sample(dir: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    session_id: 'abc123',
    transcript_path: join(dir, 'transcript.jsonl'),
    cwd: dir,
    permission_mode: 'default',
    ...fields,
  });
}

const bash = (command: string) => ({
  hook_event_name: 'PreToolUse',
  tool_name: 'Bash',
  tool_input: { command, description: 'Run a command' },
  tool_use_id: 'toolu_01ABC',
});

// Set up once at the top level (an `after` registered inside a `before` hook would run at once).
const dir = tempDir();
writeScript(
  dir,
  'no-secrets.sh',
  `#!/bin/bash\nif jq -e '.metadata.prompt | test("password=")' > /dev/null; then echo '{"block": true, "reason": "the prompt contains a password"}'; else echo '{}'; fi\n`,
);
execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q'], { cwd: dir });
writeFileSync(
  join(dir, 'transcript.jsonl'),
  `${[
    JSON.stringify({ type: 'user', message: { role: 'user', content: 'fix the tests' } }),
    JSON.stringify({
      type: 'assistant',
      message: {
        role: 'assistant',
        content: [{ type: 'text', text: 'All 12 tests pass now.\nTODO: add a test for the empty case' }],
      },
    }),
  ].join('\n')}\n`,
);
const hub: LifecycleHub = await startLifecycleHub(TOML, { dir });
const hook = (input: string, ...flags: string[]) =>
  runCli(
    [
      '--config',
      hub.configFile,
      '--data-dir',
      hub.dataDir,
      'claude-hook',
      '--port',
      String(hub.address.port),
      ...flags,
    ],
    {},
    input,
  );

describe('hookbox claude-hook with the hub running', () => {
  test('PreToolUse, Bash allowed: exit 0 and no output (Claude Code asks its own permission as usual)', async () => {
    const result = await hook(sample(dir, bash('npm test -- --watch=false')));
    assert.deepEqual(result, { code: 0, stdout: '', stderr: '' });
  });

  test('PreToolUse, Bash denied: exit 2 with the reason on stderr', async () => {
    const result = await hook(sample(dir, bash('git status && git push --force origin main')));
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'Hookbox (safety-check) blocked this: git push --force overwrites the remote history: git push --force origin main\n',
    );
  });

  test('PreToolUse, Bash denied with --json: the hookSpecificOutput permissionDecision form', async () => {
    const result = await hook(sample(dir, bash('rm -rf ~/projects')), '--json');
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason:
          'Hookbox (safety-check) blocked this: rm -rf deletes recursively without asking: rm -rf ~/projects',
      },
    });
  });

  test('PostToolUse: the tool output through post-tool-call; the truncated view comes back as additionalContext', async () => {
    const input = sample(dir, {
      hook_event_name: 'PostToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'cat big.log' },
      tool_response: { stdout: 'x'.repeat(300), stderr: '', interrupted: false, isImage: false },
      tool_use_id: 'toolu_02',
    });
    const result = await hook(input);
    assert.equal(result.code, 0, result.stderr);
    const answer = JSON.parse(result.stdout);
    assert.equal(answer.hookSpecificOutput.hookEventName, 'PostToolUse');
    assert.equal(
      answer.hookSpecificOutput.additionalContext,
      `${'x'.repeat(32)}\n[… output truncated by hookbox: 236 of 300 bytes omitted …]\n${'x'.repeat(32)}`,
    );
  });

  test('UserPromptSubmit: pre-prompt; a Loom script blocks a prompt (exit 2)', async () => {
    const blocked = await hook(
      sample(dir, { hook_event_name: 'UserPromptSubmit', prompt: 'log in with password=hunter2' }),
    );
    assert.deepEqual(
      [blocked.code, blocked.stderr],
      [2, 'Hookbox (no-secrets) blocked this: the prompt contains a password\n'],
    );
    const fine = await hook(sample(dir, { hook_event_name: 'UserPromptSubmit', prompt: 'refactor the parser' }));
    assert.deepEqual([fine.code, fine.stdout], [0, '']);
  });

  test('SessionStart: on-claim; the repository context comes back as additionalContext', async () => {
    const result = await hook(sample(dir, { hook_event_name: 'SessionStart', source: 'startup' }));
    assert.equal(result.code, 0, result.stderr);
    const answer = JSON.parse(result.stdout);
    assert.equal(answer.hookSpecificOutput.hookEventName, 'SessionStart');
    assert.match(
      answer.hookSpecificOutput.additionalContext,
      new RegExp(`^## Repository context\\nProject: ${dir}\\nGit branch: main\\n`),
    );
  });

  test('Notification: a desktop notification and an inbox message', async () => {
    const result = await hook(
      sample(dir, {
        hook_event_name: 'Notification',
        message: 'Claude needs your permission to use Bash',
        notification_type: 'permission_prompt',
      }),
    );
    assert.deepEqual(result, { code: 0, stdout: '', stderr: '' });
    await eventually(
      () => hub.notifier.shown.some((n) => n.message === 'Claude needs your permission to use Bash'),
      'the notification',
    );
    const shown = hub.notifier.shown.find((n) => n.message === 'Claude needs your permission to use Bash')!;
    assert.deepEqual([shown.title, shown.priority], [`Claude Code (${basename(dir)})`, 'high']);
    const message = hub.hub.inbox.list('default').find((m) => m.source_label === 'claude-code Notification')!;
    assert.equal(message.source, 'background');
    assert.equal(
      message.content,
      `Claude Code (${basename(dir)}): Claude needs your permission to use Bash\nClaude Code session abc123 in ${dir}`,
    );
    assert.equal(hub.hub.notifications.forEvent(shown.eventId)[0]?.source, 'lifecycle');
  });

  test("Stop: Claude's last message (read from the transcript) in a notification and the inbox", async () => {
    const result = await hook(sample(dir, { hook_event_name: 'Stop', stop_hook_active: false }));
    assert.deepEqual(result, { code: 0, stdout: '', stderr: '' });
    await eventually(
      () => hub.notifier.shown.some((n) => n.title.startsWith('Claude Code finished')),
      'the notification',
    );
    const shown = hub.notifier.shown.find((n) => n.title.startsWith('Claude Code finished'))!;
    assert.deepEqual(
      [shown.title, shown.message],
      [`Claude Code finished (${basename(dir)})`, 'All 12 tests pass now.'],
    );
    assert.ok(
      hub.hub.inbox
        .list('default')
        .some((m) => m.content.startsWith(`Claude Code finished (${basename(dir)}): All 12 tests pass now.`)),
    );
  });

  test('every call is in the history as a lifecycle event from claude-code; an event Hookbox does not map passes untouched', async () => {
    const unmapped = await hook(sample(dir, { hook_event_name: 'WorktreeCreate', name: 'feature-x' }));
    assert.deepEqual(unmapped, { code: 0, stdout: '', stderr: '' });
    const ended = await hook(sample(dir, { hook_event_name: 'SessionEnd', reason: 'exit' }));
    assert.deepEqual(ended, { code: 0, stdout: '', stderr: '' });
    const { events } = await (await hub.api('/lifecycle/events?limit=100')).json();
    const fromClaude = events.filter((e: any) => e.source === 'claude-code');
    assert.ok(
      fromClaude.some((e: any) => e.event === 'pre-close'),
      'SessionEnd is recorded as pre-close',
    );
    assert.ok(fromClaude.length >= 10, `${fromClaude.length} events`);
    const denied = fromClaude.find((e: any) => e.data.tool_call?.command === 'rm -rf ~/projects');
    assert.deepEqual([denied.event, denied.allowed, denied.hook], ['pre-tool-call', false, 'safety-check']);
  });
});

describe('hookbox claude-hook with the hub down', () => {
  test('the chain runs locally from the config, the answer is the same, and stderr says the hub did not answer', async () => {
    const dir = tempDir();
    writeScript(dir, 'no-secrets.sh', '#!/bin/bash\necho "{}"\n');
    const config = join(dir, 'config.toml');
    writeFileSync(config, TOML);
    const port = String(await closedPort());
    const flags = ['--config', config, '--data-dir', tempDir(), 'claude-hook', '--port', port];
    const [denied, allowed] = await Promise.all([
      runCli(flags, {}, sample(dir, bash('cat x; rm -rf /'))),
      runCli(flags, {}, sample(dir, bash('ls -la'))),
    ]);
    assert.equal(denied.code, 2);
    const [reason, note] = denied.stderr.split('\n');
    assert.equal(reason, 'Hookbox (safety-check) blocked this: rm -rf deletes recursively without asking: rm -rf /');
    assert.match(
      note!,
      new RegExp(
        `^hookbox: the hub did not answer \\(Hookbox is not running \\(nothing answers on http://127\\.0\\.0\\.1:${port}\\).*\\); ran the PreToolUse chain locally from the config — not recorded, no notification or inbox message$`,
      ),
    );
    assert.equal(allowed.code, 0);
    assert.equal(allowed.stdout, '');
    assert.match(allowed.stderr, /ran the PreToolUse chain locally/);
  });

  test('a config that cannot be read refuses Bash commands (fail closed) and says why', async () => {
    const dir = tempDir();
    const config = join(dir, 'config.toml');
    writeFileSync(config, '[[lifecycle."pre-tool-call"]]\nname = "guard"\nbuiltin = "safety-gaurd"\n');
    const result = await runCli(
      ['--config', config, '--data-dir', tempDir(), 'claude-hook', '--port', String(await closedPort())],
      {},
      sample(dir, bash('ls')),
    );
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^hookbox: cannot run the PreToolUse chain: .*config\.toml: lifecycle event 'pre-tool-call' handler 'guard': 'builtin' must be one of: safety-guard, .*; blocked to be safe\n$/,
    );
  });
});
