import { lazily } from './lazy-compile.js';
import { SerializerSelector, type SerializerFactory, type Serializer } from '@fastify/fast-json-stringify-compiler';

/**
 * Fastify's own response serializers (fast-json-stringify), compiled once per process for each
 * distinct schema: every app a process builds (one in production, one per test in the suite) has
 * the same routes, and compiling their serializers is, with the validators (lib/validation.ts), most
 * of the cost of building an app. Each is compiled on first use (lib/lazy-compile.ts).
 */
const build = SerializerSelector();
const compiled = new Map<string, Serializer>();

export const sharedSerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = build(externalSchemas, options);
  const context = JSON.stringify([externalSchemas, options]);
  return (route) => {
    const key = `${context} ${JSON.stringify(route.schema)}`;
    let serialize = compiled.get(key);
    if (!serialize) {
      serialize = lazily(() => compile(route));
      compiled.set(key, serialize);
    }
    return serialize;
  };
};
