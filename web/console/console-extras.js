// Agent console: canned replies (manage and insert), history search, and order actions.
"use strict";

import { API, $, api, confirmDialog, el, mine, notice, post, shopperName, state } from "./console-base.js";

// ---- canned replies ------------------------------------------------------------------------
export async function loadCanned() {
  try { state.canned = (await api("api/canned")).replies; } catch (error) { $("canned-notice").textContent = error.message; return; }
  const pick = $("canned-pick");
  pick.replaceChildren(el("option", "", "Insert a canned reply…"));
  pick.firstChild.value = "";
  const list = $("canned-list");
  list.replaceChildren();
  for (const reply of state.canned) {
    const option = el("option", "", reply.title);
    option.value = reply.id;
    pick.append(option);
    const li = el("li");
    li.dataset.id = reply.id;
    li.append(el("strong", "", reply.title), el("p", "", reply.body));
    const edit = el("button", "", "Edit");
    edit.type = "button";
    edit.addEventListener("click", () => {
      $("canned-id").value = reply.id;
      $("canned-title-input").value = reply.title;
      $("canned-body").value = reply.body;
      $("canned-title-input").focus();
    });
    const remove = el("button", "", "Delete");
    remove.type = "button";
    remove.addEventListener("click", async () => {
      if (!(await confirmDialog(`Delete the canned reply "${reply.title}"?`))) return;
      try { await post(`api/canned/${reply.id}`, {}, "DELETE"); } catch (error) { $("canned-notice").textContent = error.message; }
      await loadCanned();
    });
    li.append(edit, remove);
    list.append(li);
  }
}

async function saveCanned(event) {
  event.preventDefault();
  const id = $("canned-id").value;
  const body = { title: $("canned-title-input").value, body: $("canned-body").value };
  try {
    await post(id ? `api/canned/${id}` : "api/canned", body, id ? "PUT" : "POST");
    $("canned-notice").textContent = "Saved.";
    $("canned-form").reset();
    $("canned-id").value = "";
  } catch (error) { $("canned-notice").textContent = error.message; }
  await loadCanned();
}

async function insertCanned() {
  const id = $("canned-pick").value;
  $("canned-pick").value = "";
  if (!id || state.selectedId === null) return;
  try {
    const filled = await api(`${API}/${state.selectedId}/canned/${id}`);
    $("reply").value = filled.text;
    $("reply").focus();
    notice(`Inserted "${filled.title}": read it, then send.`);
  } catch (error) { notice(error.message); }
}

// ---- history -------------------------------------------------------------------------------
function ratingText(item) {
  if (item.rating == null) return "-";
  return item.rating_comment ? `${item.rating}/5: ${item.rating_comment}` : `${item.rating}/5`;
}

export async function searchHistory(event, open) {
  if (event) event.preventDefault();
  const q = encodeURIComponent($("history-q").value.trim());
  const status = $("history-status").value;
  const rows = $("history-rows");
  try {
    const found = (await api(`api/history?q=${q}&status=${status}`)).handoffs;
    rows.replaceChildren();
    for (const item of found) {
      const tr = el("tr");
      tr.dataset.id = item.id;
      tr.tabIndex = 0;
      const when = new Date(item.created_at).toLocaleString();
      const who = item.resolved_by ? `${item.claimed_by || "-"} (closed by ${item.resolved_by})` : (item.claimed_by || "-");
      for (const [label, text] of [["When", when], ["Shopper", shopperName(item)], ["Reason", item.reason.replace(/_/g, " ")],
        ["Status", item.status], ["Handled by", who], ["Messages", item.messages], ["Rating", ratingText(item)]]) {
        const td = el("td", "", text);
        td.dataset.label = label;
        tr.append(td);
      }
      tr.addEventListener("click", () => open(item.id));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") open(item.id); });
      rows.append(tr);
    }
    if (!found.length) rows.append(el("tr", "", "Nothing matches."));
  } catch (error) { rows.replaceChildren(el("tr", "", error.message)); }
}

// ---- order actions -------------------------------------------------------------------------
function field(form, name, label, value = "") {
  const id = `order-${name}`;
  const l = el("label", "", label);
  l.htmlFor = id;
  const input = el("input");
  input.id = id;
  input.name = name;
  input.value = value || "";
  form.append(l, input);
}

async function orderCall(path, body, question, done) {
  if (!(await confirmDialog(question))) return;
  try {
    const result = await post(`${API}/${state.selectedId}/orders/${path}`, { ...body, confirm: true });
    notice(done(result));
  } catch (error) { notice(`Not done: ${error.message}`); }
}

export async function showOrder(number) {
  const panel = $("order-panel");
  panel.hidden = false;
  panel.replaceChildren(el("h3", "", `Order #${number}`));
  if (!mine(state.detail)) { panel.append(el("p", "", "Claim the conversation to act on this order.")); return; }
  let options;
  try { options = await api(`${API}/${state.selectedId}/orders/${number}`); } catch (error) {
    panel.append(el("p", "", error.message)); return;
  }
  const o = options.order;
  panel.append(el("p", "", `${o.status.replace(/_/g, " ")} · ${o.total} ${o.currency} · ${o.items.map((i) => `${i.quantity} x ${i.title}`).join(", ")}`));
  if (options.change_refusal) {
    panel.append(el("p", "", `Cannot cancel or change the address: ${options.change_refusal.replace(/_/g, " ")}.`));
  } else {
    const cancel = el("button", "", "Cancel order");
    cancel.type = "button";
    cancel.addEventListener("click", () => orderCall(`${number}/cancel`, {},
      `Cancel order #${number}? It is refunded and its items go back in stock.`, () => `Order #${number} cancelled.`));
    panel.append(cancel);
    const form = el("form", "address");
    const a = o.shipping_address || {};
    field(form, "address1", "Street", a.address1); field(form, "address2", "Apartment", a.address2);
    field(form, "city", "City", a.city); field(form, "region", "State or region", a.region);
    field(form, "postal_code", "Postal code", a.postal_code); field(form, "country", "Country (2 letters)", a.country);
    const save = el("button", "", "Change address");
    save.type = "submit";
    form.append(save);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = Object.fromEntries(new FormData(form).entries());
      orderCall(`${number}/address`, body, `Send order #${number} to ${body.address1}, ${body.postal_code} ${body.city}, ${body.country}?`,
        () => `Order #${number} now goes to ${body.address1}, ${body.city}.`);
    });
    panel.append(form);
  }
  const returnable = options.returnable.filter((i) => i.eligible);
  if (!returnable.length) { panel.append(el("p", "", "No item can be returned.")); return; }
  const form = el("form", "return");
  form.append(el("h4", "", "Start a return"));
  for (const item of returnable) {
    const l = el("label", "check");
    const box = el("input");
    box.type = "checkbox";
    box.value = item.line_item_id;
    l.append(box, ` ${item.title} (up to ${item.returnable_quantity})`);
    form.append(l);
  }
  const reason = el("select");
  reason.setAttribute("aria-label", "Return reason");
  for (const r of options.return_reasons) { const op = el("option", "", r.replace(/_/g, " ")); op.value = r; reason.append(op); }
  const resolution = el("select");
  resolution.setAttribute("aria-label", "Resolution");
  for (const r of options.resolutions.filter((x) => x !== "exchange")) { const op = el("option", "", r.replace(/_/g, " ")); op.value = r; resolution.append(op); }
  const start = el("button", "", "Start return");
  start.type = "submit";
  form.append(reason, resolution, start);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const items = [...form.querySelectorAll("input[type=checkbox]:checked")].map((b) => ({ line_item_id: Number(b.value), quantity: 1 }));
    if (!items.length) { notice("Tick the items to return."); return; }
    orderCall(`${number}/return`, { items, reason: reason.value, resolution: resolution.value },
      `Start a return of ${items.length} item(s) of order #${number} (${reason.value.replace(/_/g, " ")}, ${resolution.value.replace(/_/g, " ")})?`,
      (r) => `Return ${r.rma} started.`);
  });
  panel.append(form);
}

export function wireExtras(open) {
  $("canned-form").addEventListener("submit", saveCanned);
  $("canned-new").addEventListener("click", () => { $("canned-form").reset(); $("canned-id").value = ""; });
  $("canned-pick").addEventListener("change", insertCanned);
  $("history-form").addEventListener("submit", (event) => searchHistory(event, open));
}
