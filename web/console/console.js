// Agent console: live queue (server-sent events), alerts for a waiting shopper, the conversation
// with its private notes, claim / transfer / release / hand back / resolve, and the context panel.
// Plain JavaScript modules, no build step. Same-origin JSON API with the cookie session; every
// write sends X-Requested-With: console. Untrusted text is only ever set with textContent.
"use strict";

import { API, $, api, el, mine, minutes, notice, post, shopperName, state } from "./console-base.js";
import { loadCanned, searchHistory, showOrder, wireExtras } from "./console-extras.js";

let audio = null;
const received = { at: Date.now() };

// ---- alerts: a chime, a browser notification and an in-page line for each new waiting shopper ----
function chime() {
  if (!audio) return;
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
  tone.connect(gain).connect(audio.destination);
  tone.start();
  tone.stop(audio.currentTime + 0.6);
}

function alertWaiting(item) {
  const text = `New shopper waiting: ${shopperName(item)} (${item.reason.replace(/_/g, " ")})`;
  $("waiting-alert").textContent = text;
  $("waiting-alert").hidden = false;
  chime();
  if ("Notification" in window && Notification.permission === "granted") {
    const shown = new Notification("Shopper waiting", { body: `${shopperName(item)}: ${item.summary}`, tag: `handoff-${item.id}` });
    shown.onclick = () => { window.focus(); select(item.id); };
  }
}

async function turnOnAlerts() {
  audio = audio || new (window.AudioContext || window.webkitAudioContext)();
  await audio.resume();
  if ("Notification" in window && Notification.permission === "default") await Notification.requestPermission();
  const granted = "Notification" in window && Notification.permission === "granted";
  $("alerts").textContent = granted ? "Alerts on" : "Sound on (notifications blocked)";
  $("alerts").setAttribute("aria-pressed", "true");
}

// ---- queue --------------------------------------------------------------------------------
function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  $("queue-count").textContent = `(${state.queue.length})`;
  $("queue-empty").hidden = state.queue.length > 0;
  const since = Math.floor((Date.now() - received.at) / 1000);
  for (const item of state.queue) {
    const li = el("li", `${item.status}${item.offline ? " offline" : ""}`);
    li.setAttribute("role", "option");
    li.dataset.id = item.id;
    li.setAttribute("aria-selected", String(item.id === state.selectedId));
    li.append(el("div", "reason", item.reason.replace(/_/g, " ")));
    li.append(el("div", "who", shopperName(item)));
    li.append(el("div", "summary", item.summary));
    const meta = el("div", "meta");
    const waited = item.status === "queued" ? item.wait_seconds + since : item.wait_seconds;
    meta.append(el("span", "", `${item.channel} · waited ${minutes(waited)}`));
    meta.append(el("span", "", item.claimed_by ? `claimed by ${item.claimed_by}` : "queued"));
    li.append(meta);
    li.addEventListener("click", () => select(item.id));
    list.append(li);
  }
}

function onQueue(handoffs) {
  state.queue = handoffs;
  received.at = Date.now();
  const queued = handoffs.filter((h) => h.status === "queued");
  if (state.knownQueued !== null) {
    for (const item of queued) if (!state.knownQueued.has(item.id)) alertWaiting(item);
  }
  state.knownQueued = new Set(queued.map((h) => h.id));
  if (state.selectedId === null && handoffs.length) state.selectedId = handoffs[0].id;
  document.title = queued.length ? `(${queued.length}) Agent console` : "Agent console";
  renderQueue();
  refreshDetail();
}

// ---- conversation -------------------------------------------------------------------------
function addContext(list, term, value) {
  if (value === undefined || value === null || value === "") return;
  if (typeof value === "object" && !Object.keys(value).length) return;
  list.append(el("dt", "", term));
  list.append(el("dd", "", typeof value === "string" ? value : JSON.stringify(value, null, 1)));
}

// what a proactive message was, in the words an agent reads ("Started by: cart recovery nudge ...")
const PROACTIVE_NAMES = {
  cart_recovery: "cart recovery nudge",
  back_in_stock: "back-in-stock alert",
  order_shipped: "order shipped update",
  order_delayed: "order delay apology",
  order_delivered: "order delivered update",
  replenishment: "reorder reminder",
};
const CHANNEL_NAMES = { whatsapp: "WhatsApp", sms: "SMS", email: "email", widget: "the website chat" };

function startedBy(record) {
  if (!record || !record.trigger) return null;
  const name = PROACTIVE_NAMES[record.trigger] || record.trigger.replace(/_/g, " ");
  const sent = record.sent_at ? new Date(record.sent_at) : null;
  const when = sent && !Number.isNaN(sent.getTime())
    ? ` sent ${sent.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })}`
    : "";
  return `${name}${when} on ${CHANNEL_NAMES[record.channel] || record.channel}`;
}

function renderContext(detail) {
  const c = detail.context || {};
  const list = $("context-list");
  list.replaceChildren();
  const s = c.shopper || {};
  addContext(list, "Summary", detail.summary);
  addContext(list, "Suggested next step", c.next_step);
  addContext(list, "Started by", startedBy(c.started_by));
  const known = [s.name, s.email, s.phone].filter(Boolean).join(" · ") || "unknown";
  addContext(list, "Shopper", `${known} (${s.verified ? "verified" : "not verified"})`);
  if (c.customer) {
    addContext(list, "Customer", `${c.customer.orders_count} orders · lifetime value ${c.customer.lifetime_value}`);
  }
  for (const o of c.orders || []) {
    addContext(list, `Order #${o.number}`, o.verified
      ? [o.status, o.total && `${o.total} ${o.currency || ""}`, (o.items || []).join(", ")].filter(Boolean).join(" · ")
      : "mentioned, not verified");
    if (o.verified) {
      const open = el("button", "order-actions", `Order actions #${o.number}`);
      open.type = "button";
      open.addEventListener("click", () => showOrder(o.number));
      const holder = el("dd");
      holder.append(open);
      list.append(holder);
    }
  }
  addContext(list, "Page", c.page && (c.page.url || c.page.product || c.page));
  addContext(list, "Cart", c.cart);
  addContext(list, "Filled slots", c.slots);
  addContext(list, "Offline", c.offline);
  addContext(list, "Channel", `${detail.channel} · conversation ${detail.conversation_id}`);
}

function renderTranscript(lines, notes) {
  const list = $("transcript");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  const entries = [...lines.map((l) => ({ ...l, kind: l.sender.startsWith("agent:") ? "agent" : l.sender })),
    ...notes.map((n) => ({ kind: "note", sender: n.agent, text: n.text, at: n.at }))];
  entries.sort((a, b) => (a.at || "").localeCompare(b.at || ""));
  for (const line of entries) {
    const li = el("li", line.kind);
    if (line.kind === "system") {
      li.textContent = line.text === "paused" ? "— assistant paused —" : "— assistant resumed —";
    } else {
      let who = { agent: line.sender.slice(6), note: `Private note · ${line.sender}` }[line.kind] || line.kind;
      if (line.kind === "shopper" && line.intent) who += ` · ${line.intent} ${line.confidence ?? ""}`;
      li.append(el("span", "who", who));
      li.append(el("span", "", line.text));
    }
    list.append(li);
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderTransfer(d) {
  const pick = $("transfer-to");
  const others = state.agents.filter((a) => a !== state.me);
  pick.replaceChildren(...others.map((name) => { const o = el("option", "", name); o.value = name; return o; }));
  if (!others.length) pick.append(el("option", "", "nobody else signed in"));
  $("transfer").disabled = !mine(d) || !others.length;
  pick.disabled = !mine(d) || !others.length;
}

function renderDetail() {
  const d = state.detail;
  $("conv-none").hidden = Boolean(d);
  $("conv-body").hidden = !d;
  if (!d) { $("context-list").replaceChildren(); $("order-panel").hidden = true; return; }
  const owned = mine(d);
  $("conv-title").textContent = shopperName(d);
  $("conv-status").textContent = d.status === "claimed" ? `claimed by ${d.claimed_by}` : d.status;
  $("claim").disabled = d.status !== "queued";
  for (const id of ["release", "handback", "resolve", "reply", "send", "canned-pick"]) $(id).disabled = !owned;
  $("reply").placeholder = owned ? "Reply to the shopper. Enter sends, Shift+Enter adds a line." : "Claim the conversation to reply.";
  renderTransfer(d);
  renderContext(d);
  renderTranscript(d.transcript || [], d.notes || []);
}

async function refreshDetail() {
  if (state.selectedId === null) { state.detail = null; renderDetail(); return; }
  const wanted = state.selectedId;
  try {
    const detail = await api(`${API}/${wanted}`);
    if (wanted === state.selectedId) { state.detail = detail; renderDetail(); }
  } catch (error) { notice(`Conversation: ${error.message}`); }
}

async function refreshAgents() {
  try { state.agents = (await api("api/agents")).agents; } catch (error) { state.agents = []; }
  renderTransfer(state.detail);
}

function select(id) {
  if (state.selectedId !== id) $("order-panel").hidden = true;
  state.selectedId = id;
  renderQueue();
  refreshDetail();
  if (window.matchMedia("(max-width: 760px)").matches) show("conversation");
}

function move(step) {
  if (!state.queue.length) return;
  const index = state.queue.findIndex((item) => item.id === state.selectedId);
  const next = Math.min(state.queue.length - 1, Math.max(0, (index < 0 ? 0 : index + step)));
  select(state.queue[next].id);
}

async function act(path, body, done) {
  if (state.busy || state.selectedId === null) return false;
  state.busy = true;
  try {
    notice(done(await post(`${API}/${state.selectedId}/${path}`, body)));
    return true;
  } catch (error) {
    notice(error.message);
    return false;
  } finally {
    state.busy = false;
    await refreshDetail();
  }
}

const channelNote = (r) => (r.delivered ? "" : " (stored in the conversation; this channel cannot push)");
const claim = () => act("claim", {}, (r) => `You claimed this conversation${channelNote(r)}.`);
const handBack = () => act("handback", {}, () => "Handed back to the assistant.");
const resolve = () => act("resolve", {}, () => "Resolved.");
const release = () => act("release", {}, () => "Back in the queue for the next agent.");
const transfer = () => act("transfer", { to: $("transfer-to").value }, (r) => `Transferred to ${r.claimed_by}.`);

async function send(event) {
  if (event) event.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  if (await act("messages", { text }, (r) => `Sent${channelNote(r)}.`)) $("reply").value = "";
  $("reply").focus();
}

async function addNote(event) {
  if (event) event.preventDefault();
  const text = $("note").value.trim();
  if (!text) return;
  if (await act("notes", { text }, () => "Note saved (agents only).")) $("note").value = "";
}

// ---- views (one panel at a time on a phone) and keyboard ----------------------------------
function show(view) {
  document.body.dataset.view = view;
  for (const button of document.querySelectorAll("#views button")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === view));
  }
  if (view === "canned") loadCanned();
  if (view === "history") searchHistory(null, openFromHistory);
}

function openFromHistory(id) {
  state.selectedId = id;
  $("order-panel").hidden = true;
  renderQueue();
  refreshDetail();
  show("conversation");
}

function onKey(event) {
  const typing = ["reply", "note"].includes(event.target.id);
  if (typing) {
    if (event.key === "Enter" && !event.shiftKey) (event.target.id === "reply" ? send : addNote)(event);
    if (event.key === "Escape") event.target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName)) return;
  const actions = {
    j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
    c: claim, b: handBack, x: resolve, r: () => { if (!$("reply").disabled) $("reply").focus(); },
    n: () => $("note").focus(),
  };
  if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
}

// ---- live feed ------------------------------------------------------------------------------
function listen() {
  const source = new EventSource("api/events");
  source.addEventListener("open", () => { $("live").textContent = "live"; refreshAgents(); });
  source.addEventListener("error", () => { $("live").textContent = "reconnecting…"; });
  source.addEventListener("queue", (event) => { onQueue(JSON.parse(event.data).handoffs); refreshAgents(); });
  source.addEventListener("changed", (event) => {
    if (JSON.parse(event.data).ids.includes(state.selectedId)) refreshDetail();
  });
  source.addEventListener("signed_out", () => { source.close(); window.location.reload(); });
}

async function start() {
  try { state.me = (await api("api/me")).agent; } catch (error) { return; }
  $("me").textContent = `Signed in as ${state.me}`;
  $("claim").addEventListener("click", claim);
  $("handback").addEventListener("click", handBack);
  $("resolve").addEventListener("click", resolve);
  $("release").addEventListener("click", release);
  $("transfer").addEventListener("click", transfer);
  $("transfer-to").addEventListener("focus", refreshAgents);
  $("reply-form").addEventListener("submit", send);
  $("note-form").addEventListener("submit", addNote);
  $("alerts").addEventListener("click", turnOnAlerts);
  for (const button of document.querySelectorAll("#views button")) {
    button.addEventListener("click", () => show(button.dataset.view));
  }
  document.addEventListener("keydown", onKey);
  wireExtras(openFromHistory);
  await loadCanned();
  listen();
  setInterval(renderQueue, 30000); // wait times tick locally; the data itself is pushed
}

start();
