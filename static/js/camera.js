// The Quick camera: getUserMedia for a live preview, a photo taken from the video frame (canvas ->
// JPEG), or a clip recorded with MediaRecorder up to the story limit with a visible countdown.
// What it makes is handed on as a File, and uploaded like one picked from the device (the server
// transcodes WebM). Denied or missing cameras get a plain message and the upload stays available.
// create.js makes one with createCamera(section, maxSeconds) and opens it with handlers for the
// file it makes and for closing.

// `section` is the page's camera markup (#camera); clips stop at `maxSeconds`, the server's limit.
export function createCamera(section, maxSeconds) {
  const video = document.getElementById("camera-video");
  const shutter = document.getElementById("camera-shutter");
  const switcher = document.getElementById("camera-switch");
  const closer = document.getElementById("camera-close");
  const message = document.getElementById("camera-message");
  const bar = document.getElementById("camera-record-bar");
  const fill = document.getElementById("camera-record-fill");
  const countdown = document.getElementById("camera-countdown");
  const modes = section.querySelectorAll("input[name=camera_mode]");

  let stream = null;
  let devices = [];
  let deviceIndex = 0;
  let facing = "user";
  let recorder = null;
  let chunks = [];
  let startedAt = 0;
  let frame = 0;
  let stopTimer = 0;
  let onFile = null;
  let onClose = null;
  let cancelled = false;

  function mode() {
    const chosen = section.querySelector("input[name=camera_mode]:checked");
    return chosen ? chosen.value : "photo";
  }

  function say(text) {
    message.textContent = text;
    message.classList.toggle("hidden", !text);
  }

  function explain(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      return "Camera access was denied. Allow the camera for this site in your browser's settings, or upload a photo or clip instead.";
    }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" || name === "OverconstrainedError") {
      return "No camera was found on this device. Upload a photo or clip instead.";
    }
    if (name === "NotReadableError" || name === "TrackStartError") {
      return "The camera is busy in another app. Close it there and try again, or upload a file instead.";
    }
    return "The camera could not start. Upload a photo or clip instead.";
  }

  function stopStream() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.srcObject = null;
  }

  function labelShutter() {
    const recording = recorder && recorder.state === "recording";
    shutter.classList.toggle("is-recording", Boolean(recording));
    shutter.classList.toggle("is-clip", mode() === "clip");
    // Clips keep the whole frame (the player letterboxes them); photos are cropped to 9:16.
    video.classList.toggle("is-photo", mode() === "photo");
    shutter.setAttribute("aria-label", recording ? "Stop recording" : mode() === "clip" ? "Start recording" : "Take photo");
  }

  function constraints(withAudio) {
    const picked = devices[deviceIndex];
    const videoWanted = picked && picked.deviceId
      ? { deviceId: { exact: picked.deviceId } }
      : { facingMode: { ideal: facing } };
    videoWanted.height = { ideal: 1280 };
    return { video: videoWanted, audio: withAudio };
  }

  // A clip the server can stream copy is at most 1920x1080 either way round (stories/media/
  // video.py: fit_within_bounds); a camera giving more (a 2276x1280 webcam) is asked to scale
  // down, so its clips are copied, not re-encoded. A camera that cannot keeps its size.
  function fitWithinCopyBounds(track) {
    const now = track && track.getSettings ? track.getSettings() : {};
    if (!now.width || !now.height || !track.applyConstraints) return Promise.resolve();
    const scale = Math.min(1, 1920 / Math.max(now.width, now.height), 1080 / Math.min(now.width, now.height));
    if (scale >= 1) return Promise.resolve();
    const width = 2 * Math.floor((now.width * scale) / 2);
    const height = 2 * Math.floor((now.height * scale) / 2);
    const wanted = Object.assign({}, track.getConstraints(), {
      width: { ideal: width, max: width },
      height: { ideal: height, max: height },
    });
    return track.applyConstraints(wanted).catch(function () {});
  }

  function start() {
    say("");
    shutter.disabled = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This browser cannot use the camera here (it needs a secure https page). Upload a photo or clip instead.");
      return Promise.resolve();
    }
    stopStream();
    // Sound for clips when there is a microphone; the camera alone when there is not.
    return navigator.mediaDevices.getUserMedia(constraints(true))
      .catch(function (error) {
        if (error && (error.name === "NotAllowedError" || error.name === "SecurityError")) throw error;
        return navigator.mediaDevices.getUserMedia(constraints(false));
      })
      .then(function (media) {
        return fitWithinCopyBounds(media.getVideoTracks()[0]).then(function () { return media; });
      })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        const track = media.getVideoTracks()[0];
        const settings = track && track.getSettings ? track.getSettings() : {};
        video.classList.toggle("is-mirrored", settings.facingMode === "user" || (!settings.facingMode && facing === "user"));
        shutter.disabled = false;
        labelShutter();
        return navigator.mediaDevices.enumerateDevices().then(function (list) {
          const cameras = list.filter(function (d) { return d.kind === "videoinput"; });
          if (cameras.length > 1 && !devices.length) {
            devices = cameras;
            const current = track && track.getSettings ? track.getSettings().deviceId : "";
            deviceIndex = Math.max(0, cameras.findIndex(function (d) { return d.deviceId === current; }));
          }
          switcher.hidden = cameras.length < 2;
        });
      })
      .catch(function (error) {
        stopStream();
        say(explain(error));
      });
  }

  // A photo is the part of the frame the preview shows: the stage is 9:16 and, in photo mode,
  // the video covers it, so a landscape webcam gives a full-screen story, not a letterboxed one.
  function photoCrop(width, height) {
    const tall = 9 / 16;
    if (width / height > tall) {
      const w = Math.round(height * tall);
      return { x: Math.round((width - w) / 2), y: 0, w: w, h: height };
    }
    const h = Math.round(width / tall);
    return { x: 0, y: Math.round((height - h) / 2), w: width, h: h };
  }

  function takePhoto() {
    if (!video.videoWidth) return;
    const crop = photoCrop(video.videoWidth, video.videoHeight);
    const canvas = document.createElement("canvas");
    canvas.width = crop.w;
    canvas.height = crop.h;
    canvas.getContext("2d").drawImage(video, crop.x, crop.y, crop.w, crop.h, 0, 0, crop.w, crop.h);
    canvas.toBlob(function (blob) {
      if (!blob) { say("The photo could not be taken. Please try again."); return; }
      finish(new File([blob], "camera-photo.jpg", { type: "image/jpeg" }), "photo");
    }, "image/jpeg", 0.92);
  }

  // H.264/AAC MP4 first wherever the browser records it: the server then stream-copies the clip
  // instead of re-encoding it (stories/media/video.py: can_copy), so it is ready in about a
  // second. H.264 with Opus next, then plain MP4 (H.264/AAC in Safari; VP9 in Chromium, which
  // the server re-encodes), WebM last.
  const RECORDER_TYPES = [
    "video/mp4;codecs=avc1.42E01E,mp4a.40.2",
    "video/mp4;codecs=avc1.4D401E,mp4a.40.2",
    "video/mp4;codecs=avc1.64001E,mp4a.40.2",
    "video/mp4;codecs=avc1,mp4a.40.2",
    // Chromium without an AAC encoder (Linux builds): H.264 with Opus, whose sound the server
    // encodes to AAC while it copies the picture.
    "video/mp4;codecs=avc1.42E01E,opus",
    "video/mp4;codecs=avc1,opus",
    "video/mp4",
    "video/webm;codecs=vp9,opus",
    "video/webm;codecs=vp8,opus",
    "video/webm",
  ];

  function recorderType() {
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return "";
    return RECORDER_TYPES.find(function (type) { return MediaRecorder.isTypeSupported(type); }) || "";
  }

  function tick() {
    const seconds = (performance.now() - startedAt) / 1000;
    const left = Math.max(0, maxSeconds - seconds);
    fill.style.transform = "scaleX(" + Math.min(1, seconds / maxSeconds) + ")";
    countdown.textContent = "● " + Math.ceil(left) + " s left";
    frame = window.requestAnimationFrame(tick);
  }

  function startRecording() {
    if (!window.MediaRecorder) {
      say("This browser cannot record clips. Take a photo, or upload a clip instead.");
      return;
    }
    const type = recorderType();
    try {
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    } catch {
      say("This browser cannot record clips. Take a photo, or upload a clip instead.");
      return;
    }
    chunks = [];
    cancelled = false;
    recorder.addEventListener("dataavailable", function (event) {
      if (event.data && event.data.size) chunks.push(event.data);
    });
    recorder.addEventListener("stop", function () {
      window.cancelAnimationFrame(frame);
      window.clearTimeout(stopTimer);
      bar.classList.add("hidden");
      countdown.classList.add("hidden");
      modes.forEach(function (radio) { radio.disabled = false; });
      switcher.disabled = false;
      const kind = (recorder.mimeType || type || "video/webm").split(";")[0];
      const blob = new Blob(chunks, { type: kind });
      recorder = null;
      labelShutter();
      if (cancelled) return;
      if (!blob.size) { say("Nothing was recorded. Please try again."); return; }
      const extension = kind === "video/mp4" ? "mp4" : "webm";
      finish(new File([blob], "camera-clip." + extension, { type: kind }), "clip");
    });
    recorder.start(250);
    startedAt = performance.now();
    modes.forEach(function (radio) { radio.disabled = true; });
    switcher.disabled = true;
    bar.classList.remove("hidden");
    countdown.classList.remove("hidden");
    countdown.setAttribute("aria-label", "Recording, up to " + maxSeconds + " seconds");
    stopTimer = window.setTimeout(stopRecording, maxSeconds * 1000);
    tick();
    labelShutter();
  }

  function stopRecording() {
    if (recorder && recorder.state === "recording") recorder.stop();
  }

  function finish(file, kind) {
    stopStream();
    section.classList.add("hidden");
    if (onFile) onFile(file, kind);
  }

  shutter.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") stopRecording();
    else if (mode() === "clip") startRecording();
    else takePhoto();
  });
  modes.forEach(function (radio) { radio.addEventListener("change", labelShutter); });
  switcher.addEventListener("click", function () {
    if (devices.length > 1) deviceIndex = (deviceIndex + 1) % devices.length;
    facing = facing === "user" ? "environment" : "user";
    start();
  });
  closer.addEventListener("click", function () { close(); });
  section.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  function open(handlers) {
    onFile = handlers.onFile;
    onClose = handlers.onClose;
    section.classList.remove("hidden");
    labelShutter();
    return start().then(function () {
      if (!shutter.disabled) shutter.focus();
      else closer.focus();
    });
  }

  function close() {
    if (recorder && recorder.state === "recording") {
      cancelled = true;
      recorder.stop();
    }
    stopStream();
    say("");
    section.classList.add("hidden");
    if (onClose) onClose();
  }

  return { open: open, close: close };
}
