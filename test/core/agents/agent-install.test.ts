// `hookbox agents install|uninstall|status AGENT` for every agent, in a temp HOME: the agent's own
// file gets Hookbox's entries next to the user's, a second install changes nothing, a symlinked
// file is written through (the link stays), `"hooks": {}` and comments survive, uninstall gives the
// file back byte for byte, and a file that does not parse is refused untouched.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { agentHookBase, isHookboxCommand } from '../../../main/core/agents/agent-install.ts';
import type { AGENTS } from '../../../main/core/agents/agent-hooks.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const COMMAND = '/opt/hookbox/bin/hookbox agent-hook';

interface Case {
  agent: keyof typeof AGENTS;
  /** The user's file, relative to HOME. */
  file: string;
  /** What the user had: comments, odd indentation, their own hook and an empty object. */
  original: string;
  /** Where one of our entries lands, and what it holds. */
  check: (settings: any) => void;
}

const CASES: Case[] = [
  {
    agent: 'claude',
    file: '.claude/settings.json',
    original: '{\n  // my settings\n  "model": "opus",\n  "hooks": {}\n}\n',
    check: (s) =>
      assert.deepEqual(s.hooks.PreToolUse, [
        { hooks: [{ type: 'command', command: `${COMMAND} claude`, timeout: 60 }] },
      ]),
  },
  {
    agent: 'codex',
    file: '.codex/hooks.json',
    original:
      '{\n    "hooks": {\n        "Stop": [ { "hooks": [ { "type": "command", "command": "notify-send done" } ] } ]\n    }\n}\n',
    check: (s) => {
      assert.equal(s.hooks.Stop.length, 2);
      assert.equal(s.hooks.Stop[1].hooks[0].command, `${COMMAND} codex`);
    },
  },
  {
    agent: 'copilot',
    file: '.copilot/hooks/hookbox.json',
    original:
      '{\n  "version": 1,\n  "hooks": {\n    "sessionEnd": [{ "type": "command", "bash": "./log.sh", "timeoutSec": 5 }]\n  }\n}\n',
    check: (s) =>
      assert.deepEqual(s.hooks.preToolUse, [
        { type: 'command', bash: `${COMMAND} copilot --event preToolUse`, timeoutSec: 30 },
      ]),
  },
  {
    agent: 'cursor',
    file: '.cursor/hooks.json',
    original: '{\n\t"version": 1,\n\t"hooks": {\n\t\t"beforeShellExecution": [ { "command": "./audit.sh" } ]\n\t}\n}',
    check: (s) =>
      assert.deepEqual(s.hooks.beforeShellExecution, [{ command: './audit.sh' }, { command: `${COMMAND} cursor` }]),
  },
  {
    agent: 'gemini',
    file: '.gemini/settings.json',
    original: '{\r\n  "theme": "GitHub",\r\n  "hooks": {}\r\n}\r\n',
    check: (s) =>
      assert.deepEqual(s.hooks.BeforeTool, [
        { hooks: [{ type: 'command', name: 'hookbox', command: `${COMMAND} gemini`, timeout: 60000 }] },
      ]),
  },
];

function cli(home: string, ...args: string[]) {
  return runCli(['--config', join(home, 'config.toml'), ...args], {
    HOME: home,
    CLAUDE_CONFIG_DIR: '',
    CODEX_HOME: '',
    COPILOT_HOME: '',
  });
}

const parse = (text: string) => JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));

describe('hookbox agents install / uninstall', () => {
  for (const c of CASES) {
    test(`${c.agent}: installs beside the user's entries through a symlink, idempotent, uninstall restores byte for byte`, async () => {
      const home = tempDir();
      writeFileSync(
        join(home, 'config.toml'),
        '[[lifecycle."pre-tool-call"]]\nname = "safety-check"\nbuiltin = "safety-guard"\n',
      );
      // The user keeps the real file in a dotfiles folder and links it in.
      const real = join(home, 'dotfiles', c.agent, 'hooks-file.json');
      mkdirSync(dirname(real), { recursive: true });
      writeFileSync(real, c.original);
      const link = join(home, c.file);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(real, link);

      const first = await cli(home, 'agents', 'install', c.agent, '--command', `${COMMAND} ${c.agent}`);
      assert.equal(first.code, 0, first.stderr);
      assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
      assert.equal(readlinkSync(link), real);
      const installed = readFileSync(real, 'utf8');
      c.check(parse(installed));
      for (const line of c.original
        .split(/\r?\n/)
        .filter((l) => l.includes('//') || l.includes('"model"') || l.includes('"theme"')))
        assert.ok(installed.includes(line), `kept: ${line}`);
      if (c.agent === 'codex')
        assert.match(
          readFileSync(join(home, '.codex/config.toml'), 'utf8'),
          /^\[features\] # added by hookbox\ncodex_hooks = true # added by hookbox\n$/,
        );

      const second = await cli(home, 'agents', 'install', c.agent, '--command', `${COMMAND} ${c.agent}`);
      assert.match(second.stdout, /already installed .*; nothing changed/);
      assert.equal(readFileSync(real, 'utf8'), installed);

      const status = await cli(home, 'agents', 'status', c.agent, '--json');
      const [report] = JSON.parse(status.stdout);
      assert.deepEqual([report.missing, report.installed.length > 0, report.detected], [[], true, true]);

      const removed = await cli(home, 'agents', 'uninstall', c.agent);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(readFileSync(real, 'utf8'), c.original, 'byte for byte');
      assert.ok(lstatSync(link).isSymbolicLink());
      if (c.agent === 'codex')
        assert.ok(
          !existsSync(join(home, '.codex/config.toml')),
          'the config.toml Hookbox created for the flag is gone',
        );
    });
  }

  test('a file that does not parse is refused and left alone, for every agent', async () => {
    const home = tempDir();
    for (const c of CASES) {
      const file = join(home, c.file);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, '{"hooks": {');
      const refused = await cli(home, 'agents', 'install', c.agent);
      assert.equal(refused.code, 1, c.agent);
      assert.match(refused.stderr, /: not valid JSON \(.*\); fix it first, nothing was changed/);
      assert.equal(readFileSync(file, 'utf8'), '{"hooks": {');
    }
  });

  test('uninstall after the user edited the file keeps their edit and removes only ours', async () => {
    const home = tempDir();
    const file = join(home, '.gemini/settings.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{\n  "theme": "GitHub"\n}\n');
    await cli(home, 'agents', 'install', 'gemini', '--command', `${COMMAND} gemini`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"GitHub"', '"Dracula"'));
    await cli(home, 'agents', 'uninstall', 'gemini');
    assert.equal(readFileSync(file, 'utf8'), '{\n  "theme": "Dracula"\n}\n');
  });

  test("Codex: a user's codex_hooks = false is turned on and set back; one already on is left alone", async () => {
    const home = tempDir();
    mkdirSync(join(home, '.codex'));
    const toml = 'model = "gpt-5-codex"\n\n[features]\ncodex_hooks = false\n';
    writeFileSync(join(home, '.codex/config.toml'), toml);
    await cli(home, 'agents', 'install', 'codex', '--command', `${COMMAND} codex`);
    assert.equal(
      readFileSync(join(home, '.codex/config.toml'), 'utf8'),
      'model = "gpt-5-codex"\n\n[features]\ncodex_hooks = true # hookbox: was false\n',
    );
    await cli(home, 'agents', 'uninstall', 'codex');
    assert.equal(readFileSync(join(home, '.codex/config.toml'), 'utf8'), toml);

    const on = '[features]\ncodex_hooks = true\n';
    writeFileSync(join(home, '.codex/config.toml'), on);
    await cli(home, 'agents', 'install', 'codex', '--command', `${COMMAND} codex`);
    await cli(home, 'agents', 'uninstall', 'codex');
    assert.equal(readFileSync(join(home, '.codex/config.toml'), 'utf8'), on);
  });

  test('claude --http: http hooks to the hub with the token from $HOOKBOX_TOKEN (never in the file); idempotent; removed again; other agents refuse it', async () => {
    const home = tempDir();
    writeFileSync(join(home, 'config.toml'), '[api]\nport = 17345\n');
    const installed = await cli(home, 'agents', 'install', 'claude', '--http');
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /HOOKBOX_TOKEN/);
    const text = readFileSync(join(home, '.claude/settings.json'), 'utf8');
    const settings = JSON.parse(text);
    assert.deepEqual(settings.hooks.PreToolUse, [
      {
        hooks: [
          {
            type: 'http',
            url: 'http://127.0.0.1:17345/agents/claude/hook',
            headers: { Authorization: 'Bearer $HOOKBOX_TOKEN' },
            allowedEnvVars: ['HOOKBOX_TOKEN'],
            timeout: 30,
          },
        ],
      },
    ]);
    assert.equal(settings.hooks.WorktreeCreate, undefined);
    assert.match((await cli(home, 'agents', 'install', 'claude', '--http')).stdout, /already installed/);
    // Switching to the command form replaces the http entries.
    await cli(home, 'agents', 'install', 'claude', '--command', `${COMMAND} claude`);
    assert.equal(
      JSON.parse(readFileSync(join(home, '.claude/settings.json'), 'utf8')).hooks.PreToolUse[0].hooks[0].command,
      `${COMMAND} claude`,
    );
    await cli(home, 'agents', 'uninstall', 'claude');
    assert.ok(!existsSync(join(home, '.claude/settings.json')));
    const refused = await cli(home, 'agents', 'install', 'cursor', '--http');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /--http: only Claude Code has http hooks/);
  });
});

describe('the command written for the hooks', () => {
  test("Node runs the hook's own bundle when it is built beside bin/hookbox (no launcher start per call)", () => {
    const root = tempDir();
    const launcher = join(root, 'bin', 'hookbox');
    mkdirSync(dirname(launcher), { recursive: true });
    writeFileSync(launcher, '');
    const words = ['/opt/node24/bin/node', launcher, '--config', '/etc/hookbox.toml'];
    assert.equal(
      agentHookBase(words, 'claude'),
      `/opt/node24/bin/node ${launcher} --config /etc/hookbox.toml agent-hook claude`,
      'no bundle: the launcher',
    );
    const bundle = join(root, 'out', 'cli', 'agent-hook.cjs');
    mkdirSync(dirname(bundle), { recursive: true });
    writeFileSync(bundle, '');
    const command = agentHookBase(words, 'claude');
    assert.equal(command, `/opt/node24/bin/node ${bundle} --config /etc/hookbox.toml agent-hook claude`);
    assert.ok(isHookboxCommand(command), 'recognised as ours (status, update, uninstall)');
  });
});
