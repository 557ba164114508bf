/** Bundle size of each function (dist/<name>/index.js) and its five largest inputs, from esbuild's metafile. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, round } from './stack.ts';

export interface BundleRow {
  function: string;
  bytes: number;
  top: { input: string; bytes: number }[];
}

export function bundleSizes(names: string[], dist = join(ROOT, 'dist')): BundleRow[] {
  return names.map((name) => {
    const meta = JSON.parse(readFileSync(join(dist, name, 'meta.json'), 'utf8')) as {
      outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const output = Object.entries(meta.outputs).find(([file]) => file.endsWith('index.js'))![1];
    const top = Object.entries(output.inputs)
      .map(([input, v]) => ({ input: input.replace(/^.*node_modules\//, ''), bytes: v.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 5);
    return { function: name, bytes: statSync(join(dist, name, 'index.js')).size, top };
  });
}

export const kib = (bytes: number): string => `${round(bytes / 1024, 1)} KiB`;
