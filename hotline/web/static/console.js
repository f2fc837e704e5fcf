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
    li.appendChild(feedback(a.id));
    li.appendChild(snippet);
  }

  // 有帮助 / 没帮助: the operator's verdict on an article, counted for the knowledge-base review.
  function feedback(id) {
    var box = document.createElement("span");
    box.className = "feedback";
    [["1", "有帮助"], ["0", "没帮助"]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = pair[1];
      b.dataset.helped = pair[0];
      b.addEventListener("click", function () {
        var url = panel.dataset.feedbackUrl.replace("/0/", "/" + id + "/");
        post(url, {helped: pair[0]}).then(function (r) {
          box.textContent = r && r.ok ? "已记录：" + pair[1] : "未能记录，请重试";
        });
      });
      box.appendChild(b);
    });
    return box;
  }

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: JSON.stringify(body),
      headers: {"Accept": "application/json", "Content-Type": "application/json",
                "X-CSRFToken": csrf ? csrf.value : ""}}).then(function (r) {
      return r.ok ? r.json() : null;
    }, function () { return null; });
  }

  // The typed complaint travels in a POST body (CSRF-checked), never in a URL that access logs keep.
  function get(url, text) {
    return post(url, {text: text}).then(function (body) { return body || {items: []}; });
  }

  function urgencyHint(hint) {
    var box = document.getElementById("urgency-hint");
    var select = document.getElementById("urgency");
    box.textContent = "";
    box.hidden = !hint;
    if (!hint) { return; }
    box.appendChild(document.createTextNode("建议紧急程度：" + hint.label + "（含“" + hint.reason + "”）"));
    if (select && select.value !== hint.urgency) {
      var use = document.createElement("button");
      use.type = "button";
      use.textContent = "选用";
      use.addEventListener("click", function () { select.value = hint.urgency; use.remove(); });
      box.appendChild(use);
    }
  }

  function ask() {
    var text = content.value.trim();
    var mine = ++asked;
    if (text.length < 4) { return; }
    get(panel.dataset.suggestUrl, text).then(function (body) {
      if (mine !== asked) { return; }
      fill("suggestions", body.items || [], suggestion, "暂无建议");
      urgencyHint(body.urgency);
    });
    get(panel.dataset.kbUrl, text).then(function (body) {
      if (mine === asked) { fill("kb", body.items || [], article, "暂无匹配条目"); }
    });
  }

  // 来电弹屏: the caller's earlier tickets as soon as the number is entered.
  var phone = document.getElementById("caller_phone");
  var phoneTimer = null;
  var phoneAsked = 0;

  function earlier(list, t) {
    var li = item(list, "");
    var link = document.createElement("a");
    link.href = t.url;
    link.textContent = t.number;
    li.appendChild(link);
    var state = document.createElement("span");
    state.className = t.open ? "history-open" : "muted";
    state.textContent = " " + t.status;
    li.appendChild(state);
    var more = document.createElement("div");
    more.className = "muted";
    more.textContent = t.received + " · " + t.department + (t.result ? " · " + t.result : "") + " · " + t.content;
    li.appendChild(more);
  }

  function askHistory() {
    var number = phone.value.trim();
    var mine = ++phoneAsked;
    if (number.replace(/\D/g, "").length < 7) { return; }
    post(panel.dataset.historyUrl, {phone: number}).then(function (body) {
      if (mine === phoneAsked) { fill("history", (body && body.items) || [], earlier, "该号码没有以往工单"); }
    });
  }

  if (phone) {
    phone.addEventListener("input", function () {
      clearTimeout(phoneTimer);
      phoneTimer = setTimeout(askHistory, 300);
    });
    if (phone.value) { askHistory(); }
  }

  // Back after 受理 shows the form again: the same content keeps the key it was sent with, so
  // submitting it again finds the ticket already received instead of making a second one.
  var form = document.getElementById("intake");
  var keyInput = form && form.querySelector("input[name=idempotency_key]");
  function reuseKey(event) {
    var nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (!event.persisted && !(nav && nav.type === "back_forward")) { return; }
    var last = null;
    try { last = JSON.parse(sessionStorage.getItem("hotline-intake") || "null"); } catch (e) { last = null; }
    if (last && keyInput && content.value && content.value === last.content) { keyInput.value = last.key; }
  }
  if (form && keyInput) {
    form.addEventListener("submit", function () {
      try {
        sessionStorage.setItem("hotline-intake", JSON.stringify({key: keyInput.value, content: content.value}));
      } catch (e) { /* private mode: the server-side key still guards a double click */ }
    });
    window.addEventListener("pageshow", reuseKey);
  }

  content.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 350);
  });
})();
