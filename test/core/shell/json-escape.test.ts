import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { gitHookScript } from '../../../main/core/shell/git-hooks.ts';
import { shellIntegrationScript } from '../../../main/core/shell/shell-integration.ts';
import { startHub } from '../../helpers/hub-fixture.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { waitForCount } from './event-polling.ts';

// Every shell builds its JSON itself (no jq, no node): each string escaper gets every character
// JSON must escape and a few it must not touch, and its output must parse back to the input.

const run = promisify(execFile);

const controls = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
const SAMPLES = [
  'plain',
  '',
  `all controls: ${controls} and DEL \x7f`,
  'quotes " \' ` and backslashes \\ \\\\ \\n \\u0041 and $HOME $(x) %s %d',
  'lines\nand\r\nwindows\tand tabs',
  'ends with a newline\n',
  'emoji 🎉👩‍💻, accents naïve é, CJK 漢字, RTL שלום, combining e\u0301',
  'x'.repeat(20_000),
];

const SCRIPT_CALL = {
  bash: ['bash', ['--norc', '--noprofile', '-i', '-c', 'source "$1"; __hookbox_json "$2"; printf %s "$REPLY"', '_']],
  zsh: ['zsh', ['-f', '-i', '-c', 'source $1; __hookbox_json $2; print -rn -- $REPLY', '_']],
  fish: ['fish', ['--no-config', '-i', '-c', 'source $argv[1]; __hookbox_json $argv[2]; printf %s $__hookbox_reply']],
} as const;

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: the JSON string escaper round-trips every character`, async () => {
    const file = join(tempDir(), `hookbox.${shell}`);
    writeFileSync(file, shellIntegrationScript(shell, 'http://127.0.0.1:9'));
    const [command, args] = SCRIPT_CALL[shell];
    for (const sample of SAMPLES) {
      const { stdout } = await run(command, [...args, file, sample], {
        env: { ...process.env, LANG: 'C.UTF-8' },
        maxBuffer: 1 << 24,
      });
      assert.equal(JSON.parse(stdout), sample, `${shell} on ${JSON.stringify(sample.slice(0, 60))}`);
    }
  });
}

test('git hook: its awk escaper round-trips every character (through the hook arguments it reports)', async () => {
  const hub = await startHub();
  const dir = tempDir();
  const hook = join(dir, 'post-checkout');
  writeFileSync(hook, gitHookScript('post-checkout', hub.url, { mode: 'repo' }), { mode: 0o755 });
  const samples = SAMPLES;
  await run(hook, samples, { cwd: dir, env: { ...process.env, LANG: 'C.UTF-8' } });
  const [event] = await waitForCount(hub.url, 1, 'the post-checkout event');
  assert.deepEqual(event!.metadata.args, samples);
});
