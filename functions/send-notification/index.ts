/** send-notification: the Cloud Tasks target of the `notifications` queue; sends one email per event. */
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config.ts';
import { createDeadLetters } from '../../shared/dead-letters.ts';
import { createDeliveries } from '../../shared/deliveries.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { taskTarget } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createMailer } from '../../shared/mail.ts';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { maxAttemptsLookup } from '../../shared/queues.ts';
import { NotificationPayload } from '../../shared/schemas/notifications.ts';
import { createOrders } from '../../shared/orders.ts';
import { Env } from './env.ts';
import { createGiveUp, createNotificationHandler } from './handle.ts';

const config = loadConfig(Env);
const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'send-notification' } });
const db = createFirestore({
  projectId: config.GOOGLE_CLOUD_PROJECT,
  databaseId: config.FIRESTORE_DATABASE,
  emulatorHost: config.FIRESTORE_EMULATOR_HOST,
});
const documents = { timeoutMs: config.FIRESTORE_TIMEOUT_MS };
const deliveries = createDeliveries(db, documents);

http(
  'send-notification',
  taskTarget({
    schema: NotificationPayload,
    verify: createOidcVerifier({
      jwksUrl: config.OIDC_JWKS_URL,
      issuers: config.OIDC_ISSUERS,
      audience: config.OIDC_AUDIENCE,
      allowedEmails: config.OIDC_ALLOWED_EMAILS,
    }),
    log,
    project: config.GOOGLE_CLOUD_PROJECT,
    maxAttempts: maxAttemptsLookup(),
    onGiveUp: createGiveUp({ deliveries, deadLetters: createDeadLetters(db, documents) }),
    handler: createNotificationHandler({
      orders: createOrders(db, documents),
      deliveries,
      mailer: createMailer(config),
      mailConfig: config,
      leaseSeconds: config.DELIVERY_LEASE_SECONDS,
    }),
  }),
);
