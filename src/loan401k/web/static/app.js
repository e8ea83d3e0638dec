// loan401k: live recompute for the server-rendered page. One small ES module, no libraries.
// The page works without it; with it, numbers update as you type (debounced), the URL
// carries the inputs, and Save stores the scenario.
const form = document.getElementById("calc");
document.documentElement.classList.add("js");
const answer = document.getElementById("answer");
const DEBOUNCE_MS = 90; // input → request; the numbers follow in one round trip
const MARKET_PAUSE_MS = 700; // the history/simulation section waits for a longer pause
const usd0 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const usd2 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 });
const PER = { weekly: "a week", biweekly: "every two weeks", semimonthly: "twice a month",
  monthly: "a month", quarterly: "a quarter" };

const money = (n, fmt) => (n < 0 ? "−" : "") + fmt.format(Math.abs(n)).replace("-", "");
const FORMATS = {
  usd: (v) => money(v, usd0),
  abs: (v) => usd0.format(Math.abs(v)),
  cents: (v) => money(v, usd2),
  verb: (v) => (v >= 0 ? "costs you about" : "leaves you ahead by about"),
  per: (v) => PER[v] || "each period",
  term: (m) => (m % 12 === 0 ? `${m / 12} year${m === 12 ? "" : "s"}` : `${m} months`),
  level: (v) => String(v).toUpperCase(),
  count: (v) => `${v.length} reason${v.length === 1 ? "" : "s"}`,
};

const pick = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);

const ALT = /^alt_([a-z_]+)_(\d+)$/;

/** Rows of the alternatives grid that name a kind, in order: the API's list order. */
function altRows(formElement) {
  const rows = [];
  for (const el of formElement.elements) {
    const match = ALT.exec(el.name || "");
    if (match && match[1] === "kind" && el.value.trim() !== "") rows.push(Number(match[2]));
  }
  return rows.sort((a, b) => a - b);
}

/** The form as the API's input object: the same mapping as loan401k.web.view.to_input. */
export function toInput(formElement) {
  const body = {};
  const alternatives = {};
  const criteria = {};
  for (const el of formElement.elements) {
    if (!el.name || el.dataset.page) continue; // the page's own fields (the What if… panel)
    if (el.dataset.kind === "bool") { if (el.checked) body[el.name] = true; continue; }
    const raw = el.value.trim();
    if (raw === "") continue;
    const alt = ALT.exec(el.name);
    if (alt) (alternatives[alt[2]] ??= {})[alt[1]] = raw;
    else if (el.name.startsWith("crit_")) criteria[el.name.slice(5)] = raw === "yes";
    else body[el.name] = raw;
  }
  const listed = Object.keys(alternatives).map(Number).sort((a, b) => a - b)
    .map((i) => alternatives[i]).filter((alt) => alt.kind);
  if (listed.length) body.alternatives = listed;
  if (Object.keys(criteria).length) body.criteria = criteria;
  return body;
}

function queryString() {
  const params = new URLSearchParams();
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.dataset.kind === "bool") { if (el.checked) params.set(el.name, "on"); continue; }
    if (el.value.trim() !== "") params.set(el.name, el.value.trim());
  }
  return params.toString();
}

function fieldOf(problem) {
  const parts = String(problem.field ?? (problem.loc || []).filter((p) => p !== "body").join(".")).split(".");
  if (parts[0] === "alternatives" && parts.length > 2) {
    const rows = altRows(form);
    const index = Number(parts[1]);
    return `alt_${parts[parts.length - 1]}_${rows[index] ?? index}`;
  }
  if (parts[0] === "criteria" && parts.length > 1) return "crit_" + parts[parts.length - 1];
  return parts[0];
}

function showErrors(problems) {
  const byField = {};
  for (const p of problems) byField[fieldOf(p)] ??= p.message ?? p.msg ?? "is not valid";
  for (const el of document.querySelectorAll("[data-error-for]")) {
    const name = el.dataset.errorFor;
    const message = byField[name] || "";
    el.textContent = message;
    el.closest(".field")?.classList.toggle("has-error", Boolean(message));
    const input = form.elements.namedItem(name);
    if (input && input.setAttribute) {
      if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
  }
  if (Object.keys(byField).some((name) => !form.querySelector(`[data-error-for="${name}"]`))) {
    const first = problems[0];
    document.getElementById("fix-first").textContent = `${first.field ?? "input"}: ${first.message ?? first.msg}`;
  }
}

/** The headline, limit, verdict and warnings, straight from the analysis response. */
function renderNumbers(result, query) {
  for (const el of answer.querySelectorAll("[data-bind]")) {
    const value = pick(result, el.dataset.bind);
    if (value === undefined) continue;
    const fmt = FORMATS[el.dataset.fmt];
    el.textContent = fmt ? fmt(value) : String(value);
    if (el.dataset.fmt === "level") el.dataset.level = value;
  }
  for (const list of answer.querySelectorAll("[data-list]")) {
    const items = pick(result, list.dataset.list) || [];
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = typeof item === "string" ? item : item.text + " ";
      if (item.citation) { const cite = document.createElement("cite"); cite.textContent = item.citation; li.append(cite); }
      return li;
    }));
  }
  for (const a of document.querySelectorAll("[data-href-base]")) a.href = `${a.dataset.hrefBase}?${query}`;
  const share = document.querySelector("[data-share]");
  if (share) share.value = `${location.origin}/?${query}`;
}

/** The charts and sections below the headline; the history section stays (marked as
 * updating) until its own, slower request answers. */
function renderFragment(fragmentHtml) {
  const doc = new DOMParser().parseFromString(fragmentHtml, "text/html");
  const oldHistory = document.getElementById("history-sec");
  const freshHistory = doc.getElementById("history-sec");
  if (oldHistory && freshHistory && freshHistory.dataset.deferred && !oldHistory.dataset.deferred) {
    const kept = document.importNode(oldHistory, true);
    kept.classList.add("stale");
    kept.setAttribute("aria-busy", "true");
    if (!kept.querySelector(".pending")) kept.querySelector("h2")?.after(freshHistory.querySelector(".pending"));
    freshHistory.replaceWith(kept);
  }
  for (const id of ["answer-charts", "below", "whatif-answer"]) {
    const fresh = doc.getElementById(id);
    const old = document.getElementById(id);
    if (fresh && old) old.replaceWith(document.importNode(fresh, true));
  }
}

const root = document.documentElement.dataset;
const bump = (name) => { root[name] = String(Number(root[name] || 0) + 1); };
let timer = 0;
let marketTimer = 0;
let generation = 0;
let startedAt = 0;

async function recompute() {
  const mine = ++generation;
  const query = queryString();
  history.replaceState(null, "", `/?${query}`);
  answer.dataset.state = "busy";
  try {
    const api = await fetch("/api/v1/analysis", { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(toInput(form)) });
    if (mine !== generation) return; // a newer keystroke won
    if (api.status === 422) {
      const body = await api.json();
      showErrors(Array.isArray(body.detail) ? body.detail : body.problems || body.errors || []);
      answer.dataset.state = "error";
      root.busy = "0";
      return;
    }
    if (!api.ok) throw new Error(`analysis failed: ${api.status}`);
    const result = await api.json();
    if (mine !== generation) return;
    showErrors([]);
    renderNumbers(result, query);
    answer.dataset.state = "ok";
    root.recomputeMs = (performance.now() - startedAt).toFixed(1);
    bump("recomputed");
    // then the charts and tables (no history/simulations: those wait for a pause)
    const fragment = await fetch(`/fragment?${query}&part=core`);
    if (mine !== generation) return;
    if (!fragment.ok) { root.busy = "0"; return; }
    const html = await fragment.text();
    if (mine !== generation) return;
    renderFragment(html);
    root.chartsMs = (performance.now() - startedAt).toFixed(1);
    bump("charts");
    root.busy = "0"; // the latest input is fully on screen (tests wait for this)
    clearTimeout(marketTimer);
    marketTimer = setTimeout(() => loadMarket(mine, query), MARKET_PAUSE_MS);
  } catch (error) {
    if (mine === generation) root.busy = "0";
    answer.dataset.state = "error";
    document.getElementById("fix-first").textContent = "Could not reach the calculator; the numbers shown are from before.";
    console.warn(error);
  }
}

/** The history and simulation section, once the typing has paused (or on demand). */
async function loadMarket(mine, query) {
  const response = await fetch(`/fragment?${query}&part=market`);
  if (mine !== generation || !response.ok) return;
  const html = await response.text();
  if (mine !== generation) return;
  const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("history-sec");
  const old = document.getElementById("history-sec");
  if (fresh && old) old.replaceWith(document.importNode(fresh, true));
  root.marketMs = (performance.now() - startedAt).toFixed(1);
  bump("market");
}

function schedule() {
  startedAt = performance.now();
  root.busy = "1";
  clearTimeout(timer);
  clearTimeout(marketTimer);
  timer = setTimeout(recompute, DEBOUNCE_MS);
}
async function save(event) {
  event.preventDefault();
  const out = document.getElementById("saved");
  const response = await fetch("/api/v1/scenarios", { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(toInput(form)) });
  if (response.status !== 201) { out.textContent = "Could not save: fix the fields marked above."; return; }
  const { id } = await response.json();
  const link = document.createElement("a");
  link.href = `/s/${id}`;
  link.textContent = `${location.origin}/s/${id}`;
  out.replaceChildren("Saved: ", link);
}

if (form && answer) {
  document.documentElement.classList.add("js");
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // the What if… panel's fields belong to the form (form="calc") but sit outside it
  const panel = document.getElementById("whatif");
  panel?.addEventListener("input", schedule);
  panel?.addEventListener("change", schedule);
  const kind = document.getElementById("f-whatif");
  kind?.addEventListener("change", () => { panel.dataset.whatif = kind.value; }); // show its fields
  form.addEventListener("submit", (event) => { event.preventDefault(); startedAt = performance.now(); recompute(); });
  document.getElementById("save")?.addEventListener("click", save);
  document.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-load-market]")) return;
    clearTimeout(marketTimer);
    loadMarket(generation, queryString());
  });
}

// A link to a field group inside "More" opens it first (e.g. "Change it" beside the
// outside-money sentence).
document.addEventListener("click", (event) => {
  const link = event.target.closest('a[href^="#more-"]');
  const target = link && document.querySelector(link.getAttribute("href"));
  const details = target && target.closest("details");
  if (details) details.open = true;
});
