// Review queue: missed messages in groups of similar ones, each labelled with one click.
// Plain JavaScript, no build step; every write sends X-Requested-With: console. Shoppers' text is
// only ever set with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const REASONS = { fallback: "fallback", low_confidence: "low confidence", handoff: "before a handoff" };

async function api(path, options = {}) {
  const reply = await fetch(path, {
    credentials: "same-origin",
    ...options,
    headers: { "X-Requested-With": "console", "Content-Type": "application/json", ...(options.headers || {}) },
  });
  if (reply.status === 401) { window.location.assign("./"); throw new Error("signed out"); }
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

async function label(item, row, value) {
  const status = row.querySelector(".label-status");
  try {
    const done = await api("api/review/labels", {
      method: "POST", body: JSON.stringify({ message_id: item.message_id, label: value }),
    });
    $("notice").textContent = `Labelled "${done.text}" as ${done.label}: ${done.written_to}`;
    row.remove();
  } catch (failure) {
    status.textContent = failure.message;
  }
}

function itemRow(item, intents) {
  const row = el("li", "review-item");
  row.dataset.id = item.message_id;
  row.append(el("q", "review-text", item.text));
  const meta = `${item.intent || "no intent"} · ${Math.round(item.confidence * 100)}% · ${REASONS[item.reason] || item.reason}`;
  row.append(el("span", "badge", meta));

  const choice = el("select", "label-choice");
  choice.setAttribute("aria-label", "Intent");
  for (const intent of intents) {
    const option = el("option", null, intent);
    option.value = intent;
    option.selected = intent === item.intent;
    choice.append(option);
  }
  const apply = el("button", "label-intent", "Label");
  apply.type = "button";
  apply.addEventListener("click", () => label(item, row, choice.value));

  const fresh = el("input", "new-intent");
  fresh.placeholder = "new intent name";
  fresh.setAttribute("aria-label", "New intent name");
  const propose = el("button", "label-new", "Propose");
  propose.type = "button";
  propose.addEventListener("click", () => label(item, row, fresh.value.trim()));

  const ignore = el("button", "label-ignore", "Ignore");
  ignore.type = "button";
  ignore.addEventListener("click", () => label(item, row, "ignore"));

  row.append(choice, apply, fresh, propose, ignore, el("span", "label-status"));
  return row;
}

async function load() {
  const body = await api(`api/review?days=${$("days").value}`);
  const groups = $("groups");
  groups.replaceChildren();
  $("empty").hidden = body.groups.length > 0;
  body.groups.forEach((group, index) => {
    const section = el("section", "review-group");
    section.append(el("h2", null, `Group ${index + 1} · ${group.length} message${group.length === 1 ? "" : "s"}`));
    const list = el("ul", "review-list");
    for (const item of group) list.append(itemRow(item, body.intents));
    section.append(list);
    groups.append(section);
  });
}

async function start() {
  const me = await api("api/me");
  $("me").textContent = `Signed in as ${me.agent}`;
  $("days").addEventListener("change", () => load().catch((failure) => { $("notice").textContent = failure.message; }));
  await load();
}

start().catch((failure) => { $("notice").textContent = failure.message; });
