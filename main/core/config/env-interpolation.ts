import { ErrorCode, HookboxError } from '../errors.ts';

/**
 * `${VAR}` in a config value is replaced by the environment variable, so secrets need not sit
 * in the file. A variable that is not set is an error naming it (an empty secret would silently
 * accept unsigned requests). `$${` escapes a literal `${`.
 */
export function interpolateEnv(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
    if (match.startsWith('$$')) return match.slice(1);
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw new HookboxError(ErrorCode.InvalidConfig, `${where}: environment variable ${name} is not set`);
    }
    return resolved;
  });
}
