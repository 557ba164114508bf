/** shopify-webhook: the public endpoint a Shopify shop (or app) sends its order webhooks to. */
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createIntakeDeps } from '../../shared/intake-deps.ts';
import { createLogger } from '../../shared/log.ts';
import { createPlatformHandler } from '../../shared/platforms/hand-over.ts';
import { SHOPIFY } from '../../shared/platforms/shopify/adapter.ts';
import { Env } from './env.ts';

const config = loadConfig(Env);
const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'shopify-webhook' } });
const handler = createPlatformHandler(SHOPIFY, {
  secrets: config.SHOPIFY_WEBHOOK_SECRETS,
  intake: createIntakeDeps(config),
});

http(
  'shopify-webhook',
  publicEndpoint({
    log,
    project: config.GOOGLE_CLOUD_PROJECT,
    maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
    maxBodySetting: 'WEBHOOK_MAX_BODY_BYTES',
    handler,
  }),
);
