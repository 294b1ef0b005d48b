// The plan's "Print your plan" button: shown only when JavaScript can print (without it,
// the browser's own Print still prints the plan alone, by the print stylesheet).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
