/** storefront-webhook: the public endpoint storefronts post signed order events to. */
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createIntakeDeps } from '../../shared/intake-deps.ts';
import { createLogger } from '../../shared/log.ts';
import { Env } from './env.ts';
import { createWebhookHandler } from './handle.ts';

const config = loadConfig(Env);
const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'storefront-webhook' } });
const { orders, enqueue } = createIntakeDeps(config);

http(
  'storefront-webhook',
  publicEndpoint({
    log,
    project: config.GOOGLE_CLOUD_PROJECT,
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    maxBodySetting: 'WEBHOOK_MAX_BODY_BYTES',
    handler: createWebhookHandler({
      orders,
      enqueue,
      secrets: config.STOREFRONT_WEBHOOK_SECRETS,
      toleranceSeconds: config.WEBHOOK_SIGNATURE_TOLERANCE_SECONDS,
      now: Date.now,
    }),
  }),
);
