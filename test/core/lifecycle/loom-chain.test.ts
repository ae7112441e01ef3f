// Loom's chain: script hooks in bash with jq (Context JSON in, Result JSON out), registration
// order, the first block stops it, modifications carry forward, failures and invalid JSON go by
// the explicit policy; `hookbox hooks test`; and the built-ins context-injector,
// output-truncator, followup-creator and error-logger doing real work.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { writeScript } from '../../helpers/webhook-fixture.ts';
import { FIXTURES, startLifecycleHub } from './lifecycle-fixture.ts';

function chainDir(): string {
  const dir = tempDir();
  mkdirSync(join(dir, '.loom/hooks'), { recursive: true });
  copyFileSync(join(FIXTURES, 'validate.sh'), join(dir, '.loom/hooks/validate.sh'));
  writeScript(
    dir,
    '.loom/hooks/annotate.sh',
    `#!/bin/bash\njq -c '{modified: true, new_context: ("checked: " + .tool_call.command), data: {annotated_by: "annotate"}}'\n`,
  );
  writeScript(
    dir,
    '.loom/hooks/observe.sh',
    `#!/bin/bash\njq -c '{block: false, data: {seen_new_context: .new_context, seen_data: .data, seen_event: .event}}'\n`,
  );
  writeScript(dir, '.loom/hooks/not-json.sh', '#!/bin/bash\ncat > /dev/null\necho "all good, I think"\n');
  writeScript(
    dir,
    '.loom/hooks/crash.sh',
    '#!/bin/bash\ncat > /dev/null\necho "jq: error: cannot index" >&2\nexit 7\n',
  );
  return dir;
}

const CHAIN_TOML = `
[[lifecycle.pre_tool_call]]
name = "validate"
script = ".loom/hooks/validate.sh"

[[lifecycle.pre_tool_call]]
name = "annotate"
script = ".loom/hooks/annotate.sh"

[[lifecycle.pre_tool_call]]
name = "observe"
script = ".loom/hooks/observe.sh"

[[lifecycle."post-tool-call"]]
name = "not-json"
script = ".loom/hooks/not-json.sh"

[[lifecycle."pre-close"]]
name = "not-json"
script = ".loom/hooks/not-json.sh"
on_failure = "allow"

[[lifecycle."pre-close"]]
name = "crash"
script = ".loom/hooks/crash.sh"
on_failure = "allow"

[[lifecycle."pre-close"]]
name = "observe"
script = ".loom/hooks/observe.sh"
`;

describe('Loom script hooks (bash + jq)', () => {
  test('registration order, first block stops the chain, modifications carry forward to the next handler', async () => {
    const hub = await startLifecycleHub(CHAIN_TOML, { dir: chainDir() });
    const blocked = await hub.emit('pre-tool-call', {
      issue_id: 'issue-123',
      agent_id: 'my-agent',
      tool_call: { name: 'bash', command: 'psql production -c "select 1"' },
    });
    assert.deepEqual(
      [blocked.allowed, blocked.hook, blocked.reason],
      [false, 'validate', 'production access not allowed'],
    );
    assert.deepEqual(blocked.not_run, ['annotate', 'observe']);
    assert.deepEqual(
      blocked.runs.map((r: any) => r.hook),
      ['validate'],
    );

    const allowed = await hub.emit('pre_tool_call', {
      issue_id: 'issue-123',
      agent_id: 'my-agent',
      tool_call: { name: 'bash', command: 'ls staging' },
    });
    assert.equal(allowed.event, 'pre-tool-call', 'the underscore spelling is an alias');
    assert.equal(allowed.allowed, true);
    assert.deepEqual(allowed.result, {
      block: false,
      reason: null,
      modified: true,
      new_context: 'checked: ls staging',
      data: {
        annotated_by: 'annotate',
        seen_new_context: 'checked: ls staging',
        seen_data: { annotated_by: 'annotate' },
        seen_event: 'pre-tool-call',
      },
    });
  });

  test('invalid JSON and a crash are reported clearly and decided by the policy: block by default, allow when set', async () => {
    const hub = await startLifecycleHub(CHAIN_TOML, { dir: chainDir() });
    const strict = await hub.emit('post-tool-call', { tool_call: { name: 'bash', command: 'ls' }, response: 'a b c' });
    assert.equal(strict.allowed, false);
    assert.equal(strict.hook, 'not-json');
    assert.match(
      strict.reason,
      /^not-json failed \(its output is not a JSON Result \(.*\): "all good, I think"\); its on_failure policy is block$/,
    );

    const lenient = await hub.emit('pre-close', { issue_id: 'issue-7' });
    assert.equal(lenient.allowed, true);
    assert.deepEqual(
      lenient.runs.map((r: any) => [r.hook, r.outcome, r.decision, r.policy]),
      [
        ['not-json', 'failed', 'allow', 'allow'],
        ['crash', 'failed', 'allow', 'allow'],
        ['observe', 'allowed', 'allow', null],
      ],
    );
    assert.equal(lenient.runs[1].error, 'exited with 7: jq: error: cannot index');
    assert.equal(lenient.runs[1].exit_code, 7);
  });

  test('hookbox hooks test EVENT: the merged Result and the decision, exit 0 allowed and 1 blocked (no hub needed)', async () => {
    const dir = chainDir();
    const config = join(dir, 'config.toml');
    writeFileSync(config, CHAIN_TOML);
    const blocked = await runCli(
      ['--config', config, 'hooks', 'test', 'pre-tool-call'],
      {},
      '{"tool_call":{"command":"rm -rf /srv/production"}}',
    );
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(
      blocked.stdout,
      /^ {2}1\. validate: script .*validate\.sh \(timeout 5 s, on failure: block\) → blocked/m,
    );
    assert.match(blocked.stdout, /^ {2}2\. annotate: .* → not run \(the chain stopped\)$/m);
    assert.match(
      blocked.stdout,
      /^result: \{"block":true,"reason":"production access not allowed","modified":false,"new_context":null,"data":\{\}\}$/m,
    );
    assert.match(blocked.stdout, /^decision: blocked by validate: production access not allowed$/m);

    const allowed = await runCli([
      '--config',
      config,
      'hooks',
      'test',
      'pre_tool_call',
      '--data',
      '{"tool_call":{"name":"bash","command":"make test"}}',
    ]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^decision: allowed$/m);
    assert.match(allowed.stdout, /"new_context":"checked: make test"/);
  });
});

describe('built-ins', () => {
  test('context-injector: branch, status, recent files, layout and the coding standards of the repository in metadata.cwd', async () => {
    const repo = tempDir();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=t@example.com', ...args], {
        cwd: repo,
        stdio: 'pipe',
      });
    git('-c', 'init.defaultBranch=trunk', 'init', '-q');
    mkdirSync(join(repo, 'src'));
    writeFileSync(join(repo, 'src/app.ts'), 'export {};\n');
    writeFileSync(join(repo, 'README.md'), '# demo\n');
    writeFileSync(join(repo, 'CONTRIBUTING.md'), 'Use two spaces. Write tests first.\n');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    writeFileSync(join(repo, 'README.md'), '# demo, changed\n');
    writeFileSync(join(repo, 'notes.txt'), 'scratch\n');

    const hub = await startLifecycleHub(
      '[[lifecycle.pre_prompt]]\nname = "inject-context"\nbuiltin = "context-injector"\n',
    );
    const reply = await hub.emit('pre-prompt', { issue_id: 'issue-1', metadata: { cwd: repo } });
    const text: string = reply.result.new_context;
    assert.equal(reply.result.modified, true);
    assert.match(text, new RegExp(`^Project: ${repo}$`, 'm'));
    assert.match(text, /^Git branch: trunk$/m);
    assert.match(text, /^Git status: 2 changed files$/m);
    assert.match(text, /^ {3}M README\.md$/m);
    assert.match(text, /^ {2}\?\? notes\.txt$/m);
    assert.match(text, /Recently changed files:\n( {2}\S+\n)*( {2}src\/app\.ts\n)/);
    assert.match(text, /Top-level layout:\n {2}CONTRIBUTING\.md\n {2}README\.md\n {2}notes\.txt\n {2}src\/\n/);
    assert.match(text, /Coding standards \(CONTRIBUTING\.md\):\nUse two spaces\. Write tests first\.$/);
    assert.deepEqual(reply.result.data.context_injector, {
      project_dir: repo,
      branch: 'trunk',
      standards_file: 'CONTRIBUTING.md',
    });
  });

  test('output-truncator: keeps head and tail within the byte limit, with a marker and the original size; never splits a character', async () => {
    const hub = await startLifecycleHub(
      '[[lifecycle.post_tool_call]]\nname = "truncate-output"\nbuiltin = "output-truncator"\nmax_bytes = 100\n',
    );
    const big = await hub.emit('post-tool-call', {
      tool_call: { name: 'bash', command: 'cat big.log' },
      response: `${'A'.repeat(500)}${'B'.repeat(500)}`,
    });
    assert.equal(
      big.result.new_context,
      `${'A'.repeat(50)}\n[… output truncated by hookbox: 900 of 1000 bytes omitted …]\n${'B'.repeat(50)}`,
    );
    assert.deepEqual(big.result.data.output_truncator, {
      truncated: true,
      original_bytes: 1000,
      omitted_bytes: 900,
      max_bytes: 100,
    });

    const accents = await hub.emit('post-tool-call', { tool_call: { name: 'bash' }, response: 'é'.repeat(300) });
    assert.doesNotMatch(accents.result.new_context, /\uFFFD/);
    assert.match(
      accents.result.new_context,
      /^(é)+\n\[… output truncated by hookbox: \d+ of 600 bytes omitted …\]\n(é)+$/,
    );

    const small = await hub.emit('post-tool-call', { tool_call: { name: 'bash' }, response: 'short' });
    assert.deepEqual([small.result.modified, small.result.new_context], [false, null]);
  });

  test('followup-creator: TODO / FIXME / still need to / remaining / left to do become stored follow-ups in the session inbox', async () => {
    const hub = await startLifecycleHub(
      '[lifecycle]\ninbox_session = "agent-1"\n\n[[lifecycle.post_response]]\nname = "create-followups"\nbuiltin = "followup-creator"\n',
    );
    const response = [
      'Implemented the parser and wired it in.',
      'TODO: add tests for here-documents',
      'We still need to update the docs.',
      'Remaining:',
      '- wire the CLI',
      '- benchmark it',
      '',
      'FIXME: the lexer is quadratic on long lines',
      'Left to do: release notes',
      'All done otherwise.',
    ].join('\n');
    const reply = await hub.emit('post-response', { issue_id: 'task-42', agent_id: 'agent-1', response });
    assert.equal(reply.followups, 6);
    const expected = [
      ['todo', 'add tests for here-documents'],
      ['still-need-to', 'We still need to update the docs.'],
      ['remaining', 'wire the CLI'],
      ['remaining', 'benchmark it'],
      ['fixme', 'the lexer is quadratic on long lines'],
      ['left-to-do', 'release notes'],
    ];
    const detail = await (await hub.api(`/lifecycle/events/${reply.event_id}`)).json();
    assert.deepEqual(
      detail.followups.map((f: any) => [f.kind, f.text]),
      expected,
    );
    const inbox = hub.hub.inbox.list('agent-1').reverse(); // newest first → oldest first
    assert.deepEqual(
      inbox.map((m) => [m.source, m.source_label, m.content]),
      expected.map(([kind, text]) => [
        'background',
        'followup-creator',
        `Follow-up for task-42 (${kind}, from post-response): ${text}`,
      ]),
    );
    assert.deepEqual(
      detail.followups.map((f: any) => f.message_id),
      inbox.map((m) => m.id),
    );
  });

  test('error-logger: failures recorded with per-task counts', async () => {
    const hub = await startLifecycleHub(
      '[[lifecycle.on_error]]\nname = "log-failure"\nbuiltin = "error-logger"\n\n[[lifecycle."task.failed"]]\nname = "log-failure"\nbuiltin = "error-logger"\n',
    );
    await hub.emit('on-error', { issue_id: 'task-9', agent_id: 'a1', error: 'tests failed' });
    const second = await hub.emit('on-error', { issue_id: 'task-9', agent_id: 'a2', error: 'tests failed again' });
    await hub.emit('task.failed', { task_id: 'task-10', error: 'lint' });
    assert.deepEqual(second.result.data.error_logger, { task_id: 'task-9', failure_count: 2 });
    const { failures } = await (await hub.api('/lifecycle/failures')).json();
    const byTask = Object.fromEntries(failures.map((f: any) => [f.task_id, [f.count, f.last_error, f.last_agent_id]]));
    assert.deepEqual(byTask, { 'task-9': [2, 'tests failed again', 'a2'], 'task-10': [1, 'lint', null] });
  });
});
