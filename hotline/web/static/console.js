// 受理台: while the operator types, fetch dispatch suggestions and knowledge-base matches (same origin).
(function () {
  "use strict";
  var content = document.getElementById("content");
  var panel = document.getElementById("assist");
  if (!content || !panel || !window.fetch) { return; }
  var department = document.getElementById("department");
  var csrf = document.querySelector("#intake input[name=csrf_token]");
  var timer = null;
  var asked = 0;

  function item(list, text, muted) {
    var li = document.createElement("li");
    if (muted) { li.className = "muted"; }
    li.textContent = text;
    list.appendChild(li);
    return li;
  }

  function fill(id, items, render, empty) {
    var list = document.getElementById(id);
    list.textContent = "";
    if (!items.length) { item(list, empty, true); return; }
    items.forEach(function (x) { render(list, x); });
  }

  function suggestion(list, s) {
    var li = item(list, (s.department_name || s.department) + " " + Math.round((s.confidence || 0) * 100) + "%");
    if (department) {
      var use = document.createElement("button");
      use.type = "button";
      use.textContent = "选用";
      use.addEventListener("click", function () { department.value = s.department; });
      li.appendChild(use);
    }
  }

  function article(list, a) {
    var li = item(list, "");
    var title = document.createElement("b");
    title.textContent = a.title;
    var snippet = document.createElement("div");
    snippet.className = "muted";
    // The snippet is escaped HTML with <mark> highlights: rebuild it from text, keeping only <mark>.
    var parsed = new DOMParser().parseFromString("<p>" + (a.snippet || "") + "</p>", "text/html");
    Array.prototype.forEach.call(parsed.body.firstChild.childNodes, function (node) {
      var part = node.nodeName === "MARK" ? document.createElement("mark") : null;
      if (part) { part.textContent = node.textContent; snippet.appendChild(part); }
      else { snippet.appendChild(document.createTextNode(node.textContent)); }
    });
    li.appendChild(title);
    li.appendChild(snippet);
  }

  // The typed complaint travels in a POST body (CSRF-checked), never in a URL that access logs keep.
  function get(url, text) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify({text: text}),
      headers: {"Accept": "application/json", "Content-Type": "application/json",
                "X-CSRFToken": csrf ? csrf.value : ""}}).then(function (r) {
      return r.ok ? r.json() : {items: []};
    }).then(function (body) { return body.items || []; }, function () { return []; });
  }

  function ask() {
    var text = content.value.trim();
    var mine = ++asked;
    if (text.length < 4) { return; }
    get(panel.dataset.suggestUrl, text).then(function (items) {
      if (mine === asked) { fill("suggestions", items, suggestion, "暂无建议"); }
    });
    get(panel.dataset.kbUrl, text).then(function (items) {
      if (mine === asked) { fill("kb", items, article, "暂无匹配条目"); }
    });
  }

  content.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 350);
  });
})();
