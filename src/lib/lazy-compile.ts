/**
 * Compiling a route's validators and serializers is most of the cost of building an app, and a
 * process that builds one to serve a handful of routes (a test file, a command-line tool) would pay
 * for all of them. So each is compiled the first time it runs, once per process for each distinct
 * schema; `compileAll` compiles what is still pending, which the server does before it listens so
 * that a schema that cannot compile stops the start and no first request pays for it.
 */
const pending = new Set<() => void>();

/** `compile()` on first use of the function returned (or by `compileAll`), then its result is called directly. */
export function lazily<F extends (...args: never[]) => unknown>(compile: () => F, expose?: (real: F, wrapper: F) => void): F {
  let real: F | undefined;
  const force = () => {
    if (real) return real;
    real = compile();
    pending.delete(force);
    return real;
  };
  pending.add(force);
  const wrapper = ((...args: Parameters<F>) => {
    const fn = real ?? force();
    const result = fn(...args);
    expose?.(fn, wrapper);
    return result;
  }) as F;
  return wrapper;
}

/** Compiles every validator and serializer not yet compiled; throws as the first failing one does. */
export function compileAll(): number {
  const all = [...pending];
  for (const force of all) force();
  return all.length;
}
