// Small DOM helpers: no HTML is built from strings. Markup lives in Django templates as
// <template id="tpl-..."> fragments; scripts clone them and fill their slots with text.
import { agencyLabel, statusLabel } from "./config.js";

export const $ = (id) => document.getElementById(id);

/* h("span", {class: "badge", dataset: {id: 4}, hidden: true, onclick: fn}, "text", otherNode);
 * {text: "..."} sets the text before the children. */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  append(node, ...children);
  return node;
}

/* Append text (strings, numbers) and nodes; null, undefined and false are skipped. */
export function append(node, ...children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/* Replace the children of `node`. */
export function replace(node, ...children) {
  node.textContent = "";
  return append(node, ...children);
}

/* A fresh copy of the first element of <template id="...">. */
export function clone(id) {
  const tpl = document.getElementById(id);
  if (!tpl) throw new Error(`no <template id="${id}">`);
  return tpl.content.firstElementChild.cloneNode(true);
}

/* The element of `root` marked data-slot="name" (or root itself when it carries the slot). */
export function slot(root, name) {
  return root.dataset.slot === name ? root : root.querySelector(`[data-slot="${name}"]`);
}

/* Set the text of a slot; only touches the DOM when the text changed. */
export function setText(root, name, text) {
  const node = slot(root, name);
  const value = text === null || text === undefined ? "" : String(text);
  if (node && node.textContent !== value) node.textContent = value;
  return node;
}

/* Replace the children of a slot with build()'s nodes, only when `key` (what they show) changed
 * since the last call: an update that changes nothing touches nothing. */
export function setNodes(root, name, key, build) {
  const node = slot(root, name);
  const k = typeof key === "string" ? key : JSON.stringify(key);
  if (node.dataset.shown === k) return node;
  node.dataset.shown = k;
  return replace(node, build());
}

/* Show or hide a slot. */
export function show(root, name, visible) {
  const node = slot(root, name);
  if (node) node.hidden = !visible;
  return node;
}

/* Keyed list update: make `container`'s children the rows of `items`, in order. A row whose key
 * is already on screen is kept (focus, open <details>, a half-typed input survive) and passed to
 * update(node, item); a new key gets render(item) then update; rows of keys no longer listed go.
 * Nodes are only moved when out of place, so an unchanged list touches nothing. */
export function keyedUpdate(container, items, key, render, update) {
  const old = new Map();
  for (const child of Array.from(container.children)) {
    if (child.dataset.key !== undefined) old.set(child.dataset.key, child);
    else child.remove(); // a placeholder ("No call waiting") from before
  }
  let cursor = container.firstElementChild;
  for (const item of items) {
    const k = String(key(item));
    let node = old.get(k);
    if (node) old.delete(k);
    else {
      node = render(item);
      node.dataset.key = k;
    }
    if (update) update(node, item);
    if (node === cursor) cursor = cursor.nextElementSibling;
    else container.insertBefore(node, cursor);
  }
  for (const node of old.values()) node.remove();
}

// --- badges: status by colour AND text, labels from the page config --------------------------

export function statusBadge(status) {
  return h("span", { class: `st st-${status}` }, statusLabel(status));
}

export function agencyBadge(agency) {
  return h("span", { class: `badge ag-${agency}` }, agencyLabel(agency));
}

export function priorityBadge(p) {
  return p ? h("span", { class: `badge p${p}` }, `P${p}`) : h("span", { class: "badge" }, "P?");
}

/* Badges separated by spaces, as the string-built screens had them. */
export function joined(nodes, sep = " ") {
  const out = [];
  nodes.forEach((n, i) => {
    if (i) out.push(sep);
    out.push(n);
  });
  return out;
}
