// The hook command line read without the full program: what takes the short path and what is
// left to commander (help, mistakes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentHookArgv } from '../../main/cli/agent-hook-argv.ts';

test('agent-hook and claude-hook with their flags take the short path', () => {
  assert.deepEqual(parseAgentHookArgv(['agent-hook', 'codex']), { agent: 'codex' });
  assert.deepEqual(
    parseAgentHookArgv([
      '--config',
      '/c.toml',
      '--data-dir',
      '/d',
      'agent-hook',
      'copilot',
      '--event',
      'preToolUse',
      '--port',
      '7777',
    ]),
    {
      agent: 'copilot',
      config: '/c.toml',
      dataDir: '/d',
      event: 'preToolUse',
      port: 7777,
    },
  );
  assert.deepEqual(parseAgentHookArgv(['claude-hook', '--json']), { agent: 'claude', json: true });
  assert.deepEqual(parseAgentHookArgv(['--config=/c.toml', 'claude-hook']), { agent: 'claude', config: '/c.toml' });
});

test('help, unknown flags, a missing agent, a bad port or another command go to the full program', () => {
  for (const argv of [
    ['agent-hook', '--help'],
    ['agent-hook'],
    ['claude-hook', 'extra'],
    ['agent-hook', 'claude', '--verbose'],
    ['agent-hook', 'claude', '--port', 'eighty'],
    ['agent-hook', 'claude', '--port', '70000'],
    ['claude-hook', '--event', 'Stop'],
    ['agents', 'install', 'claude'],
    ['serve'],
    [],
  ]) {
    assert.equal(parseAgentHookArgv(argv), null, argv.join(' '));
  }
});
