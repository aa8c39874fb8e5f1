// The create page: a photo or clip from the Quick camera (camera.js) or the device, a preview with
// a live CSS filter and the editor's text and stickers over it (editor.js), trim start for long
// clips, an upload with a progress bar, then the processing status polled until the story is
// ready or says why it failed. Errors about text and stickers are shown next to the editor.
import { el, readJSON } from "./lib/dom.js";
import { api, csrfToken } from "./lib/http.js";
import { createCamera } from "./camera.js";
import { createEditor } from "./editor.js";
import { createSchedulePicker } from "./editor-schedule.js";
import { applyOptionLimits } from "./lib/limits.js";

const storyForm = document.getElementById("story-form");
if (storyForm) startCreatePage(storyForm, readJSON("editor-context"));

// `context` is the page's json_script "editor-context", the server's limits among it.
function startCreatePage(form, context) {
  const input = document.getElementById("id_media");
  const dropzone = document.getElementById("dropzone");
  const picker = document.getElementById("source-picker");
  const editorBox = document.getElementById("editor");
  const openCamera = document.getElementById("open-camera");
  const changeMedia = document.getElementById("change-media");
  const image = document.getElementById("preview-image");
  const video = document.getElementById("preview-video");
  const fileName = document.getElementById("file-name");
  const trimField = document.getElementById("trim-field");
  const trim = document.getElementById("id_trim_start");
  const trimOutput = document.getElementById("trim-output");
  const statusBox = document.getElementById("upload-status");
  const bar = document.getElementById("progress-bar");
  const statusText = document.getElementById("status-text");
  const errors = document.getElementById("form-errors");
  const button = document.getElementById("post-button");
  const maxBytes = context.max_upload_bytes;
  const maxSeconds = context.max_clip_seconds;
  const editor = createEditor(context);
  applyOptionLimits(form, context.option_limits);
  const schedule = createSchedulePicker(form, context.schedule || {});
  const cameraSection = document.getElementById("camera");
  const camera = cameraSection ? createCamera(cameraSection, maxSeconds) : null;
  let objectUrl = null;
  let chosen = null; // the File to upload: picked from the device or made by the camera
  let recorded = false; // a camera clip: at most the limit long, nothing to trim
  let posted = false; // the upload was accepted: leaving the page loses nothing

  function showErrors(list) {
    errors.replaceChildren();
    list.forEach(function (text) { errors.appendChild(el("li", null, text)); });
  }

  // Each swatch previews its look; set here because the page policy allows no style attributes.
  form.querySelectorAll("input[name=filter]").forEach(function (input) {
    const swatch = input.parentNode.querySelector(".swatch");
    if (swatch) swatch.style.filter = input.dataset.css || "none";
  });

  function applyFilter() {
    const picked = form.querySelector("input[name=filter]:checked");
    const css = picked ? picked.dataset.css : "none";
    image.style.filter = css;
    video.style.filter = css;
  }

  function fileSize(bytes) {
    if (bytes < 1024) return bytes + (bytes === 1 ? " byte" : " bytes");
    if (bytes < 1048576) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function showFile(file, fromCamera) {
    showErrors([]);
    if (!file.size) {
      // Nothing to preview and nothing the upload would take: say so here, not after a round trip.
      chosen = null;
      input.value = "";
      picker.classList.remove("hidden");
      editorBox.classList.add("hidden");
      showErrors(["“" + file.name + "” is empty (0 bytes). Choose another photo or clip."]);
      errors.scrollIntoView({ block: "nearest" });
      return;
    }
    chosen = file;
    recorded = Boolean(fromCamera);
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(file);
    const label = fromCamera ? (fromCamera === "clip" ? "Clip from the camera" : "Photo from the camera") : file.name;
    fileName.textContent = label + " · " + fileSize(file.size);
    picker.classList.add("hidden");
    editorBox.classList.remove("hidden");
    trimField.classList.add("hidden");
    trim.value = 0;
    if (file.size > maxBytes) {
      showErrors(["The file is too large. The limit is " + Math.floor(maxBytes / 1048576) + " MB."]);
    }
    const isImage = file.type.startsWith("image/") || /\.(heic|jpe?g|png|webp)$/i.test(file.name);
    image.classList.toggle("hidden", !isImage);
    video.classList.toggle("hidden", isImage);
    if (isImage) {
      video.removeAttribute("src");
      image.src = objectUrl;
    } else {
      image.removeAttribute("src");
      video.src = objectUrl;
      video.play().catch(function () {});
    }
    applyFilter();
  }

  video.addEventListener("loadedmetadata", function () {
    if (!recorded && Number.isFinite(video.duration) && video.duration > maxSeconds + 0.05) {
      trim.max = Math.max(0, video.duration - 1).toFixed(1);
      trimField.classList.remove("hidden");
    }
  });
  video.addEventListener("timeupdate", function () {
    if (recorded) return;
    const start = Number(trim.value);
    if (video.currentTime > start + maxSeconds || video.currentTime < start - 0.25) video.currentTime = start;
  });
  trim.addEventListener("input", function () {
    trimOutput.textContent = Number(trim.value).toFixed(1);
    video.currentTime = Number(trim.value);
  });
  input.addEventListener("change", function () {
    if (input.files.length) showFile(input.files[0]);
  });
  ["dragenter", "dragover"].forEach(function (name) {
    dropzone.addEventListener(name, function (event) {
      event.preventDefault();
      dropzone.classList.add("dragover");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    dropzone.addEventListener(name, function () {
      dropzone.classList.remove("dragover");
    });
  });
  dropzone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showFile(input.files[0]);
    }
  });
  form.querySelectorAll("input[name=filter]").forEach(function (radio) {
    radio.addEventListener("change", applyFilter);
  });

  function backToPicker() {
    picker.classList.remove("hidden");
    editorBox.classList.add("hidden");
    openCamera.focus();
  }
  if (camera) {
    openCamera.addEventListener("click", function () {
      picker.classList.add("hidden");
      editorBox.classList.add("hidden");
      camera.open({
        onFile: function (file, kind) { showFile(file, kind); },
        onClose: backToPicker,
      });
    });
  } else {
    openCamera.hidden = true;
  }
  changeMedia.addEventListener("click", function () {
    video.pause();
    picker.classList.remove("hidden");
    editorBox.classList.add("hidden");
    input.value = "";
    openCamera.focus();
  });

  // A reload or Back would throw the photo or clip and everything on it away: ask first, unless
  // the story is already posted.
  function unsaved() {
    if (posted) return false;
    const typed = ["#id_caption", "#id_alt_text"].some(function (selector) { return form.querySelector(selector).value.trim(); });
    return Boolean(chosen) || typed;
  }
  window.addEventListener("beforeunload", function (event) {
    if (!unsaved()) return;
    event.preventDefault();
    event.returnValue = "";
  });

  function setStatus(text, percent) {
    statusBox.classList.remove("hidden");
    statusText.textContent = text;
    if (percent !== undefined) bar.style.width = percent + "%";
  }

  const EDITOR_FIELDS = ["overlays", "stickers", "reply_to_sticker", "answer"];
  const GENERIC = "Something went wrong. Please try again.";

  // The API's errors: {"detail": "...", "errors": {"stickers.0": ["..."], "caption": [...]}}.
  function fieldErrors(body) {
    return body && typeof body === "object" && body.errors && typeof body.errors === "object" ? body.errors : null;
  }

  // The messages about text and stickers, taken out of the body: they go next to the editor.
  function editorMessagesFrom(body) {
    const out = [];
    const errors = fieldErrors(body);
    if (!errors) return out;
    Object.keys(errors).forEach(function (key) {
      const field = key.split(".")[0];
      if (EDITOR_FIELDS.indexOf(field) < 0) return;
      [].concat(errors[key]).forEach(function (message) { out.push(String(message)); });
      delete errors[key];
    });
    return out;
  }

  // Whatever else is wrong: each field's messages, or the one sentence of `detail`.
  function messagesFrom(body) {
    if (!body || typeof body !== "object") return [GENERIC];
    const errors = fieldErrors(body);
    if (errors) {
      const out = [];
      Object.keys(errors).forEach(function (key) {
        [].concat(errors[key]).forEach(function (message) { out.push(String(message)); });
      });
      return out;
    }
    return [body.detail ? String(body.detail) : GENERIC];
  }

  function poll(url, story) {
    if (story.state === "scheduled") {
      setStatus("Scheduled. It goes live at the time you chose.", 100);
      window.location.href = form.dataset.scheduledUrl;
      return;
    }
    if (story.state === "ready") {
      setStatus("Your story is live.", 100);
      window.location.href = "/stories/" + story.id + "/";
      return;
    }
    if (story.state === "failed") {
      setStatus("", 0);
      statusBox.classList.add("hidden");
      showErrors([story.failure_reason || "We could not process this file."]);
      button.disabled = false;
      return;
    }
    setStatus(story.publish_at ? "Processing your story, so it is ready on time…" : "Processing your story…", 100);
    window.setTimeout(function () {
      api(url)
        .then(function (next) { poll(url, next); })
        .catch(function () { poll(url, story); });
    }, 1000);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!chosen) {
      showErrors(["Take a photo or clip, or choose one from your device, first."]);
      return;
    }
    if (chosen.size > maxBytes) {
      showErrors(["The file is too large. The limit is " + Math.floor(maxBytes / 1048576) + " MB."]);
      return;
    }
    showErrors([]);
    if (editor && !editor.check()) {
      showErrors(["Finish the text and stickers first: see the notes under the preview."]);
      return;
    }
    const when = schedule ? schedule.publishAt() : { iso: null };
    if (when.error) {
      showErrors([when.error]);
      return;
    }
    form.querySelector("#id_overlays").value = JSON.stringify(editor ? editor.overlays() : []);
    form.querySelector("#id_stickers").value = JSON.stringify(editor ? editor.stickers() : []);
    const data = new FormData(form);
    data.set("media", chosen, chosen.name);
    if (recorded) data.set("trim_start", "0");
    ["allow_comments", "allow_downloads", "allow_replies"].forEach(function (name) {
      const box = form.querySelector("input[type=checkbox][name=" + name + "]");
      data.delete(name);
      data.append(name, box.checked ? "true" : "false");
    });
    data.delete("csrfmiddlewaretoken");
    data.delete("when");
    if (when.iso) data.set("publish_at", when.iso);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) setStatus("Uploading… " + Math.round((e.loaded / e.total) * 100) + "%", (e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      if (xhr.status === 201 || xhr.status === 202) {
        posted = true;
        poll(form.dataset.statusUrl + body.id + "/", body);
      } else {
        statusBox.classList.add("hidden");
        const forEditor = editorMessagesFrom(body);
        if (editor) editor.showErrors(forEditor);
        let general = xhr.status === 413 && !body ? ["The file is too large."] : messagesFrom(body);
        if (!general.length && !forEditor.length) general = [GENERIC];
        if (forEditor.length) general.push("Your story was not posted: see the notes under the preview.");
        showErrors(general);
        if (forEditor.length) editorBox.scrollIntoView({ block: "nearest" });
        button.disabled = false;
      }
    });
    xhr.addEventListener("error", function () {
      statusBox.classList.add("hidden");
      showErrors(["The upload did not get through. Check your connection and try again."]);
      button.disabled = false;
    });
    button.disabled = true;
    setStatus("Uploading… 0%", 0);
    xhr.send(data);
  });
}
