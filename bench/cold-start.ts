/**
 * Cold start of each bundle as Cloud Run runs it: a copy of dist/<name>/ with only its declared dependencies
 * (`npm ci --omit=dev`), started with functions-framework under NODE_ENV=production; time from process spawn to
 * the first HTTP answer, and the process's resident memory (RSS) right after it. Median and spread over several runs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { functionNames } from '../esbuild.config.mjs';
import { FUNCTION_ENV } from '../test/support/function-env.ts';
import { freePort } from '../test/support/net.ts';
import { stageDeployFolder } from '../test/support/deploy-folder.ts';

/** Resident memory of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

async function once(dir: string, name: string): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(dir, 'node_modules/@google-cloud/functions-framework/build/src/main.js'), `--target=${name}`, `--port=${port}`], {
    cwd: dir,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', NODE_OPTIONS: '--enable-source-maps', ...FUNCTION_ENV[name] },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        return { ms: performance.now() - started, rss: rssMiB(child.pid!) };
      } catch {
        if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
}

export async function coldStart(runs = 7): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const name of functionNames()) {
    const { dir, remove } = stageDeployFolder(name);
    try {
      await once(dir, name); // warm the file cache, as a deployed image has it on local disk
      const results: { ms: number; rss: number }[] = [];
      for (let i = 0; i < runs; i++) results.push(await once(dir, name));
      const times = results.map((r) => r.ms).sort((a, b) => a - b);
      const rss = results.map((r) => r.rss).sort((a, b) => a - b);
      rows.push({ function: name, runs, 'median ms': Math.round(times[Math.floor(runs / 2)]!), 'min ms': Math.round(times[0]!), 'max ms': Math.round(times.at(-1)!), 'RSS MiB (median)': rss[Math.floor(runs / 2)] });
    } finally {
      remove();
    }
  }
  return rows;
}
