/**
 * `./deploy.sh verify --project P --region R`: what is deployed, read with gcloud and called from the outside, against
 * what deploy.sh makes (expected.ts): each function active at its URL, the HTTP checks (http-checks.ts), the queues'
 * limits against queues.json, the scheduler job, each service account's roles (exactly), each secret's enabled
 * version. Prints one table; exits 1 on any mismatch, 2 on bad arguments. Secret values are read only to sign the
 * test deliveries: they stay in memory and are never printed.
 */
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { functionUrl, secretList, type DeployTarget } from '../settings/deploy.ts';
import { FUNCTIONS, accessOf } from '../settings/functions.ts';
import { httpChecks, type HttpTarget, type Row } from './http-checks.ts';
import { SCHEDULER_JOB, expectedGrants, expectedJob, queueLine, queues, type Grant } from './expected.ts';
import { verifyTable } from './table.ts';

/** Runs one read-only gcloud command; its stdout, or undefined when it fails (not found, no access). */
type Gcloud = (args: string[]) => Promise<string | undefined>;

const gcloudFor =
  (project: string): Gcloud =>
  (args) =>
    new Promise((resolve) => {
      execFile(
        'gcloud',
        [`--project=${project}`, '--quiet', ...args],
        { encoding: 'utf8', maxBuffer: 16 << 20 },
        (err, stdout) => resolve(err ? undefined : stdout),
      );
    });
const json = async (g: Gcloud, args: string[]): Promise<any> => {
  const out = await g([...args, '--format=json']);
  return out === undefined ? undefined : JSON.parse(out);
};
type Policy = { bindings?: { role: string; members?: string[] }[] } | undefined;

/** The rows for a deployment in project `t`, with the operator's environment `env` (job schedule and time zone). */
export async function verifyDeployment(
  t: DeployTarget,
  env: Record<string, string | undefined>,
  o: { timeoutMs: number; gcloud?: Gcloud },
): Promise<Row[]> {
  const g = o.gcloud ?? gcloudFor(t.project);
  const R = `--region=${t.region}`;
  const L = `--location=${t.region}`;
  const functions = Object.keys(FUNCTIONS);
  const secrets = secretList();
  // Every read at once: each gcloud call starts a Python process.
  const [
    described,
    queueInfo,
    job,
    project,
    queuePolicies,
    accountPolicies,
    runPolicies,
    secretPolicies,
    versions,
    values,
  ] = await Promise.all([
    Promise.all(functions.map((f) => json(g, ['functions', 'describe', f, R]))),
    Promise.all(queues().map((q) => json(g, ['tasks', 'queues', 'describe', q.name, L]))),
    json(g, ['scheduler', 'jobs', 'describe', SCHEDULER_JOB, L]),
    json(g, ['projects', 'get-iam-policy', t.project]) as Promise<Policy>,
    Promise.all(queues().map((q) => json(g, ['tasks', 'queues', 'get-iam-policy', q.name, L]) as Promise<Policy>)),
    Promise.all(
      ['tasks-invoker', 'scheduler-invoker'].map(
        (a) =>
          json(g, [
            'iam',
            'service-accounts',
            'get-iam-policy',
            `${a}@${t.project}.iam.gserviceaccount.com`,
          ]) as Promise<Policy>,
      ),
    ),
    Promise.all(functions.map((f) => json(g, ['run', 'services', 'get-iam-policy', f, R]) as Promise<Policy>)),
    Promise.all(secrets.map((s) => json(g, ['secrets', 'get-iam-policy', s.secret]) as Promise<Policy>)),
    Promise.all(
      secrets.map((s) =>
        g([
          'secrets',
          'versions',
          'list',
          s.secret,
          '--filter=state=enabled',
          '--sort-by=~createTime',
          '--limit=1',
          '--format=value(name)',
        ]),
      ),
    ),
    Promise.all(secrets.map((s) => g(['secrets', 'versions', 'access', 'latest', `--secret=${s.secret}`]))),
  ]);
  const rows: Row[] = [];

  // Functions: deployed and active at their deterministic URL; then the HTTP checks against that URL.
  const targets: HttpTarget[] = [];
  functions.forEach((f, i) => {
    const d = described[i];
    const url = functionUrl(t, f);
    const found = d ? `${d.state} at ${d.url}` : 'not deployed';
    rows.push({
      check: `function ${f}`,
      expected: `ACTIVE at ${url}`,
      found,
      ok: d?.state === 'ACTIVE' && d.url === url,
    });
    if (!d?.url) return;
    const secret = secrets.findIndex((s) => s.functions.includes(f) && s.secret.endsWith('-webhook-secrets'));
    // Google's front end refuses an unauthenticated call to a private function (403) before our code does (401).
    targets.push({
      name: f,
      url: d.url,
      access: accessOf(f),
      ...(secret >= 0 ? { secrets: values[secret] ?? '' } : {}),
      refused: [401, 403],
    });
  });
  rows.push(...(await httpChecks(targets, { timeoutMs: o.timeoutMs })));

  queues().forEach((q, i) => {
    const want = queueLine(q);
    const got = queueInfo[i] ? queueLine(queueInfo[i]) : { rate: 'no such queue', retry: 'no such queue' };
    rows.push({
      check: `queue ${q.name}: rate limits`,
      expected: want.rate,
      found: got.rate,
      ok: want.rate === got.rate,
    });
    rows.push({
      check: `queue ${q.name}: retries`,
      expected: want.retry,
      found: got.retry,
      ok: want.retry === got.retry,
    });
  });

  const wantJob = expectedJob(t, env);
  const gotJob: Record<string, string | undefined> = job
    ? {
        schedule: job.schedule,
        'time zone': job.timeZone,
        'target URL': job.httpTarget?.uri,
        'service account': job.httpTarget?.oidcToken?.serviceAccountEmail,
        audience: job.httpTarget?.oidcToken?.audience,
      }
    : {};
  for (const [k, v] of Object.entries(wantJob)) {
    const found = job ? (gotJob[k] ?? '(unset)') : 'no such job';
    rows.push({ check: `job ${SCHEDULER_JOB}: ${k}`, expected: v, found, ok: found === v });
  }

  // Roles: every binding of our accounts on the project and on our own resources, against exactly what deploy grants.
  const held = new Map<string, Grant[]>();
  const collect = (policy: Policy, where: string) => {
    for (const b of policy?.bindings ?? [])
      for (const m of b.members ?? [])
        if (m.startsWith('serviceAccount:'))
          held.set(m.slice(15), [...(held.get(m.slice(15)) ?? []), `${b.role} on ${where}`]);
  };
  collect(project, 'project');
  for (const [i, q] of queues().entries()) collect(queuePolicies[i], `queue ${q.name}`);
  for (const [i, a] of ['tasks-invoker', 'scheduler-invoker'].entries()) collect(accountPolicies[i], `account ${a}`);
  for (const [i, f] of functions.entries()) collect(runPolicies[i], `function ${f}`);
  for (const [i, s] of secrets.entries()) collect(secretPolicies[i], `secret ${s.secret}`);
  for (const [sa, want] of expectedGrants(t)) {
    const got = (held.get(sa) ?? []).sort();
    const extra = got.filter((x) => !want.includes(x));
    const missing = want.filter((x) => !got.includes(x));
    const ok = !extra.length && !missing.length;
    // A mismatch shows what differs (the lists are long), not the whole list.
    const found = ok
      ? 'the same'
      : [
          ...(extra.length ? [`also ${extra.join('; ')}`] : []),
          ...(missing.length ? [`lacks ${missing.join('; ')}`] : []),
        ].join('; ');
    rows.push({
      check: `roles of ${sa.split('@')[0]}`,
      expected: want.length ? want.join('; ') : 'no roles',
      found,
      ok,
    });
  }

  secrets.forEach((s, i) => {
    const v = versions[i]?.trim().split('/').pop();
    rows.push({
      check: `secret ${s.secret}`,
      expected: 'an enabled version',
      found: v ? `version ${v}` : 'none',
      ok: !!v,
    });
  });
  return rows;
}

if (import.meta.main) {
  const fail = (m: string) => {
    console.error(`deploy.sh verify: ${m}`);
    process.exit(2);
  };
  let values: { project?: string; region?: string; 'timeout-ms': string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        project: { type: 'string' },
        region: { type: 'string' },
        'timeout-ms': { type: 'string', default: '10000' },
      },
    }));
  } catch (err) {
    fail(`${(err as Error).message} (see ./deploy.sh --help)`);
  }
  const { project, region } = values!;
  const timeoutMs = Number(values!['timeout-ms']);
  if (!project) fail('--project is required');
  if (!region) fail('--region is required');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100)
    fail(`--timeout-ms: "${values!['timeout-ms']}" is not a whole number of milliseconds ≥ 100`);
  const rows = await verifyDeployment({ project: project!, region: region! }, process.env, { timeoutMs });
  console.log(verifyTable(rows));
  process.exit(rows.every((r) => r.ok) ? 0 : 1);
}
