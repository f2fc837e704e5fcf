// 知识库导入进度: poll the import's progress and move the bar; once it has finished, reload the page,
// which then shows the result (a separate file: the pages run under a strict Content-Security-Policy).
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box || box.getAttribute("data-finished") === "1") { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = document.getElementById("import-bar");
  var failures = 0;

  function show(p) {
    document.getElementById("import-state").textContent = p.label;
    document.getElementById("processed").textContent = p.processed;
    document.getElementById("total").textContent = p.total;
    if (p.total > 0) { bar.max = p.total; bar.value = p.processed; }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (p) {
        failures = 0;
        show(p);
        if (p.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () {
        failures += 1;  // a restart of the server or a lost connection: keep trying, more slowly
        window.setTimeout(poll, Math.min(10000, 1000 * (failures + 1)));
      });
  }
  window.setTimeout(poll, 800);
})();
