/**
 * The functions as parts: the bundles (built when out of date, dependencies installed), then one part per
 * function, served by functions-framework from its own dist/<name>/ folder with the settings of the table.
 */
import { join } from 'node:path';
import { createBundles, type Bundles } from './bundles.ts';
import { acceptedAccounts } from '../../ops/settings/catalogue.ts';
import { functionEnv, type FunctionSpec } from './functions.ts';
import { waitForListen } from './ports.ts';
import { startPart, type Part as Proc } from './procs.ts';
import type { DevContext, StackPart } from './stack-part.ts';

export function bundlesPart(ctx: DevContext): StackPart & { bundles: Bundles } {
  const bundles = createBundles(ctx.root);
  const names = ctx.specs.map((s) => s.name);
  return {
    name: 'bundles',
    bundles,
    async start() {
      const stale = bundles.stale(names);
      if (stale.length) {
        const t = Date.now();
        await bundles.build(stale);
        ctx.log.info(`Built ${stale.join(', ')} in ${Date.now() - t} ms`);
      }
      const t = Date.now();
      const installed = await bundles.installDeps(names, (n) =>
        ctx.log.info(`Installing the dependencies of dist/${n} (npm ci --omit=dev, once per lockfile; takes 15-30 s)…`),
      );
      if (installed.length)
        ctx.log.info(
          `Installed the dependencies of ${installed.join(', ')} in ${((Date.now() - t) / 1000).toFixed(1)} s`,
        );
    },
    stop: async () => {},
  };
}

export interface FunctionPart extends StackPart {
  /** Stops it, rebuilds its bundle (reinstalling if its lockfile changed) and starts it again on the same port. */
  restart(): Promise<void>;
}

export function functionPart(ctx: DevContext, spec: FunctionSpec, bundles: Bundles): FunctionPart {
  let proc: Proc | undefined;
  let restarting = false;
  const start = async (): Promise<void> => {
    const dir = bundles.dist(spec.name);
    const ff = join(dir, 'node_modules', '@google-cloud', 'functions-framework', 'build', 'src', 'main.js');
    // A crashed instance is replaced, as Cloud Run does (restarts.ts).
    const died = (_p: Proc, how: string): void =>
      void (restarting || ctx.crashed(spec.name, how, () => start().then(() => proc!.pid)));
    const args = [
      '--import',
      join(ctx.root, 'local', 'dev', 'bind-localhost.ts'),
      ff,
      `--target=${spec.name}`,
      `--port=${spec.port}`,
    ];
    const p = (proc = ctx.track(
      startPart({
        name: spec.name,
        command: process.execPath,
        args,
        cwd: dir,
        env: functionEnv(spec, ctx.specs, ctx.settings),
        log: ctx.log,
        onUnexpectedExit: died,
      }),
    ));
    await waitForListen(ctx.host, spec.port, 30_000, () =>
      p.hasExited()
        ? `${spec.name} exited before it listened on port ${spec.port}: see its log lines above`
        : undefined,
    );
  };
  return {
    name: spec.name,
    after: ['bundles'],
    start,
    describe(info) {
      info.functions[spec.name] = {
        url: spec.url,
        port: spec.port,
        access: spec.access,
        ...(spec.access !== 'public' ? { audience: spec.url } : {}),
        acceptsServiceAccounts: acceptedAccounts(spec.access, ctx.settings),
        queues: spec.queues,
        pid: proc!.pid,
      };
      if (spec.name === 'storefront-webhook')
        info.webhook = { url: spec.url, secret: ctx.settings.webhookSecret, header: 'X-Storefront-Signature' };
    },
    stop: async () => proc?.stop(3000),
    async restart() {
      if (ctx.stopping()) return;
      const t = Date.now();
      restarting = true;
      try {
        if (proc && !proc.hasExited()) await proc.stop(3000);
        await bundles.build([spec.name]);
        await bundles.installDeps([spec.name], (n) => ctx.log.info(`The lockfile of dist/${n} changed: npm ci…`));
        if (ctx.stopping()) return;
        await start();
      } finally {
        restarting = false;
      }
      ctx.redescribe();
      ctx.log.info(`Restarted ${spec.name} in ${Date.now() - t} ms`);
    },
  };
}
