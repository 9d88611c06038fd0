// The attendance form's running count: present, on leave and absent as
// the secretary changes them, whether a committee meeting has its quorum
// (more than half of those due present), and study hours only for those
// present. The form works the same without it; the server counts again.
(function () {
  var form = document.querySelector("form[data-attendance]");
  if (!form) { return; }
  var out = document.querySelector("[data-testid=att-running]");
  var committee = form.getAttribute("data-kind") === "committee";
  function update() {
    var n = { present: 0, leave: 0, absent: 0 };
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var checked = row.querySelector("input[type=radio]:checked");
      if (!checked) { return; }
      n[checked.value] = (n[checked.value] || 0) + 1;
      var hours = row.querySelector("td.hours input");
      if (hours) { hours.hidden = checked.value !== "present"; }
    });
    var due = n.present + n.leave + n.absent;
    var text = out.getAttribute("data-format")
      .replace("{due}", due).replace("{present}", n.present)
      .replace("{leave}", n.leave).replace("{absent}", n.absent);
    if (committee && due > 0) {
      text += " · " + out.getAttribute(n.present * 2 > due ? "data-quorum" : "data-no-quorum");
    }
    out.textContent = text;
    out.classList.toggle("bad", committee && due > 0 && n.present * 2 <= due);
  }
  form.addEventListener("change", update);
  update();
})();
