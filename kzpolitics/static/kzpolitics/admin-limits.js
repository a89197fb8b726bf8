/* A live count of characters beside every admin input that has a limit.
 *
 * The inputs carry their limits as data attributes (kzpolitics/core/editorial/limits.py):
 * data-limit, the most the server accepts, and on some data-stated and data-purpose, the
 * length the field's help text asks for ("one or two sentences"). The counter says how many
 * characters there are, warns near and past each limit, and never cuts or blocks: the
 * server refuses what is too long with a clear message. Without JavaScript the form works
 * the same, with no counter.
 */
(function () {
  "use strict";

  var NEAR = 0.9; // of a limit: the counter starts to warn

  function format(n) {
    return n.toLocaleString("en");
  }

  // As the server counts: code points, and a line break of a textarea as two (the browser
  // sends it as CR LF).
  function lengthOf(field) {
    var value = field.value;
    var length = Array.from(value).length;
    if (field.tagName === "TEXTAREA") {
      length += (value.match(/\n/g) || []).length;
    }
    return length;
  }

  function describe(field) {
    var length = lengthOf(field);
    var limit = parseInt(field.dataset.limit, 10) || 0;
    var stated = parseInt(field.dataset.stated, 10) || 0;
    var purpose = field.dataset.purpose || "";
    if (limit && length > limit) {
      return {
        text: format(length) + " / " + format(limit) + " characters: " +
          format(length - limit) + " too many; it cannot be saved",
        state: "over",
      };
    }
    if (stated && length > stated) {
      return {
        text: format(length) + " characters: longer than the " + format(stated) +
          " for " + purpose + "; saving will ask you to confirm",
        state: "over",
      };
    }
    var target = stated || limit;
    var text = format(length) + " / " + format(target) + " characters";
    if (stated) {
      text += " (" + purpose + ")";
    }
    if (length >= target * NEAR) {
      return { text: text + ": " + format(target - length) + " left", state: "near" };
    }
    return { text: text, state: "" };
  }

  function counterOf(field) {
    var id = field.id ? field.id + "-limit" : "";
    var counter = id ? document.getElementById(id) : null;
    if (!counter) {
      counter = document.createElement("span");
      counter.className = "kz-limit";
      counter.setAttribute("aria-live", "polite");
      if (id) {
        counter.id = id;
        var described = field.getAttribute("aria-describedby");
        field.setAttribute("aria-describedby", described ? described + " " + id : id);
      }
      field.insertAdjacentElement("afterend", counter);
    }
    return counter;
  }

  function update(field) {
    var said = describe(field);
    var counter = counterOf(field);
    if (counter.textContent !== said.text) {
      counter.textContent = said.text;
    }
    counter.classList.toggle("kz-limit-near", said.state === "near");
    counter.classList.toggle("kz-limit-over", said.state === "over");
  }

  function limited(field) {
    return (
      field.matches &&
      field.matches("input[data-limit], textarea[data-limit], textarea[data-stated]") &&
      // Django's template of a new inline row: its copies get their own counters.
      !(field.name || "").includes("__prefix__")
    );
  }

  function start(root) {
    root.querySelectorAll("[data-limit], [data-stated]").forEach(function (field) {
      if (limited(field)) {
        update(field);
      }
    });
  }

  document.addEventListener("input", function (event) {
    if (limited(event.target)) {
      update(event.target);
    }
  });
  // A row added to an inline ("Add another"): Django's inlines.js sends this from the row.
  document.addEventListener("formset:added", function (event) {
    start(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      start(document);
    });
  } else {
    start(document);
  }
})();
