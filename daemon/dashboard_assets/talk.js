// "Talk to your assistant" (core/dashboard/talk_page.cpp): a test call from this browser.
// The page asks the daemon for a call (POST /app/talk, with the session's CSRF token), then
// opens the call's stream and speaks Twilio's Media Streams protocol on it — connected, start
// (with the call's token), media, mark, stop — so the daemon takes it like a phone call
// (daemon/test_call.hpp). The audio runs in talk-worklet.js.
"use strict";

(function () {
  const form = document.getElementById("talk");
  if (!form) return;
  const start = document.getElementById("talk-start");
  const hangup = document.getElementById("talk-hangup");
  const status = document.getElementById("talk-status");
  const sentOut = document.getElementById("talk-sent");
  const heardOut = document.getElementById("talk-heard");
  const record = document.getElementById("talk-record");

  let call = null;  // the call in progress

  function say(text) { status.textContent = text; }
  function seconds(samples) { return (samples / 8000).toFixed(1) + " s"; }

  function toBase64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }
  function fromBase64(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  function randomSid(prefix) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // What a phone call would have done next, from the stream's close reason (media_session.cpp).
  function ending(reason) {
    if (reason.startsWith("transfer to ")) return "The assistant transferred the call to " + reason.slice(12) + ": on the phone, that number would ring now.";
    if (reason.startsWith("fallback: ")) return "The call went to the fallback (" + reason.slice(10) + ").";
    if (reason === "call already ended") return "The call had already ended.";
    return "The call has ended.";
  }

  async function begin(event) {
    event.preventDefault();
    if (call) return;
    start.disabled = true;
    record.hidden = true;
    say("Asking for the microphone…");
    let microphone;
    try {
      microphone = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
      });
    } catch (e) {
      say("The microphone is not available (" + e.message + "). Allow it for this site and try again.");
      start.disabled = false;
      return;
    }
    say("Calling…");
    let answer;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      answer = await response.json();
      if (!response.ok) throw new Error(answer.error || "HTTP " + response.status);
    } catch (e) {
      microphone.getTracks().forEach((t) => t.stop());
      say("The call could not be placed: " + e.message);
      start.disabled = false;
      return;
    }
    connect(answer, microphone);
  }

  async function connect(answer, microphone) {
    let context;
    try {
      context = new AudioContext({ sampleRate: 8000 });
    } catch (e) {
      context = new AudioContext();  // the worklet converts from this context's rate
    }
    await context.audioWorklet.addModule(form.dataset.worklet);
    const source = context.createMediaStreamSource(microphone);
    const node = new AudioWorkletNode(context, "sonoria-talk", { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    source.connect(node);
    node.connect(context.destination);
    await context.resume();

    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + location.host + form.dataset.stream);
    const streamSid = randomSid("MZ");
    let sequence = 0;
    let chunk = 0;
    let sent = 0;
    let heard = 0;
    const began = performance.now();
    const send = (message) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      sequence++;
      socket.send(JSON.stringify(Object.assign({ sequenceNumber: String(sequence), streamSid }, message)));
    };
    call = { socket, context, microphone, answer, send, stopped: false };

    socket.onopen = () => {
      socket.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
      send({
        event: "start",
        start: {
          accountSid: "", streamSid, callSid: answer.call_sid, tracks: ["inbound"],
          customParameters: { token: answer.token },
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        },
      });
      say("Connected: speak to your assistant.");
      hangup.disabled = false;
      hangup.focus();
    };
    node.port.onmessage = (event) => {
      const m = event.data;
      if (m.frame) {
        chunk++;
        sent += m.frame.length;
        send({ event: "media", media: { track: "inbound", chunk: String(chunk), timestamp: String(Math.round(performance.now() - began)), payload: toBase64(m.frame) } });
        if (chunk % 10 === 0) sentOut.textContent = seconds(sent);
      } else if (m.mark !== undefined) {
        send({ event: "mark", mark: { name: m.mark } });
      } else if (m.played) {
        heard += m.played;
        heardOut.textContent = seconds(heard);
      }
    };
    socket.onmessage = (event) => {
      let m;
      try { m = JSON.parse(event.data); } catch (e) { return; }
      if (m.event === "media" && m.media && m.media.payload) {
        const bytes = fromBase64(m.media.payload);
        node.port.postMessage({ media: bytes }, [bytes.buffer]);
      } else if (m.event === "mark" && m.mark) {
        node.port.postMessage({ mark: m.mark.name });
      } else if (m.event === "clear") {
        node.port.postMessage({ clear: true });
      }
    };
    socket.onclose = (event) => finish(event.reason || "", event.code);
    socket.onerror = () => say("The connection to the server failed.");
  }

  function finish(reason, code) {
    if (!call) return;
    const { context, microphone, answer, stopped } = call;
    call = null;
    microphone.getTracks().forEach((t) => t.stop());
    // Let what was already received play out, then stop the audio.
    setTimeout(() => context.close(), 1500);
    say(stopped ? "You hung up." : code === 1008 ? "The server refused the call's stream." : ending(reason));
    hangup.disabled = true;
    start.disabled = false;
    const link = record.querySelector("a");
    link.href = answer.record;
    record.hidden = false;
  }

  hangup.addEventListener("click", () => {
    if (!call) return;
    call.stopped = true;
    call.send({ event: "stop", stop: { accountSid: "", callSid: call.answer.call_sid } });
    call.socket.close(1000, "hung up");
  });
  form.addEventListener("submit", begin);
  window.addEventListener("pagehide", () => { if (call) call.socket.close(1000, "page closed"); });
})();
