// node --import ./register.ts out/main/index.js
// Resolves `electron` to the stand-in beside this file, and with FAKE_SCENARIO=run plays a user:
// asks the window's questions over IPC, posts an event with curl's request, closes the window,
// then picks Quit in the tray menu. FAKE_SCENARIO=attention: with the window in the tray, a
// message and a failed command badge the tray icon; clicking their notifications (a command's, a
// lifecycle event's) opens the window on them and clears the badge.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  INVOKE_CHANNELS,
  SUBSCRIPTION_CHANNELS,
  type HubHealth,
  type RecordedEvent,
} from '../../../main/shared/api-contract.ts';

const stubUrl = pathToFileURL(join(import.meta.dirname, 'electron.ts')).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: stubUrl, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});

const electron = (await import(stubUrl)) as typeof import('./electron.ts');
const { fake, ipcMain, report } = electron;

async function scenario(): Promise<void> {
  const [win] = (await once(fake, 'window')) as [InstanceType<typeof electron.BrowserWindow>];
  const [tray] = (await once(fake, 'tray')) as [InstanceType<typeof electron.Tray>];

  const health = (await ipcMain.invokeFrom(win, INVOKE_CHANNELS.getHealth, undefined)) as HubHealth;
  report('health', { health });

  try {
    await ipcMain.invokeFrom(
      win,
      INVOKE_CHANNELS.listEvents,
      {},
      { ...win.webContents.mainFrame, url: 'https://evil.example/' },
    );
    report('untrusted-answered');
  } catch (error) {
    report('untrusted-refused', { message: (error as Error).message });
  }

  const pushed = once(fake, 'send');
  const notified = once(fake, 'notification');
  const response = await fetch(`${health.api_url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'shell', command: 'cargo build', exit_code: 1, duration_ms: 45000 }),
  });
  report('posted', { status: response.status });
  await Promise.all([pushed, notified]);

  const events = (await ipcMain.invokeFrom(win, INVOKE_CHANNELS.listEvents, { limit: 5 })) as RecordedEvent[];
  report('listed', { commands: events.map((e) => e.command) });

  // The tray pauses notifications; the menu is rebuilt to say so, and the window's contract sees it.
  tray.menu?.items.find((item) => item.label === 'Pause notifications for 1 hour')?.click?.();
  const pausedHealth = (await ipcMain.invokeFrom(win, INVOKE_CHANNELS.getHealth, undefined)) as HubHealth;
  report('paused', {
    notifications: pausedHealth.notifications,
    labels: tray.menu?.items.filter((i) => i.label).map((i) => i.label),
  });
  tray.menu?.items.find((item) => item.label === 'Resume notifications')?.click?.();

  win.close();
  report('after-close', { destroyed: win.isDestroyed(), visible: win.isVisible() });

  tray.menu?.items.find((item) => item.label === 'Quit')?.click?.();
}

/** The next payload the main process sends the window on `channel`. */
function nextSend(channel: string): Promise<unknown> {
  return new Promise((resolve) => {
    const listener = (sentOn: string, payload: unknown) => {
      if (sentOn !== channel) return;
      fake.off('send', listener);
      resolve(payload);
    };
    fake.on('send', listener);
  });
}

async function attentionScenario(): Promise<void> {
  const [win] = (await once(fake, 'window')) as [InstanceType<typeof electron.BrowserWindow>];
  const [tray] = (await once(fake, 'tray')) as [InstanceType<typeof electron.Tray>];
  const health = (await ipcMain.invokeFrom(win, INVOKE_CHANNELS.getHealth, undefined)) as HubHealth;
  // The desktop hub keeps its data where the CLI looks (runMain sets XDG_DATA_HOME under the fake appData).
  const token = readFileSync(join(process.env.XDG_DATA_HOME!, 'hookbox', 'control-token'), 'utf8').trim();

  // The window goes to the tray: what arrives now badges the icon.
  win.close();
  const unread = once(fake, 'tray-image');
  await ipcMain.invokeFrom(win, INVOKE_CHANNELS.injectMessage, { session: 'default', content: 'review the deploy' });
  report('badge-after-message', { icon: (await unread)[0] });

  const failure = once(fake, 'tray-image');
  const notified = once(fake, 'notification');
  const posted = await fetch(`${health.api_url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'shell', command: 'make test', exit_code: 2, duration_ms: 1200 }),
  });
  const { event_id: eventId } = (await posted.json()) as { event_id: string };
  report('badge-after-failure', { icon: (await failure)[0] });
  const [notification] = (await notified) as [InstanceType<typeof electron.Notification>];

  // Clicking the command's notification opens the window on that event, and the badge goes.
  let navigated = nextSend(SUBSCRIPTION_CHANNELS.onNavigate);
  const cleared = once(fake, 'tray-image');
  notification.click();
  report('clicked-command', {
    event_id: eventId,
    navigate: await navigated,
    visible: win.isVisible(),
    icon: (await cleared)[0],
  });

  // A lifecycle event's notification (task.failed) opens the Hooks view on that lifecycle event.
  win.close();
  const lifecycleNotified = once(fake, 'notification');
  const reply = await fetch(`${health.api_url}/lifecycle/events/task.failed`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ task_id: 'task-7', error: 'tests failed', agent_id: 'agent-1' }),
  });
  const { event_id: lifecycleId } = (await reply.json()) as { event_id: string };
  const [lifecycleNotification] = (await lifecycleNotified) as [InstanceType<typeof electron.Notification>];
  navigated = nextSend(SUBSCRIPTION_CHANNELS.onNavigate);
  lifecycleNotification.click();
  report('clicked-lifecycle', {
    lifecycle_event_id: lifecycleId,
    title: lifecycleNotification.options.title,
    navigate: await navigated,
    visible: win.isVisible(),
  });

  tray.menu?.items.find((item) => item.label === 'Quit')?.click?.();
}

/**
 * FAKE_SCENARIO=agent-click: Claude Code's Notification hook, sent from a pane of the test's tmux
 * server (FAKE_TMUX_SOCKET, FAKE_TMUX_PANE), raises a notification; its click brings that pane's
 * window forward (reported as the tmux window current after the click).
 */
async function agentClickScenario(): Promise<void> {
  const [win] = (await once(fake, 'window')) as [InstanceType<typeof electron.BrowserWindow>];
  const [tray] = (await once(fake, 'tray')) as [InstanceType<typeof electron.Tray>];
  const health = (await ipcMain.invokeFrom(win, INVOKE_CHANNELS.getHealth, undefined)) as HubHealth;
  const token = readFileSync(join(process.env.XDG_DATA_HOME!, 'hookbox', 'control-token'), 'utf8').trim();
  const socket = process.env.FAKE_TMUX_SOCKET!;
  const currentWindow = () =>
    spawnSync('tmux', ['-S', socket, 'display-message', '-p', '-t', 'work', '#{window_name}'], {
      encoding: 'utf8',
    }).stdout.trim();
  win.close();

  const notified = once(fake, 'notification');
  const query = new URLSearchParams({ tmux_pane: process.env.FAKE_TMUX_PANE!, tmux_socket: socket });
  const reply = await fetch(`${health.api_url}/agents/claude/run?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: process.env.FAKE_HOOK_INPUT!,
  });
  const [notification] = (await notified) as [InstanceType<typeof electron.Notification>];
  const before = currentWindow();
  notification.click();
  const deadline = Date.now() + 15_000;
  while (currentWindow() !== 'agent' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  report('clicked-agent', {
    status: reply.status,
    title: notification.options.title,
    before,
    after: currentWindow(),
  });
  tray.menu?.items.find((item) => item.label === 'Quit')?.click?.();
}

const scenarios: Record<string, () => Promise<void>> = {
  run: scenario,
  attention: attentionScenario,
  'agent-click': agentClickScenario,
};
const chosen = scenarios[process.env.FAKE_SCENARIO ?? ''];
if (chosen) {
  chosen().catch((error: unknown) => {
    report('scenario-failed', { message: String((error as Error)?.stack ?? error) });
    process.exit(3);
  });
}
