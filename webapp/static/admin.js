/* The admin console's behaviour: charts drawn with ECharts (vendored from npm into static/vendor/echarts by
 * `make install`; never a CDN) from the JSON in <script id="chart-data">, the live progress of a bulk action
 * (polls its .json), and "select all" on bulk lists. The pages work without it: the tables say the same. */
(function () {
  "use strict";

  var PALETTE = ["#9b1c1c", "#1967d2", "#2f7d32", "#b7791f", "#6b7785", "#7b3fa0", "#0f8b8d", "#c0392b"];

  function bars(data, horizontal) {
    var names = data.map(function (d) { return d.name; });
    var values = data.map(function (d) { return d.value; });
    var category = { type: "category", data: names, axisLabel: { interval: 0 } };
    var value = { type: "value", minInterval: 1 };
    return {
      color: PALETTE, tooltip: {}, grid: { left: horizontal ? 130 : 40, right: 20, top: 10, bottom: 30 },
      xAxis: horizontal ? value : category, yAxis: horizontal ? category : value,
      series: [{ type: "bar", data: values, label: { show: true, position: horizontal ? "right" : "top" } }]
    };
  }

  function pie(data) {
    return {
      color: PALETTE, tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" }, legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data,
                 label: { position: "inside", formatter: "{c}", color: "#fff" } }]
    };
  }

  var OPTIONS = {
    by_stage: function (d) {
      return {
        color: PALETTE, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 40, right: 20, top: 40, bottom: 60 },
        xAxis: { type: "category", data: d.categories, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", minInterval: 1 },
        series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "cases", data: s.data }; })
      };
    },
    instances: pie,
    by_kind: pie,
    trouble: function (d) { return bars(d, true); },
    by_month: function (d, texts) {
      return {
        color: PALETTE, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 40, right: 20, top: 40, bottom: 30 },
        xAxis: { type: "category", data: d.map(function (m) { return m.month; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: texts.registered, type: "bar", data: d.map(function (m) { return m.registered || 0; }) },
          { name: texts.penalties, type: "line", data: d.map(function (m) { return m.penalties || 0; }) }
        ]
      };
    }
  };

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function drawCharts() {
    var data = readJson("chart-data");
    if (!data) return;
    var texts = readJson("chart-texts") || {};
    var nodes = document.querySelectorAll("[data-chart]");
    if (typeof window.echarts === "undefined") {
      nodes.forEach(function (node) { node.classList.add("chart-missing"); node.textContent = texts.missing || ""; });
      return;
    }
    var charts = [];
    nodes.forEach(function (node) {
      var name = node.getAttribute("data-chart");
      if (!OPTIONS[name] || data[name] === undefined) return;
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(OPTIONS[name](data[name], texts));
      node.setAttribute("data-rendered", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  function followBulk(section) {
    var url = section.getAttribute("data-progress-url");
    var statusNode = section.querySelector('[data-field="status"]');
    var statusTitles = JSON.parse(statusNode.getAttribute("data-titles") || "{}");
    var table = document.querySelector("table.bulk-items");
    var itemTitles = table ? JSON.parse(table.getAttribute("data-titles") || "{}") : {};
    var bar = section.querySelector("progress");

    function set(name, value) {
      var node = section.querySelector('[data-field="' + name + '"]');
      if (node) node.textContent = value;
    }

    function update(op) {
      bar.value = op.finished;
      set("percent", op.percent); set("ok", op.ok); set("failed", op.failed); set("pending", op.pending);
      statusNode.textContent = statusTitles[op.status] || op.status;
      if (table) {
        op.items.forEach(function (item) {
          var row = table.querySelector('tr[data-position="' + item.position + '"]');
          if (!row) return;
          row.className = "item-" + item.status;
          row.querySelector('[data-field="status"]').textContent = itemTitles[item.status] || item.status;
          row.querySelector('[data-field="message"]').textContent = item.message || "";
        });
      }
      return op.status === "queued" || op.status === "running";
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (op) { if (op && update(op)) window.setTimeout(poll, 1000); })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    var current = statusNode.textContent.trim();
    if (current === statusTitles.queued || current === statusTitles.running) window.setTimeout(poll, 1000);
  }

  function selectAll() {
    document.querySelectorAll("input.select-all").forEach(function (box) {
      box.addEventListener("change", function () {
        box.form.querySelectorAll('input[name="target"]').forEach(function (item) { item.checked = box.checked; });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    selectAll();
    var bulk = document.querySelector("[data-progress-url]");
    if (bulk) followBulk(bulk);
  });
})();
