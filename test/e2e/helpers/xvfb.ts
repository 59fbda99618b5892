// A private X server (Xvfb) for tests that need a headful browser: headless Firefox has no WebGL,
// under X it renders with Mesa's llvmpipe.
import { spawn } from 'node:child_process';

export interface Xvfb {
  display: string;
  close(): Promise<void>;
}

/** Starts Xvfb on a free display number (it picks one and writes it to fd 3). */
export function startXvfb(): Promise<Xvfb> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdio[3]!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      resolve({
        display: `:${out.trim()}`,
        close: () =>
          new Promise<void>((done) => {
            proc.once('exit', () => done());
            proc.kill();
          }),
      });
    });
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr.slice(-500)}`)));
    proc.once('error', reject);
  });
}
