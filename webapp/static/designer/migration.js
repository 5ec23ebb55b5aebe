/* Migration of running instances to the newest version: a dry run lists which instances can move and why the
 * others cannot; then the chosen ones (or all) move in a background job whose counts this page polls. */
(function () {
  "use strict";

  var node = document.getElementById("migration-settings");
  if (!node) return;
  var settings = JSON.parse(node.textContent);
  var t = settings.text;
  var csrf = (document.querySelector("input[name=csrf_token]") || {}).value;
  var report = document.getElementById("migration-report");
  var jobBox = document.getElementById("migration-job");
  var dryRunButton = document.getElementById("migration-dry-run");
  var selectedButton = document.getElementById("migration-start-selected");
  var allButton = document.getElementById("migration-start-all");
  if (!dryRunButton) return;
  var movable = [];

  function api(method, url, body) {
    var headers = { "Accept": "application/json", "Content-Type": "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrf;
    return fetch(url, { method: method, credentials: "same-origin", headers: headers,
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
      });
  }

  function el(tag, text, className) {
    var n = document.createElement(tag);
    if (text !== undefined) n.textContent = text;
    if (className) n.className = className;
    return n;
  }

  function list(items) {
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(el("li", item)); });
    return ul;
  }

  function renderReport(data) {
    report.textContent = "";
    movable = data.instances.filter(function (row) { return row.can_migrate; }).map(function (row) { return row.instance_id; });
    if (!data.instances.length) {
      report.appendChild(el("p", t.none, "muted"));
    } else {
      report.appendChild(el("p", t.can + " " + data.movable + " · " + t.cannot + " " + data.blocked));
      var table = el("table", undefined, "grid migration-report");
      var head = el("tr");
      ["", t.case, t.version, t.status, t.current, t.verdict].forEach(function (h) { head.appendChild(el("th", h)); });
      table.appendChild(el("thead")).appendChild(head);
      var body = el("tbody");
      data.instances.forEach(function (row) {
        var tr = el("tr");
        tr.setAttribute("data-instance-id", row.instance_id);
        tr.className = row.can_migrate ? "movable" : "blocked";
        var box = el("input");
        box.type = "checkbox";
        box.value = row.instance_id;
        box.disabled = !row.can_migrate;
        box.checked = row.can_migrate;
        box.setAttribute("aria-label", row.case_number);
        tr.appendChild(el("td")).appendChild(box);
        var caseCell = el("td");
        var link = el("a", row.case_number);
        link.href = settings.urls.case + row.case_id;
        caseCell.appendChild(link);
        caseCell.appendChild(el("div", row.party_name, "muted"));
        tr.appendChild(caseCell);
        tr.appendChild(el("td", "v" + row.version));
        tr.appendChild(el("td", (t.statuses || {})[row.status] || row.status));
        tr.appendChild(el("td", row.current.join("、")));
        var verdict = el("td");
        verdict.appendChild(el("strong", row.can_migrate ? t.can : t.cannot, row.can_migrate ? "ok" : "bad"));
        if (row.reasons.length) verdict.appendChild(list(row.reasons));
        if (row.warnings.length) verdict.appendChild(list(row.warnings));
        tr.appendChild(verdict);
        body.appendChild(tr);
      });
      table.appendChild(body);
      report.appendChild(table);
    }
    selectedButton.disabled = allButton.disabled = !movable.length;
  }

  function renderJob(job) {
    jobBox.textContent = "";
    var done = job.migrated + job.skipped + job.failed;
    var heading = el("p");
    heading.className = "migration-status";
    heading.setAttribute("data-status", job.status);
    heading.textContent = "#" + job.id + " " + t[job.status] + " · " + t.migrated + " " + job.migrated + " · " +
      t.skipped + " " + job.skipped + " · " + t.failed + " " + job.failed + " / " + job.total;
    jobBox.appendChild(heading);
    var bar = el("progress", undefined, "migration-progress");
    bar.max = job.total;
    bar.value = done;
    jobBox.appendChild(bar);
    var items = job.items.filter(function (item) { return item.status !== "pending"; });
    if (items.length) {
      jobBox.appendChild(list(items.map(function (item) {
        return item.case_number + "：" + t[item.status] + (item.message ? "（" + item.message + "）" : "");
      })));
    }
    if (job.status === "interrupted") {
      var resume = el("button", t.resume);
      resume.type = "button";
      resume.addEventListener("click", function () {
        api("POST", settings.urls.job + job.id + "/resume", {}).then(function (r) { if (r.ok) poll(job.id); });
      });
      jobBox.appendChild(resume);
    }
  }

  function poll(jobId) {
    api("GET", settings.urls.job + jobId).then(function (response) {
      if (!response.ok) return;
      renderJob(response.data);
      if (response.data.status === "queued" || response.data.status === "running") {
        setTimeout(function () { poll(jobId); }, 700);
      } else {
        dryRunButton.disabled = false;
        if (report.childNodes.length) dryRunButton.click();  // the report shows where everyone stands now
      }
    });
  }

  function start(ids) {
    if (ids && !ids.length) { window.alert(t.select_some); return; }
    selectedButton.disabled = allButton.disabled = dryRunButton.disabled = true;
    var body = { process_id: settings.process_id, target_version: settings.latest_version };
    if (ids) body.instance_ids = ids;
    api("POST", settings.urls.jobs, body).then(function (response) {
      if (response.ok) { renderJob(response.data); poll(response.data.id); }
      else { jobBox.textContent = (response.data.error || {}).message || response.status; dryRunButton.disabled = false; }
    });
  }

  dryRunButton.addEventListener("click", function () {
    dryRunButton.disabled = true;
    api("POST", settings.urls.dry_run, { target_version: settings.latest_version }).then(function (response) {
      dryRunButton.disabled = false;
      if (response.ok) renderReport(response.data);
      else report.textContent = (response.data.error || {}).message || response.status;
    });
  });
  selectedButton.addEventListener("click", function () {
    start(Array.prototype.map.call(report.querySelectorAll("tbody input[type=checkbox]:checked"),
      function (box) { return parseInt(box.value, 10); }));
  });
  allButton.addEventListener("click", function () { start(movable.slice()); });
  if (settings.active_job) poll(settings.active_job);
})();
