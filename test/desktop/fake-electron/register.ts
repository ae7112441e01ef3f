// node --import ./register.ts out/main/index.js
// Resolves `electron` to the stand-in beside this file, and with FAKE_SCENARIO=run plays a user:
// asks the window's questions over IPC, posts an event with curl's request, closes the window,
// then picks Quit in the tray menu.
import { once } from 'node:events';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INVOKE_CHANNELS, type HubHealth, type RecordedEvent } from '../../../main/shared/api-contract.ts';

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
    await ipcMain.invokeFrom(win, INVOKE_CHANNELS.listEvents, {}, { ...win.webContents.mainFrame, url: 'https://evil.example/' });
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
  report('paused', { notifications: pausedHealth.notifications, labels: tray.menu?.items.filter((i) => i.label).map((i) => i.label) });
  tray.menu?.items.find((item) => item.label === 'Resume notifications')?.click?.();

  win.close();
  report('after-close', { destroyed: win.isDestroyed(), visible: win.isVisible() });

  tray.menu?.items.find((item) => item.label === 'Quit')?.click?.();
}

if (process.env.FAKE_SCENARIO === 'run') {
  scenario().catch((error: unknown) => {
    report('scenario-failed', { message: String((error as Error)?.stack ?? error) });
    process.exit(3);
  });
}
