// Compiles the e2e tests with esbuild (tsx would inject helpers such as __name into functions that
// puppeteer serialises into pages) and runs them with node's test runner, one file at a time.
import * as esbuild from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// Always test what the sources say now.
if (spawnSync(process.execPath, [path.join(root, 'build.mjs')], { stdio: 'inherit' }).status !== 0) process.exit(1);
const out = path.join(root, '.tmp/e2e');
const only = process.argv.slice(2);
const dir = path.join(root, 'test/e2e');
const files = (await readdir(dir)).filter(
  (f) => f.endsWith('.test.ts') && (only.length === 0 || only.some((o) => f.includes(o))),
);
await rm(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: files.map((f) => path.join(dir, f)),
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
const compiled = files.map((f) => path.join(out, f.replace(/\.ts$/, '.mjs')));
const child = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-concurrency=1',
    '--test-timeout=600000',
    // E2E_NAME=<regexp>: only the tests whose names match (e.g. one case of a file).
    ...(process.env.E2E_NAME ? [`--test-name-pattern=${process.env.E2E_NAME}`] : []),
    ...compiled,
  ],
  {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, MEDIAGATE_ROOT: root },
  },
);
child.on('exit', (code) => process.exit(code ?? 1));
