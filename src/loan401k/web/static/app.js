// loan401k: live recompute for the server-rendered page. One small ES module, no libraries.
// The page works without it; with it, numbers update as you type (debounced), the URL
// carries the inputs, and Save stores the scenario.
const form = document.getElementById("calc");
const answer = document.getElementById("answer");
const DEBOUNCE_MS = 150;
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

/** The form as the API's input object: the same mapping as loan401k.web.view.to_input. */
export function toInput(formElement) {
  const body = {};
  const alternative = {};
  const criteria = {};
  for (const el of formElement.elements) {
    if (!el.name) continue;
    if (el.dataset.kind === "bool") { if (el.checked) body[el.name] = true; continue; }
    const raw = el.value.trim();
    if (raw === "") continue;
    if (el.name.startsWith("alt_")) alternative[el.name.slice(4)] = raw;
    else if (el.name.startsWith("crit_")) criteria[el.name.slice(5)] = raw === "yes";
    else body[el.name] = raw;
  }
  if (alternative.kind) body.alternatives = [alternative];
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
  if (parts[0] === "alternatives" && parts.length > 2) return "alt_" + parts[parts.length - 1];
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

function render(result, fragmentHtml, query) {
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
  const doc = new DOMParser().parseFromString(fragmentHtml, "text/html");
  for (const id of ["answer-charts", "below"]) {
    const fresh = doc.getElementById(id);
    const old = document.getElementById(id);
    if (fresh && old) old.replaceWith(document.importNode(fresh, true));
  }
  for (const a of document.querySelectorAll("[data-href-base]")) a.href = `${a.dataset.hrefBase}?${query}`;
  const share = document.querySelector("[data-share]");
  if (share) share.value = `${location.origin}/?${query}`;
}

let timer = 0;
let generation = 0;
let startedAt = 0;

async function recompute() {
  const mine = ++generation;
  const query = queryString();
  history.replaceState(null, "", `/?${query}`);
  answer.dataset.state = "busy";
  try {
    const [api, fragment] = await Promise.all([
      fetch("/api/v1/analysis", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(toInput(form)) }),
      fetch(`/fragment?${query}`),
    ]);
    if (mine !== generation) return; // a newer keystroke won
    if (api.status === 422) {
      const body = await api.json();
      showErrors(Array.isArray(body.detail) ? body.detail : body.problems || body.errors || []);
      answer.dataset.state = "error";
      return;
    }
    if (!api.ok) throw new Error(`analysis failed: ${api.status}`);
    const [result, html] = await Promise.all([api.json(), fragment.text()]);
    if (mine !== generation) return;
    showErrors([]);
    render(result, html, query);
    answer.dataset.state = "ok";
    const ms = performance.now() - startedAt;
    document.documentElement.dataset.recomputeMs = ms.toFixed(1);
    document.documentElement.dataset.recomputed = String(Number(document.documentElement.dataset.recomputed || 0) + 1);
  } catch (error) {
    answer.dataset.state = "error";
    document.getElementById("fix-first").textContent = "Could not reach the calculator; the numbers shown are from before.";
    console.warn(error);
  }
}

function schedule() {
  startedAt = performance.now();
  clearTimeout(timer);
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
  form.addEventListener("submit", (event) => { event.preventDefault(); startedAt = performance.now(); recompute(); });
  document.getElementById("save")?.addEventListener("click", save);
}
