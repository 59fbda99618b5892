// A microphone that plays a file, for Firefox (whose fake microphone only plays a tone): a private
// PulseAudio server with a null sink, the file played into it in a loop, and Firefox told to capture
// the sink's monitor (`media.audio_loopback_dev` names a real device that replaces the fake microphone,
// while the fake camera stays). Needs the pulseaudio and pulseaudio-utils packages (scripts/setup.sh).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor, type LaunchOptions } from './browsers';
import type { BrowserSuite } from './suite';

export interface FileMicrophone {
  /** What Firefox's launch needs: the server in its environment, the device in its prefs. */
  launch: Pick<LaunchOptions, 'env' | 'firefoxPrefs'>;
  close(): Promise<void>;
}

const SINK = 'mediagate_test_mic';
const DESCRIPTION = 'MediaGate_test_microphone';

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => p.once('exit', () => r()));
}

/** Starts the server in `dir` (its socket and state live there) and loops `file` (a WAV) into it. */
export async function startFileMicrophone(dir: string, file: string): Promise<FileMicrophone> {
  const socket = path.join(dir, 'pulse-native');
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, PULSE_SERVER: `unix:${socket}` };
  let log = '';
  const server = spawn(
    'pulseaudio',
    [
      '-n', // no default configuration: only the modules below
      '--daemonize=no',
      '--exit-idle-time=-1',
      '--use-pid-file=no',
      '-L',
      `module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      '-L',
      `module-null-sink sink_name=${SINK} sink_properties=device.description=${DESCRIPTION}`,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  server.stderr!.on('data', (d) => (log += d));
  const failed = new Promise<never>((_, reject) => {
    server.once('error', (e) => reject(new Error(`pulseaudio could not start (${e.message}): run scripts/setup.sh`)));
    server.once('exit', (code) => reject(new Error(`pulseaudio exited (${code}): ${log.slice(-500)}`)));
  });
  failed.catch(() => undefined);
  const ready = () =>
    new Promise<boolean>((resolve) => {
      const p = spawn('pactl', ['info'], { env, stdio: 'ignore' });
      p.once('error', () => resolve(false));
      p.once('exit', (code) => resolve(code === 0));
    });
  await Promise.race([waitFor(ready, 'the PulseAudio server', 10_000, 100), failed]);

  let closed = false;
  let player: ChildProcess | null = null;
  const play = () => {
    if (closed) return;
    player = spawn('paplay', [`--device=${SINK}`, file], { env, stdio: 'ignore' });
    player.once('exit', (code) => {
      if (!closed && code === 0) play();
    });
  };
  play();
  return {
    launch: {
      env: { PULSE_SERVER: `unix:${socket}` },
      firefoxPrefs: { 'media.audio_loopback_dev': `Monitor of ${DESCRIPTION}` },
    },
    async close() {
      closed = true;
      if (player) {
        player.kill();
        await exited(player);
      }
      server.kill();
      await exited(server);
    },
  };
}

/**
 * Launch options that make `file` (a WAV) the suite's microphone: Chromium's fake capture plays it;
 * Firefox gets it through a PulseAudio server of the suite's own (in `tmpDir`), stopped when the suite closes.
 */
export async function playAsMicrophone(suite: BrowserSuite, file: string): Promise<LaunchOptions> {
  if (suite.name === 'chromium') return { chromiumArgs: [`--use-file-for-fake-audio-capture=${file}`] };
  const mic = await startFileMicrophone(suite.tmp, file);
  suite.onClose(() => mic.close());
  return mic.launch;
}
