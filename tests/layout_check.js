// What a reader would see wrong in the page's layout, as a list of problems: evaluated in the
// page by tests/test_layout_browser.py (Playwright's page.evaluate), one function, no globals.
//
// Each problem is {rule, path, text, detail}: the rule broken, a CSS path of the element, the
// element's text (first 60 characters) and the measurements that show it. The rules:
//   sideways        the page is wider than the window (it scrolls sideways); the elements
//                   that stick out are reported as "sticks-out"
//   clipped         an element that clips or scrolls its content (overflow hidden, clip, auto,
//                   scroll, or text-overflow: ellipsis) has text that does not fit its box
//   off-screen      a text's line boxes reach past the window's left or right edge
//   spills          a text's line boxes reach out of the block it is set in (a long word
//                   running over the next column), the box not clipping it
//   placeholder     a text field's placeholder is wider than the field (the reader sees half)
//   svg-text        an SVG <text> reaches outside its <svg>, or outside the <rect> it sits in
//   svg-truncated   an SVG <text> ends in "…": a label cut short to fit
//   svg-too-small   an SVG <text> drawn smaller than 9px: a drawing shrunk to fit the screen
//   mid-word        a label (th, dt, label, button, caption, legend, summary, a nav link, a
//                   heading) or a value (td, dd) wraps inside a word: the word's boxes lie on
//                   different lines; only a web address in a value may break anywhere
(options) => {
  const limit = (options && options.limit) || 200;
  const problems = [];
  const width = window.innerWidth;
  const CLIPPING = new Set(["hidden", "clip", "auto", "scroll"]);
  const MIN_SVG_TEXT = 9; // px: below it, a drawing shrunk to fit a phone cannot be read
  const LABELS = "th, dt, label, button, caption, legend, summary, nav a, h1, h2, h3, h4, h5, h6";
  const VALUES = "td, dd";

  const cssPath = (element) => {
    const parts = [];
    for (let e = element; e && e.nodeType === 1 && e !== document.documentElement; ) {
      let part = e.localName;
      if (e.id) {
        parts.unshift(`${part}#${CSS.escape(e.id)}`);
        break;
      }
      const classes = typeof e.className === "string" ? e.className.trim() : "";
      if (classes) part += "." + classes.split(/\s+/).map((c) => CSS.escape(c)).join(".");
      const parent = e.parentElement;
      if (parent) {
        const same = Array.from(parent.children).filter((c) => c.localName === e.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
      }
      parts.unshift(part);
      e = parent;
    }
    return parts.join(" > ");
  };
  const textOf = (element) => (element.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
  const report = (rule, element, detail, text) => {
    if (problems.length < limit) {
      problems.push({ rule, path: cssPath(element), text: text ?? textOf(element), detail });
    }
  };

  // Shown to a reader: rendered, not visibility: hidden, and not one of the accessible ways of
  // hiding text from sight (a 1px clipped box, or a box moved off the left of the page).
  const hiddenOnPurpose = new Map();
  const shown = (element) => {
    if (!element.checkVisibility({ visibilityProperty: true })) return false;
    for (let e = element; e && e !== document.body; e = e.parentElement) {
      if (hiddenOnPurpose.has(e)) {
        if (hiddenOnPurpose.get(e)) return false;
        continue;
      }
      const box = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      const hidden =
        (box.width <= 1 && box.height <= 1 && style.overflowX !== "visible") ||
        (style.position === "absolute" && box.right <= 0) ||
        style.clipPath === "inset(50%)";
      hiddenOnPurpose.set(e, hidden);
      if (hidden) return false;
    }
    return true;
  };
  const hasText = (element) => /\S/.test(element.textContent || "");

  // The page scrolls sideways: say so, and name the outermost elements that stick out.
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    report("sideways", document.body, `the page is ${scrollWidth}px wide in a ${width}px window`, "");
    const sticksOut = (e) => e.getBoundingClientRect().right > width + 1 && shown(e);
    const walk = (element) => {
      for (const child of element.children) {
        if (sticksOut(child)) {
          const box = child.getBoundingClientRect();
          report("sticks-out", child, `its right edge is at ${Math.round(box.right)}px`);
        } else {
          walk(child);
        }
      }
    };
    walk(document.body);
  }

  // Boxes that clip or scroll their text.
  const overflowing = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (element instanceof SVGElement && element.localName !== "svg") continue;
    const style = getComputedStyle(element);
    const clipsX = CLIPPING.has(style.overflowX) || style.textOverflow === "ellipsis";
    const clipsY = CLIPPING.has(style.overflowY);
    if (!clipsX && !clipsY) continue;
    if (!hasText(element) || !shown(element)) continue;
    if (element.clientWidth === 0 && element.clientHeight === 0) continue; // an inline box
    const wide = clipsX && element.scrollWidth > element.clientWidth + 1;
    const tall = clipsY && element.scrollHeight > element.clientHeight + 1;
    if (wide || tall) {
      overflowing.push(element);
      report(
        "clipped",
        element,
        `content ${element.scrollWidth}x${element.scrollHeight}px in a box of ` +
          `${element.clientWidth}x${element.clientHeight}px ` +
          `(overflow ${style.overflowX}/${style.overflowY}, text-overflow ${style.textOverflow})`,
      );
    }
  }
  const insideReported = (element) => overflowing.some((o) => o.contains(element));

  // Text whose lines reach past the window's edges, or out of the block they are set in
  // (a long word spilling over the next column), and is not inside a box reported above.
  const blockOf = (element) => {
    let e = element;
    while (e.parentElement && ["inline", "contents"].includes(getComputedStyle(e).display)) {
      e = e.parentElement;
    }
    return e;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const reportedOffScreen = new Set();
  const reportedSpill = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!/\S/.test(node.data)) continue;
    const parent = node.parentElement;
    if (!parent || parent instanceof SVGElement || reportedOffScreen.has(parent)) continue;
    if (["script", "style", "noscript", "template"].includes(parent.localName)) continue;
    if (!shown(parent) || insideReported(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
    const text = node.data.replace(/\s+/g, " ").trim().slice(0, 60);
    const out = rects.filter((r) => r.left < -1 || r.right > width + 1);
    if (out.length) {
      reportedOffScreen.add(parent);
      const r = out[0];
      report(
        "off-screen",
        parent,
        `a line runs from ${Math.round(r.left)}px to ${Math.round(r.right)}px in a ${width}px window`,
        text,
      );
      continue;
    }
    const block = blockOf(parent);
    if (reportedSpill.has(block) || block === document.body) continue;
    const frame = block.getBoundingClientRect();
    const left = frame.left + block.clientLeft;
    const right = left + block.clientWidth;
    const spilt = rects.find((r) => r.left < left - 1 || r.right > right + 1);
    if (spilt) {
      reportedSpill.add(block);
      report(
        "spills",
        block,
        `a line runs from ${Math.round(spilt.left)}px to ${Math.round(spilt.right)}px, ` +
          `its box from ${Math.round(left)}px to ${Math.round(right)}px`,
        text,
      );
    }
  }

  // A placeholder cut off by its field: measured with the field's own font.
  const canvas = document.createElement("canvas").getContext("2d");
  for (const field of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    if (!field.placeholder || field.value || !shown(field)) continue;
    const style = getComputedStyle(field);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const needed = canvas.measureText(field.placeholder).width;
    const room =
      field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (needed > room + 1) {
      report(
        "placeholder",
        field,
        `the placeholder needs ${Math.round(needed)}px, the field has ${Math.round(room)}px`,
        field.placeholder.slice(0, 60),
      );
    }
  }

  // SVG labels: inside their drawing, inside the box drawn around them, and whole.
  for (const text of document.querySelectorAll("svg text")) {
    if (!hasText(text) || !shown(text)) continue;
    const svg = text.ownerSVGElement;
    const box = text.getBoundingClientRect();
    const frame = svg.getBoundingClientRect();
    const outside = (inner, outer) =>
      inner.left < outer.left - 1 ||
      inner.right > outer.right + 1 ||
      inner.top < outer.top - 1 ||
      inner.bottom > outer.bottom + 1;
    if (outside(box, frame)) {
      report(
        "svg-text",
        text,
        `the label spans ${Math.round(box.left)}-${Math.round(box.right)}px, its <svg> ` +
          `${Math.round(frame.left)}-${Math.round(frame.right)}px`,
      );
    } else {
      // The box the label is drawn in: a <rect> beside it, level with the label's middle and
      // overlapping it.
      const middle = (box.top + box.bottom) / 2;
      const holder = Array.from(text.parentElement.children).find((sibling) => {
        if (sibling.localName !== "rect") return false;
        const r = sibling.getBoundingClientRect();
        return r.top <= middle && middle <= r.bottom && r.left < box.right && box.left < r.right;
      });
      if (holder && outside(box, holder.getBoundingClientRect())) {
        const r = holder.getBoundingClientRect();
        report(
          "svg-text",
          text,
          `the label spans ${Math.round(box.left)}-${Math.round(box.right)}px, its box ` +
            `${Math.round(r.left)}-${Math.round(r.right)}px`,
        );
      }
    }
    const scale = text.getScreenCTM() ? Math.hypot(text.getScreenCTM().a, text.getScreenCTM().b) : 1;
    const size = parseFloat(getComputedStyle(text).fontSize) * scale;
    if (size < MIN_SVG_TEXT) {
      report("svg-too-small", text, `the drawing is scaled so its text is ${size.toFixed(1)}px high`);
    }
    if (/(…|\.\.\.)\s*$/.test(text.textContent)) {
      report("svg-truncated", text, "the label is cut short with an ellipsis");
    }
  }

  // Labels that wrap inside a word. A line may end after a hyphen, a dash, a slash or a
  // footnote mark's "]"; anywhere else inside a word is a break a reader trips over ("Foun
  // ded"). In values (td, dd) a long address may break anywhere; no other word may.
  const looksLikeAddress = (word) => /:\/\/|^www\.|@|\w[./?=&_]\w.*[./?=&_]/.test(word);
  const brokenWord = (element, addressesMayBreak) => {
    const texts = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = texts.nextNode(); node; node = texts.nextNode()) {
      for (const word of node.data.matchAll(/\S+/g)) {
        if (addressesMayBreak && looksLikeAddress(word[0])) continue;
        for (const part of word[0].matchAll(/[^\-‐–—\/\]]+[\-‐–—\/\]]*/g)) {
          const start = word.index + part.index;
          const range = document.createRange();
          range.setStart(node, start);
          range.setEnd(node, start + part[0].length);
          const tops = Array.from(range.getClientRects())
            .filter((r) => r.width > 0 && r.height > 0)
            .map((r) => r.top);
          if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > 2) return part[0];
        }
      }
    }
    return null;
  };
  for (const [selector, addressesMayBreak] of [[LABELS, false], [VALUES, true]]) {
    for (const element of document.querySelectorAll(selector)) {
      if (!hasText(element) || !shown(element)) continue;
      const broken = brokenWord(element, addressesMayBreak);
      if (broken) {
        report("mid-word", element, `the word "${broken.slice(0, 40)}" is split across lines`);
      }
    }
  }

  return problems;
}
