import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenFromRequest, tokensMatch } from '../security/control-token.ts';

/** A preHandler for control routes: 401 without the control token. */
export function requireControlToken(token: string) {
  return async function checkToken(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (!tokensMatch(token, tokenFromRequest(request.headers, request.query))) {
      await reply.code(401).send({
        success: false,
        error: 'unauthorized',
        message: 'this operation needs the control token (Authorization: Bearer <token>; the token is in the data dir file control-token)',
      });
    }
  };
}
