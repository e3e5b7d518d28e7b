// The audio of a test call, on the browser's audio thread (an AudioWorklet; see talk.js).
// In: the microphone, taken down to 8 kHz and G.711 µ-law, posted as 20 ms frames of 160 bytes.
// Out: the assistant's µ-law frames, played in order; a mark is posted back once the audio
// before it has played, and "clear" drops what is queued and posts back every pending mark —
// what Twilio does with a call's media stream.
"use strict";

const FRAME = 160;  // 20 ms at 8 kHz

function mulawEncode(sample) {
  // G.711 µ-law of a sample in [-1, 1] (ITU-T G.711, as in core/audio/g711.cpp).
  let s = Math.max(-1, Math.min(1, sample)) * 32767;
  const sign = s < 0 ? 0x80 : 0;
  s = Math.min(Math.abs(s), 32635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const DECODE = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const u = ~i & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  DECODE[i] = ((u & 0x80) ? -magnitude : magnitude) / 32768;
}

class TalkProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = 8000 / sampleRate;  // 8 kHz samples per context sample
    this.frame = new Uint8Array(FRAME);
    this.filled = 0;
    this.sum = 0;
    this.count = 0;
    this.phase = 0;
    this.queue = [];        // {audio: Float32Array} or {mark: name}, in the order they came
    this.position = 0;      // read position (8 kHz samples) in the first queued audio
    this.muted = false;
    this.playedSince = 0;
    this.port.onmessage = (event) => this.receive(event.data);
  }

  receive(message) {
    if (message.media) {
      const bytes = message.media;
      const audio = new Float32Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) audio[i] = DECODE[bytes[i]];
      this.queue.push({ audio });
    } else if (message.mark !== undefined) {
      this.queue.push({ mark: message.mark });
    } else if (message.clear) {
      for (const item of this.queue) if (item.mark !== undefined) this.port.postMessage({ mark: item.mark });
      this.queue = [];
      this.position = 0;
    } else if (message.mute !== undefined) {
      this.muted = message.mute;
    }
  }

  // Marks at the head of the queue have been reached: the audio before them has played.
  reachMarks() {
    while (this.queue.length && this.queue[0].mark !== undefined) this.port.postMessage({ mark: this.queue.shift().mark });
  }

  capture(input) {
    // A box filter over each 8 kHz sample's span of input, then µ-law.
    for (let i = 0; i < input.length; i++) {
      this.sum += this.muted ? 0 : input[i];
      this.count++;
      this.phase += this.step;
      if (this.phase < 1) continue;
      this.phase -= 1;
      this.frame[this.filled++] = mulawEncode(this.sum / this.count);
      this.sum = 0;
      this.count = 0;
      if (this.filled === FRAME) {
        this.port.postMessage({ frame: this.frame.slice() });
        this.filled = 0;
      }
    }
  }

  play(output) {
    let played = 0;
    for (let i = 0; i < output.length; i++) {
      this.reachMarks();
      const head = this.queue[0];
      if (!head) {
        output[i] = 0;
        continue;
      }
      output[i] = head.audio[Math.floor(this.position)];
      this.position += this.step;
      played++;
      if (this.position >= head.audio.length) {
        this.position -= head.audio.length;
        this.queue.shift();
      }
    }
    this.reachMarks();
    // Told to the page about ten times a second, not every render quantum.
    this.playedSince += played * this.step;
    if (this.playedSince >= 800 || (this.playedSince > 0 && !this.queue.length)) {
      this.port.postMessage({ played: this.playedSince });
      this.playedSince = 0;
    }
  }

  process(inputs, outputs) {
    const input = inputs[0] && inputs[0][0];
    if (input) this.capture(input);
    const out = outputs[0];
    if (out && out[0]) {
      this.play(out[0]);
      for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    }
    return true;
  }
}

registerProcessor("sonoria-talk", TalkProcessor);
