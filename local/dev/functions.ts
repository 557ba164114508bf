/**
 * Which functions the stack runs, how each is called (public, task target, Cloud Scheduler target), on which
 * port, and the environment each gets: the same settings it would have in Cloud Run, pointed at the local parts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStackSettings } from '../../ops/settings/catalogue.ts';
import { accessOf } from '../../ops/settings/functions.ts';
import { settingsEnv } from '../../ops/settings/stack-env.ts';
import type { Access } from '../stack-file.ts';

export type { LocalStackSettings as StackSettings } from '../../ops/settings/catalogue.ts';

export interface QueueEntry {
  name: string;
  target?: string;
}

export interface FunctionSpec {
  name: string;
  access: Access;
  queues: string[];
  port: number;
  url: string;
}

export function readQueues(root: string): QueueEntry[] {
  const file = JSON.parse(readFileSync(join(root, 'queues.json'), 'utf8')) as { queues?: QueueEntry[] };
  return file.queues ?? [];
}

/** storefront-webhook first (it keeps the first port as functions are added), then the other public ones, then by name. */
export function functionSpecs(names: string[], queues: QueueEntry[], host: string, basePort: number): FunctionSpec[] {
  const rank = (name: string) => (name === 'storefront-webhook' ? 0 : accessOf(name, queues) === 'public' ? 1 : 2);
  const sorted = [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return sorted.map((name, i) => ({
    name,
    access: accessOf(name, queues),
    queues: queues.filter((q) => q.target === name).map((q) => q.name),
    port: basePort + i,
    url: `http://${host}:${basePort + i}/`,
  }));
}

/**
 * One function's environment in the dev stack: what Cloud Run and the Node buildpack set, plus its settings from the
 * one settings catalogue (ops/settings/).
 */
export function functionEnv(spec: FunctionSpec, all: FunctionSpec[], s: LocalStackSettings): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...(process.env.TZ ? { TZ: process.env.TZ } : {}),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    // As the Node buildpack and Cloud Run set them.
    NODE_ENV: 'production',
    NODE_OPTIONS: '--enable-source-maps',
    PORT: String(spec.port),
    K_SERVICE: spec.name,
    K_REVISION: `${spec.name}-local`,
    FUNCTION_TARGET: spec.name,
    ...settingsEnv(s, spec, all),
  };
}
