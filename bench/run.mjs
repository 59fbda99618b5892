// Builds the extension, compiles bench/run.ts with esbuild (as test/run-e2e.mjs compiles the tests:
// tsx would inject helpers such as __name into functions that puppeteer serialises into pages) and
// runs it with node. Arguments are passed through to bench/run.ts.
import * as esbuild from 'esbuild';
import { rm } from 'node:fs/promises';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// Always measure what the sources say now.
if (spawnSync(process.execPath, [path.join(root, 'build.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);
const out = path.join(root, '.tmp/bench');
await rm(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: [path.join(root, 'bench/run.ts')],
  outdir: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
const child = spawn(process.execPath, ['--enable-source-maps', path.join(out, 'run.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, MEDIAGATE_ROOT: root },
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
