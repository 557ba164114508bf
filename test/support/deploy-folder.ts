/**
 * Stages a deploy folder the way `gcloud functions deploy --source dist/<name>` and the Node buildpack would: the
 * files of dist/<name>/ that .gcloudignore lets through (not node_modules, which the buildpack would remove
 * anyway), then `npm ci --omit=dev` to install only its declared dependencies, then its `gcp-build` script.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** `distRoot`: another build's dist/ folder (the benchmarks compare builds). */
export function stageDeployFolder(name: string, distRoot = join(root, 'dist')): { dir: string; remove(): void } {
  const dist = join(distRoot, name);
  const ignored = readFileSync(join(dist, '.gcloudignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim().replace(/\/$/, ''))
    .filter((l) => l && !l.startsWith('#'));
  const dir = mkdtempSync(join(tmpdir(), `deploy-${name}-`));
  cpSync(dist, dir, {
    recursive: true,
    filter: (src) => src === dist || !ignored.includes(relative(dist, src).split('/')[0] ?? basename(src)),
  });
  // --prefer-offline: the lockfile pins every version and integrity; skip re-checking the registry for what is cached.
  execFileSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: 'pipe',
  });
  // The buildpack runs a non-empty gcp-build after installing (it fills the compile cache).
  // The buildpack runs a non-empty gcp-build after installing (it fills the compile cache), with the Node the function
  // then runs on: here the one running this (Node keeps a compile cache per version).
  if (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts?.['gcp-build']) {
    const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
    execFileSync('npm', ['run', '--silent', 'gcp-build'], { cwd: dir, stdio: 'pipe', env: { ...process.env, PATH } });
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
