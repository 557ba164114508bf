/** The parts of `npm run dev`, in start order (each waits for the parts it names in `after`). */
import { consolePart } from '../console/dev-part.ts';
import { dispatchPart, watchPart } from './console-parts.ts';
import { bundlesPart, functionPart } from './function-parts.ts';
import { firestorePart, mailPart, tasksPart } from './service-parts.ts';
import type { DevContext, StackPart } from './stack-part.ts';

export function stackParts(ctx: DevContext): StackPart[] {
  const bundles = bundlesPart(ctx);
  // The functions start as soon as their bundles are ready, while the emulators start: they connect to Firestore
  // and Cloud Tasks lazily, on their first request.
  const functions = ctx.specs.map((spec) => functionPart(ctx, spec, bundles.bundles));
  return [
    firestorePart(ctx),
    tasksPart(ctx),
    mailPart(ctx),
    bundles,
    ...functions,
    // Held tasks go out only once everything a target needs answers: a task sent while Firestore or the mail sink
    // still starts would burn an attempt (503) and wait out its backoff.
    dispatchPart(ctx, ['firestore', 'tasks', 'mail', ...functions.map((f) => f.name)]),
    consolePart(ctx, ['firestore', 'tasks', 'mail']),
    ...(ctx.opts.rebuildOnChange ? [watchPart(ctx, bundles.bundles, functions)] : []),
  ];
}
