/**
 * A minimal valid environment for each function, so its bundle can start outside the dev stack. Nothing here is
 * contacted at start-up: Firestore and Cloud Tasks clients connect lazily.
 */
export const FUNCTION_ENV: Record<string, Record<string, string>> = {
  'storefront-webhook': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    TASKS_LOCATION: 'europe-west1',
    TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@shop.iam.gserviceaccount.com',
    STOREFRONT_WEBHOOK_SECRETS: 'whsec_0123456789abcdef',
    SEND_NOTIFICATION_URL: 'http://127.0.0.1:9/',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
  'send-notification': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    OIDC_AUDIENCE: 'http://127.0.0.1:9/',
    OIDC_ALLOWED_EMAILS: 'tasks-invoker@shop.iam.gserviceaccount.com',
    SENDGRID_API_KEY: 'SG.test',
    MAIL_FROM: 'orders@shop.example',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
  'aggregate-orders': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    OIDC_AUDIENCE: 'http://127.0.0.1:9/',
    OIDC_ALLOWED_EMAILS: 'tasks-invoker@shop.iam.gserviceaccount.com',
    TASKS_LOCATION: 'europe-west1',
    TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@shop.iam.gserviceaccount.com',
    AGGREGATE_ORDERS_URL: 'http://127.0.0.1:9/',
    SEND_NOTIFICATION_URL: 'http://127.0.0.1:9/',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
  'schedule-reports': {
    GOOGLE_CLOUD_PROJECT: 'shop',
    OIDC_AUDIENCE: 'http://127.0.0.1:9/',
    OIDC_ALLOWED_EMAILS: 'scheduler-invoker@shop.iam.gserviceaccount.com',
    TASKS_LOCATION: 'europe-west1',
    TASKS_INVOKER_SERVICE_ACCOUNT: 'tasks-invoker@shop.iam.gserviceaccount.com',
    AGGREGATE_ORDERS_URL: 'http://127.0.0.1:9/',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
  },
};
