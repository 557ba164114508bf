/**
 * A deployed function's settings, from the one catalogue: what deploy.sh passes as `--set-env-vars` and
 * `--set-secrets`. A deployment is a stack whose parts are Google's (function URLs, invoker accounts; no emulators),
 * plus the settings the operator gives deploy.sh in its environment, checked against the function's own schema.
 */
import { ConfigError } from '../../shared/errors.ts';
import { loadConfig } from '../../shared/config.ts';
import { SETTINGS, type StackSettings } from './catalogue.ts';
import { FUNCTIONS, FUNCTION_SAMPLES, functionSettings, readsOf, targets } from './functions.ts';

export interface DeployTarget {
  project: string;
  region: string;
}

/** As the Node buildpack's users set it, and the dev runner too (local/dev/functions.ts). */
const RUNTIME_ENV = { NODE_OPTIONS: '--enable-source-maps' };

/**
 * Deterministic function URLs (https://cloud.google.com/functions/docs/calling/http), which tasks also carry as their
 * OIDC audience (https://cloud.google.com/tasks/docs/reference/rest/v2/OidcToken: the audience is the task's URL).
 */
export const functionUrl = (t: DeployTarget, name: string): string =>
  `https://${t.region}-${t.project}.cloudfunctions.net/${name}`;

/** The project's values of the catalogue's `stack` settings. */
export const projectStack = (t: DeployTarget): StackSettings => ({
  project: t.project,
  location: t.region,
  tasksInvoker: `tasks-invoker@${t.project}.iam.gserviceaccount.com`,
  schedulerInvoker: `scheduler-invoker@${t.project}.iam.gserviceaccount.com`,
});

/** What deploy.sh sets for one function; `problems` names each setting its schema would reject at cold start. */
export interface DeploySettings {
  vars: Record<string, string>;
  /** Setting → Secret Manager secret (deploy.sh pins the version). */
  secrets: Record<string, string>;
  problems: string[];
}

/** The env vars and secrets of function `name`, its operator settings taken from `env`. */
export function deploySettings(name: string, t: DeployTarget, env: Record<string, string | undefined>): DeploySettings {
  const all = targets((n) => functionUrl(t, n));
  const fromStack = functionSettings(projectStack(t), name, all);
  const vars: Record<string, string> = { ...RUNTIME_ENV };
  const secrets: Record<string, string> = {};
  for (const setting of readsOf(name)) {
    const { deploy } = SETTINGS[setting] ?? {};
    if (deploy === 'stack' && fromStack[setting] !== undefined) vars[setting] = fromStack[setting];
    else if (deploy === 'operator' && env[setting]) vars[setting] = env[setting];
    else if (typeof deploy === 'object') secrets[setting] = deploy.secret;
  }
  return { vars: ordered(vars, name), secrets, problems: check(name, vars, secrets) };
}

/** Checks `vars` as the function will at cold start, the secrets (not known here) replaced by samples. */
function check(name: string, vars: Record<string, string>, secrets: Record<string, string>): string[] {
  const samples = Object.fromEntries(Object.keys(secrets).map((s) => [s, FUNCTION_SAMPLES[name]?.[s]]));
  try {
    loadConfig(FUNCTIONS[name]!, { ...vars, ...samples });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.details.map((i) => {
      const how = SETTINGS[i.path]?.deploy === 'operator' ? " (set it in deploy.sh's environment)" : '';
      return `${name}: ${i.path}: ${vars[i.path] === undefined ? 'required, not set' : i.message}${how}`;
    });
  }
}

/** The settings of `name` deploy.sh takes from its own environment. */
export const operatorSettings = (name: string): string[] =>
  [...readsOf(name)].filter((s) => SETTINGS[s]?.deploy === 'operator');

/** Runtime env first, then the catalogue's order. */
function ordered(vars: Record<string, string>, name: string): Record<string, string> {
  const order = [...Object.keys(RUNTIME_ENV), ...Object.keys(SETTINGS).filter((s) => readsOf(name).has(s))];
  return Object.fromEntries(order.filter((k) => vars[k] !== undefined).map((k) => [k, vars[k]!]));
}

/**
 * The `--set-env-vars` value: lists whose schema also accepts another separator are written with it (REPORTS_EMAIL_TO
 * with `;`); any comma left makes the whole value use gcloud's `^DELIM^` escaping (`gcloud topic escaping`).
 */
export function envVarsFlag(vars: Record<string, string>): string {
  const items = Object.entries(vars).map(([k, v]) => {
    const sep = SETTINGS[k]?.listSeparator;
    return `${k}=${
      sep
        ? v
            .split(',')
            .map((x) => x.trim())
            .join(sep)
        : v
    }`;
  });
  if (!items.some((i) => i.includes(','))) return items.join(',');
  const delim = ['|', '#', '~', '^^', '@@'].find((d) => !items.some((i) => i.includes(d)));
  if (!delim) throw new Error('No delimiter for --set-env-vars: every candidate appears in a value');
  return `^${delim}^${items.join(delim)}`;
}

/** Secret Manager secrets and, for each, the setting it fills and the functions that read it. */
export function secretList(): { secret: string; setting: string; functions: string[] }[] {
  return Object.entries(SETTINGS).flatMap(([setting, s]) =>
    typeof s.deploy === 'object'
      ? [{ secret: s.deploy.secret, setting, functions: Object.keys(FUNCTIONS).filter((f) => readsOf(f).has(setting)) }]
      : [],
  );
}
