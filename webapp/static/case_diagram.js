/* The case page's "流程图": each process instance of the case drawn with the bpmn-js NavigatedViewer (vendored
 * from npm into static/vendor/bpmn-js by `make install`; never a CDN), elements already passed in green, the
 * current position in orange. Data: GET <section data-diagrams-url> → {instances: [{instance_id, process_name,
 * version, status, status_title, bpmn_xml, completed, active, error_element}]}. */
(function () {
  "use strict";

  var MARKERS = { completed: "zhifa-completed", active: "zhifa-active", failed: "zhifa-failed" };
  var ENDED = { completed: true, cancelled: true };

  function texts(section) {
    var out = {};
    var template = section.querySelector("template.diagram-texts");
    if (template) {
      template.content.querySelectorAll("[data-text]").forEach(function (node) {
        out[node.getAttribute("data-text")] = node.textContent;
      });
    }
    return out;
  }

  function say(section, message) {
    var status = section.querySelector(".diagram-status");
    status.textContent = message || "";
    status.hidden = !message;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function init(section) {
    var t = texts(section);
    if (typeof window.BpmnJS !== "function") {
      say(section, t["viewer-missing"]);
      return;
    }
    fetch(section.getAttribute("data-diagrams-url"), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (data) {
      build(section, data.instances || [], t);
    }).catch(function (error) {
      say(section, t.failed);
      if (window.console) console.error("流程图", error);
    });
  }

  function build(section, instances, t) {
    if (!instances.length) {
      say(section, t.empty);
      return;
    }
    say(section, "");
    var tabs = section.querySelector(".diagram-tabs");
    var panels = section.querySelector(".diagram-panels");
    var toolbar = section.querySelector(".diagram-toolbar");
    var position = section.querySelector(".diagram-position");
    var views = instances.map(function (instance, index) {
      var id = "diagram-" + instance.instance_id;
      var tab = el("button", "diagram-tab status-" + instance.status);
      tab.type = "button";
      tab.id = id + "-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", id);
      tab.appendChild(el("span", "name", instance.process_name));
      tab.appendChild(el("span", "version", "（" + (t.version || "v{version}").replace("{version}", instance.version) + "）"));
      tab.appendChild(el("span", "badge status", instance.status_title || instance.status));
      var panel = el("div", "diagram-panel");
      panel.id = id;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.hidden = true;
      var canvas = el("div", "diagram-canvas");
      panel.appendChild(canvas);
      tabs.appendChild(tab);
      panels.appendChild(panel);
      var view = { instance: instance, tab: tab, panel: panel, canvas: canvas, viewer: null, ready: null };
      tab.addEventListener("click", function () { show(index); });
      tab.addEventListener("keydown", function (event) {
        var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (!step) return;
        event.preventDefault();
        var next = (index + step + views.length) % views.length;
        show(next);
        views[next].tab.focus();
      });
      return view;
    });
    var current = null;

    function show(index) {
      views.forEach(function (view, i) {
        var selected = i === index;
        view.tab.setAttribute("aria-selected", selected ? "true" : "false");
        view.tab.tabIndex = selected ? 0 : -1;
        view.panel.hidden = !selected;
      });
      current = views[index];
      toolbar.hidden = false;
      render(current).then(function (view) {
        if (view !== current) return;
        view.viewer.get("canvas").resized();
        fit(view);
        position.textContent = (t.current || "") + describe(view, t);
      }).catch(function (error) {
        current.canvas.textContent = t.failed;
        if (window.console) console.error("流程图", error);
      });
    }

    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-zoom]");
      if (!button || !current || !current.viewer) return;
      var canvas = current.viewer.get("canvas");
      var action = button.getAttribute("data-zoom");
      if (action === "whole") whole(current);
      else if (action === "focus") focus(current);
      else canvas.zoom(canvas.zoom() * (action === "in" ? 1.25 : 0.8));
    });

    show(defaultIndex(instances));
  }

  // the newest instance still under way (what people open the case for), else the newest one
  function defaultIndex(instances) {
    for (var i = instances.length - 1; i >= 0; i--) {
      if (!ENDED[instances[i].status]) return i;
    }
    return instances.length - 1;
  }

  function render(view) {
    if (view.ready) return view.ready;
    view.viewer = new window.BpmnJS({ container: view.canvas });
    view.ready = view.viewer.importXML(view.instance.bpmn_xml).then(function () {
      var registry = view.viewer.get("elementRegistry");
      var canvas = view.viewer.get("canvas");
      function mark(ids, marker) {
        (ids || []).forEach(function (id) {
          // ids of a called process's elements are not in this diagram
          if (registry.get(id)) canvas.addMarker(id, marker);
        });
      }
      mark(view.instance.completed, MARKERS.completed);
      mark(view.instance.active, MARKERS.active);
      if (view.instance.error_element) mark([view.instance.error_element], MARKERS.failed);
      return view;
    });
    return view.ready;
  }

  // Show the whole process when it is legible that way; a long one (the ordinary procedure has some sixty
  // steps) is shown at a legible scale around where the case stands, and can be dragged or zoomed from there.
  var LEGIBLE = 0.9;

  function fit(view) {
    var canvas = view.viewer.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    if (canvas.zoom() > 1) canvas.zoom(1, "auto");  // a small process is not blown up
    if (canvas.zoom() < LEGIBLE) focus(view);
  }

  function whole(view) {
    var canvas = view.viewer.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    if (canvas.zoom() > 1) canvas.zoom(1, "auto");
  }

  function focus(view) {
    var canvas = view.viewer.get("canvas");
    var registry = view.viewer.get("elementRegistry");
    var target = focusElement(view, registry);
    canvas.zoom("fit-viewport", "auto");
    var box = canvas.viewbox();
    var inner = box.inner, outer = box.outer;
    // as large as fits the height, but never smaller than legible nor larger than life
    var scale = Math.min(1, Math.max(LEGIBLE, outer.height / (inner.height + 40)));
    var width = outer.width / scale, height = outer.height / scale;
    var cx = target ? target.x + (target.width || 0) / 2 : inner.x + width / 2;
    var cy = target ? target.y + (target.height || 0) / 2 : inner.y + inner.height / 2;
    canvas.viewbox({ x: within(cx - width / 2, inner.x, inner.width, width),
                     y: within(cy - height / 2, inner.y, inner.height, height), width: width, height: height });
  }

  // the start of a window of `size` around a point, moved so that it shows no more blank than a margin
  // beyond the diagram (start, length); centred on the diagram when all of it fits
  function within(wanted, start, length, size) {
    var margin = 20;
    if (length + 2 * margin <= size) return start + length / 2 - size / 2;
    return Math.max(start - margin, Math.min(wanted, start + length + margin - size));
  }

  // where the case stands: a waiting task rather than its boundary timers; else the failing step; else the
  // step passed last
  function focusElement(view, registry) {
    var instance = view.instance;
    var candidates = (instance.active || []).map(function (id) { return registry.get(id); })
      .filter(function (element) { return element; });
    var main = candidates.filter(function (element) { return element.type !== "bpmn:BoundaryEvent"; });
    if (main.length) return main[0];
    if (candidates.length) return candidates[0];
    var failed = instance.error_element && registry.get(instance.error_element);
    if (failed) return failed;
    var completed = instance.completed || [];
    for (var i = completed.length - 1; i >= 0; i--) {
      if (registry.get(completed[i])) return registry.get(completed[i]);
    }
    return null;
  }

  // the names of the elements the instance waits at, for those who cannot tell the colours apart
  function describe(view, t) {
    var registry = view.viewer.get("elementRegistry");
    var elements = (view.instance.active || []).map(function (id) { return registry.get(id); })
      .filter(function (element) { return element; });
    // a task's boundary timers wait with it: name the task, the picture shows the timers
    var main = elements.filter(function (element) { return element.type !== "bpmn:BoundaryEvent"; });
    var names = [];
    (main.length ? main : elements).forEach(function (element) {
      var name = (element.businessObject && element.businessObject.name) || element.id;
      if (names.indexOf(name) < 0) names.push(name);
    });
    return names.length ? names.join("、") : (t.none || "");
  }

  function start() {
    document.querySelectorAll("[data-diagrams-url]").forEach(init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
