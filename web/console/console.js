// Agent console: queue, context, live transcript, reply, hand back, resolve.
// Plain JavaScript, no build step. Talks to the JSON API beside this page (same origin, cookie
// session); every write sends X-Requested-With: console. Untrusted text is only ever set with
// textContent, never as HTML.
"use strict";

const API = "api/handoffs";
const QUEUE_EVERY_MS = 3000;
const DETAIL_EVERY_MS = 2000;

const state = { me: "", queue: [], selectedId: null, detail: null, busy: false };
const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const reply = await fetch(path, {
    credentials: "same-origin",
    ...options,
    headers: { "X-Requested-With": "console", "Content-Type": "application/json", ...(options.headers || {}) },
  });
  if (reply.status === 401) { window.location.reload(); throw new Error("signed out"); }
  const body = await reply.json().catch(() => ({}));
  if (!reply.ok) { throw new Error(body.error || `HTTP ${reply.status}`); }
  return body;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function minutes(seconds) {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function notice(text) { $("notice").textContent = text; }

function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  $("queue-count").textContent = `(${state.queue.length})`;
  $("queue-empty").hidden = state.queue.length > 0;
  for (const item of state.queue) {
    const li = el("li", `${item.status}${item.offline ? " offline" : ""}`);
    li.setAttribute("role", "option");
    li.dataset.id = item.id;
    li.setAttribute("aria-selected", String(item.id === state.selectedId));
    const who = item.shopper.name || item.shopper.email || item.shopper.phone || item.conversation_id;
    li.append(el("div", "reason", item.reason.replace(/_/g, " ")));
    li.append(el("div", "who", who));
    li.append(el("div", "summary", item.summary));
    const meta = el("div", "meta");
    meta.append(el("span", "", `${item.channel} · waited ${minutes(item.wait_seconds)}`));
    meta.append(el("span", "", item.claimed_by ? `claimed by ${item.claimed_by}` : "queued"));
    li.append(meta);
    li.addEventListener("click", () => select(item.id));
    list.append(li);
  }
}

function addContext(list, term, value) {
  if (value === undefined || value === null || value === "") return;
  if (typeof value === "object" && !Object.keys(value).length) return;
  list.append(el("dt", "", term));
  list.append(el("dd", "", typeof value === "string" ? value : JSON.stringify(value, null, 1)));
}

function renderContext(detail) {
  const c = detail.context || {};
  const list = $("context-list");
  list.replaceChildren();
  const s = c.shopper || {};
  addContext(list, "Summary", detail.summary);
  addContext(list, "Suggested next step", c.next_step);
  const known = [s.name, s.email, s.phone].filter(Boolean).join(" · ") || "unknown";
  addContext(list, "Shopper", `${known} (${s.verified ? "verified" : "not verified"})`);
  if (c.customer) {
    addContext(list, "Customer", `${c.customer.orders_count} orders · lifetime value ${c.customer.lifetime_value}`);
  }
  for (const o of c.orders || []) {
    addContext(list, `Order #${o.number}`, o.verified
      ? [o.status, o.total && `${o.total} ${o.currency || ""}`, (o.items || []).join(", ")].filter(Boolean).join(" · ")
      : "mentioned, not verified");
  }
  addContext(list, "Page", c.page && (c.page.url || c.page.product || c.page));
  addContext(list, "Cart", c.cart);
  addContext(list, "Filled slots", c.slots);
  addContext(list, "Offline", c.offline);
  addContext(list, "Channel", `${detail.channel} · conversation ${detail.conversation_id}`);
}

function renderTranscript(lines) {
  const list = $("transcript");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren();
  for (const line of lines) {
    const kind = line.sender.startsWith("agent:") ? "agent" : line.sender;
    const li = el("li", kind);
    if (kind === "system") {
      li.textContent = line.text === "paused" ? "— assistant paused —" : "— assistant resumed —";
    } else {
      let who = kind === "agent" ? line.sender.slice(6) : kind;
      if (kind === "shopper" && line.intent) who += ` · ${line.intent} ${line.confidence ?? ""}`;
      li.append(el("span", "who", who));
      li.append(el("span", "", line.text));
    }
    list.append(li);
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderDetail() {
  const d = state.detail;
  $("conversation").hidden = !d;
  $("context").hidden = !d;
  if (!d) return;
  const mine = d.status === "claimed" && d.claimed_by === state.me;
  $("conv-title").textContent = d.shopper.name || d.shopper.email || d.conversation_id;
  $("conv-status").textContent = d.status === "claimed" ? `claimed by ${d.claimed_by}` : d.status;
  $("claim").disabled = d.status !== "queued";
  $("handback").disabled = !mine;
  $("resolve").disabled = !mine;
  $("reply").disabled = !mine;
  $("send").disabled = !mine;
  $("reply").placeholder = mine ? "Reply to the shopper. Enter sends, Shift+Enter adds a line."
    : "Claim the conversation to reply.";
  renderContext(d);
  renderTranscript(d.transcript || []);
}

async function refreshQueue() {
  try {
    state.queue = (await api(`${API}?status=open`)).handoffs;
    if (state.selectedId === null && state.queue.length) state.selectedId = state.queue[0].id;
    renderQueue();
  } catch (error) { notice(`Queue: ${error.message}`); }
}

async function refreshDetail() {
  if (state.selectedId === null) { state.detail = null; renderDetail(); return; }
  try {
    state.detail = await api(`${API}/${state.selectedId}`);
    renderDetail();
  } catch (error) { notice(`Conversation: ${error.message}`); }
}

function select(id) {
  state.selectedId = id;
  renderQueue();
  refreshDetail();
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
    const result = await api(`${API}/${state.selectedId}/${path}`, { method: "POST", body: JSON.stringify(body || {}) });
    notice(done(result));
    return true;
  } catch (error) {
    notice(error.message);
    return false;
  } finally {
    state.busy = false;
    await refreshQueue();
    await refreshDetail();
  }
}

const channelNote = (r) => (r.delivered ? "" : " (stored in the conversation; this channel cannot push)");
const claim = () => act("claim", {}, (r) => `You claimed this conversation${channelNote(r)}.`);
const handBack = () => act("handback", {}, () => "Handed back to the assistant.");
const resolve = () => act("resolve", {}, () => "Resolved.");

async function send(event) {
  if (event) event.preventDefault();
  const text = $("reply").value.trim();
  if (!text) return;
  if (await act("messages", { text }, (r) => `Sent${channelNote(r)}.`)) $("reply").value = "";
  $("reply").focus();
}

function onKey(event) {
  const typing = event.target === $("reply");
  if (typing) {
    if (event.key === "Enter" && !event.shiftKey) send(event);
    if (event.key === "Escape") $("reply").blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const actions = {
    j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
    c: claim, b: handBack, x: resolve, r: () => { if (!$("reply").disabled) $("reply").focus(); },
  };
  if (actions[event.key]) { event.preventDefault(); actions[event.key](); }
}

async function start() {
  try { state.me = (await api("api/me")).agent; } catch (error) { return; }
  $("me").textContent = `Signed in as ${state.me}`;
  $("claim").addEventListener("click", claim);
  $("handback").addEventListener("click", handBack);
  $("resolve").addEventListener("click", resolve);
  $("reply-form").addEventListener("submit", send);
  document.addEventListener("keydown", onKey);
  await refreshQueue();
  await refreshDetail();
  setInterval(refreshQueue, QUEUE_EVERY_MS);
  setInterval(refreshDetail, DETAIL_EVERY_MS);
}

start();
