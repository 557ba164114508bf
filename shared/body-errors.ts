/**
 * Bodies that functions-framework cannot parse reach our wrappers instead of Express's default error page.
 *
 * functions-framework 5 parses every request body before the function runs (body-parser's json, text, urlencoded
 * and raw parsers, in `build/src/server.js`) and installs no error handler: a parse failure goes to Express's
 * final handler, which answers HTML `<pre>Bad Request</pre>` and `console.error`s the whole error, raw body (and
 * so customer data) included. It has no option, environment variable or hook for this. What it does have is an
 * order: its loader imports the function's module first and builds the Express app afterwards, calling
 * `bodyParser.json(…)` and the others at that moment. So `catchBodyErrors()`, called at cold start, wraps those
 * four factories of the very body-parser instance functions-framework loads (resolved from its own folder): a
 * failure is attached to the request, which then goes on to the function, and the wrapper in `http.ts` answers it
 * as JSON (400 `invalid-json`, 413, 415) with one masked log line. Works the same in tests, `npm run dev` and the
 * deployed runtime, where functions-framework is the one installed from the deploy folder's package.json.
 */
import { createRequire } from 'node:module';
import type { ErrorCode, FieldIssue } from './errors.ts';

/** What went wrong with a body, in words that never quote it. */
export interface BodyError {
  status: number;
  code: ErrorCode;
  message: string;
  details?: FieldIssue[];
}

type Middleware = (req: object, res: unknown, next: (err?: unknown) => void) => void;
type Factory = (options: unknown) => Middleware;

const ERROR = Symbol.for('storefront-jobs.body-error');
const PATCHED = Symbol.for('storefront-jobs.body-parser-patched');
const PARSERS = ['json', 'text', 'urlencoded', 'raw'] as const;

/** The body error attached to `req`, if its body could not be read or parsed. */
export function bodyErrorOf(req: object): BodyError | undefined {
  return (req as { [ERROR]?: BodyError })[ERROR];
}

/**
 * Wraps functions-framework's body parsers once per process (idempotent). Call it before functions-framework builds
 * its server: at module load of a function, as `publicEndpoint` and `taskTarget` do.
 */
export function catchBodyErrors(): void {
  const fromHere = createRequire(import.meta.url);
  const bodyParser = createRequire(fromHere.resolve('@google-cloud/functions-framework'))('body-parser') as Record<
    string,
    Factory
  > & { [PATCHED]?: true };
  if (bodyParser[PATCHED]) return;
  for (const name of PARSERS) {
    const factory = bodyParser[name];
    if (typeof factory !== 'function')
      throw new Error(`functions-framework's body-parser has no ${name}(): update shared/body-errors.ts`);
    bodyParser[name] = (options) => {
      const parse = factory(options);
      return (req, res, next) => {
        // After a failure the stream is spent or unusable: the later parsers must not try again.
        if (bodyErrorOf(req)) return next();
        parse(req, res, (err) => {
          if (err === undefined || err === null) return next();
          (req as { [ERROR]?: BodyError })[ERROR] = describe(err);
          next();
        });
      };
    };
  }
  bodyParser[PATCHED] = true;
}

/** Our answer for a body-parser failure; V8's JSON messages quote the body, so only the position is kept. */
export function describe(err: unknown): BodyError {
  const e = (err ?? {}) as {
    status?: unknown;
    type?: unknown;
    message?: unknown;
    charset?: unknown;
    encoding?: unknown;
    body?: unknown;
  };
  const status = typeof e.status === 'number' ? e.status : 500;
  const type = typeof e.type === 'string' ? e.type : '';
  if (type === 'entity.parse.failed') {
    // functions-framework parses JSON strictly: `false` or `"text"` is JSON, but not an object or array.
    if (isJsonText(e.body)) {
      const details = [{ path: '(root)', message: 'must be a JSON object' }];
      return { status: 400, code: 'invalid-payload', message: 'Invalid body: (root): must be a JSON object', details };
    }
    const at = typeof e.message === 'string' ? e.message.match(/at position (\d+)/)?.[1] : undefined;
    return { status: 400, code: 'invalid-json', message: `Body is not valid JSON${at ? ` (at position ${at})` : ''}` };
  }
  if (status === 413) return { status, code: 'payload-too-large', message: 'Body is too large' };
  if (type === 'charset.unsupported')
    return {
      status: 415,
      code: 'unsupported-media-type',
      message: `Unsupported charset ${String(e.charset ?? '').slice(0, 40)}`,
    };
  if (type === 'encoding.unsupported' || status === 415)
    return {
      status: 415,
      code: 'unsupported-media-type',
      message: `Unsupported Content-Encoding ${String(e.encoding ?? '').slice(0, 40)}`,
    };
  if (status >= 400 && status < 500)
    return { status, code: 'invalid-request', message: `Body could not be read (${type || 'bad request'})` };
  return { status: 500, code: 'internal', message: `Body could not be read (${type || 'error'})` };
}

function isJsonText(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
