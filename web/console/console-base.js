// Shared pieces of the agent console: the API call, the page state, small DOM helpers.
// Untrusted text is only ever set with textContent, never as HTML.
"use strict";

export const API = "api/handoffs";
export const state = {
  me: "", queue: [], selectedId: null, detail: null, busy: false, agents: [], canned: [],
  knownQueued: null,
};
export const $ = (id) => document.getElementById(id);

export async function api(path, options = {}) {
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

export const post = (path, body, method = "POST") => api(path, { method, body: JSON.stringify(body || {}) });

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function minutes(seconds) {
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function notice(text) { $("notice").textContent = text; }

export const mine = (d) => Boolean(d) && d.status === "claimed" && d.claimed_by === state.me;

export const shopperName = (item) =>
  item.shopper.name || item.shopper.email || item.shopper.phone || item.conversation_id;

// Ask the agent before a change, in the page's own dialog; resolves to true on "Confirm".
export function confirmDialog(text) {
  const dialog = $("confirm");
  $("confirm-text").textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.showModal();
    $("confirm-ok").focus();
  });
}
