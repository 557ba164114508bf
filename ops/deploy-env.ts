/**
 * The settings deploy.sh gives each function, from the one settings catalogue (ops/settings/):
 *
 *   node ops/deploy-env.ts <function> --project P --region R            the --set-env-vars value
 *   node ops/deploy-env.ts <function> --project P --region R --secrets  one SETTING=secret-name a line (--set-secrets)
 *   node ops/deploy-env.ts <function> --project P --region R --sizing   its --memory, --cpu, … flags (ops/settings/sizing.ts)
 *   node ops/deploy-env.ts <function> --project P --region R --cpu-boost  --cpu-boost or --no-cpu-boost
 *   node ops/deploy-env.ts --check --project P --region R               checks every function's settings, prints nothing
 *   node ops/deploy-env.ts --secret-list                                one "secret SETTING function…" a line
 *
 * The operator's settings (MAIL_FROM, STORE_TIME_ZONE, REPORTS_*…) come from the environment and are checked against
 * the function's own schema, and the size overrides (DEPLOY_<FUNCTION>_<KNOB>) against sizing.ts: a bad or missing one
 * exits 1 with the message.
 */
import { parseArgs } from 'node:util';
import { deploySettings, envVarsFlag, secretList } from './settings/deploy.ts';
import { FUNCTIONS } from './settings/functions.ts';
import { sizeFlags, sizeOf } from './settings/sizing.ts';

/** Thrown for settings a function would reject: one line per problem. */
export class DeploySettingsError extends Error {}

/** The lines to print for `argv`; throws DeploySettingsError on bad settings, Error on bad arguments. */
export function deployEnv(argv: string[], env: Record<string, string | undefined>): string[] {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      region: { type: 'string' },
      secrets: { type: 'boolean' },
      check: { type: 'boolean' },
      sizing: { type: 'boolean' },
      'cpu-boost': { type: 'boolean' },
      'secret-list': { type: 'boolean' },
    },
  });
  if (values['secret-list']) return secretList().map((s) => [s.secret, s.setting, ...s.functions].join(' '));
  const { project, region } = values;
  if (!project || !region)
    throw new Error(
      'usage: node ops/deploy-env.ts <function>|--check --project P --region R [--secrets|--sizing|--cpu-boost]',
    );
  const [name] = values.check ? [] : positionals;
  if (!values.check && (!name || !FUNCTIONS[name]))
    throw new Error(`unknown function ${name ?? '(none)'}; functions: ${Object.keys(FUNCTIONS).join(', ')}`);
  const all = (name ? [name] : Object.keys(FUNCTIONS)).map((n) => deploySettings(n, { project, region }, env));
  const sizes = (name ? [name] : Object.keys(FUNCTIONS)).map((n) => sizeOf(n, env));
  const problems = [...all.flatMap((s) => s.problems), ...sizes.flatMap((s) => s.problems)];
  if (problems.length) throw new DeploySettingsError(problems.join('\n'));
  if (!name) return [];
  const { vars, secrets } = all[0]!;
  const { size } = sizes[0]!;
  if (values.sizing) return [sizeFlags(size).join(' ')];
  if (values['cpu-boost']) return [size.cpuBoost ? '--cpu-boost' : '--no-cpu-boost'];
  return values.secrets ? Object.entries(secrets).map(([k, v]) => `${k}=${v}`) : [envVarsFlag(vars)];
}

if (import.meta.main) {
  try {
    for (const line of deployEnv(process.argv.slice(2), process.env)) console.log(line);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(
      message
        .split('\n')
        .map((l) => `deploy.sh: ${l}`)
        .join('\n'),
    );
    process.exit(err instanceof DeploySettingsError ? 1 : 2);
  }
}
