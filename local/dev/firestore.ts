/**
 * The Firestore emulator (gcloud) for the dev stack: checks that gcloud, its emulator component and Java are
 * there (naming the command that installs what is missing), starts it in its own process group with a
 * throw-away gcloud config, and keeps its data between runs.
 *
 * Persistence: gcloud's `--export-on-exit` does not export when the emulator is stopped by a signal (checked
 * with gcloud 528), so the runner asks the emulator to export over HTTP (`POST /emulator/v1/projects/<p>:export`)
 * before stopping it, and starts it with `--import-data` from the last export. Data written after the last
 * export is lost when the runner itself is killed with SIGKILL.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { firestoreLogFilter } from './firestore-log.ts';
import type { LogStream } from './log.ts';
import { startPart, type Part } from './procs.ts';

/** Whether gcloud, its Firestore emulator component and Java are installed; throws the install commands if not. */
export function checkFirestoreToolchain(): void {
  const missing: string[] = [];
  let sdkRoot: string | undefined;
  const gcloud = onPath('gcloud');
  if (gcloud) {
    // <sdk>/bin/gcloud (package managers link it from /usr/bin); asking `gcloud info` costs a second of Python.
    const guess = dirname(dirname(realpathSync(gcloud)));
    sdkRoot = existsSync(join(guess, 'lib', 'gcloud.py')) ? guess : gcloudInfoRoot();
  } else {
    missing.push(
      'The gcloud CLI is not installed (or not on the PATH). Install it: https://cloud.google.com/sdk/docs/install\n' +
        '  Debian/Ubuntu: sudo apt-get install google-cloud-cli google-cloud-cli-firestore-emulator\n' +
        '  macOS:         brew install --cask google-cloud-sdk && gcloud components install cloud-firestore-emulator',
    );
  }
  if (sdkRoot !== undefined && !existsSync(join(sdkRoot, 'platform', 'cloud-firestore-emulator'))) {
    // gcloud installed by a system package manager has its component manager disabled.
    const apt = sdkRoot.startsWith('/usr/lib/') || sdkRoot.startsWith('/usr/share/');
    missing.push(
      `gcloud's Firestore emulator component is not installed (looked in ${sdkRoot}/platform). Install it:\n  ` +
        (apt
          ? 'sudo apt-get install google-cloud-cli-firestore-emulator'
          : 'gcloud components install cloud-firestore-emulator'),
    );
  }
  const java = javaMajor();
  if (java === undefined) {
    missing.push(
      'Java is not installed (the Firestore emulator needs Java 17 or later). Install it:\n' +
        '  Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless\n  macOS:         brew install openjdk@17',
    );
  } else if (java < 17) {
    missing.push(
      `Java ${java} is too old: the Firestore emulator needs Java 17 or later. Install it:\n` +
        '  Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless\n  macOS:         brew install openjdk@17',
    );
  }
  if (missing.length) throw new Error(missing.join('\n'));
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, command);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {}
  }
  return undefined;
}

function gcloudInfoRoot(): string | undefined {
  try {
    return execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
      timeout: 30_000,
    }).trim();
  } catch {
    return undefined;
  }
}

function javaMajor(): number | undefined {
  // `java -version` writes to stderr.
  const r = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return undefined;
  return parseJavaVersion(`${r.stderr}${r.stdout}`) ?? 17; // unknown format: let the emulator say
}

function parseJavaVersion(text: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

export interface FirestoreEmulator {
  part: Part;
  host: string;
  /** Saves the project's data into the state folder (replacing the last save). */
  exportData(): Promise<void>;
  /** Exports, then stops the whole process group. */
  stop(): Promise<void>;
}

export async function startFirestore(o: {
  host: string;
  port: number;
  project: string;
  /** `<state>/firestore`: `current/` holds the last export. */
  dataDir: string;
  cwd: string;
  log: LogStream;
  onUnexpectedExit: (part: Part, how: string) => void;
  /** Called as soon as the process is started (before it answers). */
  onStart?: (part: Part) => void;
  /** Show the emulator's expected failures (firestore-log.ts) as one line each instead of not at all. */
  verbose?: boolean;
}): Promise<FirestoreEmulator> {
  mkdirSync(o.dataDir, { recursive: true });
  const current = join(o.dataDir, 'current');
  const metadata = findMetadata(current);
  const config = mkdtempSync(join(tmpdir(), 'storefront-dev-gcloud-'));
  const args = ['emulators', 'firestore', 'start', `--host-port=${o.host}:${o.port}`, '--quiet'];
  if (metadata) args.push(`--import-data=${metadata}`);
  const part = startPart({
    name: 'firestore',
    command: 'gcloud',
    args,
    cwd: o.cwd,
    env: { ...process.env, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
    log: o.log,
    filter: firestoreLogFilter({ verbose: o.verbose ?? false }),
    onUnexpectedExit: o.onUnexpectedExit,
  });
  o.onStart?.(part);
  void part.exited.then(() => rmSync(config, { recursive: true, force: true }));
  const host = `${o.host}:${o.port}`;
  // Generous: on a loaded machine the emulator's Java start alone takes tens of seconds.
  await waitUntilUp(`http://${host}/`, part, 300_000);
  if (metadata) o.log.info(`Firestore: data of the last run imported from ${current}`);
  let exporting: Promise<void> | undefined;
  const exportData = async (): Promise<void> => {
    const incoming = join(o.dataDir, `incoming-${Date.now()}`);
    mkdirSync(incoming, { recursive: true });
    try {
      const res = await fetch(`http://${host}/emulator/v1/projects/${o.project}:export`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ database: `projects/${o.project}/databases/(default)`, export_directory: incoming }),
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) throw new Error(`export answered ${res.status}: ${await res.text()}`);
      if (!findMetadata(incoming)) throw new Error('export wrote no metadata file');
      rmSync(current, { recursive: true, force: true });
      renameSync(incoming, current);
    } finally {
      rmSync(incoming, { recursive: true, force: true });
    }
  };
  return {
    part,
    host,
    exportData: () => (exporting ??= exportData().finally(() => (exporting = undefined))),
    async stop() {
      if (!part.hasExited()) {
        try {
          await exportData();
        } catch (err) {
          o.log.warn(`Firestore: could not save its data for the next run (${(err as Error).message})`);
        }
      }
      await part.stop(5000);
      rmSync(config, { recursive: true, force: true });
    },
  };
}

/** The `*.overall_export_metadata` file of an export folder (what `--import-data` wants), if any. */
function findMetadata(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.overall_export_metadata')) return p;
    if (entry.isDirectory()) {
      const inner = findMetadata(p);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Polls `url` until it answers (any status); throws when the part exits first or `timeoutMs` passes. */
export async function waitUntilUp(url: string, part: Part, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (part.hasExited()) throw new Error(`${part.name} exited before it answered on ${url} (${await part.exited})`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${part.name} did not answer on ${url} within ${timeoutMs / 1000} s`);
}
