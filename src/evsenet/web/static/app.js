// evsenet UI behaviour: dialogs, selection, character counters and refusals shown in place.
// Plain DOM code with event delegation, so that content swapped in by htmx works too.
(function () {
  "use strict";

  function problemSlot(elt) {
    var holder = elt && elt.closest ? (elt.closest("form") || elt.closest("dialog") || elt.closest("section")) : null;
    var slot = holder ? holder.querySelector("[data-problem]") : null;
    return slot || document.getElementById("page-problem");
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var slot = problemSlot(evt.detail.elt);
    if (slot) { slot.innerHTML = ""; }
  });

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.getResponseHeader("X-Evsenet-Swap") === "report") {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      return;
    }
    if (xhr.status >= 400) {
      evt.detail.shouldSwap = false;
      var slot = problemSlot(evt.detail.requestConfig ? evt.detail.requestConfig.elt : evt.detail.elt);
      var text = xhr.responseText || "";
      if (text.indexOf("class=\"problem") === -1) {
        var p = document.createElement("p");
        p.className = "problem";
        p.textContent = "The server refused the request (HTTP " + xhr.status + ").";
        slot.replaceChildren(p);
      } else {
        slot.innerHTML = text;
      }
    }
  });

  document.addEventListener("htmx:sendError", function (evt) {
    var p = document.createElement("p");
    p.className = "problem";
    p.textContent = "The server could not be reached; check the connection and try again.";
    problemSlot(evt.detail.elt).replaceChildren(p);
  });

  document.addEventListener("click", function (evt) {
    var opener = evt.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog) {
        var form = dialog.querySelector("form");
        if (form && opener.hasAttribute("data-reset")) { form.reset(); }
        var slot = dialog.querySelector("[data-problem]");
        if (slot) { slot.innerHTML = ""; }
        copySelection(opener, dialog);
        dialog.querySelectorAll("[data-counter]").forEach(updateCounter);
        dialog.showModal();
      }
      return;
    }
    var closer = evt.target.closest("[data-close-dialog]");
    if (closer) { closer.closest("dialog").close(); }
  });

  // A dialog that acts on the selection of a list gets the list's selection when it opens.
  function copySelection(opener, dialog) {
    var listId = opener.getAttribute("data-selection-of");
    if (!listId) { return; }
    var list = document.getElementById(listId);
    var target = dialog.querySelector("[data-selection]");
    if (!list || !target) { return; }
    target.replaceChildren();
    var matching = list.querySelector("[data-select-matching]");
    var summary = dialog.querySelector("[data-selection-summary]");
    if (matching && matching.getAttribute("aria-pressed") === "true") {
      var filters = list.querySelector("form[data-filters]");
      new FormData(filters).forEach(function (value, name) {
        addHidden(target, "match_" + name, value);
      });
      addHidden(target, "scope", "matching");
      if (summary) { summary.textContent = "All " + matching.getAttribute("data-total") + " EVSEs that match the filter"; }
    } else {
      var ids = Array.prototype.map.call(list.querySelectorAll("input[name=evse_id]:checked"), function (box) { return box.value; });
      ids.forEach(function (id) { addHidden(target, "evse_id", id); });
      addHidden(target, "scope", "selected");
      if (summary) { summary.textContent = ids.length + " selected EVSE" + (ids.length === 1 ? "" : "s"); }
    }
  }

  function addHidden(parent, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    parent.appendChild(input);
  }

  function listOf(elt) { return elt.closest("[data-evse-list]"); }

  function refreshSelection(list) {
    var boxes = list.querySelectorAll("input[name=evse_id]");
    var checked = list.querySelectorAll("input[name=evse_id]:checked");
    var matching = list.querySelector("[data-select-matching]");
    var all = matching && matching.getAttribute("aria-pressed") === "true";
    var status = list.querySelector("[data-selection-status]");
    if (status) {
      status.textContent = all ? "All " + matching.getAttribute("data-total") + " matching EVSEs selected" :
        checked.length + " selected";
    }
    var page = list.querySelector("[data-select-page]");
    if (page) {
      page.checked = boxes.length > 0 && checked.length === boxes.length;
      page.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    list.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      if (button.hasAttribute("data-forbidden")) { return; }
      button.disabled = !(all || checked.length > 0);
    });
  }

  document.addEventListener("change", function (evt) {
    var target = evt.target;
    var list = listOf(target);
    if (!list) { return; }
    if (target.matches("[data-select-page]")) {
      list.querySelectorAll("input[name=evse_id]").forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("input[name=evse_id], [data-select-page]")) {
      var matching = list.querySelector("[data-select-matching]");
      if (matching && !target.checked) { matching.setAttribute("aria-pressed", "false"); }
      refreshSelection(list);
    }
  });

  // Sorting a list sets the sort fields of its filter form and sends the form.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest("a[data-sort-form]");
    if (!link || !window.htmx) { return; }
    var form = document.getElementById(link.getAttribute("data-sort-form"));
    if (!form) { return; }
    evt.preventDefault();
    var prefix = link.getAttribute("data-sort-prefix") || "";
    form.elements[prefix + "sort"].value = link.getAttribute("data-sort");
    form.elements[prefix + "order"].value = link.getAttribute("data-order");
    window.htmx.trigger(form, "submit");
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-select-matching]");
    if (!button) { return; }
    var list = listOf(button);
    var on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    list.querySelectorAll("input[name=evse_id]").forEach(function (box) { box.checked = on; });
    refreshSelection(list);
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    document.querySelectorAll("[data-evse-list]").forEach(refreshSelection);
    // A change's result takes the focus (its dialog is gone): keyboard and screen reader
    // users continue from the message that says what happened.
    if (evt.detail.target && evt.detail.target.id === "flash") { evt.detail.target.focus(); }
    document.querySelectorAll("dialog[open]").forEach(function (dialog) {
      if (dialog.hasAttribute("data-close-on-success")) { dialog.close(); }
    });
  });

  function updateCounter(input) {
    var out = document.getElementById(input.getAttribute("data-counter"));
    if (!out) { return; }
    var max = parseInt(input.getAttribute("data-max"), 10);
    var length = input.value.trim().length;
    out.textContent = length + " / " + max;
    out.classList.toggle("over", length > max);
    input.setCustomValidity(length > max ? "At most " + max + " characters" : "");
    input.setAttribute("aria-invalid", length > max ? "true" : "false");
  }

  document.addEventListener("input", function (evt) {
    if (evt.target.matches("[data-counter]")) { updateCounter(evt.target); }
  });

  // The weekly schedule editor: paint hours with the chosen tariff (click, drag, or the
  // keyboard: arrows move, Enter or Space paints); the exact-times text follows the grid.
  // Without JavaScript the grid stays hidden and the text is the editor.
  var painting = null;

  function chosen(schedule) {
    var on = schedule.querySelector("[data-paint][aria-pressed=true]");
    return on ? on.getAttribute("data-paint") : null;
  }

  function dress(cell, name, colour) {
    cell.className = "cell " + (name ? "colour-" + colour : "gap");
    cell.setAttribute("data-tariff", name);
    var hour = ("0" + cell.getAttribute("data-hour")).slice(-2);
    cell.setAttribute("aria-label", cell.getAttribute("data-day") + " " + hour + ":00 " + (name || "no tariff"));
  }

  // Paint the rectangle of days and hours between `anchor` and `cell` (one cell alone when
  // they are the same), so that a quick drag misses no hour.
  function paint(anchor, cell) {
    var schedule = cell.closest("[data-schedule]");
    var name = chosen(schedule);
    if (name === null) { return; }
    var colour = schedule.querySelector("[data-paint][aria-pressed=true]").getAttribute("data-colour");
    var rows = Array.prototype.slice.call(cell.closest("tbody").querySelectorAll("tr"));
    var dayA = rows.indexOf(anchor.closest("tr")), dayB = rows.indexOf(cell.closest("tr"));
    var hourA = parseInt(anchor.getAttribute("data-hour"), 10), hourB = parseInt(cell.getAttribute("data-hour"), 10);
    for (var d = Math.min(dayA, dayB); d <= Math.max(dayA, dayB); d += 1) {
      var cells = rows[d].querySelectorAll(".cell");
      for (var h = Math.min(hourA, hourB); h <= Math.max(hourA, hourB); h += 1) { dress(cells[h], name, colour); }
    }
    writeSlots(schedule);
  }

  function two(n) { return ("0" + n).slice(-2); }

  function writeSlots(schedule) {
    var lines = [];
    schedule.querySelectorAll("[data-grid] tbody tr").forEach(function (row) {
      var cells = row.querySelectorAll(".cell");
      var start = 0;
      for (var h = 1; h <= cells.length; h += 1) {
        var here = cells[start].getAttribute("data-tariff");
        if (h < cells.length && cells[h].getAttribute("data-tariff") === here) { continue; }
        if (here) {
          lines.push(cells[start].getAttribute("data-day") + " " + two(start) + ":00:00-" + two(h - 1) + ":59:59 " + here);
        }
        start = h;
      }
    });
    schedule.querySelector("[data-slots]").value = lines.join("\n");
  }

  document.addEventListener("click", function (evt) {
    var choice = evt.target.closest("[data-paint]");
    if (!choice) { return; }
    choice.closest("[data-palette]").querySelectorAll("[data-paint]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === choice ? "true" : "false");
    });
  });

  document.addEventListener("mousedown", function (evt) {
    var cell = evt.target.closest("[data-grid] .cell");
    if (!cell || evt.button !== 0) { return; }
    evt.preventDefault();
    painting = cell;
    paint(cell, cell);
  });
  document.addEventListener("mouseover", function (evt) {
    var cell = painting && evt.target.closest("[data-grid] .cell");
    if (cell && cell.closest("[data-grid]") === painting.closest("[data-grid]")) { paint(painting, cell); }
  });
  document.addEventListener("mouseup", function () { painting = null; });

  document.addEventListener("keydown", function (evt) {
    var cell = evt.target.closest && evt.target.closest("[data-grid] .cell");
    if (!cell) { return; }
    if (evt.key === "Enter" || evt.key === " ") { evt.preventDefault(); paint(cell, cell); return; }
    var moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    var move = moves[evt.key];
    if (!move) { return; }
    evt.preventDefault();
    var rows = cell.closest("tbody").querySelectorAll("tr");
    var day = Array.prototype.indexOf.call(rows, cell.closest("tr")) + move[0];
    var hour = parseInt(cell.getAttribute("data-hour"), 10) + move[1];
    if (day < 0 || day >= rows.length || hour < 0 || hour > 23) { return; }
    rows[day].querySelectorAll(".cell")[hour].focus();
  });

  function showGrids() {
    document.querySelectorAll("[data-schedule]").forEach(function (schedule) {
      schedule.querySelectorAll("[data-palette], [data-grid-wrap], [data-grid-hint]").forEach(function (part) {
        part.hidden = false;
      });
    });
  }

  // The offer terms: the two-step process is for offers to all; on a bilateral offer its
  // fields are hidden and not sent.
  document.addEventListener("change", function (evt) {
    if (evt.target.name !== "audience" || !evt.target.form) { return; }
    var toAll = evt.target.value !== "bilateral";
    evt.target.form.querySelectorAll("[data-offer-to-all]").forEach(function (part) {
      part.hidden = !toAll;
      part.disabled = !toAll;
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    showGrids();
    document.querySelectorAll("[data-evse-list]").forEach(refreshSelection);
  });
})();
