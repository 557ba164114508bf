/** The settings send-notification reads (its cold start parses them; ops/settings reads which they are). */
import { z } from 'zod';
import { BaseEnv, FirestoreEnv, OidcEnv } from '../../shared/config.ts';
import { MailEnv } from '../../shared/mail.ts';

export const Env = BaseEnv.extend(OidcEnv.shape)
  .extend(FirestoreEnv.shape)
  .extend(MailEnv.shape)
  .extend({
    /** How long one attempt holds its claim on an email, in seconds. @default 60 */
    DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(15).max(3600).default(60),
  });
export type Env = z.output<typeof Env>;
