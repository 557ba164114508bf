/**
 * Configuration from the environment, parsed once at cold start with zod (the t3-env idea). This is the only
 * module that reads `process.env`. Each function composes just the settings it needs from the fragments below,
 * so a missing mail key cannot break a function that sends no mail.
 */
import { z } from 'zod';
import { ConfigError, describeIssues, fieldIssues } from './errors.ts';
import { SEVERITIES } from './log.ts';

/** A comma-separated list in one variable (`a@x,b@y`), trimmed, empty entries dropped. */
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** An `http(s)://` URL. */
export const url = z.url({ protocol: /^https?$/ });

/** `host:port` of a local emulator. */
const HostPort = z.string().regex(/^[^:/\s]+:\d+$/, 'must be host:port');

/** Settings every function has. */
export const BaseEnv = z.object({
  /** Project id; used for trace correlation and Cloud Tasks queue paths. */
  GOOGLE_CLOUD_PROJECT: z.string().min(1),
  /** Name of the function, used as a log label. Cloud Run sets K_SERVICE. */
  K_SERVICE: z.string().min(1).optional(),
  /** Lowest severity written to the log. @default INFO */
  LOG_LEVEL: z.enum(SEVERITIES).default('INFO'),
});

/** Settings of task targets: who may call them. */
export const OidcEnv = z.object({
  /** The audience tokens must carry: this function's own URL. */
  OIDC_AUDIENCE: z.string().min(1),
  /** Service accounts allowed to call this function (comma-separated). */
  OIDC_ALLOWED_EMAILS: csv.pipe(z.array(z.email()).min(1)),
  /** Accepted token issuers. @default https://accounts.google.com,accounts.google.com */
  OIDC_ISSUERS: csv
    .pipe(z.array(z.string().min(1)).min(1))
    .default(['https://accounts.google.com', 'accounts.google.com']),
  /** Where the issuer's signing keys are. @default https://www.googleapis.com/oauth2/v3/certs */
  OIDC_JWKS_URL: url.default('https://www.googleapis.com/oauth2/v3/certs'),
});

/** Settings of functions that enqueue Cloud Tasks. */
export const TasksEnv = z.object({
  /** Region of the queues. */
  TASKS_LOCATION: z.string().min(1),
  /** Service account whose OIDC token the tasks carry (the invoker of the targets). */
  TASKS_INVOKER_SERVICE_ACCOUNT: z.email(),
  /** `host:port` of a local Cloud Tasks emulator, spoken to over plain-HTTP REST. Unset in production. */
  CLOUD_TASKS_EMULATOR_HOST: HostPort.optional(),
});

/** Settings of functions that use Firestore. */
export const FirestoreEnv = z.object({
  /** Firestore database id. @default (default) */
  FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
  /** How long one Firestore operation may take before the function answers 503. @default 10000 */
  FIRESTORE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** `host:port` of the Firestore emulator. Unset in production. */
  FIRESTORE_EMULATOR_HOST: HostPort.optional(),
});

/** An error naming every invalid setting, or the frozen parsed settings. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.output<S>> {
  // Empty strings count as unset, so `FOO=` in a .env file does not satisfy a required setting.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const details = fieldIssues(result.error.issues);
    throw new ConfigError(`Invalid configuration: ${describeIssues(details)}`, details);
  }
  return Object.freeze(result.data);
}
