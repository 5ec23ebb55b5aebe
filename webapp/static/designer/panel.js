/* The designer's side panel: what this product needs on the selected BPMN element, written into the diagram
 * through bpmn-js's modeling commands (so every change can be undone with Ctrl+Z).
 *
 * Camunda extensions (camunda:formKey, camunda:properties) are kept as generic XML: no Camunda moddle
 * descriptor is registered, so elements and attributes of files from other tools that we do not edit are
 * exported exactly as they were imported. */
(function () {
  "use strict";

  var CAMUNDA = "http://camunda.org/schema/1.0/bpmn";
  var DEADLINE_CALL = /^\s*(deadline|deadline_warning)\(\s*["']([A-Za-z0-9_]+)["']\s*(?:,\s*(\d+)\s*)?\)\s*$/;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else if (attrs[key] !== undefined && attrs[key] !== null && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function is(bo, type) { return bo && typeof bo.$instanceOf === "function" && bo.$instanceOf(type); }

  function Panel(modeler, container, settings, forms) {
    this.modeler = modeler;
    this.container = container;
    this.settings = settings;
    this.t = settings.text;
    this.forms = forms;
    this.modeling = modeler.get("modeling");
    this.factory = modeler.get("bpmnFactory");
    this.moddle = modeler.get("moddle");
    this.canvas = modeler.get("canvas");
    this.element = null;
    this.counter = 0;
    var self = this;
    modeler.on("selection.changed", function (event) {
      self.show(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    modeler.on("elements.changed", function (event) {
      if (!self.element || event.elements.some(function (e) { return e === self.element || e.id === self.element.id; })) {
        if (!self.container.contains(document.activeElement)) self.show(self.element);
      }
    });
  }

  Panel.prototype.prefix = function () {
    var defs = this.modeler.getDefinitions();
    var attrs = defs.$attrs;
    var key = Object.keys(attrs).find(function (name) { return name.indexOf("xmlns:") === 0 && attrs[name] === CAMUNDA; });
    if (key) return key.slice(6);
    var prefix = attrs["xmlns:camunda"] ? "zhifa_camunda" : "camunda";
    attrs["xmlns:" + prefix] = CAMUNDA;
    return prefix;
  };

  Panel.prototype.show = function (element) {
    this.element = element;
    var root = this.canvas.getRootElement();
    this.container.textContent = "";
    if (!element || element === root) {
      this.container.appendChild(el("p", { className: "muted", text: this.t.nothing_selected }));
      this.processSection(this.processTarget(element || root));
      return;
    }
    var bo = element.businessObject;
    var t = this.t;
    this.container.appendChild(el("h3", { text: (bo.$type || "").replace("bpmn:", "") }));
    if (element.type !== "label") {
      this.text(t.id, bo.id, function (value) { return { id: value }; });
      if (!is(bo, "bpmn:Process")) this.text(t.name, bo.name || "", function (value) { return { name: value || undefined }; });
    }
    if (is(bo, "bpmn:Participant") && bo.processRef) {
      this.processSection({ element: element, bo: bo.processRef });
      return;
    }
    if (is(bo, "bpmn:Lane")) this.laneSection();
    if (is(bo, "bpmn:UserTask")) this.userTaskSection();
    if (is(bo, "bpmn:ScriptTask")) this.scriptSection();
    if (is(bo, "bpmn:Event")) this.eventSection();
    if (is(bo, "bpmn:SequenceFlow")) this.flowSection();
    if (is(bo, "bpmn:FlowNode") && !is(bo, "bpmn:UserTask")) this.laneInfo();
    this.documentation(element, bo);
  };

  Panel.prototype.processTarget = function (root) {
    var bo = root.businessObject;
    if (is(bo, "bpmn:Collaboration")) {
      var participants = (bo.participants || []).filter(function (p) { return p.processRef; });
      var executable = participants.find(function (p) { return p.processRef.isExecutable; }) || participants[0];
      if (!executable) return null;
      var shape = this.modeler.get("elementRegistry").get(executable.id);
      return { element: shape || root, bo: executable.processRef };
    }
    return { element: root, bo: bo };
  };

  Panel.prototype.processSection = function (target) {
    if (!target) return;
    var self = this, t = this.t, bo = target.bo;
    this.container.appendChild(el("h3", { text: t.process }));
    var update = function (props) { self.modeling.updateModdleProperties(target.element, bo, props); };
    this.field(t.id, el("input", { value: bo.id, "data-prop": "process-id" }), function (input) {
      if (input.value && input.value !== bo.id) update({ id: input.value.trim() });
    });
    this.field(t.name, el("input", { value: bo.name || "", "data-prop": "process-name" }), function (input) {
      update({ name: input.value || undefined });
    });
    var box = el("input", { type: "checkbox", "data-prop": "executable" });
    box.checked = !!bo.isExecutable;
    this.field(t.executable, box, function (input) { update({ isExecutable: input.checked }); });
    this.documentation(target.element, bo);
  };

  /* -- generic fields -------------------------------------------------------------------------------------- */

  Panel.prototype.field = function (label, input, onChange, hint) {
    var id = "zp-" + (++this.counter);
    input.id = id;
    var row = el("div", { className: "field" }, [el("label", { "for": id, text: label }), input]);
    if (hint) row.appendChild(el("small", { className: "muted", text: hint }));
    var self = this;
    input.addEventListener("change", function () {
      try { onChange(input); } catch (error) { window.alert(error.message || String(error)); self.show(self.element); }
    });
    this.container.appendChild(row);
    return input;
  };

  Panel.prototype.text = function (label, value, props) {
    var self = this;
    return this.field(label, el("input", { value: value, "data-prop": label }), function (input) {
      self.modeling.updateProperties(self.element, props(input.value.trim()));
    });
  };

  Panel.prototype.select = function (label, options, value, onChange, hint) {
    var select = el("select", {});
    options.forEach(function (option) {
      var node = el("option", { value: option.value, text: option.label });
      if (option.value === value) node.selected = true;
      select.appendChild(node);
    });
    if (value && !options.some(function (o) { return o.value === value; })) {
      select.insertBefore(el("option", { value: value, text: value + " ?", selected: "selected" }), select.firstChild);
    }
    return this.field(label, select, onChange, hint);
  };

  Panel.prototype.documentation = function (element, bo) {
    var self = this;
    var current = (bo.documentation || []).map(function (d) { return d.text || ""; }).join("\n");
    this.field(this.t.documentation, el("textarea", { rows: 3, "data-prop": "documentation" }), function (input) {
      var docs = input.value.trim() ? [self.factory.create("bpmn:Documentation", { text: input.value })] : [];
      self.modeling.updateModdleProperties(element, bo, { documentation: docs });
    }).value = current;
  };

  /* -- lanes and roles ------------------------------------------------------------------------------------- */

  Panel.prototype.roleOptions = function () {
    return this.settings.vocabulary.roles.map(function (role) { return { value: role.title, label: role.title + "（" + role.id + "）" }; });
  };

  Panel.prototype.laneSection = function () {
    var self = this, bo = this.element.businessObject;
    this.select(this.t.role, [{ value: "", label: this.t.unknown_role }].concat(this.roleOptions()), bo.name || "",
      function (input) { if (input.value) self.modeling.updateProperties(self.element, { name: input.value }); },
      this.t.role_lane_hint);
  };

  Panel.prototype.laneOf = function (bo) {
    var lanes = bo.lanes || [];
    return lanes.length ? lanes[lanes.length - 1] : null;
  };

  Panel.prototype.laneInfo = function () {
    var lane = this.laneOf(this.element.businessObject);
    if (lane) this.container.appendChild(el("p", { className: "muted", text: this.t.lane + "：" + (lane.name || lane.id) }));
  };

  /* -- user tasks ------------------------------------------------------------------------------------------ */

  Panel.prototype.userTaskSection = function () {
    var self = this, t = this.t, bo = this.element.businessObject, prefix = this.prefix();
    var lane = this.laneOf(bo);
    var roles = this.settings.vocabulary.roles.filter(function (r) { return lane && lane.name === r.title; });
    this.container.appendChild(el("p", { className: roles.length ? "muted" : "bad lane-info",
      text: lane ? t.lane + "：" + (lane.name || lane.id) + (roles.length ? " → " + roles[0].id : " " + t.unknown_role) : t.no_lane }));
    var formOptions = [{ value: "", label: t.no_form }].concat(this.forms.map(function (form) {
      return { value: form.key, label: form.title + "（" + form.key + "）" };
    }));
    var formKey = bo.get(prefix + ":formKey") || "";
    this.select(t.form, formOptions, formKey, function (input) {
      var props = {};
      props[prefix + ":formKey"] = input.value || undefined;
      self.modeling.updateProperties(self.element, props);
    }).setAttribute("data-prop", "formKey");
    this.container.appendChild(el("h4", { text: t.properties }));
    var current = this.properties();
    var vocabulary = this.settings.vocabulary.properties;
    ["duty", "check"].forEach(function (name) {
      var options = [{ value: "", label: t.none }].concat(vocabulary[name].map(function (v) {
        return { value: v.value, label: v.title + "（" + v.value + "）" };
      }));
      self.select(t[name], options, current[name] || "", function (input) {
        current[name] = input.value;
        self.setProperties(current);
      }).setAttribute("data-prop", name);
    });
    var documents = el("select", { multiple: "multiple", size: 5, "data-prop": "document" });
    var chosen = (current.document || "").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    vocabulary.document.forEach(function (v) {
      var option = el("option", { value: v.value, text: v.title });
      option.selected = chosen.indexOf(v.value) >= 0;
      documents.appendChild(option);
    });
    this.field(t.document, documents, function (input) {
      current.document = Array.prototype.filter.call(input.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; }).join(",");
      self.setProperties(current);
    });
  };

  Panel.prototype.propertiesElement = function (bo) {
    var prefix = this.prefix();
    var ext = bo.extensionElements;
    return ext && (ext.values || []).find(function (v) { return v.$type === prefix + ":properties"; });
  };

  Panel.prototype.properties = function () {
    var props = this.propertiesElement(this.element.businessObject);
    var out = {};
    ((props && props.$children) || []).forEach(function (child) { if (child.name) out[child.name] = child.value || ""; });
    return out;
  };

  Panel.prototype.setProperties = function (values) {
    var prefix = this.prefix(), moddle = this.moddle, bo = this.element.businessObject;
    var kept = Object.assign({}, this.properties(), values);
    var children = Object.keys(kept).filter(function (name) { return kept[name]; }).map(function (name) {
      return moddle.createAny(prefix + ":property", CAMUNDA, { name: name, value: kept[name] });
    });
    var old = this.propertiesElement(bo);
    var ext = bo.extensionElements;
    var values_ = ((ext && ext.values) || []).filter(function (v) { return v !== old; });
    if (children.length) {
      var props = moddle.createAny(prefix + ":properties", CAMUNDA, {});
      props.$children = children;
      values_.push(props);
    }
    if (!ext) {
      if (!values_.length) return;
      ext = this.factory.create("bpmn:ExtensionElements", { values: values_ });
      this.modeling.updateProperties(this.element, { extensionElements: ext });
    } else {
      this.modeling.updateModdleProperties(this.element, ext, { values: values_ });
    }
  };

  /* -- scripts, flows, events ------------------------------------------------------------------------------ */

  Panel.prototype.scriptSection = function () {
    var self = this, bo = this.element.businessObject;
    var area = el("textarea", { rows: 8, spellcheck: "false", className: "code", "data-prop": "script" });
    area.value = bo.script || "";
    this.field(this.t.script, area, function (input) {
      self.modeling.updateProperties(self.element, { scriptFormat: "python", script: input.value });
    });
  };

  Panel.prototype.flowSection = function () {
    var self = this, bo = this.element.businessObject, source = bo.sourceRef;
    if (!is(source, "bpmn:ExclusiveGateway") && !is(source, "bpmn:InclusiveGateway")) return;
    var area = el("textarea", { rows: 3, spellcheck: "false", className: "code", "data-prop": "condition",
                                placeholder: 'recommendation == "file"' });
    area.value = (bo.conditionExpression && bo.conditionExpression.body) || "";
    this.field(this.t.condition, area, function (input) {
      var value = input.value.trim();
      self.modeling.updateProperties(self.element, {
        conditionExpression: value ? self.factory.create("bpmn:FormalExpression", { body: value }) : undefined });
    });
    var box = el("input", { type: "checkbox", "data-prop": "default" });
    box.checked = source["default"] === bo;
    var gateway = this.modeler.get("elementRegistry").get(source.id);
    this.field(this.t.default_flow, box, function (input) {
      self.modeling.updateProperties(gateway, { "default": input.checked ? bo : undefined });
    });
  };

  Panel.prototype.eventSection = function () {
    var bo = this.element.businessObject;
    var definition = (bo.eventDefinitions || [])[0];
    if (is(definition, "bpmn:TimerEventDefinition")) this.timerSection(definition);
    if (is(definition, "bpmn:MessageEventDefinition")) this.messageSection(definition);
  };

  Panel.prototype.timerSection = function (definition) {
    var self = this, t = this.t;
    var kind = definition.timeDate ? "timeDate" : definition.timeDuration ? "timeDuration" : definition.timeCycle ? "timeCycle" : "timeDate";
    var body = ((definition[kind] && definition[kind].body) || "").trim();
    var match = DEADLINE_CALL.exec(body);
    var mode = match ? match[1] : kind === "timeDuration" ? "iso_duration" : kind === "timeCycle" ? "iso_cycle"
      : /^["'].*["']$/.test(body) ? "iso_date" : body ? "expression" : "deadline";
    this.container.appendChild(el("h4", { text: t.timer }));
    var modes = ["deadline", "deadline_warning", "iso_date", "iso_duration", "iso_cycle", "expression"]
      .map(function (m) { return { value: m, label: t[m] }; });
    var write = function (newMode, key, days, literal) {
      var text, target = "timeDate";
      if (newMode === "deadline" || newMode === "deadline_warning") {
        text = newMode + '("' + key + '"' + (newMode === "deadline_warning" && days ? ", " + days : "") + ")";
      } else {
        target = { iso_duration: "timeDuration", iso_cycle: "timeCycle" }[newMode] || "timeDate";
        text = literal;
        if (newMode !== "expression" && text && !/^["'].*["']$/.test(text)) text = '"' + text + '"';
      }
      var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      props[target] = self.factory.create("bpmn:FormalExpression", { body: text || "" });
      self.modeling.updateModdleProperties(self.element, definition, props);
    };
    var deadlines = this.settings.vocabulary.deadlines;
    var keySelect, daysInput, literalInput;
    var modeSelect = this.select(t.timer_kind, modes, mode, function (input) {
      var isDeadline = input.value.indexOf("deadline") === 0;
      write(input.value, keySelect ? keySelect.value || deadlines[0].key : deadlines[0].key, "",
            isDeadline ? "" : (literalInput ? literalInput.value : ""));
      self.show(self.element);
    });
    modeSelect.setAttribute("data-prop", "timer-kind");
    if (mode === "deadline" || mode === "deadline_warning") {
      keySelect = this.select(t.deadline_key, deadlines.map(function (d) {
        return { value: d.key, label: d.title + "（" + d.key + "）" };
      }), match ? match[2] : "", function () { write(modeSelect.value, keySelect.value, daysInput && daysInput.value); });
      keySelect.setAttribute("data-prop", "deadline-key");
      if (mode === "deadline_warning") {
        daysInput = this.field(t.warn_days, el("input", { type: "number", min: 1, max: 60, value: match && match[3] }),
          function () { write(modeSelect.value, keySelect.value, daysInput.value); });
      }
    } else {
      literalInput = this.field(t.expression, el("input", { value: body, className: "code", "data-prop": "timer-value",
        placeholder: { iso_date: '"2026-05-01T09:00:00+08:00"', iso_duration: '"P2D"', iso_cycle: '"R3/PT24H"' }[mode] || "" }),
        function (input) { write(modeSelect.value, null, null, input.value.trim()); });
    }
  };

  Panel.prototype.messageSection = function (definition) {
    var self = this;
    var message = definition.messageRef;
    this.field(this.t.message, el("input", { value: (message && message.name) || "", "data-prop": "message" }), function (input) {
      var name = input.value.trim();
      if (message) {
        self.modeling.updateModdleProperties(self.element, message, { name: name });
      } else if (name) {
        var defs = self.modeler.getDefinitions();
        var created = self.factory.create("bpmn:Message", { name: name });
        created.$parent = defs;
        defs.rootElements.push(created);
        self.modeling.updateModdleProperties(self.element, definition, { messageRef: created });
      }
    });
  };

  window.ZhifaDesignerPanel = Panel;
})();
