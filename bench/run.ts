/**
 * `npm run bench [-- cold-start|webhook|reports]`: the benchmarks. Speed and memory are measured here, never asserted in
 * tests. Run `npm run build` first. Results are printed as tables.
 */
import { coldStart } from './cold-start.ts';
import { reportsBench } from './reports.ts';
import { webhookLatency } from './webhook-latency.ts';

const which = process.argv.slice(2);
const want = (name: string) => which.length === 0 || which.includes(name);

if (want('cold-start')) {
  console.log('Cold start: process spawn to first answer, bundle from its own deploy folder');
  console.table(await coldStart());
}
if (want('webhook')) {
  console.log('storefront-webhook latency, one instance from dist/, against the Firestore and Cloud Tasks emulators');
  console.table(await webhookLatency());
}
if (want('reports')) {
  console.log('Daily-report aggregation: one shard (store hour) per process, from the Firestore emulator; peak RSS must stay flat');
  console.table(await reportsBench());
}
