import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/serve-process.ts';

// electron-builder itself cannot run here (it needs the Electron binary), but its own schema
// check and the settings the app depends on can be verified.
const require = createRequire(join(REPO_ROOT, 'package.json'));
const { load } = require('js-yaml') as { load: (text: string) => any };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

const config = load(readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8'));

test('electron-builder.yml passes electron-builder’s schema', async () => {
  await validateConfiguration(config, new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...config, npmRebuild: 'no' }, new DebugLogger(false)), /npmRebuild/);
});

test('the package holds the built app and unpacks the native SQLite addon without rebuilding it', () => {
  assert.equal(config.appId, 'dev.hookbox.app');
  assert.equal(config.productName, 'Hookbox');
  assert.ok(config.files.includes('out/**/*'));
  assert.ok(config.files.includes('resources/**/*'), 'tray icons are read from resources/ at run time');
  assert.deepEqual(config.asarUnpack, ['**/node_modules/better-sqlite3/**']);
  assert.equal(config.npmRebuild, false);
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.equal(config.linux.category, 'Development');
  assert.ok(config.linux.maintainer);
  assert.equal(config.mac.target, 'dmg');
  assert.equal(config.win.target, 'nsis');
  for (const platform of ['linux', 'mac', 'win'])
    assert.ok(existsSync(join(REPO_ROOT, config[platform].icon)), `${platform} icon`);
});
