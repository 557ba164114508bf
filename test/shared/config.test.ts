import { describe, expect, it } from 'vitest';
import { BaseEnv, OidcEnv, TasksEnv, loadConfig } from '../../shared/config.ts';
import { ConfigError } from '../../shared/errors.ts';

const Env = BaseEnv.extend(OidcEnv.shape).extend(TasksEnv.shape);
const good = {
  GOOGLE_CLOUD_PROJECT: 'shop',
  OIDC_AUDIENCE: 'https://x.a.run.app',
  OIDC_ALLOWED_EMAILS: 'a@shop.iam.gserviceaccount.com, b@shop.iam.gserviceaccount.com',
  TASKS_LOCATION: 'europe-west1',
  TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@shop.iam.gserviceaccount.com',
};

describe('loadConfig', () => {
  it('parses, applies defaults, splits lists and freezes the result', () => {
    const c = loadConfig(Env, good);
    expect(c.OIDC_ALLOWED_EMAILS).toEqual(['a@shop.iam.gserviceaccount.com', 'b@shop.iam.gserviceaccount.com']);
    expect(c.OIDC_ISSUERS).toEqual(['https://accounts.google.com', 'accounts.google.com']);
    expect(c.OIDC_JWKS_URL).toBe('https://www.googleapis.com/oauth2/v3/certs');
    expect(c.LOG_LEVEL).toBe('INFO');
    expect(c.CLOUD_TASKS_EMULATOR_HOST).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('lists every problem in one error, naming each setting', () => {
    let err: unknown;
    try {
      loadConfig(Env, {
        ...good,
        GOOGLE_CLOUD_PROJECT: '',
        OIDC_ALLOWED_EMAILS: 'not-an-email',
        CLOUD_TASKS_EMULATOR_HOST: 'http://x',
        TASKS_LOCATION: undefined,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.details.map((d) => d.path).sort()).toEqual([
      'CLOUD_TASKS_EMULATOR_HOST',
      'GOOGLE_CLOUD_PROJECT',
      'OIDC_ALLOWED_EMAILS.0',
      'TASKS_LOCATION',
    ]);
    expect(e.message).toMatch(/^Invalid configuration: .*GOOGLE_CLOUD_PROJECT/);
    expect(e.message).toContain('CLOUD_TASKS_EMULATOR_HOST: must be host:port');
  });

  it('accepts an emulator host:port', () => {
    expect(loadConfig(Env, { ...good, CLOUD_TASKS_EMULATOR_HOST: '127.0.0.1:8123' }).CLOUD_TASKS_EMULATOR_HOST).toBe(
      '127.0.0.1:8123',
    );
  });
});
