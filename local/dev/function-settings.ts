/**
 * The local stacks' own values of some settings (dev runner, test/support). The settings themselves, and how a stack
 * fills each, are the one catalogue in ops/settings/catalogue.ts.
 */

/**
 * A local stack's Firestore is a Java emulator whose first answers (JIT, a new gRPC channel) took over 10 s on a
 * busy 2-core machine: the local stacks (dev runner, test/support) allow it a minute.
 */
export const LOCAL_FIRESTORE_TIMEOUT_MS = 60_000;

/** Who gets the local stack's daily report (see it in the outbox). */
export const LOCAL_REPORTS_EMAIL_TO = 'merchant@shop.example';

/** The sender of the local stack's emails. */
export const LOCAL_MAIL = { mailFrom: 'orders@shop.example', mailFromName: 'Storefront (local)' } as const;
