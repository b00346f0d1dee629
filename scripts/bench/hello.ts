// The ceiling `npm run bench` compares with: a bare Fastify 5 route in a process of its own, on
// plain Node (it imports nothing of the project, so Node strips its types itself: no loader).
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
