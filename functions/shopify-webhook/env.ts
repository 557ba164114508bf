/** The settings shopify-webhook reads (its cold start parses them; ops/settings reads which they are). */
import type { z } from 'zod';
import { IntakeEnv, WebhookSecrets } from '../../shared/intake-deps.ts';

export const Env = IntakeEnv.extend({
  /** The app's client secret or the store's webhook signing key (comma-separated; several during a rotation). */
  SHOPIFY_WEBHOOK_SECRETS: WebhookSecrets,
});
export type Env = z.output<typeof Env>;
