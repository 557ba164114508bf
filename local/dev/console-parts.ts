/**
 * Parts that start no process: the dispatch part (releases the emulator's held dispatching once Firestore, the mail
 * sink and every function answer, then shows every attempt in the log) and the watcher of `--rebuild-on-change`.
 */
import { followDispatches } from './dispatch-feed.ts';
import type { Bundles } from './bundles.ts';
import type { FunctionPart } from './function-parts.ts';
import type { DevContext, StackPart } from './stack-part.ts';
import { watchSources } from './watch.ts';

/** Started after `after` (parts.ts): overdue tasks of the last run go out only now, to targets that can do their work. */
export function dispatchPart(ctx: DevContext, after: string[]): StackPart {
  const url = `http://${ctx.settings.tasksHost}`;
  let feed: { stop(): void } | undefined;
  return {
    name: 'dispatch',
    after,
    async start() {
      const res = await fetch(`${url}/_emulator/dispatch:release`, {
        method: 'POST',
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok)
        throw new Error(`The Cloud Tasks emulator did not release dispatching: ${res.status} ${await res.text()}`);
      feed = followDispatches(url, ctx.log);
    },
    stop: async () => feed?.stop(),
  };
}

export function watchPart(ctx: DevContext, bundles: Bundles, functions: FunctionPart[]): StackPart {
  let watcher: { close(): void } | undefined;
  return {
    name: 'watch',
    after: functions.map((f) => f.name),
    async start() {
      watcher = watchSources({
        root: ctx.root,
        dirs: ['functions', 'shared'],
        functions: functions.map((f) => f.name),
        bundles,
        log: ctx.log,
        restart: (name) => functions.find((f) => f.name === name)!.restart(),
      });
      ctx.log.info(
        'Watching functions/ and shared/: a change rebuilds and restarts only the functions that use the file.',
      );
    },
    stop: async () => watcher?.close(),
  };
}
