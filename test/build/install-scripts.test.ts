// `npm install` prints no install-scripts warning: every installed dependency with an install script is reviewed
// in package.json's allowScripts (docs/local-development.md, "Install scripts"). npm's own check, on the installed tree.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { root } from '../dev/support.ts';

it('leaves no dependency install script unreviewed', async () => {
  const { stdout } = await promisify(execFile)('npm', ['install-scripts', 'ls'], { cwd: root });
  expect(stdout.trim()).toBe('No packages with unreviewed install scripts.');
});
