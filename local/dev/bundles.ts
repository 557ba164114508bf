/**
 * Bundles for the dev stack: builds the `dist/<name>/` folders that are out of date (with esbuild.config.mjs, the
 * same build `npm run build` and deploys use), installs each folder's own dependencies with `npm ci --omit=dev`
 * the way the buildpack does, and knows from esbuild's metafile which source files each function is made of.
 *
 * `npm ci` takes 15-20 s per folder, so it runs only when the folder's package-lock.json changed since the last
 * install (its hash is kept in `node_modules/.storefront-dev-lock`). A rebuild deletes `dist/<name>/`, so
 * node_modules is moved aside around it and put back.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildFunctions } from '../../esbuild.config.mjs';

const MARKER = '.storefront-dev-lock';

export interface Bundles {
  root: string;
  dist(name: string): string;
  /** Functions whose bundle is missing or older than one of its inputs. */
  stale(names: string[]): string[];
  /** Builds `names`, keeping their installed node_modules. */
  build(names: string[]): Promise<void>;
  /** Runs `npm ci --omit=dev` in each folder whose lock changed; returns the names it installed. */
  installDeps(names: string[], onStart?: (name: string) => void): Promise<string[]>;
  /** Absolute paths of the source files (not node_modules) that went into each bundle. */
  inputs(name: string): string[];
}

export function createBundles(root: string): Bundles {
  const dist = (name: string): string => join(root, 'dist', name);
  // Files every bundle depends on besides its own inputs.
  const global = ['esbuild.config.mjs', 'package.json', 'package-lock.json'].map((f) => join(root, f));

  const inputs = (name: string): string[] => {
    const meta = join(dist(name), 'meta.json');
    if (!existsSync(meta)) return [];
    const parsed = JSON.parse(readFileSync(meta, 'utf8')) as { inputs: Record<string, unknown> };
    return Object.keys(parsed.inputs)
      .filter((p) => !p.includes('node_modules/') && !p.startsWith('<'))
      .map((p) => resolve(root, p));
  };

  const isStale = (name: string): boolean => {
    const bundle = join(dist(name), 'index.js');
    const files = [bundle, join(dist(name), 'package.json'), join(dist(name), 'package-lock.json'), join(dist(name), 'meta.json')];
    if (!files.every(existsSync)) return true;
    const built = statSync(bundle).mtimeMs;
    const sources = inputs(name);
    if (!sources.length) return true;
    return [...sources, ...global].some((f) => !existsSync(f) || statSync(f).mtimeMs > built);
  };

  /** Moves dist/<name>/node_modules out of the way of a rebuild (which deletes the folder) and back. */
  const keepModules = async <T>(names: string[], fn: () => Promise<T>): Promise<T> => {
    const aside = join(root, 'dist', '.dev-modules');
    const moved: string[] = [];
    for (const n of names) {
      const nm = join(dist(n), 'node_modules');
      if (!existsSync(nm)) continue;
      mkdirSync(aside, { recursive: true });
      rmSync(join(aside, n), { recursive: true, force: true });
      renameSync(nm, join(aside, n));
      moved.push(n);
    }
    try {
      return await fn();
    } finally {
      for (const n of moved) {
        mkdirSync(dist(n), { recursive: true });
        rmSync(join(dist(n), 'node_modules'), { recursive: true, force: true });
        renameSync(join(aside, n), join(dist(n), 'node_modules'));
      }
    }
  };

  const lockHash = (name: string): string =>
    createHash('sha256')
      .update(readFileSync(join(dist(name), 'package-lock.json')))
      .update(process.version)
      .digest('hex');

  const installOne = async (name: string): Promise<void> => {
    // Installed in a staging folder, then moved in whole: whoever copies dist/<name> meanwhile (the bundle test)
    // sees no node_modules or a complete one.
    const staging = join(root, 'dist', '.dev-install', name);
    const release = await lock(join(root, 'dist', '.dev-install', `${name}.lock`));
    try {
      const hash = lockHash(name);
      const nm = join(dist(name), 'node_modules');
      if (readMarker(nm) === hash) return; // another runner just installed it
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(dist(name), f), join(staging, f));
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], staging);
      writeFileSync(join(staging, 'node_modules', MARKER), hash + '\n');
      rmSync(nm, { recursive: true, force: true });
      renameSync(join(staging, 'node_modules'), nm);
    } finally {
      rmSync(staging, { recursive: true, force: true });
      release();
    }
  };

  return {
    root,
    dist,
    stale: (names) => names.filter(isStale),
    async build(names) {
      if (!names.length) return;
      await keepModules(names, () => buildFunctions({ names, quiet: true }));
    },
    async installDeps(names, onStart) {
      const todo = names.filter((n) => readMarker(join(dist(n), 'node_modules')) !== lockHash(n));
      await Promise.all(
        todo.map(async (n) => {
          onStart?.(n);
          await installOne(n);
        }),
      );
      return todo;
    },
    inputs,
  };
}

function readMarker(nm: string): string | undefined {
  try {
    return readFileSync(join(nm, MARKER), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${code}):\n${output.trim()}`))));
  });
}

/** A lock file holding the owner's pid; a lock of a dead process is taken over. */
async function lock(file: string): Promise<() => void> {
  mkdirSync(join(file, '..'), { recursive: true });
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch {
      let owner = NaN;
      try {
        owner = Number(readFileSync(file, 'utf8').trim() || 'NaN');
      } catch {
        continue; // released meanwhile
      }
      let alive = false;
      try {
        if (Number.isInteger(owner)) alive = (process.kill(owner, 0), true);
      } catch {}
      if (!alive) rmSync(file, { force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
}
