/* The process designer: the bpmn-js Modeler (vendored from npm into static/vendor/bpmn-js, never a CDN), our own
 * side panel (panel.js), drafts saved through the JSON API, validation problems marked on the diagram, deploy
 * as a new version with a comment, and .bpmn import/export in the browser. */
(function () {
  "use strict";

  var settings = JSON.parse(document.getElementById("designer-settings").textContent);
  var t = settings.text;
  var csrf = (document.querySelector("input[name=csrf_token]") || {}).value;
  var statusNode = document.getElementById("designer-status");
  var problemList = document.getElementById("designer-problems");
  var problemCount = document.getElementById("designer-problem-count");
  var lockVersion = settings.draft.lock_version;
  var dirty = false;
  var marked = [];
  var validateTimer = null;

  function status(text, kind) {
    statusNode.textContent = text || "";
    statusNode.className = "designer-status" + (kind ? " " + kind : "");
  }

  function api(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    if (method !== "GET") options.headers["X-CSRFToken"] = csrf;
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  if (typeof window.BpmnJS !== "function") {
    status("bpmn-js modeler missing: run `make install`", "bad");
    return;
  }
  var modeler = new window.BpmnJS({ container: "#designer-canvas" });
  var canvas = modeler.get("canvas");
  var overlays = modeler.get("overlays");
  var registry = modeler.get("elementRegistry");
  var panel = null;
  window.zhifaDesigner = { modeler: modeler, save: save, validate: validate, problems: [] };

  function xml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  /* -- problems on the diagram ------------------------------------------------------------------------------ */

  function shapeFor(id) {
    if (!id) return null;
    var shape = registry.get(id);
    if (shape) return shape;
    return registry.filter(function (e) {  // a process is drawn as its pool
      return e.businessObject && e.businessObject.processRef && e.businessObject.processRef.id === id;
    })[0] || null;
  }

  function showProblems(problems) {
    window.zhifaDesigner.problems = problems;
    overlays.remove({ type: "zhifa-problem" });
    marked.forEach(function (id) { if (registry.get(id)) canvas.removeMarker(id, "zhifa-problem"); });
    marked = [];
    problemList.textContent = "";
    problemCount.textContent = problems.length ? problems.length + " " + t.problems : t.valid;
    problemCount.className = "badge " + (problems.length ? "bad" : "ok");
    var counts = {};
    problems.forEach(function (problem) {
      var shape = shapeFor(problem.element_id);
      var item = document.createElement("li");
      item.setAttribute("data-element-id", problem.element_id || "");
      var link = document.createElement(shape ? "a" : "span");
      if (shape) {
        link.href = "#";
        link.addEventListener("click", function (event) {
          event.preventDefault();
          modeler.get("selection").select(shape);
          canvas.scrollToElement ? canvas.scrollToElement(shape) : null;
        });
      }
      link.textContent = (problem.element_id ? "[" + problem.element_id + "] " : "") + problem.message;
      item.appendChild(link);
      problemList.appendChild(item);
      if (shape && shape.type !== "label") {
        counts[shape.id] = counts[shape.id] || { shape: shape, messages: [] };
        counts[shape.id].messages.push(problem.message);
      }
    });
    Object.keys(counts).forEach(function (id) {
      var entry = counts[id];
      canvas.addMarker(id, "zhifa-problem");
      marked.push(id);
      var badge = document.createElement("div");
      badge.className = "zhifa-problem-badge";
      badge.textContent = "!" + (entry.messages.length > 1 ? entry.messages.length : "");
      badge.title = entry.messages.join("\n");
      badge.setAttribute("data-element-id", id);
      overlays.add(id, "zhifa-problem", { position: { top: -8, right: 8 }, html: badge });
    });
  }

  function validate() {
    return xml().then(function (text) {
      return api("POST", settings.urls.validate, { xml: text });
    }).then(function (response) {
      if (response.ok) showProblems(response.data.problems);
      else if (response.data.error && response.data.error.problems) showProblems(response.data.error.problems);
      return response;
    });
  }

  /* -- save, deploy, import, export -------------------------------------------------------------------------- */

  function save() {
    status(t.saving);
    return xml().then(function (text) {
      return api("PUT", settings.urls.draft, { xml: text, lock_version: lockVersion });
    }).then(function (response) {
      if (response.ok) {
        lockVersion = response.data.lock_version;
        dirty = false;
        showProblems(response.data.problems);
        status(t.saved, "ok");
      } else {
        var error = response.data.error || {};
        if (error.problems) showProblems(error.problems);
        status((response.status === 409 ? t.conflict + "：" : "") + (error.message || response.status), "bad");
      }
      return response;
    });
  }

  function deploy(comment) {
    var errorNode = document.getElementById("designer-deploy-error");
    errorNode.textContent = "";
    return xml().then(function (text) {
      return api("POST", settings.urls.deploy, { xml: text, lock_version: lockVersion, comment: comment });
    }).then(function (response) {
      if (response.ok) {
        dirty = false;
        var version = response.data.version;
        status((response.status === 201 ? t.deployed : t.unchanged).replace("{v}", version), "ok");
        window.location.href = settings.urls.process + "?deployed=" + version;
        return;
      }
      var error = response.data.error || {};
      if (error.problems) showProblems(error.problems);
      errorNode.textContent = error.problems ? t.deploy_failed + "（" + error.problems.length + " " + t.problems + "）"
        : (error.message || String(response.status));
      if (response.status === 409) status(t.conflict, "bad");
    });
  }

  function exportFile() {
    xml().then(function (text) {
      var blob = new Blob([text], { type: "application/xml" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = settings.draft.process_id + ".bpmn";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    }).catch(function (error) { status(t.export_failed + "：" + error.message, "bad"); });
  }

  function importFile(file) {
    var reader = new FileReader();
    reader.onload = function () {
      modeler.importXML(reader.result).then(function () {
        canvas.zoom("fit-viewport", "auto");
        dirty = true;
        status(t.unsaved, "warn");
        validate();
      }).catch(function (error) { status(t.import_failed + "：" + error.message, "bad"); });
    };
    reader.readAsText(file);
  }

  document.getElementById("designer-save").addEventListener("click", save);
  document.getElementById("designer-validate").addEventListener("click", validate);
  document.getElementById("designer-export").addEventListener("click", exportFile);
  document.getElementById("designer-import").addEventListener("change", function (event) {
    if (event.target.files[0]) importFile(event.target.files[0]);
    event.target.value = "";
  });
  var dialog = document.getElementById("designer-deploy-dialog");
  document.getElementById("designer-deploy").addEventListener("click", function () {
    document.getElementById("designer-deploy-error").textContent = "";
    dialog.showModal();
  });
  document.getElementById("designer-deploy-form").addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.value === "cancel") return;
    event.preventDefault();
    var comment = document.getElementById("designer-comment").value.trim();
    if (!comment) {
      document.getElementById("designer-deploy-error").textContent = t.comment_required;
      return;
    }
    deploy(comment);
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = t.leave; }
  });
  modeler.on("commandStack.changed", function () {
    dirty = true;
    status(t.unsaved, "warn");
    clearTimeout(validateTimer);
    validateTimer = setTimeout(validate, 1500);
  });

  /* a form that asks first (放弃草稿): a listener, since the page's policy runs no inline handler */
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  /* -- start ------------------------------------------------------------------------------------------------- */

  Promise.all([api("GET", settings.urls.draft), api("GET", settings.urls.forms)]).then(function (responses) {
    var draft = responses[0].data;
    var forms = (responses[1].data && responses[1].data.forms) || [];
    return modeler.importXML(draft.bpmn_xml).then(function (result) {
      canvas.zoom("fit-viewport", "auto");
      panel = new window.ZhifaDesignerPanel(modeler, document.getElementById("designer-panel"), settings, forms);
      panel.show(null);
      showProblems(draft.problems || []);
      if (result.warnings && result.warnings.length) status(result.warnings.length + " import warnings", "warn");
      document.body.setAttribute("data-designer-ready", "1");
    });
  }).catch(function (error) {
    status(t.import_failed + "：" + (error.message || error), "bad");
  });
})();
