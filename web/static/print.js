// The print button of the print views: <button type="button" data-print>.
// Without script the browser's own print command does the same.
document.addEventListener("click", function (e) {
  if (e.target.closest && e.target.closest("[data-print]")) {
    window.print();
  }
});
