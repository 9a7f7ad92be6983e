/* The printable call record: one button opens the browser's print dialog (print.css + reports.css). */
(function () {
  "use strict";
  var button = document.getElementById("print-record");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
