/** A stack's settings for one function, from the one catalogue (catalogue.ts). */
import { LOCAL_MAIL, type StackInfo } from '../../local/stack-file.ts';
import { type LocalStackSettings, SETTINGS, type SettingsTarget, type StackSettings } from './catalogue.ts';

/** `send-notification` → `SEND_NOTIFICATION`. */
export const envName = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
/** The setting that holds a private function's URL (how callers find it), e.g. `SEND_NOTIFICATION_URL`. */
export const urlSetting = (name: string): string => `${envName(name)}_URL`;
/** The setting that holds the OIDC audience of a private function when it is not its URL. */
export const audienceSetting = (name: string): string => `${envName(name)}_AUDIENCE`;

/** The catalogue's settings named in `names` (default: all) that stack `s` fills for `fn`, in catalogue order. */
export function filledSettings(
  s: StackSettings,
  fn: SettingsTarget,
  all: SettingsTarget[],
  names?: Set<string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, setting] of Object.entries(SETTINGS)) {
    if (names && !names.has(name)) continue;
    const v = setting.fill?.(s, fn, all);
    if (v !== undefined) env[name] = v;
  }
  return env;
}

/**
 * The settings of `fn` in a local stack of `all`: every setting the stack fills (each function ignores what it does
 * not declare), the `<NAME>_URL` of every private function (for ops tools too) and the REPORTS_* handed through.
 */
export function settingsEnv(s: StackSettings, fn: SettingsTarget, all: SettingsTarget[]): Record<string, string> {
  const env = filledSettings(s, fn, all);
  for (const other of all) if (other.access !== 'public') env[urlSetting(other.name)] = other.url;
  return { ...env, ...s.reports };
}

/** The values of the settings catalogue (ops/settings/) for a running stack, as its functions got them. */
export function stackSettingsOf(s: StackInfo): LocalStackSettings {
  return {
    project: s.project,
    location: s.location,
    firestoreHost: s.firestore.host,
    tasksHost: s.tasksEmulator.host,
    issuer: s.tasksEmulator.issuer,
    jwksUrl: s.tasksEmulator.jwksUrl,
    mailUrl: s.mailSink.url,
    sendgridKey: s.mailSink.apiKey,
    webhookSecret: s.webhook.secret,
    tasksInvoker: s.serviceAccounts.tasksInvoker,
    schedulerInvoker: s.serviceAccounts.schedulerInvoker,
    logLevel: 'INFO',
    ...LOCAL_MAIL,
  };
}
