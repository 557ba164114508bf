/** schedule-reports: called nightly by Cloud Scheduler (or for a backfill); enqueues the shards of daily reports. */
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config.ts';
import { Env } from './env.ts';
import { createScheduleTarget } from './target.ts';

http('schedule-reports', createScheduleTarget(loadConfig(Env)));
