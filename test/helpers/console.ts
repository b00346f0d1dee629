import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Locator, type Page, type Request } from 'playwright-core';
import type { Test } from 'tap';
import { bundleConsole } from '../../scripts/console-bundle.js';

/**
 * The console in a real browser: the bundle built as `npm start` builds it (once per change of its
 * sources, cached in the system temp directory like the migrated database), served by a test app
 * that listens on a port, and Debian's chromium driven by playwright-core. One browser per test
 * file; each test opens its own context (its own storage) on it.
 */

const root = resolve(import.meta.dirname, '..', '..');

/** Where the run keeps what the browser saw (.tap is the run's own folder, ignored by git). */
export const screenshotDir = join(root, '.tap', 'console-screenshots');

/** The content of everything the bundle is made of: a change to any of it builds the bundle again. */
function sourcesHash(): string {
  const hash = createHash('sha256');
  const consoleFiles = readdirSync(join(root, 'src', 'console'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  const files = [...consoleFiles, join(root, 'scripts', 'console-bundle.ts'), join(root, 'src', 'lib', 'canonical-json.ts'), join(root, 'package-lock.json')].sort();
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

/** The built console (index.html and assets/), built now if its sources changed since the last build. */
export async function consoleBundle(): Promise<string> {
  const cache = join(tmpdir(), 'data-exchange-test-cache');
  const dir = join(cache, `console-${sourcesHash()}`);
  if (existsSync(join(dir, 'index.html'))) return dir;
  mkdirSync(cache, { recursive: true });
  // Two test files may build at once: each into its own folder, the first rename wins.
  const building = `${dir}.${process.pid}`;
  await bundleConsole(root, building);
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, if they cannot (`.ci/run` installs what they need). */
export const noBrowser = existsSync(chromiumPath) ? false : `${chromiumPath} is not installed (apt-get install chromium fonts-wqy-microhei)`;

let browser: Promise<Browser> | undefined;

/** The file's browser, launched at the first use and closed when the file's tests end. */
function fileBrowser(t: Test): Promise<Browser> {
  if (!browser) {
    browser = chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    // The root test ends after every subtest: the browser goes with it.
    const top = (t as unknown as { parent?: Test }).parent ?? t;
    top.teardown(async () => (await browser)?.close());
  }
  return browser;
}

export interface ConsoleSession {
  /** The service's address, e.g. http://127.0.0.1:41234. */
  url: string;
  context: BrowserContext;
  page: Page;
  /** Opens a console path (`/catalog`) in the page and waits for the page's heading. */
  open(path: string): Promise<void>;
  /** Reloads the page once its calls have answered (see `open`). */
  reload(): Promise<void>;
  /** Errors the page logged that are not a refused API call (a CSP refusal, a script error). */
  pageErrors: string[];
}

/**
 * A browser context (its own storage: another user) on `app`, which starts listening for it. The browser's zone is New York on
 * purpose: the console shows times in Asia/Shanghai whatever the browser's zone is.
 */
export async function openConsole(t: Test, app: FastifyInstance): Promise<ConsoleSession> {
  // The first session of a test makes the app listen; a second (another user's browser) shares it.
  const address = app.server.listening ? `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` : await app.listen({ port: 0, host: '127.0.0.1' });
  const context = await (await fileBrowser(t)).newContext({ locale: 'zh-CN', timezoneId: 'America/New_York', viewport: { width: 1280, height: 900 } });
  t.teardown(() => context.close());
  // A step that waits longer than this has failed; the whole journey takes seconds.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    // A refused API call is logged by the browser as a failed resource; what the user sees of it is tested.
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) pageErrors.push(message.text());
  });
  // The API calls the page has sent and not yet had answered. A page unloaded during a token
  // refresh loses the new pair the API rotated to, and the next page presents the used refresh token,
  // which revokes the login (reuse detection): so the tests navigate away only between calls.
  let calls = 0;
  const isCall = (request: { url(): string }) => request.url().startsWith(address) && !request.url().startsWith(`${address}/console`);
  page.on('request', (request) => void (isCall(request) && calls++));
  const answered = (request: { url(): string }) => void (isCall(request) && (calls = Math.max(0, calls - 1)));
  page.on('requestfinished', answered);
  page.on('requestfailed', answered);
  const betweenCalls = async () => {
    for (const started = Date.now(); calls > 0 && Date.now() - started < 10_000; ) await new Promise((r) => setTimeout(r, 20));
  };
  const open = async (path: string) => {
    await betweenCalls();
    await page.goto(`${address}/console${path}`);
    await page.locator('h1').first().waitFor();
  };
  const reload = async () => {
    await betweenCalls();
    await page.reload();
  };
  return { url: address, context, page, open, reload, pageErrors };
}

/**
 * axe-core's rules (WCAG 2.x A and AA, and best practices) on the page as it is now; fails on any
 * serious or critical violation, naming the rule and the elements.
 */
export async function checkAccessibility(t: Test, page: Page, name: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  t.same(serious, [], `${name}: no serious or critical accessibility violation (axe-core; ${violations.length} minor)`);
}

/** A screenshot of the whole page into the run's folder, named by the test file and the page. */
export async function screenshot(page: Page, file: string, name: string): Promise<void> {
  mkdirSync(join(screenshotDir, file), { recursive: true });
  await page.screenshot({ path: join(screenshotDir, file, `${name}.png`), fullPage: true });
}

/** Signs `user` in through the sign-in page and waits for the first page (the notifications). */
export async function signIn(session: ConsoleSession, user: { email: string; password: string }): Promise<void> {
  await session.open('/sign-in');
  await session.page.getByLabel('电子邮箱').fill(user.email);
  await session.page.getByLabel('密码').fill(user.password);
  await session.page.getByRole('button', { name: '登录' }).click();
  await session.page.getByRole('heading', { level: 1, name: '通知' }).waitFor();
}

/**
 * Asserts that `read` gives `expected`, read again until it does for up to 10 s: for a count or a
 * list of texts on a page that may still be rendering (a list loaded after its heading, the
 * navigation after the session). A failure shows the diff with the last reading.
 */
export async function sameOnceSettled<T>(t: Test, read: () => Promise<T>, expected: T, message: string): Promise<void> {
  let value = await read();
  for (const started = Date.now(); !isDeepStrictEqual(value, expected) && Date.now() - started < 10_000; value = await read()) await new Promise((r) => setTimeout(r, 50));
  t.same(value, expected, message);
}

/**
 * Whether `locator` is visible within 10 s: for what a page shows once a call has answered (a table
 * loaded after its heading). Playwright's `isVisible()` answers at once, before the page may have.
 */
export function shows(locator: Locator): Promise<boolean> {
  return locator.waitFor({ state: 'visible', timeout: 10_000 }).then(
    () => true,
    () => false,
  );
}

/** A form control's value once it matches `pattern` (a page fills it after a call); fails after 10 s. */
export async function fieldValue(control: Locator, pattern: RegExp): Promise<string> {
  for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 50))) {
    const value = await control.inputValue();
    if (pattern.test(value)) return value;
  }
  throw new Error(`the field never held ${pattern}`);
}

/** An Idempotency-Key as the console's forms make them (useIdempotencyKeys). */
export const consoleKey = /^console-[0-9a-f-]{36}$/;

/** The next POST the page sends to `path` (its pathname, or a pattern of it): start waiting before the click that sends it. */
export function nextPost(page: Page, path: string | RegExp): Promise<Request> {
  const matches = (pathname: string) => (typeof path === 'string' ? pathname === path : path.test(pathname));
  return page.waitForRequest((r) => r.method() === 'POST' && matches(new URL(r.url()).pathname));
}
