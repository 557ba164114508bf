/** The settings storefront-webhook reads (its cold start parses them; ops/settings reads which they are). */
import { z } from 'zod';
import { IntakeEnv, WebhookSecrets } from '../../shared/intake-deps.ts';

export const Env = IntakeEnv.extend({
  /** Secrets the storefront signs with (comma-separated; several during a rotation). */
  STOREFRONT_WEBHOOK_SECRETS: WebhookSecrets,
  /** How old or new a signature may be. @default 300 */
  WEBHOOK_SIGNATURE_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
});
export type Env = z.output<typeof Env>;
