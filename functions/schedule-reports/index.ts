/** schedule-reports: called nightly by Cloud Scheduler (or for a backfill); enqueues the shards of daily reports. */
import { http } from '@google-cloud/functions-framework';
import { BaseEnv, FirestoreEnv, OidcEnv, TasksEnv, loadConfig } from '../../shared/config.ts';
import { ScheduleEnv } from '../../shared/report-config.ts';
import { createScheduleTarget } from './target.ts';

const Env = BaseEnv.extend(OidcEnv.shape).extend(FirestoreEnv.shape).extend(TasksEnv.shape).extend(ScheduleEnv.shape);

http('schedule-reports', createScheduleTarget(loadConfig(Env)));
