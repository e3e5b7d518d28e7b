// sonoria dashboard: the few things a server-rendered page cannot do alone. Loaded with `defer`
// from /app/static/app.js (the CSP allows no inline script).
"use strict";

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function elapsed(startedMs) {
  const s = Math.max(0, Math.floor((Date.now() - startedMs) / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

// The calls on the line now, from the server's event stream; when a call ends, the stored calls'
// table below is fetched again so the finished call appears there.
function startLiveCalls(section) {
  const box = document.getElementById("live-calls");
  let known = new Set();
  let calls = [];
  const render = () => {
    box.replaceChildren();
    if (calls.length === 0) {
      box.append(el("p", { class: "empty" }, "No call right now."));
      return;
    }
    const table = el("table", { class: "calls", id: "live-table" });
    const head = el("tr");
    for (const h of ["On the line", "Organization", "From", "To", "Direction"]) head.append(el("th", { scope: "col" }, h));
    const thead = el("thead");
    thead.append(head);
    table.append(thead);
    const body = el("tbody");
    for (const c of calls) {
      const row = el("tr", { "data-sid": c.sid });
      const first = el("td");
      first.append(el("a", { href: c.href, class: "elapsed", "data-started": String(c.started_ms) }, elapsed(c.started_ms)));
      row.append(first, el("td", {}, c.organization || "–"), el("td", {}, c.from), el("td", {}, c.to), el("td", {}, c.direction));
      body.append(row);
    }
    table.append(body);
    box.append(table);
  };
  const refreshStored = () => {
    const table = document.getElementById("calls-table");
    if (!table) return;
    const url = new URL(window.location.href);
    url.searchParams.set("partial", "1");
    fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.text() : null)).then((html) => {
      if (!html) return;
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const fresh = holder.querySelector("#calls-table");
      if (fresh) table.replaceWith(fresh);
    });
  };
  const source = new EventSource(section.dataset.live);
  source.addEventListener("calls", (event) => {
    calls = JSON.parse(event.data);
    const now = new Set(calls.map((c) => c.sid));
    const ended = [...known].some((sid) => !now.has(sid));
    const started = [...now].some((sid) => !known.has(sid));
    known = now;
    render();
    if (ended || started) refreshStored();
  });
  setInterval(() => {
    for (const a of box.querySelectorAll("a.elapsed")) a.textContent = elapsed(Number(a.dataset.started));
  }, 1000);
}

document.addEventListener("DOMContentLoaded", () => {
  const live = document.querySelector("section.live[data-live]");
  if (live) startLiveCalls(live);
  // A form sent back with problems: their list takes the focus, so a screen reader reads it first.
  const problems = document.getElementById("problems");
  if (problems) problems.focus();
  // Forms that ask before they act (remove a user, cancel an appointment, roll back a profile).
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
