/** woocommerce-webhook: the public endpoint a WooCommerce shop sends its order webhooks (and its ping) to. */
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config.ts';
import { publicEndpoint } from '../../shared/http.ts';
import { createIntakeDeps } from '../../shared/intake-deps.ts';
import { createLogger } from '../../shared/log.ts';
import { createPlatformHandler } from '../../shared/platforms/hand-over.ts';
import { WOOCOMMERCE } from '../../shared/platforms/woocommerce/adapter.ts';
import { Env } from './env.ts';
import { answeringPing } from './ping.ts';

const config = loadConfig(Env);
const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'woocommerce-webhook' } });
const handler = createPlatformHandler(WOOCOMMERCE, {
  secrets: config.WOOCOMMERCE_WEBHOOK_SECRETS,
  intake: createIntakeDeps(config),
});
const endpoint = publicEndpoint({
  log,
  project: config.GOOGLE_CLOUD_PROJECT,
  maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
  maxBodySetting: 'WEBHOOK_MAX_BODY_BYTES',
  handler,
});

http('woocommerce-webhook', answeringPing(endpoint, log));
