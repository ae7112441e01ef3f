import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { ErrorCode, HookboxError } from '../errors.ts';
import { realFile, writeText } from './config-file-io.ts';

// Codex runs hooks.json only with `[features] codex_hooks = true` in its config.toml (beside
// hooks.json). Install turns the flag on with a line edit that says it is Hookbox's; uninstall takes
// exactly that edit back (a flag the user set stays as it was).

const ADDED = '# added by hookbox';
const WAS_FALSE = '# hookbox: was false';

export function codexFeatureFile(hooksFile: string): string {
  return join(dirname(hooksFile), 'config.toml');
}

function read(file: string): { text: string; features: Record<string, unknown> | undefined } {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `${file}: not valid TOML (${(error as Error).message.split('\n')[0]}); fix it first, the codex_hooks flag was not set`,
    );
  }
  const features = parsed.features;
  return {
    text,
    features: typeof features === 'object' && features !== null ? (features as Record<string, unknown>) : undefined,
  };
}

export function codexHooksFlag(file: string): string {
  try {
    const { features } = read(realFile(file));
    return features?.codex_hooks === true ? 'codex_hooks on' : 'codex_hooks off (Codex will not run hooks.json)';
  } catch (error) {
    return (error as Error).message;
  }
}

/** Turns `[features] codex_hooks` on; what was done, in words. */
export function enableCodexHooksFlag(configFile: string): string {
  const file = realFile(configFile);
  const { text, features } = read(file);
  if (features?.codex_hooks === true) return `${file}: [features] codex_hooks is already on`;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const header = lines.findIndex((l) => /^\s*\[features\]\s*(#.*)?$/.test(l));
  const keyLine =
    header < 0
      ? -1
      : lines.findIndex(
          (l, i) =>
            i > header &&
            /^\s*codex_hooks\s*=\s*false\s*(#.*)?$/.test(l) &&
            !lines.slice(header + 1, i).some((x) => /^\s*\[/.test(x)),
        );
  let next: string;
  if (keyLine >= 0) {
    lines[keyLine] = `codex_hooks = true ${WAS_FALSE}`;
    next = lines.join(eol);
  } else if (header >= 0) {
    lines.splice(header + 1, 0, `codex_hooks = true ${ADDED}`);
    next = lines.join(eol);
  } else if (features !== undefined) {
    throw new HookboxError(
      ErrorCode.InvalidInput,
      `${file}: 'features' is not written as a [features] table; add codex_hooks = true to it yourself`,
    );
  } else if (!existsSync(file)) {
    next = `[features] ${ADDED}${eol}codex_hooks = true ${ADDED}${eol}`;
  } else {
    next = `${text}${eol}[features] ${ADDED}${eol}codex_hooks = true ${ADDED}${eol}`;
  }
  writeText(file, next);
  return `${file}: [features] codex_hooks turned on`;
}

/** Takes back what enableCodexHooksFlag wrote; null when there was nothing of ours. */
export function disableCodexHooksFlag(configFile: string): string | null {
  const file = realFile(configFile);
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (text === `[features] ${ADDED}${eol}codex_hooks = true ${ADDED}${eol}`) {
    unlinkSync(file);
    return `${file}: removed (Hookbox had created it for the codex_hooks flag)`;
  }
  let next = text.replace(`${eol}[features] ${ADDED}${eol}codex_hooks = true ${ADDED}${eol}`, '');
  next = next
    .replace(`codex_hooks = true ${ADDED}${eol}`, '')
    .replace(`codex_hooks = true ${WAS_FALSE}`, 'codex_hooks = false');
  if (next === text) return null;
  writeText(file, next);
  return `${file}: [features] codex_hooks set back as it was`;
}
