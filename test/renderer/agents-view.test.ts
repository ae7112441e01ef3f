import '../helpers/dom.ts';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loopbackApi } from '../electron/ipc-loopback.ts';
import { startHub } from '../helpers/hub-fixture.ts';
import { REPO_ROOT } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { until } from './fake-api.ts';
import { act, h } from './render.ts';

// The Shell integration view's Agents section in a DOM (happy-dom), against real hubs whose HOME
// is a temp dir: one started as `hookbox serve` starts it (with its launcher words), one as the
// desktop app does (without).

const { ShellView } = await import('../../renderer/src/views/ShellView.tsx');
const { createShellStore } = await import('../../renderer/src/store/shell-store.ts');
const { createRoot } = await import('react-dom/client');

/** A HOME of our own, and the agents' own overrides cleared so nothing outside it is read or written. */
function homeEnv() {
  const home = join(tempDir(), 'home');
  mkdirSync(home);
  const env = { HOME: home, CLAUDE_CONFIG_DIR: '', CODEX_HOME: '', COPILOT_HOME: '', GIT_CONFIG_GLOBAL: '' };
  return { home, env };
}

async function view(launcher?: string[]) {
  const { home, env } = homeEnv();
  const running = await startHub({ env, ...(launcher ? { launcher } : {}) });
  const { api, close } = loopbackApi(running.hub.app.handlers, running.hub.app.subscriptions);
  after(close);
  const store = createShellStore(api);
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  const root = createRoot(container);
  // The view loads on mount: wait inside act() until it has, so every update is rendered in act.
  await act(async () => {
    root.render(h(ShellView, { store }));
  });
  await act(async () => {
    await until(store, (s) => s.status === 'ready');
  });
  return { home, store, container, unmount: () => act(async () => root.unmount()) };
}

const row = (container: HTMLElement, key: string) => container.querySelector<HTMLElement>(`[data-part="${key}"]`)!;
const button = (element: HTMLElement, label: string) =>
  [...element.querySelectorAll('button')].find((b) => b.textContent === label)!;
type ShellState = ReturnType<ReturnType<typeof createShellStore>['getState']>;

/** Clicks, and waits inside act() until the store shows the change (so React renders it in act). */
function clickUntil(
  store: ReturnType<typeof createShellStore>,
  target: HTMLButtonElement,
  done: (s: ShellState) => boolean,
) {
  return act(async () => {
    target.click();
    await until(store, (s) => done(s) && s.agentBusy === null);
  });
}

test('the Agents section lists every agent with its rows; Install and Uninstall change the file and say where', async () => {
  const { home, store, container, unmount } = await view([process.execPath, join(REPO_ROOT, 'bin/hookbox')]);
  try {
    const section = container.querySelector<HTMLElement>('section[aria-label="Agents"]')!;
    assert.ok(section, 'an Agents section');
    assert.deepEqual(
      [...section.querySelectorAll('[data-agent]')].map((e) => e.getAttribute('data-agent')),
      ['claude', 'codex', 'copilot', 'cursor', 'gemini'],
    );
    assert.deepEqual(
      [...section.querySelectorAll('[data-part]')].map((e) => e.getAttribute('data-part')),
      [
        'claude:hooks',
        'claude:mcp',
        'codex:hooks',
        'codex:mcp',
        'copilot:hooks',
        'cursor:hooks',
        'cursor:mcp',
        'gemini:hooks',
        'gemini:mcp',
      ],
    );
    assert.match(section.textContent ?? '', /Agents will run .*bin\/hookbox/);

    // A user's Gemini settings, kept byte for byte through install and uninstall.
    mkdirSync(join(home, '.gemini'));
    const settings = join(home, '.gemini/settings.json');
    const original = '{\n  "theme": "GitHub" ,\n  "mcpServers": {}\n}\n';
    writeFileSync(settings, original);
    await act(() => store.getState().load());
    const gemini = row(container, 'gemini:mcp');
    assert.match(gemini.textContent ?? '', /not installed/);
    assert.equal(button(gemini, 'Uninstall').disabled, true);
    await clickUntil(store, button(gemini, 'Install'), (s) => s.agentResults['gemini:mcp'] !== undefined);
    assert.match(row(container, 'gemini:mcp').textContent ?? '', /installed.*~\/\.gemini\/settings\.json/);
    assert.match(
      row(container, 'gemini:mcp').querySelector('[role="status"]')?.textContent ?? '',
      /~\/\.gemini\/settings\.json: hookbox added to the MCP servers/,
    );
    assert.match(readFileSync(settings, 'utf8'), /"hookbox"/);
    assert.equal(button(row(container, 'gemini:mcp'), 'Install again').disabled, false);
    await clickUntil(
      store,
      button(row(container, 'gemini:mcp'), 'Uninstall'),
      (s) => s.agents?.agents.find((a) => a.agent === 'gemini')?.mcp?.installed === false,
    );
    assert.equal(readFileSync(settings, 'utf8'), original);
    assert.match(row(container, 'gemini:mcp').textContent ?? '', /hookbox removed from the MCP servers/);

    // Hooks the same way, in Claude Code's settings.json.
    await clickUntil(
      store,
      button(row(container, 'claude:hooks'), 'Install'),
      (s) => s.agents?.agents[0]?.hooks.installed === true,
    );
    assert.match(readFileSync(join(home, '.claude/settings.json'), 'utf8'), /agent-hook claude/);
    assert.match(row(container, 'claude:hooks').textContent ?? '', /installed/);
  } finally {
    await unmount();
  }
});

test('without a launcher (the desktop app) Install is disabled with the terminal command; a failure shows', async () => {
  const { store, container, unmount } = await view();
  try {
    const claude = row(container, 'claude:hooks');
    assert.equal(button(claude, 'Install').disabled, true);
    assert.match(
      claude.querySelector('.unavailable')?.textContent ?? '',
      /install from a terminal: hookbox agents install claude/,
    );
    assert.match(
      row(container, 'codex:mcp').querySelector('.unavailable')?.textContent ?? '',
      /install from a terminal: hookbox mcp install codex/,
    );
    // Called anyway (an old page), the hub refuses and the view says why.
    await act(() => store.getState().installAgent('cursor', 'hooks'));
    assert.match(
      container.querySelector('[role="alert"]')?.textContent ?? '',
      /cursor hooks: .*install from a terminal: hookbox agents install cursor/,
    );
  } finally {
    await unmount();
  }
});
