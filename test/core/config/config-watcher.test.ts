import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { watchConfigFile } from '../../../main/core/config/config-watcher.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// The config file is watched whether or not it (or its folder) exists when the hub starts: a first
// start with an empty home, where the window's first save creates ~/.config/hookbox/config.toml.

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a config whose folders do not exist yet is watched once they are created, also through rename-saves', async () => {
  const root = tempDir();
  const path = join(root, '.config', 'hookbox', 'config.toml');
  let changes = 0;
  const stop = watchConfigFile(path, () => (changes += 1), 20);
  try {
    mkdirSync(join(root, '.config'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    mkdirSync(join(root, '.config', 'hookbox'));
    writeFileSync(path, '# created\n');
    await until(() => changes >= 1, 'the created file to be seen');
    const seen = changes;
    // An editor that writes a new file and renames it over the old one.
    writeFileSync(`${path}.tmp`, '# edited\n');
    renameSync(`${path}.tmp`, path);
    await until(() => changes > seen, 'the rename-save to be seen');
  } finally {
    stop();
  }
});

test('a folder created in one go (mkdir -p) with the file already in it is seen', async () => {
  const root = tempDir();
  const path = join(root, 'a', 'b', 'config.toml');
  let changes = 0;
  const stop = watchConfigFile(path, () => (changes += 1), 20);
  try {
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(path, '# x\n');
    await until(() => changes >= 1, 'the file to be seen');
    const seen = changes;
    writeFileSync(path, '# y\n');
    await until(() => changes > seen, 'a later write');
  } finally {
    stop();
  }
});
