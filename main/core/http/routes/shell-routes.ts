import { Type } from 'typebox';
import { ApiErrorBody } from '../api-error.ts';
import type { ApiServer } from '../api-types.ts';
import type { ScriptOptions } from '../../shell/script-text.ts';

export const SUPPORTED_SHELLS = ['zsh', 'bash', 'fish'] as const;
export type SupportedShell = (typeof SUPPORTED_SHELLS)[number];

/** Produces the integration script for a shell, given the base URL of the running API (and its options). */
export type ShellScriptProvider = (shell: SupportedShell, baseUrl: string, options?: ScriptOptions) => string;

export function registerShellRoutes(
  app: ApiServer,
  deps: { scripts: ShellScriptProvider | undefined; baseUrl: () => string; options: () => ScriptOptions },
): void {
  app.get(
    '/shell/:shell',
    {
      schema: {
        params: Type.Object({ shell: Type.String() }),
        response: { 200: Type.String(), '4xx': ApiErrorBody, '5xx': ApiErrorBody },
      },
    },
    async (request, reply) => {
      const shell = request.params.shell;
      if (!(SUPPORTED_SHELLS as readonly string[]).includes(shell)) {
        return reply.code(404).send({
          success: false as const,
          error: 'unknown_shell',
          message: `no integration for shell '${shell}'; supported: ${SUPPORTED_SHELLS.join(', ')}`,
        });
      }
      if (!deps.scripts) {
        return reply.code(501).send({
          success: false as const,
          error: 'not_implemented',
          message: 'shell integration scripts are not part of this build yet',
        });
      }
      return reply
        .type('text/plain; charset=utf-8')
        .send(deps.scripts(shell as SupportedShell, deps.baseUrl(), deps.options()));
    },
  );
}
