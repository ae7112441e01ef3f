// The baseline for the ingest benchmark: fastify 5 with one POST route and nothing else (no
// logger, no schema, no storage). Prints its address the way `hookbox serve` does so the
// harness starts both the same way.
//
// Plain JavaScript, not TypeScript: Node 24 strips types through a WebAssembly module that it
// loads on the first .ts file, which would add about 17 MB to this peer's idle memory and time to
// its start, none of which fastify itself costs (hookbox is measured as its JavaScript bundle).
import Fastify from 'fastify';

const app = Fastify();
app.post('/events', async () => ({ ok: true }));
app.get('/health', async () => ({ ok: true }));

const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(`bare fastify listening on ${url}`);

const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
