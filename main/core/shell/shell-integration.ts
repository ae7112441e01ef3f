import { ErrorCode, HookboxError } from '../errors.ts';
import { SUPPORTED_SHELLS, type ShellScriptProvider, type SupportedShell } from '../http/routes/shell-routes.ts';
import { bashIntegration } from './bash-integration.ts';
import { fishIntegration } from './fish-integration.ts';
import { zshIntegration } from './zsh-integration.ts';
import type { ScriptOptions } from './script-text.ts';

export { SUPPORTED_SHELLS, type SupportedShell } from '../http/routes/shell-routes.ts';

const GENERATORS: Record<SupportedShell, (baseUrl: string, options?: ScriptOptions) => string> = {
  bash: bashIntegration,
  zsh: zshIntegration,
  fish: fishIntegration,
};

/** The integration script for a shell, reporting to the Hookbox API at baseUrl. */
export const shellIntegrationScript: ShellScriptProvider = (shell, baseUrl, options) =>
  GENERATORS[shell](baseUrl, options);

export function isSupportedShell(name: string): name is SupportedShell {
  return (SUPPORTED_SHELLS as readonly string[]).includes(name);
}

/** A shell name as a user gives it ("bash", "/usr/bin/zsh", "-fish"), checked. */
export function parseShellName(raw: string): SupportedShell {
  const name = raw.trim().replace(/^-/, '').split('/').pop() ?? '';
  if (isSupportedShell(name)) return name;
  throw new HookboxError(
    ErrorCode.IntegrationFailed,
    `no integration for shell '${raw}'; supported: ${SUPPORTED_SHELLS.join(', ')}`,
  );
}
