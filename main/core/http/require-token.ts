import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasQueryToken, tokenFromHeaders, tokenFromQuery, tokensMatch } from '../security/control-token.ts';

const WHERE_TOKEN_IS = 'the token is in the data dir file control-token';

/**
 * A hook for control routes: 401 without the control token. The token goes in a header; only the
 * server-sent-event streams (`query: true`) also take `?token=`, since EventSource cannot send
 * headers. Elsewhere a token in the URL is refused, even with a good header: URLs end up in
 * shell histories and proxy logs.
 */
export function requireControlToken(token: string, options: { query?: boolean } = {}) {
  return async function checkToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!options.query && hasQueryToken(request.query)) {
      await reply.code(401).send({
        success: false,
        error: 'unauthorized',
        message: `?token= is accepted only on the event streams (EventSource cannot send headers); send the control token in the Authorization: Bearer <token> header instead (${WHERE_TOKEN_IS})`,
      });
      return;
    }
    const given = tokenFromHeaders(request.headers) ?? (options.query ? tokenFromQuery(request.query) : undefined);
    if (!tokensMatch(token, given)) {
      await reply.code(401).send({
        success: false,
        error: 'unauthorized',
        message: `this operation needs the control token (Authorization: Bearer <token>; ${WHERE_TOKEN_IS})`,
      });
    }
  };
}
