/** aggregate-orders: the Cloud Tasks target of the `reports` queue; one step of one shard of a daily report. */
import { http } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config.ts';
import { Env } from './env.ts';
import { createAggregateTarget } from './target.ts';

http('aggregate-orders', createAggregateTarget(loadConfig(Env)));
