/** The settings woocommerce-webhook reads (its cold start parses them; ops/settings reads which they are). */
import type { z } from 'zod';
import { IntakeEnv, WebhookSecrets } from '../../shared/intake-deps.ts';

export const Env = IntakeEnv.extend({
  /** The webhook's secret, as entered in WooCommerce (comma-separated; several during a rotation). */
  WOOCOMMERCE_WEBHOOK_SECRETS: WebhookSecrets,
});
export type Env = z.output<typeof Env>;
