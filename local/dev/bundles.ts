/**
 * Bundles for the dev stack: builds the `dist/<name>/` folders that are out of date (with esbuild.config.mjs, the
 * same build `npm run build` and deploys use), installs each folder's own dependencies with `npm ci --omit=dev`
 * the way the buildpack does, and knows from esbuild's metafile which source files each function is made of.
 *
 * `npm ci` takes 15-20 s per folder, and every build deletes dist/<name>/. So each install is kept in a cache
 * keyed by the hash of the folder's package-lock.json (`node_modules/.cache/storefront-jobs-dev/<hash>/`), and
 * dist/<name>/node_modules is a copy of it made of hard links (a fraction of a second): `npm ci` runs again only
 * when a lockfile changes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { buildFunctions } from '../../esbuild.config.mjs';

const MARKER = '.storefront-dev-lock';

export interface Bundles {
  root: string;
  dist(name: string): string;
  /** Functions whose bundle is missing or older than one of its inputs. */
  stale(names: string[]): string[];
  /** Builds `names` (which deletes their node_modules: call installDeps after). */
  build(names: string[]): Promise<void>;
  /** Gives each folder its node_modules (from the cache; `npm ci` when its lockfile is new); returns the names npm ran for. */
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
    const files = [
      bundle,
      join(dist(name), 'package.json'),
      join(dist(name), 'package-lock.json'),
      join(dist(name), 'meta.json'),
    ];
    if (!files.every(existsSync)) return true;
    const built = statSync(bundle).mtimeMs;
    const sources = inputs(name);
    if (!sources.length) return true;
    return [...sources, ...global].some((f) => !existsSync(f) || statSync(f).mtimeMs > built);
  };

  const lockHash = (name: string): string =>
    createHash('sha256')
      .update(readFileSync(join(dist(name), 'package-lock.json')))
      .update(process.version)
      .digest('hex')
      .slice(0, 24);
  const cacheRoot = join(root, 'node_modules', '.cache', 'storefront-jobs-dev');

  /** The cached install of this lockfile, made once with `npm ci --omit=dev`; true when it ran npm. */
  const ensureCached = async (name: string, hash: string): Promise<boolean> => {
    const cached = join(cacheRoot, hash);
    if (existsSync(join(cached, MARKER))) return false;
    const release = await lock(join(cacheRoot, `${hash}.lock`));
    try {
      if (existsSync(join(cached, MARKER))) return false; // another runner just made it
      const staging = `${cached}.tmp-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      try {
        for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(dist(name), f), join(staging, f));
        await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], staging);
        writeFileSync(join(staging, MARKER), hash + '\n');
        rmSync(cached, { recursive: true, force: true });
        renameSync(staging, cached);
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
      return true;
    } finally {
      release();
    }
  };

  /** dist/<name>/node_modules as hard links to the cache, made aside and moved in whole (so whoever copies the
   * folder meanwhile, like the bundle test, sees none or all of it). */
  const linkIn = (name: string, hash: string): void => {
    const target = join(dist(name), 'node_modules');
    const tmp = join(root, 'dist', '.dev-link', `${name}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    linkTree(join(cacheRoot, hash, 'node_modules'), tmp);
    writeFileSync(join(tmp, MARKER), hash + '\n');
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
    rmSync(join(root, 'dist', '.dev-link'), { recursive: true, force: true });
  };

  return {
    root,
    dist,
    stale: (names) => names.filter(isStale),
    async build(names) {
      if (names.length) await buildFunctions({ names, quiet: true });
    },
    async installDeps(names, onStart) {
      const ran: string[] = [];
      await Promise.all(
        names.map(async (n) => {
          const hash = lockHash(n);
          if (readMarker(join(dist(n), 'node_modules')) === hash) return;
          if (!existsSync(join(cacheRoot, hash, MARKER))) onStart?.(n);
          if (await ensureCached(n, hash)) ran.push(n);
          linkIn(n, hash);
        }),
      );
      return ran;
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
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${code}):\n${output.trim()}`)),
    );
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

/** Copies a tree as hard links (symbolic links are recreated as they are); falls back to copies across devices. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (entry.isDirectory()) linkTree(src, dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}
