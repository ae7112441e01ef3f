import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { postEvent } from '../helpers/hub-fixture.ts';
import { closedPort, eventually } from '../helpers/http-receiver.ts';
import { REPO_ROOT } from '../helpers/serve-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// bin/hookbox runs the single-file bundle (scripts/build-cli.ts) when it is fresh; every other
// test runs the sources. This one builds the bundle and runs `serve` from it. The build goes to
// <temp>/out/cli/hookbox.mjs inside the repository (.tmp/ is ignored by git), the same depth as
// the real out/cli/: better-sqlite3 resolves from the repository's node_modules, and the
// package.json the sources would read (../../package.json) is not there, so the version must
// have been defined at build time.

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const node = process.execPath;

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(node, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return once(child, 'exit').then(([code]) => ({ code: code as number | null, output }));
}

test('the bundled CLI serves: /health answers, POST /events is stored, SIGTERM exits 0', async () => {
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  const root = mkdtempSync(join(REPO_ROOT, '.tmp', 'cli-bundle-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const bundle = join(root, 'out/cli/hookbox.mjs');
  const build = await run([join(REPO_ROOT, 'scripts/build-cli.ts'), '--outfile', bundle]);
  assert.equal(build.code, 0, `build failed:\n${build.output}`);

  // One file: nothing imported from disk but Node's built-ins and the native better-sqlite3.
  const imports = [...readFileSync(bundle, 'utf8').matchAll(/^import\s[^'"]*["']([^'"]+)["']/gm)].map((m) => m[1]!);
  assert.deepEqual(
    imports.filter((s) => !isBuiltin(s)),
    ['better-sqlite3'],
  );

  const dataDir = tempDir();
  const child = spawn(node, [bundle, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, XDG_CONFIG_HOME: tempDir(), AGENTD_LOG_FORMAT: 'text' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = once(child, 'exit');
  await eventually(
    () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(output) || child.exitCode !== null,
    'serve to listen',
    30_000,
  );
  const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
  assert.ok(port, `serve did not start:\n${output}`);
  const url = `http://127.0.0.1:${port}`;

  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { version: string }).version, pkg.version);

  const posted = await postEvent(url, { kind: 'shell', command: 'cargo build', exit_code: 1, duration_ms: 1200 });
  assert.equal(posted.status, 200, JSON.stringify(posted.json));

  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, output);
  const db = new Database(join(dataDir, 'hookbox.db'), { readonly: true });
  try {
    assert.deepEqual(db.prepare('SELECT id, command, exit_code FROM events').all(), [
      { id: posted.json.event_id, command: 'cargo build', exit_code: 1 },
    ]);
  } finally {
    db.close();
  }
});

test("the agent hook's own small bundle: built beside the full one, decides a tool call alone, hands anything else to the full CLI", async () => {
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  const root = mkdtempSync(join(REPO_ROOT, '.tmp', 'cli-bundle-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const full = join(root, 'out/cli/hookbox.mjs');
  const build = await run([join(REPO_ROOT, 'scripts/build-cli.ts'), '--outfile', full]);
  assert.equal(build.code, 0, `build failed:\n${build.output}`);
  const small = join(root, 'out/cli/agent-hook.cjs');
  const source = readFileSync(small, 'utf8');
  const required = (text: string) => [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
  const chunks = readdirSync(join(root, 'out/cli')).filter((f) => /^agent-hook-.*\.cjs$/.test(f));
  for (const file of ['agent-hook.cjs', ...chunks]) {
    const text = readFileSync(join(root, 'out/cli', file), 'utf8');
    assert.deepEqual(
      required(text).filter((s) => !isBuiltin(s) && !/^\.\/agent-hook[\w.-]*\.cjs$/.test(s)),
      [],
      `${file}: nothing from node_modules at run time`,
    );
  }
  // The way to the hub loads no schema library: that is on the hub-down path, in a chunk of its own.
  assert.ok(
    source.length < readFileSync(full, 'utf8').length / 30,
    'the way to the hub is a sliver of the full bundle',
  );
  assert.doesNotMatch(source, /node_modules\/typebox/);
  assert.ok(chunks.length > 0, 'the hub-down path is a chunk of its own');

  const config = join(root, 'config.toml');
  writeFileSync(config, '[[lifecycle."pre-tool-call"]]\nname = "safety-check"\nbuiltin = "safety-guard"\n');
  const input = JSON.stringify({
    session_id: 's',
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command: 'rm -rf /' },
    cwd: root,
  });
  const hook = spawn(
    node,
    [small, '--config', config, '--data-dir', tempDir(), 'agent-hook', 'claude', '--port', String(await closedPort())],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  hook.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  hook.stdin.end(input);
  const [code] = (await once(hook, 'exit')) as [number | null];
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^Hookbox \(safety-check\) blocked this: rm -rf/);

  const help = await run([small, 'agent-hook', '--help']);
  assert.equal(help.code, 0, help.output);
  assert.match(help.output, /Usage: hookbox agent-hook \[options\] <agent>/);
});
