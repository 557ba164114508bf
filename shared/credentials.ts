/**
 * Google credentials of the production clients: one google-auth-library `GoogleAuth` per instance, shared by the
 * Firestore and Cloud Tasks libraries (one token cache), loaded on first use. `googleAuth()` obtains the credentials
 * before a library's first call, for two reasons:
 * - a credential that cannot be obtained (no service account, `GOOGLE_APPLICATION_CREDENTIALS` naming a missing
 *   file) is a configuration failure: it is reported as `invalid-config`, with what to fix, not as an outage that
 *   Cloud Tasks would retry for days;
 * - the libraries, when they fail to obtain credentials themselves, also leave a rejected promise unhandled
 *   (google-gax 6's client initialisation), which would end the instance.
 * Against the emulators no credentials are used (the clients get google-auth-library's `PassThroughClient`).
 */
import type { GoogleAuth, PassThroughClient } from 'google-auth-library';
import { AppError } from './errors.ts';
import { loadPackage, once } from './lazy.ts';

type AuthLibrary = { GoogleAuth: typeof GoogleAuth; PassThroughClient: typeof PassThroughClient };
const library = once(() => loadPackage<AuthLibrary>('google-auth-library'));

/** The scope that covers both Firestore and Cloud Tasks. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The instance's `GoogleAuth` (not yet asked for credentials). */
export const sharedAuth = once(() => new (library().GoogleAuth)({ scopes: [CLOUD_PLATFORM_SCOPE] }));

/** An auth client that adds no credentials: for the emulators. */
export const passThroughAuth = (): PassThroughClient => new (library().PassThroughClient)();

let obtained: Promise<unknown> | undefined;

/**
 * The shared `GoogleAuth`, once it has obtained credentials (the first call asks; later calls share the answer). A
 * failure is an `AppError('invalid-config')` saying what to fix, and the next call asks again.
 */
export async function googleAuth(): Promise<GoogleAuth> {
  const auth = sharedAuth();
  obtained ??= auth.getClient().catch((err: unknown) => {
    obtained = undefined;
    throw credentialsError(err);
  });
  await obtained;
  return auth;
}

/** A credential that could not be obtained, as a configuration error naming what to fix. */
export function credentialsError(err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err);
  return new AppError(
    'invalid-config',
    `Google credentials could not be obtained: ${reason} To fix: on Cloud Run, deploy the function with its service ` +
      'account (deploy.sh does); elsewhere, set GOOGLE_APPLICATION_CREDENTIALS to an existing service-account key file ' +
      'or run `gcloud auth application-default login`; against the local emulators, set FIRESTORE_EMULATOR_HOST and ' +
      'CLOUD_TASKS_EMULATOR_HOST.',
    { cause: err },
  );
}
