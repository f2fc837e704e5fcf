// 月度报告: the print button (no inline handlers: the pages run under a strict Content-Security-Policy).
(function () {
  "use strict";
  var button = document.getElementById("print-report");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
