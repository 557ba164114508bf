/** aggregate-orders: the Cloud Tasks target of the `reports` queue; one step of one shard of a daily report. */
import { http } from '@google-cloud/functions-framework';
import { BaseEnv, FirestoreEnv, OidcEnv, TasksEnv, loadConfig } from '../../shared/config.ts';
import { AggregateEnv } from '../../shared/report-config.ts';
import { createAggregateTarget } from './target.ts';

const Env = BaseEnv.extend(OidcEnv.shape).extend(FirestoreEnv.shape).extend(TasksEnv.shape).extend(AggregateEnv.shape);

http('aggregate-orders', createAggregateTarget(loadConfig(Env)));
