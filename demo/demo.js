// The demo call: camera preview, mic level, Media Session conferencing handlers.
const $ = (id) => document.getElementById(id);
const state = { stream: null, mic: true, cam: true, audioCtx: null, raf: 0 };
window.demo = state;
window.demoLog = [];

function setActive() {
  const ms = navigator.mediaSession;
  ms.setMicrophoneActive?.(state.mic);
  ms.setCameraActive?.(state.cam);
}

function render() {
  const inCall = !!state.stream;
  $('start').disabled = inCall;
  for (const id of ['mic', 'cam', 'leave']) $(id).disabled = !inCall;
  $('mic').textContent = state.mic ? 'Mute microphone' : 'Unmute microphone';
  $('mic').setAttribute('aria-pressed', String(!state.mic));
  $('cam').textContent = state.cam ? 'Turn off camera' : 'Turn on camera';
  $('cam').setAttribute('aria-pressed', String(!state.cam));
  $('status').textContent = inCall
    ? `In a call · microphone ${state.mic ? 'on' : 'off'} · camera ${state.cam ? 'on' : 'off'}`
    : 'Not in a call.';
}

function meter(stream) {
  // Level from the mic track; the meter stops when the track ends.
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 512;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const data = new Float32Array(analyser.fftSize);
  const tick = () => {
    analyser.getFloatTimeDomainData(data);
    let sum = 0;
    for (const v of data) sum += v * v;
    const level = state.mic ? Math.min(100, Math.round(Math.sqrt(sum / data.length) * 300)) : 0;
    $('level').style.width = `${level}%`;
    $('level').parentElement.setAttribute('aria-valuenow', String(level));
    state.raf = requestAnimationFrame(tick);
  };
  tick();
  state.audioCtx = ctx;
}

async function join() {
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  } catch (e) {
    $('status').textContent = `Could not start: ${e.name}: ${e.message}`;
    return;
  }
  state.mic = true;
  state.cam = true;
  $('preview').srcObject = state.stream;
  meter(state.stream);
  setActive();
  render();
}

function toggle(kind) {
  if (!state.stream) return;
  const key = kind === 'audio' ? 'mic' : 'cam';
  state[key] = !state[key];
  for (const t of state.stream.getTracks()) if (t.kind === kind) t.enabled = state[key];
  setActive();
  render();
}

function leave() {
  if (!state.stream) return;
  for (const t of state.stream.getTracks()) t.stop();
  cancelAnimationFrame(state.raf);
  state.audioCtx?.close();
  state.stream = null;
  $('preview').srcObject = null;
  $('level').style.width = '0';
  render();
}

$('start').addEventListener('click', join);
$('mic').addEventListener('click', () => toggle('audio'));
$('cam').addEventListener('click', () => toggle('video'));
$('leave').addEventListener('click', leave);

const handlers = {
  togglemicrophone: () => toggle('audio'),
  togglecamera: () => toggle('video'),
  hangup: () => leave(),
};
for (const [action, fn] of Object.entries(handlers)) {
  try {
    navigator.mediaSession.setActionHandler(action, (details) => {
      window.demoLog.push(details.action);
      fn();
    });
  } catch (e) {
    // Without MediaGate, Firefox rejects the conferencing actions.
    console.info(`Media Session action "${action}" not supported here: ${e.message}`);
  }
}
render();
