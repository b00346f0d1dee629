/**
 * Why a start failed, in one line that says what is wrong and what to do, for the failures an
 * operator meets (the database server, the data directory, the port); a stack trace is for bugs.
 * The exit code says which kind (sysexits.h): 78 a setting must change, 69 something the service
 * needs is not available now and a later start may succeed.
 */
export const EX_CONFIG = 78;
export const EX_UNAVAILABLE = 69;

export interface StartupFailure {
  message: string;
  exitCode: number;
}

export interface StartupContext {
  databaseUrl: string | undefined;
  databaseConnectTimeoutSeconds: number;
  dataDir: string;
  host: string;
  port: number;
}

/** A file-system error in words a person acts on, with its code for searching. */
export function fileSystemReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
  const words: Record<string, string> = {
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOTDIR: 'a part of the path is a file, not a directory',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is used up',
    EISDIR: 'a directory stands where a file belongs',
  };
  return `${words[code] ?? (err as Error).message} (${code})`;
}

/** The error and the errors it wraps (`cause`, an AggregateError's `errors`), outermost first. */
function chainOf(err: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  const queue: unknown[] = [err];
  while (queue.length > 0 && chain.length < 10) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null) continue;
    chain.push(e as Record<string, unknown>);
    queue.push((e as { cause?: unknown }).cause, ...(((e as { errors?: unknown }).errors as unknown[] | undefined) ?? []));
  }
  return chain;
}

/** Where the server database is, without its password: `host:port`, the database and the role. */
function serverOf(url: string) {
  const u = new URL(url);
  return { at: `${u.hostname}:${u.port || '5432'}`, host: u.hostname, database: decodeURIComponent(u.pathname.slice(1)) || u.username || 'postgres', role: decodeURIComponent(u.username) || 'the current user' };
}

function databaseFailure(codes: string[], message: string, context: StartupContext): StartupFailure | undefined {
  if (!context.databaseUrl) return undefined;
  const db = serverOf(context.databaseUrl);
  const has = (...wanted: string[]) => wanted.some((c) => codes.includes(c));
  const unavailable = (text: string) => ({ message: `${text}; check DATABASE_URL`, exitCode: EX_UNAVAILABLE });
  // PostgreSQL's SQLSTATE codes, then the network's.
  if (has('3D000')) return { message: `database "${db.database}" does not exist on ${db.at}: create it (createdb -h ${db.host} ${db.database}) or correct DATABASE_URL`, exitCode: EX_CONFIG };
  if (has('28000')) return { message: `the database server at ${db.at} refused role ${db.role}: ${message}; create the role or correct the user in DATABASE_URL`, exitCode: EX_CONFIG };
  if (has('28P01')) return { message: `the database server at ${db.at} refused the password of role ${db.role}; correct DATABASE_URL`, exitCode: EX_CONFIG };
  if (has('57P03', '53300')) return unavailable(`the database server at ${db.at} does not accept connections now (${message})`);
  if (has('ECONNREFUSED')) return unavailable(`nothing answers at ${db.at}: is PostgreSQL running there, on that port?`);
  if (has('ENOTFOUND')) return { message: `the database host "${db.host}" is not known; correct DATABASE_URL`, exitCode: EX_CONFIG };
  if (has('CONNECT_TIMEOUT', 'ETIMEDOUT')) {
    return unavailable(`the database server at ${db.at} did not answer within ${context.databaseConnectTimeoutSeconds} s (DATABASE_CONNECT_TIMEOUT_SECONDS): is the host reachable, the port open?`);
  }
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET')) return unavailable(`the database server at ${db.at} cannot be reached (${codes.find((c) => c.startsWith('E'))})`);
  return undefined;
}

export function explainStartupError(err: unknown, context: StartupContext): StartupFailure | undefined {
  const chain = chainOf(err);
  const codes = chain.map((e) => e.code).filter((c): c is string => typeof c === 'string');
  const innermost = [...chain].reverse().find((e) => typeof e.message === 'string');
  const database = databaseFailure(codes, String(innermost?.message ?? ''), context);
  if (database) return database;
  const listen = chain.find((e) => e.syscall === 'listen' || e.syscall === 'bind');
  if (listen) {
    const where = `port ${context.port} on ${context.host}`;
    if (listen.code === 'EADDRINUSE') return { message: `${where} is in use by another process: stop it, or choose another PORT`, exitCode: EX_UNAVAILABLE };
    if (listen.code === 'EADDRNOTAVAIL') return { message: `${context.host} is not an address of this machine: correct HOST (0.0.0.0 listens on every interface)`, exitCode: EX_CONFIG };
    if (listen.code === 'EACCES') return { message: `${where} needs privileges this process lacks: choose a PORT above 1023`, exitCode: EX_CONFIG };
  }
  // Only paths under DATA_DIR: another missing file (a model text, say) is a different story.
  const file = chain.find((e) => typeof e.path === 'string' && e.path.startsWith(context.dataDir) && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code));
  if (file) return { message: `DATA_DIR ${context.dataDir} cannot be used: ${String(file.path)}: ${fileSystemReason(file)}`, exitCode: EX_CONFIG };
  // The embedded database's own lock (lib/database.ts): another process holds the directory.
  const locked = chain.find((e) => typeof e.message === 'string' && / is in use by process \d+/.test(e.message));
  if (locked) return { message: String(locked.message), exitCode: EX_UNAVAILABLE };
  return undefined;
}
