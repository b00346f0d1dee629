// How every command in scripts/ reads its arguments, so they all behave alike: `--help` prints
// usage, options and examples and exits 0 before anything is opened; an unknown option, a missing
// or bad value exits 2 with one line naming it; progress goes to stderr (`--quiet` silences it), so
// stdout carries only the result. Built on Node's own `util.parseArgs`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { explainStartupError } from '../src/lib/startup-errors.js';

export interface CliOption {
  type: 'string' | 'boolean';
  description: string;
  /** The value's placeholder in the usage text, e.g. `DATE`. */
  value?: string;
  short?: string;
  multiple?: boolean;
  default?: string | boolean | readonly string[];
}

export type CliOptions = Record<string, CliOption>;

export interface CliSpec<O extends CliOptions> {
  /** The npm script, e.g. `settlement:reconcile`. */
  name: string;
  /** What it does, a sentence or two. */
  summary: string;
  /** Usage lines after `npm run <name> --`, e.g. `--from DATE --to DATE [--json]`. */
  usage: string[];
  options: O;
  /** Positional arguments: their names for the usage text, and how many are allowed. */
  positionals?: { names: string; min: number; max: number };
  examples: string[];
  /** What the exit codes mean, one line each. */
  exitCodes: string[];
  /** Settings read from the environment, if any (the server's configuration, say). */
  environment?: string;
}

type ValueOf<T extends CliOption> = T['type'] extends 'boolean' ? boolean : T['multiple'] extends true ? string[] : string;
export type CliValues<O extends CliOptions> = { [K in keyof O]: ValueOf<O[K]> | (O[K] extends { default: unknown } ? never : undefined) };

export interface Cli<O extends CliOptions> {
  /** The npm script's name, for messages. */
  name: string;
  /** The options given, with `--quiet` (every command takes it) beside the command's own. */
  values: CliValues<O> & { quiet: boolean | undefined };
  positionals: string[];
  /** A line of progress on stderr, unless `--quiet`. */
  progress(line: string): void;
  /** Stops with exit code 2 and one line saying what is wrong with the arguments. */
  usageError(message: string): never;
}

const common = {
  help: { type: 'boolean', short: 'h', description: 'show this help and exit' },
  quiet: { type: 'boolean', short: 'q', description: 'no progress on stderr' },
} as const satisfies CliOptions;

export function helpText<O extends CliOptions>(spec: CliSpec<O>): string {
  const all: CliOptions = { ...spec.options, ...common };
  const flag = (name: string, o: CliOption) => `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  const width = Math.max(...Object.entries(all).map(([n, o]) => flag(n, o).length));
  const lines = [
    `npm run ${spec.name} -- ${spec.usage[0] ?? ''}`.trimEnd(),
    ...spec.usage.slice(1).map((u) => `npm run ${spec.name} -- ${u}`),
    '',
    spec.summary,
    '',
    'Options:',
    ...Object.entries(all).map(([n, o]) => {
      const extra = o.multiple ? ' (repeatable)' : o.default !== undefined && o.default !== false ? ` (default: ${[o.default].flat().join(', ')})` : '';
      return `  ${flag(n, o).padEnd(width)}  ${o.description}${extra}`;
    }),
    '',
    'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
    '',
    'Exit codes:',
    ...spec.exitCodes.map((e) => `  ${e}`),
  ];
  if (spec.environment) lines.push('', `Environment: ${spec.environment}`);
  return lines.join('\n') + '\n';
}

export function parseCli<const O extends CliOptions>(spec: CliSpec<O>, argv: string[] = process.argv.slice(2)): Cli<O> {
  const usageError = (message: string): never => {
    process.stderr.write(`${spec.name}: ${message}\nRun \`npm run ${spec.name} -- --help\` for usage.\n`);
    process.exit(2);
  };
  const all: CliOptions = { ...spec.options, ...common };
  const options = Object.fromEntries(
    Object.entries(all).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}), ...(o.default !== undefined ? { default: Array.isArray(o.default) ? [...(o.default as string[])] : o.default } : {}) },
    ]),
  );
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: options as ParseArgsConfig['options'], allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs names the option in its message: "Unknown option '--x'", "Option '--from <value>' argument missing".
    return usageError((err as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '').replace(/\.$/, ''));
  }
  if (parsed.values.help) {
    process.stdout.write(helpText(spec));
    process.exit(0);
  }
  const allowed = spec.positionals ?? { names: '', min: 0, max: 0 };
  if (parsed.positionals.length > allowed.max) usageError(allowed.max === 0 ? `takes no arguments, got "${parsed.positionals[0]}"` : `takes at most ${allowed.max} argument${allowed.max === 1 ? '' : 's'} (${allowed.names}), got ${parsed.positionals.length}`);
  if (parsed.positionals.length < allowed.min) usageError(`${allowed.names} is required`);
  const quiet = parsed.values.quiet === true;
  return {
    name: spec.name,
    values: parsed.values as CliValues<O> & { quiet: boolean | undefined },
    positionals: parsed.positionals,
    progress: (line) => {
      if (!quiet) process.stderr.write(`${line}\n`);
    },
    usageError,
  };
}

/** An ISO 8601 date-time option as a Date, or a usage error naming it. */
export function dateOption(cli: Pick<Cli<CliOptions>, 'usageError'>, name: string, value: string): Date {
  const at = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(at.getTime())) {
    cli.usageError(`--${name} takes an ISO 8601 date or date-time such as 2026-11-01T00:00:00Z, got "${value}"`);
  }
  return at;
}

/** A positive whole number option, or a usage error naming it. */
export function positiveIntegerOption(cli: Pick<Cli<CliOptions>, 'usageError'>, name: string, value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) cli.usageError(`--${name} takes a whole number above 0, got "${value}"`);
  return Number(value);
}

/** The server's configuration, as the server reads it; a wrong setting stops the command (exit 2) naming every one. */
export function scriptConfig(name: string, env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${name}: configuration: ${err.message} (docs/configuration.md)\n`);
    process.exit(2);
  }
}

/** Why a command could not run, in one line: the database or data directory in words (lib/startup-errors.ts), else the error's message. */
export function whyItFailed(err: unknown, config: Config): string {
  return explainStartupError(err, config)?.message ?? (err as Error).message.split('\n')[0]!;
}
