import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { isHookboxError } from '../../../main/core/errors.ts';
import {
  CHAINED_SUFFIX,
  globalHooksDir,
  installGitHooks,
  uninstallGitHooks,
} from '../../../main/core/shell/git-hooks.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { runCli } from '../../helpers/serve-process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { listEvents, waitForCount } from './event-polling.ts';

// Real git in a throw-away home: commits, checkouts, merges and pushes to a local bare repository,
// with hooks that were there before Hookbox, per repository and through core.hooksPath.

const execFileAsync = promisify(execFile);

interface GitWorld {
  home: string;
  env: NodeJS.ProcessEnv;
  ctx: { home: string; env: NodeJS.ProcessEnv };
  git: (cwd: string, ...args: string[]) => Promise<{ stdout: string; stderr: string; code: number; ms: number }>;
}

function gitWorld(extraEnv: NodeJS.ProcessEnv = {}): GitWorld {
  const home = tempDir('hookbox-githome-');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    ...extraEnv,
  };
  writeFileSync(join(home, '.gitconfig'), '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n');
  const git = async (cwd: string, ...args: string[]) => {
    const started = performance.now();
    try {
      const { stdout, stderr } = await execFileAsync('git', args, { cwd, env });
      return { stdout, stderr, code: 0, ms: performance.now() - started };
    } catch (error) {
      const failure = error as { stdout: string; stderr: string; code: number };
      return { stdout: failure.stdout, stderr: failure.stderr, code: failure.code, ms: performance.now() - started };
    }
  };
  return { home, env, ctx: { home, env }, git };
}

function hook(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

async function newRepo(world: GitWorld): Promise<{ work: string; remote: string }> {
  const root = tempDir('hookbox-repos-');
  const remote = join(root, 'remote.git');
  const work = join(root, 'work');
  await world.git(root, 'init', '-q', '--bare', remote);
  await world.git(root, 'init', '-q', work);
  await world.git(work, 'remote', 'add', 'origin', remote);
  return { work: realpathSync(work), remote };
}

async function commit(world: GitWorld, work: string, file: string, message: string) {
  writeFileSync(join(work, file), `${message}\n`);
  await world.git(work, 'add', file);
  return world.git(work, 'commit', '-q', '-m', message);
}

const head = async (world: GitWorld, work: string) => (await world.git(work, 'rev-parse', 'HEAD')).stdout.trim();

test('per repository: commit, checkout, merge and push are reported; the hooks that were there still run and decide', async () => {
  const hub = await startHub();
  const world = gitWorld();
  const { work, remote } = await newRepo(world);
  const marker = join(work, '..', 'marker');
  hook(join(work, '.git/hooks/post-commit'), `echo "old post-commit $(git rev-parse --short HEAD)" >> ${marker}`);
  hook(
    join(work, '.git/hooks/pre-push'),
    `read line; echo "old pre-push saw: $line" >> ${marker}\necho "pre-push says no" >&2\nexit 1`,
  );

  const installed = installGitHooks({ repo: work }, { ...world.ctx, baseUrl: hub.url });
  assert.equal(installed.hooksDir, join(work, '.git/hooks'));
  assert.deepEqual(installed.chained.sort(), ['post-commit', 'pre-push']);

  let count = 0;
  const step = async (what: string, action: () => Promise<{ code: number }>, code = 0) => {
    assert.equal((await action()).code, code, what);
    count += 1;
    await waitForCount(hub.url, count, `the event for ${what}`);
  };
  await step('first commit', () => commit(world, work, 'a', 'first'));
  const first = await head(world, work);
  await step('checkout -b feature', () => world.git(work, 'checkout', '-q', '-b', 'feature'));
  await step('commit on feature', () => commit(world, work, 'b', 'second'));
  const second = await head(world, work);
  await step('checkout main', () => world.git(work, 'checkout', '-q', 'main'));
  await step('merge', () => world.git(work, 'merge', '-q', '--no-ff', '-m', 'merge feature', 'feature'));
  const merged = await head(world, work);
  await step('push refused by the old pre-push', () => world.git(work, 'push', '-q', 'origin', 'main'), 1);
  assert.equal(
    (await world.git(remote, 'rev-parse', '-q', '--verify', 'refs/heads/main')).code,
    1,
    'nothing was pushed',
  );
  hook(join(work, `.git/hooks/pre-push${CHAINED_SUFFIX}`), 'cat > /dev/null\nexit 0');
  await step('push allowed', () => world.git(work, 'push', '-q', 'origin', 'main'));
  assert.equal((await world.git(remote, 'rev-parse', 'refs/heads/main')).stdout.trim(), merged);

  const events = await listEvents(hub.url);
  assert.deepEqual(
    events.map((e) => [e.kind, e.command, e.exit_code, e.metadata.branch, e.metadata.head]),
    [
      ['git', 'post-commit', 0, 'main', first],
      ['git', 'post-checkout', 0, 'feature', first],
      ['git', 'post-commit', 0, 'feature', second],
      ['git', 'post-checkout', 0, 'main', first],
      ['git', 'post-merge', 0, 'main', merged],
      ['git', 'pre-push', 1, 'main', merged],
      ['git', 'pre-push', 0, 'main', merged],
    ],
  );
  for (const event of events) {
    assert.equal(event.metadata.repo, work);
    assert.equal(event.metadata.hook, event.command);
  }
  assert.deepEqual(events[1]!.metadata.args, [first, first, '1']);
  assert.deepEqual(events[5]!.metadata.args, ['origin', remote]);
  const log = readFileSync(marker, 'utf8').split('\n');
  assert.equal(log[0], `old post-commit ${first.slice(0, 7)}`);
  assert.match(
    log.find((line) => line.startsWith('old pre-push'))!,
    new RegExp(`^old pre-push saw: refs/heads/main ${merged} refs/heads/main 0{40}$`),
  );

  // Uninstall puts the old hooks back and reports nothing more.
  const removed = uninstallGitHooks({ repo: work }, world.ctx);
  assert.deepEqual([removed.hooks.length, removed.chained.sort()], [4, ['post-commit', 'pre-push']]);
  assert.equal(existsSync(join(work, '.git/hooks/post-checkout')), false);
  await commit(world, work, 'c', 'third');
  assert.match(readFileSync(marker, 'utf8'), /old post-commit [0-9a-f]{7}\n$/);
  assert.equal((await listEvents(hub.url)).length, events.length);
});

test('git never waits for Hookbox: down, or up but not answering, a commit takes no longer and prints nothing more', async () => {
  // A server that accepts connections and never answers: curl waits for its 5 s limit, then
  // hangs up. A commit that waited for it would end after a hang-up; one that did not, before any.
  const sockets = new Set<Socket>();
  const hungUp = new Set<Socket>();
  const silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => hungUp.add(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const port = (silent.address() as { port: number }).port;

  for (const url of [`http://127.0.0.1:${port}`, 'http://127.0.0.1:9']) {
    const world = gitWorld({ HOOKBOX_URL: url });
    const { work } = await newRepo(world);
    installGitHooks({ repo: work }, { ...world.ctx, baseUrl: url });
    const earlier = new Set(sockets);
    const made = await commit(world, work, 'a', 'first');
    assert.equal(made.code, 0);
    assert.equal(made.stderr, '', 'nothing printed by the hook');
    const gaveUp = [...sockets].filter((socket) => !earlier.has(socket) && hungUp.has(socket));
    assert.equal(gaveUp.length, 0, `git commit (${Math.round(made.ms)} ms) waited for its report to ${url} to give up`);
    const switched = await world.git(work, 'checkout', '-q', '-b', 'other');
    assert.deepEqual([switched.code, switched.stderr], [0, '']);
  }
});

test('--global: every repository reports; its own hooks (or the previous core.hooksPath) still run and decide; uninstall restores', async () => {
  const hub = await startHub();
  const world = gitWorld();
  const { work } = await newRepo(world);
  const marker = join(work, '..', 'marker');
  hook(join(work, '.git/hooks/pre-commit'), `echo "repo pre-commit" >> ${marker}\nexit 1`);
  hook(join(work, '.git/hooks/post-commit'), `echo "repo post-commit" >> ${marker}`);

  const installed = installGitHooks({ global: true }, { ...world.ctx, baseUrl: hub.url });
  assert.equal(installed.hooksDir, globalHooksDir(world.ctx));
  assert.equal((await world.git(world.home, 'config', '--global', 'core.hooksPath')).stdout.trim(), installed.hooksDir);

  assert.equal((await commit(world, work, 'a', 'refused')).code, 1, "the repository's pre-commit still refuses");
  hook(join(work, '.git/hooks/pre-commit'), `echo "repo pre-commit" >> ${marker}`);
  assert.equal((await commit(world, work, 'a', 'accepted')).code, 0);
  await waitForCount(hub.url, 1, 'the post-commit event');
  assert.equal(readFileSync(marker, 'utf8'), 'repo pre-commit\nrepo pre-commit\nrepo post-commit\n');

  // A per-repository install under the global one: still one event per commit.
  installGitHooks({ repo: work }, { ...world.ctx, baseUrl: hub.url });
  await commit(world, work, 'b', 'both');
  await waitForCount(hub.url, 2, 'the second post-commit');
  uninstallGitHooks({ repo: work }, world.ctx);
  assert.deepEqual(
    (await listEvents(hub.url)).map((e) => [e.command, e.metadata.repo]),
    [
      ['post-commit', work],
      ['post-commit', work],
    ],
  );

  const removed = uninstallGitHooks({ global: true }, world.ctx);
  assert.equal(removed.previousHooksPath, null);
  assert.equal(
    (await world.git(world.home, 'config', '--global', 'core.hooksPath')).code,
    1,
    'core.hooksPath is unset again',
  );
  assert.equal(existsSync(installed.hooksDir), false);

  // With a core.hooksPath of the user's own: its hooks run, and it comes back on uninstall.
  const mine = join(world.home, 'my-hooks');
  mkdirSync(mine);
  hook(join(mine, 'post-commit'), `echo "my global post-commit" >> ${marker}`);
  await world.git(world.home, 'config', '--global', 'core.hooksPath', '~/my-hooks');
  const again = installGitHooks({ global: true }, { ...world.ctx, baseUrl: hub.url });
  assert.equal(again.previousHooksPath, '~/my-hooks');
  installGitHooks({ global: true }, { ...world.ctx, baseUrl: hub.url }); // twice: still remembers ~/my-hooks
  await commit(world, work, 'c', 'mine');
  await waitForCount(hub.url, 3, 'the third post-commit');
  assert.ok(readFileSync(marker, 'utf8').endsWith('my global post-commit\n'));
  assert.equal(uninstallGitHooks({ global: true }, world.ctx).previousHooksPath, '~/my-hooks');
  assert.equal((await world.git(world.home, 'config', '--global', 'core.hooksPath')).stdout.trim(), '~/my-hooks');
});

test('a hook in the way is never overwritten; credentials in a remote URL are not reported', async () => {
  const hub = await startHub();
  const world = gitWorld();
  const { work } = await newRepo(world);
  hook(join(work, '.git/hooks/post-merge'), 'exit 0');
  hook(join(work, `.git/hooks/post-merge${CHAINED_SUFFIX}`), 'exit 0');
  assert.throws(
    () => installGitHooks({ repo: work }, { ...world.ctx, baseUrl: hub.url }),
    (error) =>
      isHookboxError(error) &&
      /post-merge is not Hookbox's, and .*post-merge\.pre-hookbox already exists/.test(error.message),
  );
  assert.equal(existsSync(join(work, '.git/hooks/post-commit')), false, 'nothing was installed');

  const { work: other } = await newRepo(world);
  installGitHooks({ repo: other }, { ...world.ctx, baseUrl: hub.url });
  await execFileAsync(join(other, '.git/hooks/pre-push'), ['origin', 'https://user:s3cret@git.example.com/x.git'], {
    cwd: other,
    env: world.env,
  });
  const [event] = await waitForCount(hub.url, 1, 'the pre-push event');
  assert.deepEqual(event!.metadata.args, ['origin', 'https://git.example.com/x.git']);
});

test('hookbox git install/uninstall on the command line', async () => {
  const world = gitWorld();
  const { work } = await newRepo(world);
  const cliEnv = {
    HOME: world.home,
    XDG_DATA_HOME: '',
    XDG_CONFIG_HOME: '',
    GIT_CONFIG_NOSYSTEM: '1',
    AGENTD_PORT: '',
  };
  const install = await runCli(['git', 'install', work, '--port', '18666'], cliEnv);
  assert.equal(install.code, 0, install.stderr);
  assert.equal(
    install.stdout,
    `git hooks installed in ${work}/.git/hooks: post-commit, post-merge, post-checkout, pre-push\n` +
      '  reporting to http://127.0.0.1:18666 in the background (HOOKBOX_URL overrides); git never waits for Hookbox\n',
  );
  assert.match(
    readFileSync(join(work, '.git/hooks/post-commit'), 'utf8'),
    /HOOKBOX_URL:-'http:\/\/127\.0\.0\.1:18666'/,
  );
  const both = await runCli(['git', 'install', work, '--global'], cliEnv);
  assert.deepEqual([both.code, both.stderr], [1, 'hookbox: error: give either --global or a repository, not both\n']);
  const uninstall = await runCli(['git', 'uninstall', work], cliEnv);
  assert.equal(
    uninstall.stdout,
    `git hooks removed from ${work}/.git/hooks: post-commit, post-merge, post-checkout, pre-push\n`,
  );
  const notRepo = await runCli(['git', 'install', tempDir()], cliEnv);
  assert.equal(notRepo.code, 1);
  assert.match(notRepo.stderr, /^hookbox: error: git rev-parse --git-common-dir: fatal: not a git repository/);
});
