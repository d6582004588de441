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

// Start the camera into `video` and call onCode(text) once with the first code read.
export async function startCamera(video, ponyfillUrl, wasmUrl, onCode) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera");
  const detector = await getDetector(ponyfillUrl, wasmUrl);
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
  let stopped = false;
  let timer = null;
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = async () => {
    if (stopped) return;
    try {
      if (video.readyState >= 2) {
        const text = firstCode(await detector.detect(video));
        if (text && !stopped) {
          stop();
          onCode(text);
          return;
        }
      }
    } catch {
      // a frame that cannot be read: try the next one
    }
    if (!stopped) timer = setTimeout(tick, 150);
  };
  tick();
  return { stop };
}
