// QR reading: the browser's own BarcodeDetector when it reads QR codes, otherwise the
// barcode-detector ponyfill (zxing-wasm), whose .wasm is served by us and cached by the
// service worker: no request ever leaves the origin.
let detectorPromise = null;

async function makeDetector(ponyfillUrl, wasmUrl) {
  if ("BarcodeDetector" in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) return new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch {
      // fall through to the ponyfill
    }
  }
  const module = await import(ponyfillUrl);
  module.prepareZXingModule({
    overrides: {
      locateFile: (path, prefix) => (path.endsWith(".wasm") ? new URL(wasmUrl, window.location.origin).href : prefix + path),
    },
    fireImmediately: true,
  });
  return new module.BarcodeDetector({ formats: ["qr_code"] });
}

export function getDetector(ponyfillUrl, wasmUrl) {
  if (!detectorPromise) {
    detectorPromise = makeDetector(ponyfillUrl, wasmUrl).catch((exc) => {
      detectorPromise = null;
      throw exc;
    });
  }
  return detectorPromise;
}

function firstCode(barcodes) {
  for (const barcode of barcodes || []) {
    if (barcode.rawValue && barcode.rawValue.trim()) return barcode.rawValue;
  }
  return null;
}

export async function decodeImage(file, ponyfillUrl, wasmUrl) {
  const detector = await getDetector(ponyfillUrl, wasmUrl);
  const bitmap = await createImageBitmap(file);
  try {
    return firstCode(await detector.detect(bitmap));
  } finally {
    bitmap.close();
  }
}

// ------------------------------------------------------------------ the camera
// bench/capture_bench.py measured it: how far a phone reads the card depends on the pixels per
// module, so we ask for the camera's highest resolution, keep it in focus, and decode every
// frame at full resolution (docs/decisions/0007-a-code-that-scans-at-arms-length.md).

const CAMERA = {
  facingMode: { ideal: "environment" },
  width: { ideal: 3840 },
  height: { ideal: 2160 },
  frameRate: { ideal: 30 },
};
// Pixels per module under which a code stops reading reliably (the benchmark: about 3).
export const MIN_PIXELS_PER_MODULE = 3;
// Modules across a card's code, quiet zone included: 101 for the cards printed since issue 23
// (version 19 and 4 modules of quiet zone); older cards have more, so they read "closer" sooner.
export const CARD_MODULES = 101;

// Where the code is in a frame, even when it cannot be read: the dense, contrasted patch.
// The frame is shrunk to cells of about 1/64 of its width; a cell is "busy" when it holds both
// near-black and near-white pixels and many edges; the code is the bounding box of the largest
// group of touching busy cells. Returns {size, fraction, edge} in frame pixels, or null.
export function locateCode(gray, width, height) {
  const cell = Math.max(4, Math.floor(width / 64));
  const cols = Math.floor(width / cell);
  const rows = Math.floor(height / cell);
  if (cols < 4 || rows < 4) return null;
  const busy = new Uint8Array(cols * rows);
  let globalMin = 255;
  let globalMax = 0;
  for (let i = 0; i < gray.length; i += 7) {
    if (gray[i] < globalMin) globalMin = gray[i];
    if (gray[i] > globalMax) globalMax = gray[i];
  }
  const spread = globalMax - globalMin;
  if (spread < 40) return null;
  const dark = globalMin + spread * 0.35;
  const light = globalMin + spread * 0.65;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let darkCount = 0;
      let lightCount = 0;
      let edges = 0;
      for (let y = r * cell; y < (r + 1) * cell; y += 2) {
        let previous = gray[y * width + c * cell] < (dark + light) / 2;
        for (let x = c * cell; x < (c + 1) * cell; x++) {
          const value = gray[y * width + x];
          if (value < dark) darkCount++;
          else if (value > light) lightCount++;
          const isDark = value < (dark + light) / 2;
          if (isDark !== previous) edges++;
          previous = isDark;
        }
      }
      const samples = (cell * cell) / 2;
      // A QR code is about half dark, half light, with an edge every few pixels.
      if (darkCount > samples * 0.15 && lightCount > samples * 0.15 && edges >= cell / 4) busy[r * cols + c] = 1;
    }
  }
  const seen = new Uint8Array(cols * rows);
  let best = null;
  for (let start = 0; start < busy.length; start++) {
    if (!busy[start] || seen[start]) continue;
    const stack = [start];
    seen[start] = 1;
    let count = 0;
    let minC = cols;
    let maxC = 0;
    let minR = rows;
    let maxR = 0;
    while (stack.length) {
      const index = stack.pop();
      const r = Math.floor(index / cols);
      const c = index % cols;
      count++;
      minC = Math.min(minC, c);
      maxC = Math.max(maxC, c);
      minR = Math.min(minR, r);
      maxR = Math.max(maxR, r);
      // Four neighbours only: the card's printed text, a few cells away, stays a group of its own.
      for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const nr = r + dr;
        const nc = c + dc;
        if (nr < 0 || nc < 0 || nr >= rows || nc >= cols) continue;
        const next = nr * cols + nc;
        if (busy[next] && !seen[next]) {
          seen[next] = 1;
          stack.push(next);
        }
      }
    }
    if (!best || count > best.count) best = { count, minC, maxC, minR, maxR };
  }
  if (!best || best.count < 4) return null;
  // The smaller side: a code seen at an angle is foreshortened one way only, and text that joins
  // the group widens it one way only.
  const size = Math.min(best.maxC - best.minC + 1, best.maxR - best.minR + 1) * cell;
  const edge = best.minC === 0 || best.minR === 0 || best.maxC === cols - 1 || best.maxR === rows - 1;
  return { size, fraction: size / Math.min(width, height), edge };
}

// What to tell the clerk about a frame where no code was read: "closer", "farther", "still"
// (the code is the right size but blurred: hand shake or focus), or null (no code in view).
export function guidance(found, modules = CARD_MODULES) {
  if (!found) return null;
  const tooSmall = found.size / modules < MIN_PIXELS_PER_MODULE;
  if (found.fraction > 0.92 || (found.edge && !tooSmall)) return "farther";
  return tooSmall ? "closer" : "still";
}

function grayOf(context, width, height) {
  const rgba = context.getImageData(0, 0, width, height).data;
  const gray = new Uint8ClampedArray(width * height);
  for (let i = 0, j = 0; j < gray.length; i += 4, j++) gray[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
  return gray;
}

async function cameraStream() {
  try {
    return await navigator.mediaDevices.getUserMedia({ video: CAMERA, audio: false });
  } catch (exc) {
    if (exc && exc.name === "OverconstrainedError") {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false });
    }
    throw exc;
  }
}

async function keepInFocus(track) {
  const capabilities = track.getCapabilities ? track.getCapabilities() : {};
  if ((capabilities.focusMode || []).includes("continuous")) {
    try {
      await track.applyConstraints({ advanced: [{ focusMode: "continuous" }] });
    } catch {
      // the camera keeps its own focus mode
    }
  }
  return Boolean(capabilities.torch);
}

// Start the camera into `video` and call onCode(text) once with the first code read;
// onGuidance(kind) with "closer", "farther", "still" or null while nothing is read.
export async function startCamera(video, ponyfillUrl, wasmUrl, onCode, onGuidance = () => {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera");
  const detector = await getDetector(ponyfillUrl, wasmUrl);
  const stream = await cameraStream();
  const [track] = stream.getVideoTracks();
  const torch = track ? await keepInFocus(track) : false;
  video.srcObject = stream;
  await video.play();
  let stopped = false;
  let timer = null;
  let torchOn = false;
  let lastGuidance;
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const small = document.createElement("canvas");
  const smallContext = small.getContext("2d", { willReadFrequently: true });
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
  const say = (kind) => {
    if (kind !== lastGuidance) {
      lastGuidance = kind;
      onGuidance(kind);
    }
  };
  const tick = async () => {
    if (stopped) return;
    try {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (video.readyState >= 2 && width && height) {
        // The whole frame at the camera's resolution: no downscale before decoding.
        if (canvas.width !== width || canvas.height !== height) {
          canvas.width = width;
          canvas.height = height;
        }
        context.drawImage(video, 0, 0, width, height);
        let text = firstCode(await detector.detect(canvas));
        if (!text && !stopped) {
          // The centre half, on its own: detectors that shrink large frames see it bigger.
          const side = Math.floor(Math.min(width, height) / 2);
          const crop = context.getImageData((width - side) >> 1, (height - side) >> 1, side, side);
          text = firstCode(await detector.detect(crop));
        }
        if (text && !stopped) {
          stop();
          onCode(text);
          return;
        }
        if (!stopped) {
          // Guidance from the frame shrunk to at most 960 px wide (the patch finder needs no more).
          const scale = Math.min(1, 960 / width);
          const w = Math.max(1, Math.round(width * scale));
          const h = Math.max(1, Math.round(height * scale));
          if (small.width !== w || small.height !== h) {
            small.width = w;
            small.height = h;
          }
          smallContext.drawImage(canvas, 0, 0, small.width, small.height);
          const found = locateCode(grayOf(smallContext, small.width, small.height), small.width, small.height);
          say(guidance(found && { ...found, size: found.size / scale }));
        }
      }
    } catch {
      // a frame that cannot be read: try the next one
    }
    if (!stopped) timer = setTimeout(tick, 60);
  };
  tick();
  const settings = track && track.getSettings ? track.getSettings() : {};
  return {
    stop,
    torch,
    resolution: settings.width && settings.height ? `${settings.width}x${settings.height}` : "",
    async toggleTorch() {
      if (!torch || !track) return false;
      torchOn = !torchOn;
      try {
        await track.applyConstraints({ advanced: [{ torch: torchOn }] });
      } catch {
        torchOn = false;
      }
      return torchOn;
    },
  };
}
