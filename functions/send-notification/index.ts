/** send-notification: the Cloud Tasks target of the `notifications` queue; sends one email per event. */
import { http } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { BaseEnv, FirestoreEnv, OidcEnv, loadConfig } from '../../shared/config.ts';
import { createDeadLetters } from '../../shared/dead-letters.ts';
import { createDeliveries } from '../../shared/deliveries.ts';
import { createFirestore } from '../../shared/firestore.ts';
import { taskTarget } from '../../shared/http.ts';
import { createLogger } from '../../shared/log.ts';
import { createMailer, MailEnv } from '../../shared/mail.ts';
import { createOidcVerifier } from '../../shared/oidc.ts';
import { maxAttemptsLookup } from '../../shared/queues.ts';
import { NotificationPayload } from '../../shared/schemas/notifications.ts';
import { createOrders } from '../../shared/orders.ts';
import { createGiveUp, createNotificationHandler } from './handle.ts';

const Env = BaseEnv.extend(OidcEnv.shape).extend(FirestoreEnv.shape).extend(MailEnv.shape).extend({
  /** How long one attempt holds its claim on an email, in seconds. @default 60 */
  DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(15).max(3600).default(60),
});

const config = loadConfig(Env);
const log = createLogger({ level: config.LOG_LEVEL, labels: { function: config.K_SERVICE ?? 'send-notification' } });
const db = createFirestore({ projectId: config.GOOGLE_CLOUD_PROJECT, databaseId: config.FIRESTORE_DATABASE, emulatorHost: config.FIRESTORE_EMULATOR_HOST });
const documents = { timeoutMs: config.FIRESTORE_TIMEOUT_MS };
const deliveries = createDeliveries(db, documents);

http(
  'send-notification',
  taskTarget({
    schema: NotificationPayload,
    verify: createOidcVerifier({ jwksUrl: config.OIDC_JWKS_URL, issuers: config.OIDC_ISSUERS, audience: config.OIDC_AUDIENCE, allowedEmails: config.OIDC_ALLOWED_EMAILS }),
    log,
    project: config.GOOGLE_CLOUD_PROJECT,
    maxAttempts: maxAttemptsLookup(),
    onGiveUp: createGiveUp({ deliveries, deadLetters: createDeadLetters(db, documents) }),
    handler: createNotificationHandler({ orders: createOrders(db, documents), deliveries, mailer: createMailer(config), mailConfig: config, leaseSeconds: config.DELIVERY_LEASE_SECONDS }),
  }),
);
