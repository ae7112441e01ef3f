// Types of electron-builder-hooks.mjs (plain JavaScript, which electron-builder imports).
import type { BuildSpawnerOutcome } from './build-spawner.ts';

export function buildSpawnerForPackage(
  platformName: string,
  archName: string,
  outRoot?: string,
): BuildSpawnerOutcome & { binary?: string; why?: string };
export function beforePack(context: { electronPlatformName: string; arch: number }): Promise<void>;
