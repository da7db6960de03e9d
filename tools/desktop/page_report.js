// What a student sees on the card side shown in Anki's reviewer (#qa), once MathJax has run.
// An expression: run_anki.py evaluates it in the page and sends its value back. It reports, it does not judge.
(() => {
  const qa = document.getElementById("qa");
  const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const opaqueBackground = (e) => {
    for (let a = e; a; a = a.parentElement) {
      const c = rgb(getComputedStyle(a).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const luminance = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // Why an element is not readable, or "" when it is.
  const unseen = (selector) => {
    const e = qa.querySelector(selector);
    if (!e) return "missing";
    const r = e.getBoundingClientRect();
    const cs = getComputedStyle(e);
    if (!(r.width > 0 && r.height > 0)) return "no box";
    if (cs.visibility !== "visible" || cs.display === "none") return "hidden";
    let opacity = 1;
    for (let a = e; a; a = a.parentElement) opacity *= Number(getComputedStyle(a).opacity);
    if (opacity < 0.9) return `opacity ${opacity}`;
    if (!e.innerText.trim()) return "no text";
    if (r.left < -1 || r.right > innerWidth + 1) return `outside the window (${Math.round(r.left)}..${Math.round(r.right)})`;
    const ratio = contrast(rgb(cs.color).slice(0, 3), opaqueBackground(e));
    if (ratio < 3) return `contrast ${ratio.toFixed(2)}`;
    return "";
  };
  const sources = new Map();
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    for (const item of MathJax.startup.document.math) sources.set(item.typesetRoot, item.math);
  }
  const cardContentWidth = (e) => {
    const card = e.closest(".p2a") || qa;
    const cs = getComputedStyle(card);
    return card.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  };
  const containers = [...qa.querySelectorAll("mjx-container")];
  const scrolling = containers
    .filter((c) => {
      const overflow = getComputedStyle(c).overflowX;
      return (overflow === "auto" || overflow === "scroll") && c.scrollWidth > c.clientWidth + 1;
    })
    .map((c) => {
      const math = c.querySelector("mjx-math");
      return {
        display: c.getAttribute("display") === "true",
        tex: sources.get(c) || c.textContent.slice(0, 80),
        scrollWidth: c.scrollWidth,
        clientWidth: c.clientWidth,
        mathWidth: math ? Math.round(math.getBoundingClientRect().width) : 0,
        cardWidth: Math.round(cardContentWidth(c)),
      };
    });
  const seen = {};
  for (const selector of [".p2a-paper", ".p2a-question", ".p2a-review-title", ".p2a-answer", ".p2a-recall", ".p2a-review"]) {
    if (qa.querySelector(selector)) seen[selector] = unseen(selector);
  }
  return {
    bodyClass: document.body.className,
    qaOpacity: getComputedStyle(qa).opacity,
    typeset: containers.length,
    inline: containers.filter((c) => c.getAttribute("display") !== "true").length,
    merror: qa.querySelectorAll("mjx-merror").length,
    scrolling,
    innerWidth,
    pageWidth: document.documentElement.scrollWidth,
    seen,
    images: [...qa.querySelectorAll("img")].map((i) => ({ src: i.getAttribute("src"), loaded: i.complete && i.naturalWidth > 0 })),
    background: opaqueBackground(qa),
    textColor: getComputedStyle(qa.querySelector(".p2a") || qa).color,
    contentHeight: Math.ceil(qa.getBoundingClientRect().bottom + scrollY + 8),
  };
})()
