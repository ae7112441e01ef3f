// The floor for any Node server: node:http alone, one POST route and /health, no framework.
// Printed and stopped like bench/peers/bare-fastify.mjs (plain JavaScript for the same reason).
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
});
server.listen(0, '127.0.0.1', () =>
  console.log(`bare node:http listening on http://127.0.0.1:${server.address().port}`),
);

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
