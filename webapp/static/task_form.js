// The task form keeps what the handler typed: evidence is uploaded without leaving the page, and leaving the page
// with unsaved changes asks first (never when the form itself is submitted).
(function () {
  "use strict";
  var form = document.querySelector("form.task-form");
  if (!form) { return; }
  var upload = form.querySelector(".upload");
  var fileInput = upload && upload.querySelector("input[type=file]");
  var description = upload && upload.querySelector("input[name=description]");
  var status = upload && upload.querySelector(".upload-status");
  var dirty = false;

  function isEvidenceField(target) { return upload && upload.contains(target); }

  form.addEventListener("input", function (event) { if (!isEvidenceField(event.target)) { dirty = true; } });
  form.addEventListener("change", function (event) { if (!isEvidenceField(event.target)) { dirty = true; } });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) { return undefined; }
    event.preventDefault();
    event.returnValue = form.dataset.unsavedWarning || "";
    return event.returnValue;
  });

  if (!upload || !window.fetch || !window.FormData) { return; }
  var button = upload.querySelector(".upload-button");

  function say(text, isError) {
    status.textContent = text;
    status.className = "upload-status" + (isError ? " field-error" : "");
  }

  function send() {
    if (!fileInput.files.length) { fileInput.click(); return; }
    var data = new FormData();
    data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    data.append("file", fileInput.files[0]);
    data.append("description", description.value);
    button.disabled = true;
    say(upload.dataset.uploading, false);
    fetch(upload.dataset.uploadUrl, {method: "POST", body: data, credentials: "same-origin",
                                     headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().catch(function () { return {error: {message: response.statusText}}; })
          .then(function (body) { return {ok: response.ok, body: body}; });
      })
      .then(function (result) {
        if (!result.ok || !result.body.item) {
          var message = (result.body.error && result.body.error.message) || "";
          say(upload.dataset.failed + message, true);
          return;
        }
        var list = form.querySelector(".attachment-list");
        list.insertAdjacentHTML("beforeend", result.body.item);
        list.hidden = false;
        var empty = form.querySelector(".no-attachments");
        if (empty) { empty.remove(); }
        fileInput.value = "";
        description.value = "";
        say(result.body.message, false);
      })
      .catch(function () { say(upload.dataset.failed, true); })
      .then(function () { button.disabled = false; });
  }

  button.addEventListener("click", function (event) { event.preventDefault(); send(); });
  description.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); send(); }
  });
}());
