// One deployable bundle per function: functions/<name>/index.ts → dist/<name>/ (index.js, index.js.map,
// package.json, package-lock.json, .gcloudignore), ready for `gcloud functions deploy --source dist/<name>`.
// Run as `npm run build`; the dev runner imports buildFunctions() from here.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isBuiltin } from 'node:module';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Packages left out of the bundles and installed from each deploy folder's package.json instead.
 * - functions-framework: the runtime's FF must see the function the bundle registers, so it may not have a copy.
 * - @google-cloud/tasks, @google-cloud/firestore and google-auth-library (google-gax underneath) load JSON and proto
 *   files by computed paths at run time, which no bundler can follow.
 * - @sendgrid/mail bundles, but it is loaded on the first email (shared/lazy.ts): kept out, its axios, form-data and
 *   mime-db are not parsed at every cold start.
 * A deploy folder declares those its bundle loads, so npm installs one google-gax for both Google libraries.
 */
export const EXTERNAL = ['@google-cloud/functions-framework', '@google-cloud/firestore', '@google-cloud/tasks', '@sendgrid/mail', 'google-auth-library'];

/** Size budgets of the bundles (index.js, minified), in bytes: the build fails over them. */
export const BUDGETS = {
  default: 600 * 1024,
};

/** Every functions/<name>/index.ts: adding a function is adding a folder. */
export function functionNames() {
  const dir = join(root, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'index.ts')))
    .sort();
}

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function pinnedVersion(pkg) {
  const declared = rootPkg.dependencies?.[pkg];
  if (!declared) throw new Error(`${pkg} is left external but is not a dependency in package.json`);
  if (!/^\d+\.\d+\.\d+/.test(declared)) throw new Error(`${pkg} must be pinned to an exact version in package.json, not "${declared}"`);
  return declared;
}

/**
 * zod's `z` namespace re-exports its 60-odd message locales (`z.locales`), so no bundler can drop them: they were
 * 258 KiB of every ~500 KiB bundle, parsed at every cold start. Nothing here uses a locale but the default English
 * one (zod configures it itself), so the bundles get a locales index with only `en`.
 */
export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '..', 'locales', 'index.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      resolveDir: dirname(args.path),
    }));
  },
};

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);

/** Builds one function into dist/<name>/ and returns its size row. */
export async function buildFunction(name, { quiet = false } = {}) {
  const out = join(root, 'dist', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: { index: join(root, 'functions', name, 'index.ts') },
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: EXTERNAL,
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    legalComments: 'none',
    // import.meta.url does not exist in CommonJS: give shared/ code the bundle's own file URL instead (body-errors.ts
    // resolves functions-framework from there, as the bundle's require() does).
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: '"use strict";var importMetaUrl=require("node:url").pathToFileURL(__filename).href;' },
    metafile: true,
    plugins: [zodEnglishOnly],
    logLevel: quiet ? 'error' : 'warning',
  });
  writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile));
  const imported = new Set(['@google-cloud/functions-framework']);
  for (const output of Object.values(result.metafile.outputs)) {
    // Externals also include builtins and optional requires inside try/catch that esbuild could not resolve
    // (supports-color under debug): only our EXTERNAL packages are dependencies of the deploy folder.
    for (const imp of output.imports) if (imp.external && !isBuiltin(imp.path) && EXTERNAL.includes(packageOf(imp.path))) imported.add(packageOf(imp.path));
  }
  // Packages loaded on first use (shared/lazy.ts loadPackage) are not imports esbuild sees: their names are in the bundle.
  const code = readFileSync(join(out, 'index.js'), 'utf8');
  for (const pkg of EXTERNAL) if (code.includes(`"${pkg}"`)) imported.add(pkg);
  const dependencies = Object.fromEntries([...imported].sort().map((p) => [p, pinnedVersion(p)]));
  const pkg = {
    name,
    private: true,
    description: `storefront-jobs function ${name} (generated by esbuild.config.mjs; deploy this folder as is)`,
    main: 'index.js',
    engines: { node: '>=22' },
    scripts: { 'gcp-build': '', start: `functions-framework --target=${name}` },
    dependencies,
  };
  writeFileSync(join(out, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  writeLockfile(out, dependencies);
  writeFileSync(join(out, '.gcloudignore'), '.gcloudignore\nnode_modules/\nmeta.json\n');
  const bytes = statSync(join(out, 'index.js')).size;
  const budget = BUDGETS[name] ?? BUDGETS.default;
  return { name, bytes, map: statSync(join(out, 'index.js.map')).size, budget, dependencies: Object.keys(dependencies) };
}

/** package-lock.json for the deploy folder, cached by its dependency set (resolving it needs the registry). */
function writeLockfile(out, dependencies) {
  const key = createHash('sha256').update(JSON.stringify(dependencies)).digest('hex').slice(0, 16);
  const cacheDir = join(root, 'node_modules', '.cache', 'storefront-jobs-locks');
  const cached = join(cacheDir, `${key}.json`);
  if (!existsSync(cached)) {
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: out, stdio: ['ignore', 'ignore', 'inherit'] });
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(join(out, 'package-lock.json'), cached);
    return;
  }
  // A cached lock is for the same dependencies; only the folder's own name differs.
  const lock = JSON.parse(readFileSync(cached, 'utf8'));
  const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
  lock.name = pkg.name;
  if (lock.packages?.['']) lock.packages[''].name = pkg.name;
  writeFileSync(join(out, 'package-lock.json'), JSON.stringify(lock, null, 2) + '\n');
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** Builds every function, prints the size table, and throws when one is over its budget. */
export async function buildFunctions({ names = functionNames(), quiet = false } = {}) {
  const rows = [];
  for (const name of names) rows.push(await buildFunction(name, { quiet }));
  const over = rows.filter((r) => r.bytes > r.budget);
  if (!quiet || over.length) {
    const table = rows.map((r) => ({
      function: r.name,
      'index.js': kb(r.bytes),
      map: kb(r.map),
      budget: kb(r.budget),
      status: r.bytes > r.budget ? 'OVER BUDGET' : 'ok',
      external: r.dependencies.join(' '),
    }));
    console.table(table);
  }
  if (over.length) throw new Error(`Over the size budget: ${over.map((r) => `${r.name} (${kb(r.bytes)} > ${kb(r.budget)})`).join(', ')}. Budgets are in esbuild.config.mjs (BUDGETS).`);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  buildFunctions(names.length ? { names } : {}).catch((err) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}
