// `hookbox claude install|uninstall` on a project that already has a .claude/settings.json:
// other keys and the user's own hooks are kept, a backup is written first, a second install
// changes nothing, uninstall removes exactly ours — and the installed command really works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { closedPort } from '../../helpers/http-receiver.ts';
import { REPO_ROOT, runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { AGENT_HOOK_BUNDLE } from '../../../main/core/agents/agent-install.ts';

/** What `agents install` runs: the agent hook's bundle when built beside bin/hookbox (agentHookBase). */
const hookScript = () =>
  existsSync(join(REPO_ROOT, AGENT_HOOK_BUNDLE)) ? join(REPO_ROOT, AGENT_HOOK_BUNDLE) : join(REPO_ROOT, 'bin/hookbox');

const ORIGINAL = {
  model: 'opus',
  permissions: { allow: ['Bash(npm test:*)'], deny: ['Read(./.env)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/other-guard', timeout: 5 }] }],
    PostToolUse: [
      { matcher: 'Write|Edit', hooks: [{ type: 'command', command: 'npx prettier --write "$CLAUDE_PROJECT_DIR"' }] },
    ],
  },
  env: { FOO: '1' },
};

function backups(project: string): string[] {
  return readdirSync(join(project, '.claude')).filter((f) => f.startsWith('settings.json.hookbox-backup-'));
}

describe('hookbox claude install / uninstall', () => {
  test('merges into an existing settings.json, backs up first, is idempotent, and uninstall restores it exactly', async () => {
    const project = tempDir();
    const config = join(tempDir(), 'config.toml');
    writeFileSync(config, '[[lifecycle."pre-tool-call"]]\nname = "safety-check"\nbuiltin = "safety-guard"\n');
    const file = join(project, '.claude/settings.json');
    mkdirSync(join(project, '.claude'));
    const originalText = `${JSON.stringify(ORIGINAL, null, 2)}\n`;
    writeFileSync(file, originalText);

    const installed = await runCli(['--config', config, 'claude', 'install', '--project', project]);
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(
      installed.stdout,
      /added SessionStart, SessionEnd, UserPromptSubmit, PreToolUse, PermissionRequest, PostToolUse, PostToolUseFailure, Stop, SubagentStart, SubagentStop, PreCompact, Notification → /,
    );
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(
      [settings.model, settings.permissions, settings.env],
      [ORIGINAL.model, ORIGINAL.permissions, ORIGINAL.env],
    );
    // The Node that ran the install, with the hook's own bundle when it is built (else the launcher):
    // an agent's hook never pays the launcher's relaunch.
    const command = `${process.execPath} ${hookScript()} --config ${config} agent-hook claude`;
    assert.deepEqual(settings.hooks.PreToolUse, [
      ORIGINAL.hooks.PreToolUse[0],
      { hooks: [{ type: 'command', command, timeout: 60 }] },
    ]);
    assert.deepEqual(settings.hooks.PostToolUse, [
      ORIGINAL.hooks.PostToolUse[0],
      { hooks: [{ type: 'command', command, timeout: 60 }] },
    ]);
    for (const event of ['UserPromptSubmit', 'SessionStart', 'Notification', 'Stop'])
      assert.deepEqual(settings.hooks[event], [{ hooks: [{ type: 'command', command, timeout: 60 }] }], event);
    assert.equal(settings.hooks.WorktreeCreate, undefined, 'never WorktreeCreate: it wants a path on stdout');
    const [backup] = backups(project);
    assert.equal(backups(project).length, 1);
    assert.equal(
      readFileSync(join(project, '.claude', backup!), 'utf8'),
      originalText,
      'the backup is the file as it was',
    );

    const installedText = readFileSync(file, 'utf8');
    const again = await runCli(['--config', config, 'claude', 'install', '--project', project]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already installed .*; nothing changed/);
    assert.equal(readFileSync(file, 'utf8'), installedText);
    assert.equal(backups(project).length, 1, 'no change, no backup');

    // The installed command is what Claude Code runs (through a shell): hub down, the chain runs locally.
    const run = spawnSync('sh', ['-c', command], {
      input: JSON.stringify({
        session_id: 's1',
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'cat x; rm -rf /' },
        cwd: project,
      }),
      env: { ...process.env, AGENTD_PORT: String(await closedPort()), HOOKBOX_DATA_DIR: tempDir() },
      encoding: 'utf8',
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(
      run.stderr,
      /^Hookbox \(safety-check\) blocked this: rm -rf deletes recursively without asking: rm -rf \/\n/,
    );

    const removed = await runCli(['--config', config, 'claude', 'uninstall', '--project', project]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(removed.stdout, /removed 12 Hookbox hooks from /);
    assert.equal(readFileSync(file, 'utf8'), originalText, 'byte for byte');
    assert.equal(backups(project).length, 2);

    const nothing = await runCli(['claude', 'uninstall', '--project', project]);
    assert.match(nothing.stdout, /no Hookbox hooks found; nothing changed/);
  });

  test('a project without settings.json gets one (no backup needed); a broken settings.json is left alone', async () => {
    const project = tempDir();
    const fresh = await runCli(['claude', 'install', '--project', project, '--command', 'hookbox claude-hook']);
    assert.equal(fresh.code, 0, fresh.stderr);
    const settings = JSON.parse(readFileSync(join(project, '.claude/settings.json'), 'utf8'));
    assert.equal(Object.keys(settings.hooks).length, 12);
    assert.deepEqual(backups(project), []);
    await runCli(['claude', 'uninstall', '--project', project]);
    assert.ok(!existsSync(join(project, '.claude/settings.json')), 'the file Hookbox created is gone again');

    const broken = tempDir();
    mkdirSync(join(broken, '.claude'));
    writeFileSync(join(broken, '.claude/settings.json'), '{"model": "opus",');
    const refused = await runCli(['claude', 'install', '--project', broken]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /settings\.json: not valid JSON .*; fix it first, nothing was changed/);
    assert.equal(readFileSync(join(broken, '.claude/settings.json'), 'utf8'), '{"model": "opus",');
    assert.ok(!existsSync(join(broken, '.claude/settings.json.hookbox-backup')));
  });
});
