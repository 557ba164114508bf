/** The settings schedule-reports reads (its cold start parses them; ops/settings reads which they are). */
import type { z } from 'zod';
import { BaseEnv, FirestoreEnv, OidcEnv, TasksEnv } from '../../shared/config.ts';
import { ScheduleEnv } from '../../shared/report-config.ts';

export const Env = BaseEnv.extend(OidcEnv.shape)
  .extend(FirestoreEnv.shape)
  .extend(TasksEnv.shape)
  .extend(ScheduleEnv.shape);
export type Env = z.output<typeof Env>;
