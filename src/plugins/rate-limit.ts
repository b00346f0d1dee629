import rateLimit, { type FastifyRateLimitStore } from '@fastify/rate-limit';
import { lt, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../lib/database.js';
import { AppError } from '../lib/errors.js';
import { rateLimitCounters } from './rate-limit-tables.js';

/**
 * A rate-limit store in the database, so that limits hold across all processes of the service
 * (the library's default store counts per process).
 */
function databaseStore(db: Database, log: FastifyInstance['log']) {
  let calls = 0;
  const store = (prefix: string): FastifyRateLimitStore => ({
    incr(key, callback, timeWindow) {
      const k = prefix + key;
      const windowEnd = sql`now() + ${timeWindow} * interval '1 millisecond'`;
      db.insert(rateLimitCounters)
        .values({ key: k, count: 1, windowEndsAt: windowEnd })
        .onConflictDoUpdate({
          target: rateLimitCounters.key,
          set: {
            count: sql`case when ${rateLimitCounters.windowEndsAt} <= now() then 1 else ${rateLimitCounters.count} + 1 end`,
            windowEndsAt: sql`case when ${rateLimitCounters.windowEndsAt} <= now() then ${windowEnd} else ${rateLimitCounters.windowEndsAt} end`,
          },
        })
        .returning({ count: rateLimitCounters.count, ttl: sql<number>`(extract(epoch from ${rateLimitCounters.windowEndsAt} - now()) * 1000)::int` })
        .then(([row]) => {
          callback(null, { current: row?.count ?? 1, ttl: Math.max(0, row?.ttl ?? timeWindow) });
          // Now and then, drop windows that ended long ago.
          if (++calls % 500 === 0) {
            db.delete(rateLimitCounters).where(lt(rateLimitCounters.windowEndsAt, sql`now() - interval '1 hour'`)).catch((err: unknown) => log.warn({ err }, 'rate-limit cleanup failed'));
          }
        }, (err: Error) => callback(err));
    },
    // The library hands each route's merged settings to `child`, with the route under `routeInfo`.
    child: (params) => {
      const route = (params as unknown as { routeInfo?: { method?: unknown; url?: string } }).routeInfo;
      return store(`${prefix}${String(route?.method)}:${route?.url}:`);
    },
  });
  return store('');
}

export default fp(async function limits(app: FastifyInstance) {
  const store = databaseStore(app.db, app.log);
  await app.register(rateLimit, {
    global: false,
    store: class {
      constructor() {
        return store;
      }
    } as never,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate-limited',
        { en: `too many requests; try again in ${context.after}`, zh: `请求过于频繁，请在 ${Math.ceil(context.ttl / 1000)} 秒后重试` },
        { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
      ),
  });
});
