/**
 * The console as a part of `npm run dev` (local/dev/parts.ts): started in the runner's process once the emulators
 * and the mail sink answer, described in stack.json as `console.url`, a row of the runner's table. Its redrive
 * reads the running stack's settings as `npm run dead-letters` does.
 */
import { settings } from '../../ops/dead-letters.ts';
import type { DevContext, StackPart } from '../dev/stack-part.ts';
import { stackFile } from '../stack-file.ts';
import { startConsole, type Console } from './index.ts';

export function consolePart(ctx: DevContext, after: string[]): StackPart {
  const s = ctx.settings;
  let c: Console | undefined;
  return {
    name: 'console',
    after,
    async start() {
      c = await startConsole({
        host: ctx.host,
        port: ctx.opts.consolePort,
        allowedHosts: ctx.opts.allowedHosts,
        log: (entry) => ctx.log.line('console', JSON.stringify(entry)),
        tasksUrl: `http://${s.tasksHost}`,
        mailUrl: s.mailUrl,
        firestoreHost: s.firestoreHost,
        project: s.project,
        location: s.location,
        opsEnv: () => settings({}, stackFile(ctx.stateDir)),
      });
    },
    describe(info) {
      info.console = { url: c!.url };
    },
    stop: async () => c?.stop(),
  };
}
