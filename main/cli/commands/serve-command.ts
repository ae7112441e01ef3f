import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHub } from '../../core/hub.ts';
import { createLogger } from '../../core/logger.ts';
import { DEFAULT_SETTINGS } from '../../core/config/settings-schema.ts';
import { createHeadlessNotifier } from '../../core/notify/libnotify-notifier.ts';
import { shellWord } from '../../core/util/shell-words.ts';
import { HOOKBOX_VERSION } from '../../core/version.ts';
import { loadCliContext, type GlobalFlags } from '../cli-context.ts';
import { launcherWords } from '../launcher.ts';

export interface ServeFlags extends GlobalFlags {
  port?: number;
}

/**
 * The built window (out/renderer): HOOKBOX_RENDERER_DIR, else beside the CLI bundle
 * (out/cli/../renderer), else the checkout's out/renderer when running from source.
 */
export function rendererDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOOKBOX_RENDERER_DIR) return resolve(env.HOOKBOX_RENDERER_DIR);
  const candidates = [
    resolve(import.meta.dirname, '../renderer'),
    resolve(import.meta.dirname, '../../../out/renderer'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[1]!;
}

/**
 * `hookbox serve`: the hub in the foreground, logging to stdout. SIGINT/SIGTERM stop it cleanly
 * (in-flight requests finish, queued events are committed, the database is closed); a second
 * signal exits at once.
 */
export async function serveCommand(flags: ServeFlags): Promise<void> {
  const ctx = loadCliContext(flags, flags.port !== undefined ? { port: flags.port } : {});
  const logger = createLogger({ format: ctx.settings.logFormat });
  // A click on a notification brings forward the terminal of the agent session it is about (when
  // known and the platform allows: core/notify/focus/bring-forward.ts); otherwise it says how to open the window.
  const notifier = createHeadlessNotifier(logger, process.env, {
    onClick: (eventId) => {
      hub.focusAgentTerminal(eventId).then(
        (focused) => {
          if (!focused) logger.info({ event_id: eventId }, `notification clicked: \`hookbox open\` shows the window`);
        },
        (error: unknown) => logger.warn({ err: error }, 'notification clicked: the terminal could not be focused'),
      );
    },
  });
  const ui = { rendererDir: rendererDir() };
  const hub = createHub({
    dataDir: ctx.dataDir,
    settings: ctx.settings,
    configFile: ctx.config.path,
    configPath: ctx.configPath,
    notifier,
    logger,
    ui,
    // The window's Agents section writes this into the agents' configs, as `hookbox agents install` does.
    launcher: launcherWords(flags),
  });

  // Before the start: a SIGTERM that comes while the hub starts, or just after it said where it
  // listens, must stop it cleanly too (Node's default for SIGTERM is to die on the spot).
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    let requested = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (requested) {
        logger.warn(`${signal} again: exiting without waiting`);
        process.exit(1);
      }
      requested = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  const address = await hub.start();
  const configNote = ctx.config.path ? ctx.config.path : `${ctx.configPath} (not found; defaults in use)`;
  logger.info({ url: address.url }, `Hookbox ${HOOKBOX_VERSION} listening on ${address.url}`);
  logger.info({ data_dir: ctx.dataDir, database: hub.databaseFile }, `data dir: ${ctx.dataDir}`);
  logger.info({ config: ctx.config.path }, `config: ${configNote}`);
  logger.info({ channel: notifier.channel }, `notifications: ${notifier.channel}`);
  // Not the signed-in address: it holds the control token, and logs are kept and shared.
  // `hookbox open` (open-command.ts) shows it to the user who asks.
  const windowNote = existsSync(join(ui.rendererDir, 'index.html')) ? '' : ' (not built yet: run `npm run build`)';
  const openWords = [
    'hookbox',
    ...(flags.config ? ['--config', ctx.configPath] : []),
    ...(flags.dataDir ? ['--data-dir', ctx.dataDir] : []),
    'open',
  ];
  // `hookbox open` in another terminal knows neither serve's --port nor its AGENTD_PORT: named unless the default.
  if (address.port !== DEFAULT_SETTINGS.api.port) openWords.push('--port', String(address.port));
  const open = openWords.map(shellWord).join(' ');
  logger.info(
    { url: `${address.url}/` },
    `the Hookbox window${windowNote}: run \`${open}\` to open it signed in (with --print: print its address)`,
  );

  const signal = await stopRequested;
  logger.info(`${signal}: stopping`);
  try {
    await hub.stop();
    notifier.close?.();
    logger.info('stopped');
  } catch (error) {
    logger.error({ err: error }, 'error while stopping');
    process.exitCode = 1;
  }
}
