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
// The page's words for what this script writes, in the page's language (page.html renders them
// into a JSON data block); the English ones here are the fallback.
const T = JSON.parse(document.getElementById("i18n-strings")?.textContent || "{}");
const LANG = document.documentElement.lang || "en";
// A page opened with ?lang= keeps it in the URL it rewrites (a Spanish page's form carries it).
const URL_LANG = new URLSearchParams(location.search).get("lang");
/** A translated text with its {name} slots filled, or the English fallback. */
const say = (key, fallback, values = {}) =>
  String(T[key] ?? fallback).replace(/\{(\w+)\}/g, (slot, name) => (name in values ? String(values[name]) : slot));
const sayTerm = (m) => T.terms?.[m] ?? (T.months ? say("months", "", { n: m })
  : (m % 12 === 0 ? `${m / 12} year${m === 12 ? "" : "s"}` : `${m} months`));

const money = (n, fmt) => (n < 0 ? "−" : "") + fmt.format(Math.abs(n)).replace("-", "");
const FORMATS = {
  usd: (v) => money(v, usd0),
  abs: (v) => usd0.format(Math.abs(v)),
  cents: (v) => money(v, usd2),
  verb: (v) => (v >= 0 ? say("costs", "costs you about") : say("ahead", "leaves you ahead by about")),
  per: (v) => T.per?.[v] || PER[v] || T.per?.[""] || "each period",
  term: sayTerm,
  level: (v) => T.levels?.[v] ?? String(v).toUpperCase(),
  count: (v) => (v.length === 1 ? say("reason", "{n} reason", { n: 1 }) : say("reasons", "{n} reasons", { n: v.length })),
};

const pick = (obj, path) => path.split(".").reduce((o, k) => (o == null ? o : o[k]), obj);

const ALT = /^alt_([a-z_]+)_(\d+)$/;
const TERM = document.getElementById("f-term_months")?.dataset || {};
const GENERAL_CAP = Number(TERM.generalCap || 60);
const HOME_CAP = Number(TERM.homeCap || 360); // the active plan's, when it has one

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
    if (!el.name || el.name === "csrf_token") continue; // the save's token is no input
    if (el.dataset.kind === "bool") { if (el.checked) params.set(el.name, "on"); continue; }
    if (el.value.trim() !== "") params.set(el.name, el.value.trim());
  }
  if (URL_LANG && !params.has("lang")) params.set("lang", LANG);
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

/** A field's label as the form shows it ("Option 2: APR" for an alternative's). */
function labelOf(name) {
  const label = document.querySelector(`label[for="f-${name}"]`);
  const text = label ? label.textContent.trim() : name.replace(/_pct$/, "").replace(/^crit_/, "").replaceAll("_", " ");
  const alt = ALT.exec(name);
  return alt ? say("option", "Option {n}: {label}", { n: Number(alt[2]) + 1, label: text })
    : text.charAt(0).toUpperCase() + text.slice(1);
}

const yearsOf = (m) => FORMATS.term(m);
/** The API's message without the field's label in front ("Loan rate: 500 is out of range"):
 * the page shows its own label beside the field and in the list. */
function unlabelled(name, message) {
  const label = document.querySelector(`[data-error-for="${name}"]`)?.dataset.label;
  let out = String(message);
  if (label && out.startsWith(`${label}: `)) out = out.slice(label.length + 2);
  else if (ALT.test(name)) out = out.replace(/^Alternative \d+, [^:]+: /, "");
  return out;
}
/** The same words as loan401k.web.words.plain_message: years for the term, up to the active
 * plan's caps; labels for codes; the choices' words for their codes. */
function plainMessage(name, message) {
  const text = unlabelled(name, message);
  const found = name === "term_months" && /^(\d+) is (?:out of range|longer than)/.exec(text);
  if (found) {
    const months = Number(found[1]);
    const under = TERM.plan ? ` under ${TERM.plan}'s rules` : "";
    if (months > GENERAL_CAP && months <= HOME_CAP) {
      return `${yearsOf(months)} is allowed only for a loan to buy your main home: choose “buying my main home” for “The loan is for”, or at most ${yearsOf(GENERAL_CAP)} (IRC §72(p)(2)(B)).`;
    }
    if (HOME_CAP <= GENERAL_CAP && TERM.plan) {
      return `${yearsOf(months)} is too long: at most ${yearsOf(GENERAL_CAP)}; ${TERM.plan} makes no loans to buy a home.`;
    }
    return `${yearsOf(months)} is too long: at most ${yearsOf(HOME_CAP)} for a loan to buy your main home${under}, ${yearsOf(GENERAL_CAP)} otherwise.`;
  }
  let out = text;
  const labels = [...document.querySelectorAll('label[for^="f-"]')].map((l) => l.htmlFor.slice(2))
    .filter((n) => n.includes("_")).sort((a, b) => b.length - a.length);
  for (const code of labels) out = out.replace(new RegExp(`\\b${code}\\b`, "g"), `“${labelOf(code)}”`);
  for (const option of form.querySelectorAll("option")) {
    if (option.value && !/^\d+$/.test(option.value)) {
      out = out.replace(new RegExp(`["']${option.value}["']`, "g"), `“${option.textContent.replace(" (home only)", "")}”`);
    }
  }
  return out;
}

/** Focus a field from an error link: open the sections around it first. */
function focusField(name) {
  const input = document.getElementById(`f-${name}`);
  if (!input) return false;
  for (let d = input.closest("details"); d; d = d.parentElement?.closest("details")) d.open = true;
  input.scrollIntoView({ block: "center" });
  input.focus({ preventScroll: true });
  return true;
}

function setState(state) {
  answer.dataset.state = state;
  const summary = document.getElementById("summary");
  if (summary) summary.dataset.state = state;
}

function showErrors(problems) {
  const byField = {};
  for (const p of problems) byField[fieldOf(p)] ??= p.message ?? p.msg ?? say("invalid", "is not valid");
  for (const el of document.querySelectorAll("[data-error-for]")) {
    const name = el.dataset.errorFor;
    const message = byField[name] ? plainMessage(name, byField[name]) : "";
    el.textContent = message;
    el.closest(".field")?.classList.toggle("has-error", Boolean(message));
    const input = form.elements.namedItem(name);
    if (input && input.setAttribute) {
      if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
    }
  }
  const box = document.getElementById("problems");
  const list = document.getElementById("problem-list");
  const items = Object.entries(byField).map(([name, message]) => {
    const li = document.createElement("li");
    const words = plainMessage(name, message);
    if (document.getElementById(`f-${name}`)) {
      const a = document.createElement("a");
      a.href = `#f-${name}`;
      a.dataset.focus = name;
      a.textContent = labelOf(name);
      li.append(a, `: ${words}`);
    } else li.textContent = /^\p{Lu}/u.test(words) ? words : `${labelOf(name)}: ${words}`; // the API's label
    return li;
  });
  list.replaceChildren(...items);
  box.hidden = items.length === 0;
  const fix = document.getElementById("summary-fix");
  if (fix && items.length) {
    const [name, message] = Object.entries(byField)[0];
    fix.textContent = `${labelOf(name)}: ${plainMessage(name, message)}`;
    fix.href = `#f-${name}`;
    fix.dataset.focus = name;
  }
}

/** The headline, limit, verdict and warnings, straight from the analysis response. */
function renderNumbers(result, query) {
  for (const el of document.querySelectorAll("#answer [data-bind], #summary [data-bind]")) {
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
      if (item.citation) { const cite = document.createElement("cite"); cite.textContent = String(item.citation).replace(/(?:loan401k )?METHOD(?:\.md)?(?: v\d+)?(?: ?§[\w.]+(?:,? ?§[\w.]+)*)?/g, "loan401k methodology"); li.append(cite); }
      return li;
    }));
  }
  for (const a of document.querySelectorAll("[data-href-base]")) a.href = `${a.dataset.hrefBase}?${query}`;
  const share = document.querySelector("[data-share]");
  if (share && share.value !== `${location.origin}/?${query}`) {
    share.value = `${location.origin}/?${query}`;
    resetCopy(); // "Copied" was the old link
  }
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
  for (const id of ["answer-charts", "below", "whatif-answer", "afford-answer"]) {
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
  history.replaceState(null, "", `${root.embed ? "/embed" : "/"}?${query}`);
  answer.dataset.state = "busy";
  try {
    const api = await fetch(`/api/v1/analysis?lang=${LANG}`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(toInput(form)) });
    if (mine !== generation) return; // a newer keystroke won
    if (api.status === 422) {
      const body = await api.json();
      showErrors(Array.isArray(body.detail) ? body.detail : body.problems || body.errors || []);
      setState("error");
      root.busy = "0";
      return;
    }
    if (!api.ok) throw new Error(`analysis failed: ${api.status}`);
    const result = await api.json();
    if (mine !== generation) return;
    showErrors([]);
    renderNumbers(result, query);
    setState("ok");
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
    setState("error");
    document.getElementById("problems-lede").textContent = say("unreachable", "Could not reach the calculator; the figures below are from before.");
    document.getElementById("problems").hidden = false;
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
  // a newer input: an answer still on its way is for the old one, and must not be shown
  // (nor mark the page ready) while this one waits out its debounce
  generation++;
  clearTimeout(timer);
  clearTimeout(marketTimer);
  timer = setTimeout(recompute, DEBOUNCE_MS);
}
async function save(event) {
  event.preventDefault();
  const out = document.getElementById("saved");
  const response = await fetch(`/api/v1/scenarios?lang=${LANG}`, { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify(toInput(form)) });
  if (response.status !== 201) { out.textContent = say("cannotSave", "Could not save: fix the fields marked above."); return; }
  const { id } = await response.json();
  const link = document.createElement("a");
  link.href = LANG === "en" ? `/s/${id}` : `/s/${id}?lang=${LANG}`;
  link.textContent = `${location.origin}/s/${id}`;
  const [before, after = ""] = say("saved", "Saved: {link}").split("{link}");
  out.replaceChildren(before, link, after);
}

if (form && answer) {
  document.documentElement.classList.add("js");
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  // the What if… panel's fields belong to the form (form="calc") but sit outside it
  // …and so do the six questions beside the verdict
  answer.addEventListener("change", (event) => { if (event.target.form === form) schedule(); });
  answer.addEventListener("input", (event) => { if (event.target.form === form) schedule(); });
  const panel = document.getElementById("whatif");
  panel?.addEventListener("input", schedule);
  panel?.addEventListener("change", schedule);
  const kind = document.getElementById("f-whatif");
  kind?.addEventListener("change", () => { panel.dataset.whatif = kind.value; }); // show its fields
  form.addEventListener("submit", (event) => { event.preventDefault(); startedAt = performance.now(); recompute(); });
  document.getElementById("save")?.addEventListener("click", save);
  document.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-load-market]")) return;
    event.preventDefault(); // without JavaScript the link reloads the page with them
    clearTimeout(marketTimer);
    loadMarket(generation, queryString());
  });
  // the page comes without the history and simulations (computed only when asked): ask now
  if (document.querySelector("#history-sec[data-deferred]")) loadMarket(generation, queryString());
}

// The share card: the link in full (the page may carry it relative) and a Copy button, shown
// only with JavaScript: the clipboard, or, where it is refused, the link selected for Ctrl+C.
const copyButton = document.getElementById("copy-link");
const shareField = document.querySelector("[data-share]");
if (shareField && shareField.value.startsWith("/")) shareField.value = location.origin + shareField.value;
function resetCopy() {
  if (!copyButton) return;
  copyButton.textContent = say("copyLink", "Copy link");
  delete copyButton.dataset.state;
  const status = document.getElementById("copy-status");
  if (status) status.textContent = "";
}
async function copyLink() {
  const field = document.getElementById(copyButton.dataset.copy);
  const status = document.getElementById("copy-status");
  let copied = false;
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    }
  } catch { copied = false; }
  if (!copied) { // the fallback: the text selected, and the old copy command where it still works
    field.focus();
    field.setSelectionRange(0, field.value.length);
    try { copied = document.execCommand("copy"); } catch { copied = false; }
  }
  copyButton.dataset.state = copied ? "copied" : "selected";
  copyButton.textContent = copied ? say("copied", "Copied") : say("copyLink", "Copy link");
  status.textContent = copied ? say("copiedStatus", "Copied: the link is on your clipboard.")
    : say("selectedStatus", "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
}
if (copyButton && shareField) {
  copyButton.hidden = false;
  copyButton.addEventListener("click", copyLink);
}

// The PDF link: the report takes about a second to build, so the link says so while it is
// fetched, then the file is downloaded. Without JavaScript it stays a plain link.
const pdfLink = document.getElementById("pdf-link");
async function downloadReport(event) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault(); // a new tab or window (the modifier keys) stays the browser's own
  if (pdfLink.getAttribute("aria-busy") === "true") return;
  const status = document.getElementById("pdf-status");
  const label = pdfLink.textContent;
  pdfLink.setAttribute("aria-busy", "true");
  pdfLink.dataset.state = "busy";
  pdfLink.textContent = say("preparing", "Preparing your report…");
  status.textContent = say("preparingStatus", "Preparing your report… it takes a moment.");
  try {
    const response = await fetch(pdfLink.href);
    if (!response.ok) {
      status.textContent = response.status === 422
        ? say("reportNeedsAnswer", "The report needs an answer first: fix the fields marked above.")
        : say("reportFailed", "The report could not be built just now; try again in a moment.");
      pdfLink.dataset.state = "failed";
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = url;
    save.download = "401k-loan-report.pdf";
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    status.textContent = say("reportReady", "Your report is ready: saved as 401k-loan-report.pdf.");
    pdfLink.dataset.state = "ready";
  } catch (error) {
    status.textContent = say("reportUnreachable", "Could not reach the calculator for the report; try again in a moment.");
    pdfLink.dataset.state = "failed";
    console.warn(error);
  } finally {
    pdfLink.removeAttribute("aria-busy");
    pdfLink.textContent = label;
  }
}
pdfLink?.addEventListener("click", downloadReport);

// An error's link opens the section its field is in and focuses the field.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.("a[data-focus]");
  if (link && focusField(link.dataset.focus)) event.preventDefault();
});

// Term choices follow the purpose: more than five years only for a loan to buy a home.
function followPurpose(reset = true) {
  const purpose = document.getElementById("f-purpose");
  const termSelect = document.getElementById("f-term_months");
  if (!purpose || !termSelect) return;
  const home = purpose.value === "residence";
  for (const option of termSelect.querySelectorAll("option[data-home]")) {
    option.hidden = !home;
    option.disabled = !home;
  }
  if (reset && !home && Number(termSelect.value) > GENERAL_CAP) termSelect.value = String(GENERAL_CAP);
}
document.getElementById("f-purpose")?.addEventListener("change", () => followPurpose());
followPurpose(false);

// A link to a field group inside "More" opens it first (e.g. "Change it" beside the
// outside-money sentence).
document.addEventListener("click", (event) => {
  const link = event.target.closest('a[href^="#more-"]');
  const target = link && document.querySelector(link.getAttribute("href"));
  const details = target && target.closest("details");
  if (details) details.open = true;
});

// Embedded in a benefits site's iframe (/embed): tell the parent page how tall we are, so it
// can size the frame; only the height crosses, nothing else.
if (document.documentElement.dataset.embed && window.parent !== window) {
  const report = () => window.parent.postMessage(
    { type: "loan401k:height", height: document.documentElement.scrollHeight }, "*");
  new ResizeObserver(report).observe(document.body);
  report();
}
