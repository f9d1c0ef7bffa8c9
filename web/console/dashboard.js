// Insights dashboard: headline numbers with their change against the previous period, the lists
// behind them, and server-rendered charts. Plain JavaScript, no build step; same cookie session as
// the console. Untrusted text (conversation ids, comments) is only ever set with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const CHARTS = ["conversations", "rates", "handoff_reasons", "satisfaction", "top_intents", "revenue", "channels"];

// key in the API's totals, label, format, the list behind it (null: none), higher is better
const CARDS = [
  ["conversations", "Conversations", "count", "conversations", true],
  ["containment_rate", "Containment", "percent", "contained", true],
  ["handoff_rate", "Handoff rate", "percent", "handed_off", false],
  ["fallback_rate", "Fallback rate", "percent", "fallback", false],
  ["unanswered", "Unanswered at the end", "count", "unanswered", false],
  ["first_agent_reply_median_seconds", "First agent reply (median)", "duration", "handed_off", false],
  ["resolution_median_seconds", "Time to resolution (median)", "duration", "handed_off", false],
  ["csat", "CSAT (4-5 of 5)", "percent", "rated", true],
  ["ratings", "Ratings", "count", "rated", true],
  ["recommendations_shown", "Recommendations shown", "count", "recommended", true],
  ["recommendations_followed", "Recommendations followed", "count", "followed", true],
  ["assisted_conversions", "Assisted conversions", "count", "converted", true],
  ["conversion_rate", "Assisted conversion rate", "percent", "converted", true],
  ["assisted_revenue", "Assisted revenue", "money", "converted", true],
  ["proactive_sent", "Proactive sent", "count", null, true],
  ["proactive_replied", "Proactive replied", "count", null, true],
  ["proactive_opted_out", "Opted out", "count", null, false],
  ["cart_recovery_rate", "Cart recovery", "percent", null, true],
];

function format(kind, value) {
  if (value === null || value === undefined) return "-";
  if (kind === "percent") return `${(value * 100).toFixed(1)}%`;
  if (kind === "money") return value.toFixed(2);
  if (kind === "duration") return value < 120 ? `${Math.round(value)} s` : `${(value / 60).toFixed(1)} min`;
  return String(value);
}

function change(kind, now, before, better) {
  if (now === null || before === null || now === undefined || before === undefined) return "no previous value";
  const diff = now - before;
  if (diff === 0) return "same as the previous period";
  const shown = kind === "percent" ? `${(Math.abs(diff) * 100).toFixed(1)} pts` : format(kind, Math.abs(diff));
  const word = (diff > 0) === better ? "better" : "worse";
  return `${diff > 0 ? "▲" : "▼"} ${shown} vs previous (${word})`;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function api(path) {
  const reply = await fetch(path, { credentials: "same-origin" });
  if (reply.status === 401) { window.location.reload(); throw new Error("signed out"); }
  const body = await reply.json().catch(() => ({}));
  if (!reply.ok) throw new Error(body.error || `HTTP ${reply.status}`);
  return body;
}

function range() { return `from=${$("from").value}&to=${$("to").value}`; }

function renderCards(data) {
  const cards = $("cards");
  cards.replaceChildren();
  for (const [key, label, kind, list, better] of CARDS) {
    const card = el("button", "card");
    card.type = "button";
    card.dataset.metric = key;
    card.append(el("span", "label", label));
    const value = el("span", "value", format(kind, data.totals[key]));
    value.dataset.testid = `value-${key}`;
    card.append(value);
    card.append(el("span", "change", change(kind, data.totals[key], data.previous[key], better)));
    if (list) card.addEventListener("click", () => showList(list, label));
    else card.disabled = true;
    cards.append(card);
  }
}

function renderReasons(data) {
  const reasons = $("reasons");
  reasons.replaceChildren();
  const entries = Object.entries(data.totals.handoffs_by_reason);
  if (!entries.length) reasons.append(el("li", "muted", "No handoffs in this period."));
  for (const [reason, count] of entries) {
    const item = el("li");
    const button = el("button", "", `handoffs: ${reason.replace(/_/g, " ")} (${count})`);
    button.type = "button";
    button.dataset.reason = reason;
    button.addEventListener("click", () => showList("handed_off", `Handoffs: ${reason.replace(/_/g, " ")}`, reason));
    item.append(button);
    reasons.append(item);
  }
}

function renderIntents(data) {
  const list = $("intents");
  list.replaceChildren();
  for (const { intent, count } of data.totals.top_intents) list.append(el("li", "", `${intent.replace(/_/g, " ")}: ${count}`));
}

function renderCharts() {
  const charts = $("charts");
  charts.replaceChildren();
  for (const name of CHARTS) {
    const image = el("img");
    image.alt = `${name.replace(/_/g, " ")} chart`;
    image.dataset.chart = name;
    image.src = `api/insights/charts/${name}.png?${range()}`;
    charts.append(image);
  }
}

async function showList(metric, title, reason) {
  const query = `${range()}&metric=${encodeURIComponent(metric)}${reason ? `&reason=${encodeURIComponent(reason)}` : ""}`;
  try {
    const body = await api(`api/insights/conversations?${query}`);
    $("list-title").textContent = `${title}: ${body.conversations.length} conversation${body.conversations.length === 1 ? "" : "s"}`;
    const rows = $("list").querySelector("tbody");
    rows.replaceChildren();
    for (const c of body.conversations) {
      const row = el("tr");
      row.dataset.conversation = c.conversation_id;
      const cells = [
        c.started_at.replace("T", " ").slice(0, 16), c.conversation_id, c.channel, c.messages,
        c.last_intent || "", c.handoff_reason || "", c.rating ?? "", c.comment || "", c.orders.join(", "),
      ];
      for (const cell of cells) row.append(el("td", "", cell));
      rows.append(row);
    }
    $("list-panel").hidden = false;
    $("list-panel").scrollIntoView({ block: "nearest" });
  } catch (error) {
    $("status").textContent = `Could not load the list: ${error.message}`;
  }
}

async function load() {
  $("status").textContent = "Loading…";
  try {
    const data = await api(`api/insights?${range()}`);
    renderCards(data);
    renderReasons(data);
    renderIntents(data);
    renderCharts();
    $("period-note").textContent = `compared with ${data.previous_period.from} – ${data.previous_period.to}; orders within ${data.conversion_window_days} days count as assisted`;
    $("notes").textContent = data.notes.join(" ");
    $("list-panel").hidden = true;
    $("status").textContent = "";
    document.body.dataset.loaded = `${data.period.from}/${data.period.to}`;
  } catch (error) {
    $("status").textContent = `Could not load the numbers: ${error.message}`;
  }
}

function start() {
  const params = new URLSearchParams(window.location.search);
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.now() - 6 * 86400000).toISOString().slice(0, 10);
  $("from").value = params.get("from") || weekAgo;
  $("to").value = params.get("to") || today;
  $("range").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load();
}

start();
