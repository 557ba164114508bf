/**
 * `--rebuild-on-change`: watches source folders and restarts only the functions a changed file goes into, as
 * esbuild's metafile (`dist/<name>/meta.json` inputs) says.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import type { Bundles } from './bundles.ts';
import type { LogStream } from './log.ts';

export function watchSources(o: {
  root: string;
  dirs: string[];
  functions: string[];
  bundles: Bundles;
  log: LogStream;
  restart: (name: string) => Promise<void>;
}): { close(): void } {
  // Inputs of the last successful build: a failed build deletes dist/<name>/meta.json, and the fix of the
  // broken file must still find its function.
  const inputs = new Map<string, Set<string>>();
  const refresh = (name: string): void => {
    const files = o.bundles.inputs(name);
    if (files.length) inputs.set(name, new Set(files));
  };
  o.functions.forEach(refresh);

  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const flush = (): void => {
    const changed = [...pending];
    pending = new Set();
    const affected = o.functions.filter((n) => changed.some((f) => inputs.get(n)?.has(f) ?? true));
    for (const f of changed) {
      const m = /^functions\/([^/]+)\/index\.ts$/.exec(relative(o.root, f));
      if (m && !o.functions.includes(m[1]!))
        o.log.warn(`New function ${m[1]}: restart npm run dev to add it to the stack.`);
    }
    if (!affected.length) return;
    const names = changed.map((f) => relative(o.root, f)).join(', ');
    o.log.info(`Changed: ${names} → rebuilding ${affected.join(', ')}`);
    running = running.then(() =>
      Promise.all(
        affected.map(async (name) => {
          try {
            await o.restart(name);
            refresh(name);
          } catch (err) {
            o.log.error(`${name} was not restarted: ${(err as Error).message}\nFix the file and save it again.`);
          }
        }),
      ).then(() => undefined),
    );
  };

  const watchers: FSWatcher[] = o.dirs.map((dir) =>
    watch(join(o.root, dir), { recursive: true }, (_event, file) => {
      if (!file || !/\.(ts|mts|js|mjs|cjs|json)$/.test(String(file))) return;
      pending.add(join(o.root, dir, String(file)));
      clearTimeout(timer);
      timer = setTimeout(flush, 150);
    }),
  );
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
