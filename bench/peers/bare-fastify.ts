// The baseline for the ingest benchmark: fastify 5 with one POST route and nothing else (no
// logger, no schema, no storage). Prints its address the way `hookbox serve` does so the
// harness starts both the same way.
import Fastify from 'fastify';

const app = Fastify();
app.post('/events', async () => ({ ok: true }));
app.get('/health', async () => ({ ok: true }));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`bare fastify listening on ${url}`);

const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
