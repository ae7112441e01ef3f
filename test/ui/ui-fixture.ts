import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { builtRenderer } from '../helpers/renderer-build.ts';
import { runCli, startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// The browser tests' world: a real `hookbox serve` (its own data dir, config file and HOME, port
// 0) serving the built window, and Debian's Chromium driven by playwright-core (no browser
// download). Everything the page does goes through the real HTTP contract.

export const CHROMIUM = process.env.HOOKBOX_CHROMIUM ?? '/usr/bin/chromium';

export interface UiServer {
  serve: ServeProcess;
  /** The signed-in window address, from `hookbox open --print` (with #token=…). */
  readyUrl: string;
  url: string;
  home: string;
  dataDir: string;
  configDir: string;
  configFile: string;
  /** Runs `hookbox <args>` against this hub (same data dir and config). */
  cliArgs: (args: string[]) => string[];
}

/** An executable script next to the config file: prints what it got, so the inbox shows it. */
export const ECHO_SCRIPT = '#!/bin/sh\nprintf "got %s: " "$HOOK_PATH" 2>/dev/null; cat\n';

export function hookToml(name: string, script = 'hooks/echo.sh', bind = '127.0.0.1:0'): string {
  return `[[hooks]]\nname = "${name}"\nbind = "${bind}"\nscript = "${script}"\ntimeout = 10\n`;
}

export async function startUiServer(
  options: {
    config?: string;
    env?: NodeJS.ProcessEnv;
    /**
     * A new user's first start: no --config and no config folder yet (the default path under
     * XDG_CONFIG_HOME); the echo script is in the home's hooks/ folder instead.
     */
    firstStart?: boolean;
  } = {},
): Promise<UiServer> {
  const rendererDir = await builtRenderer();
  const root = tempDir('hookbox-ui-');
  const home = join(root, 'home');
  const dataDir = join(root, 'data');
  const configDir = options.firstStart ? join(home, '.config', 'hookbox') : join(root, 'config');
  const scriptDir = options.firstStart ? join(home, 'hooks') : join(configDir, 'hooks');
  mkdirSync(home, { recursive: true });
  mkdirSync(scriptDir, { recursive: true });
  writeFileSync(join(scriptDir, 'echo.sh'), ECHO_SCRIPT);
  chmodSync(join(scriptDir, 'echo.sh'), 0o755);
  const configFile = join(configDir, 'config.toml');
  if (!options.firstStart) writeFileSync(configFile, options.config ?? `# Hookbox\n\n${hookToml('github')}`);
  const configArgs = options.firstStart ? [] : ['--config', configFile];
  const serve = await startServe([...configArgs, '--data-dir', dataDir, '--port', '0'], {
    HOME: home,
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_CONFIG_HOME: join(home, '.config'),
    ZDOTDIR: home,
    HOOKBOX_RENDERER_DIR: rendererDir,
    AGENTD_LOG_FORMAT: 'text',
    ...options.env,
  });
  after(() => serve.stop());
  // The signed-in address, as a user gets it: `hookbox open --print` (serve never logs it).
  const opened = await runCli(['open', '--print', '--data-dir', dataDir, ...configArgs, '--port', String(serve.port)], {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
  });
  if (opened.code !== 0) throw new Error(`hookbox open --print failed: ${opened.stderr}`);
  const readyUrl = opened.stdout.trim();
  return {
    serve,
    readyUrl,
    url: serve.url,
    home,
    dataDir,
    configDir,
    configFile,
    cliArgs: (args) => [...args, '--data-dir', dataDir, ...configArgs, '--port', String(serve.port)],
  };
}

export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let browser: Browser | undefined;
// Registered when the fixture is imported (file level): inside a test, `after` would mean that test.
after(() => browser?.close());

/** One Chromium per test file, headless, with a fresh profile (Playwright makes a temp one). */
export async function launchBrowser(): Promise<Browser> {
  if (!browser) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }
  return browser;
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors (a CSP violation shows up here). */
  problems: string[];
}

/** A 1280×800 window on the ready URL, in the given colour scheme. */
export async function openWindow(
  server: UiServer,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<OpenedPage> {
  const context = await (await launchBrowser()).newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(server.readyUrl);
  await page.waitForSelector('nav.sidebar');
  return { context, page, problems };
}

/** `curl` itself, as a user would type it. */
export function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', ...args], (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

export async function postEvent(server: UiServer, event: Record<string, unknown>): Promise<string> {
  const body = await curl([
    '-X',
    'POST',
    `${server.url}/events`,
    '-H',
    'Content-Type: application/json',
    '-d',
    JSON.stringify(event),
  ]);
  return (JSON.parse(body) as { event_id: string }).event_id;
}

/** The port a hook listens on, from GET /hooks (control token from the ready URL). */
export async function hookPort(server: UiServer, name: string): Promise<number | undefined> {
  const token = decodeURIComponent(server.readyUrl.split('#token=')[1]!);
  const response = await fetch(`${server.url}/hooks`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { hooks: Array<{ name: string; port: number | null; state: string }> };
  const hook = body.hooks.find((h) => h.name === name && h.state === 'listening');
  return hook?.port ?? undefined;
}

/** axe-core's source, read from node_modules (a pinned dev dependency): the page loads nothing from a network. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (every rule it runs by default: WCAG A/AA and best practices) on the page as it
 * is. Injected through the DevTools protocol, which the page's Content-Security-Policy does not
 * govern, so the page keeps its real policy. Returns the violations, one line each, for assertions.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } }).axe;
    const result = (await axe.run(document, { resultTypes: ['violations'] })) as { violations: unknown[] };
    return result.violations;
  })) as AxeViolation[];
  return violations.map(
    (v) =>
      `${v.impact ?? 'minor'} ${v.id} (${v.help}): ${v.nodes
        .slice(0, 4)
        .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary?.split('\n').slice(1, 2).join('').trim() ?? ''}`)
        .join(' | ')}${v.nodes.length > 4 ? ` | …${v.nodes.length - 4} more` : ''}`,
  );
}
