/**
 * Stages a deploy folder the way `gcloud functions deploy --source dist/<name>` and the Node buildpack would: the
 * files of dist/<name>/ that .gcloudignore lets through (not node_modules, which the buildpack would remove
 * anyway), then `npm ci --omit=dev` to install only its declared dependencies.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

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
  execFileSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'pipe' });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
