// A call page as today's sites write it: no Media Session handlers, no MediaGate-specific API. It sends
// its camera and microphone over a peer connection to a second peer in the same page and shows what
// arrives, and it lists every event its tracks get, so a person (and the e2e tests) can see what
// MediaGate's controls look like from the site's side.
'use strict';
window.events = [];
const note = (text) => {
  window.events.push(text);
  const li = document.createElement('li');
  li.textContent = text;
  document.getElementById('events').append(li);
};

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [kind, id] of [
    ['videoinput', 'cameras'],
    ['audioinput', 'microphones'],
  ]) {
    const select = document.getElementById(id);
    select.replaceChildren(
      ...devices
        .filter((d) => d.kind === kind)
        .map((d) => new Option(d.label || `(no name) ${d.deviceId.slice(0, 8)}`, d.deviceId)),
    );
  }
  window.deviceNames = devices.filter((d) => d.kind !== 'audiooutput').map((d) => d.label);
}

function watch(track) {
  for (const type of ['mute', 'unmute', 'ended', 'configurationchange'])
    track.addEventListener(type, () => note(`${track.kind} ${type}`));
}

window.join = async () => {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  window.local = stream;
  stream.getTracks().forEach(watch);
  await listDevices();
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
  const received = new MediaStream();
  b.ontrack = (e) => {
    received.addTrack(e.track);
    document.getElementById('remote').srcObject = received;
  };
  window.senders = stream.getTracks().map((t) => a.addTrack(t, stream));
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);
  window.peers = { a, b, received };
  document.getElementById('status').textContent = 'In a call with yourself (a loopback peer connection).';
  note('joined');
};

document.getElementById('start').addEventListener('click', () => {
  window.join().catch((e) => note(`error ${e.name}: ${e.message}`));
});
void listDevices();
