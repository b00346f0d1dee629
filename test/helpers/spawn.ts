import { spawn, type ChildProcess } from 'node:child_process';

/** How the npm scripts run a TypeScript entry point: on Node's type stripping (scripts/typescript.mjs). */
export const typescriptLoader = ['--import', './scripts/typescript.mjs'];

/**
 * Starts a TypeScript entry point (`src/server.ts`, `scripts/*.ts`) as the npm scripts do, in a
 * child process with only the environment given. The child records no coverage: what a child
 * covers, the test that started it asserts from outside.
 */
export function spawnTs(entry: string, args: string[], env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, [...typescriptLoader, entry, ...args], {
    env: { PATH: process.env.PATH, _TAPJS_PROCESSINFO_COVERAGE_: '0', ...env },
  });
}

/** Runs an entry point to its end and collects its output. */
export function runTs(entry: string, args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTs(entry, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d));
  child.stderr?.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Starts `src/server.ts` as `npm start` does and resolves with its URL once it listens. */
export function startServer(env: Record<string, string>) {
  const child = spawnTs('src/server.ts', [], { PORT: '0', ...env });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d));
  child.stderr?.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`server exited: ${output}`));
    });
  });
  return { child, exited, listening, output: () => output };
}
