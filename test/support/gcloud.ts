/**
 * gcloud for the deploy tests: a recording stand-in put first on PATH (gcloud-stand-in/gcloud keeps a small project
 * and records every call) and the real gcloud CLI's own parser (gcloud-stand-in/parse.py), so a planned command is
 * both recorded and known to parse.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
const standInDir = join(import.meta.dirname, 'gcloud-stand-in');

/** The stand-in's project: what exists, with the IAM bindings as [role, member]. */
export interface World {
  serviceAccounts: Record<string, { bindings: [string, string][] }>;
  projectBindings: [string, string][];
  secrets: Record<string, { versions: { data: string; state: string }[]; bindings: [string, string][] }>;
  /** `flags`: the --name=value flags of its create and updates (describe answers from them). */
  queues: Record<string, { bindings: [string, string][]; flags?: Record<string, string> }>;
  /** `url`: where it answers (set by its first deploy unless the test set it). */
  functions: Record<string, { bindings: [string, string][]; url?: string; serviceAccount?: string }>;
  jobs: Record<string, { flags?: Record<string, string> }>;
}
export interface Call {
  argv: string[];
  stdinBytes?: number;
}

export const emptyWorld = (): World => ({
  serviceAccounts: {},
  projectBindings: [],
  secrets: {},
  queues: {},
  functions: {},
  jobs: {},
});

export interface StandIn {
  env: Record<string, string>;
  world(): World;
  setWorld(w: World): void;
  calls(): Call[];
  /** Forgets the calls so far (the world stays). */
  clearCalls(): void;
  remove(): void;
}

/** A fresh stand-in with `world` in its own temp folder (also gcloud's config folder, for the real CLI). */
export function gcloudStandIn(world: World = emptyWorld()): StandIn {
  const dir = mkdtempSync(join(tmpdir(), 'gcloud-stand-in-'));
  const file = join(dir, 'state.json');
  const read = () => JSON.parse(readFileSync(file, 'utf8')) as { world: World; calls: Call[] };
  const write = (s: { world: World; calls: Call[] }) => writeFileSync(file, JSON.stringify(s));
  write({ world, calls: [] });
  return {
    env: {
      PATH: `${standInDir}${delimiter}${process.env.PATH}`,
      GCLOUD_STAND_IN: file,
      CLOUDSDK_CONFIG: dir,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    },
    world: () => read().world,
    setWorld: (w) => write({ ...read(), world: w }),
    calls: () => read().calls,
    clearCalls: () => write({ ...read(), calls: [] }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** What the argument parser of the installed gcloud says of each command line (without "gcloud"). */
export async function gcloudParses(commands: string[][]): Promise<{ ok: boolean; error?: string }[]> {
  const sdk = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], { encoding: 'utf8' }).trim();
  const bundled = join(sdk, 'platform', 'bundledpythonunix', 'bin', 'python3');
  let python = 'python3';
  try {
    execFileSync(bundled, ['--version']);
    python = bundled;
  } catch {}
  const config = mkdtempSync(join(tmpdir(), 'gcloud-parse-'));
  try {
    const child = spawn(python, [join(standInDir, 'parse.py')], {
      env: {
        ...process.env,
        PYTHONPATH: [join(sdk, 'lib'), join(sdk, 'lib', 'third_party')].join(delimiter),
        CLOUDSDK_CONFIG: config,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdin.end(JSON.stringify(commands));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) throw new Error(`gcloud's parser exited ${code}:\n${stderr}`);
    const results = JSON.parse(stdout) as { ok: boolean; error?: string }[];
    // gcloud writes its own messages to stderr: attach each to its command.
    const messages = stderr.split(/^--- gcloud .*\n/m).slice(1);
    return results.map((r, i) => (r.ok ? r : { ok: false, error: `${r.error}\n${messages[i] ?? ''}`.trim() }));
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
}

/** A finished run of deploy.sh. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `./deploy.sh args…` with `env` added, `input` on standard input (none: empty). */
export function deploySh(args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  const child = execFile('bash', ['deploy.sh', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, MAIL_FROM: 'orders@shop.example', ...env },
  });
  // A run that stops before reading its input (bad arguments, --help) closes the pipe: that is no error here.
  child.stdin!.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  child.stdin!.end(input || undefined);
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: string) => (stdout += d));
    child.stderr!.on('data', (d: string) => (stderr += d));
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
