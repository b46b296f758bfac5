import Fastify from 'fastify';

/** The ceiling: Fastify answering a constant, on the same loopback, with the same load generator. */
const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
