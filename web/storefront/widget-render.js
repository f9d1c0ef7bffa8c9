/*
 * How the chat widget draws what the assistant says (widget.js decides when and where).
 *
 * One answer is one bubble: the socket.io channel sends a reply as several `bot_uttered` events
 * (one per paragraph), and widget.js puts every part of an answer into the same bubble with
 * `appendText`. Inside a part, lines that start with "- ", "* " or "• " become a list, "1. " a
 * numbered list, and a list continued by the next part (one delivery option per message) stays one.
 *
 * Product cards are generic, so any action can send them:
 *   custom: {cards: [{title, subtitle?, price?, image?, url?, sku?, buttons?: [{title, payload}]}]}
 * or Rasa's generic template (`attachment: {type: "template", payload: {template_type: "generic",
 * elements: [...]}}`, elements with title, subtitle, image_url and buttons of type postback or
 * web_url). `price` is shown as given: the server formats money (store/money.py). A card with a
 * `sku` gets an "add to cart" button that calls the page's `addToCart(sku)`.
 *
 * Text is always inserted with textContent; links and images are built as elements, never as HTML,
 * and only http(s) URLs are used.
 */
(function () {
  "use strict";

  var LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+|mailto:[^\s)]+|tel:[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;
  var BULLET = /^\s*[-*•]\s+(.*)$/;
  var NUMBERED = /^\s*\d{1,2}[.)]\s+(.*)$/;
  var HTTP_URL = /^https?:\/\//;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* Text with markdown links [title](url) and bare URLs as links that open in a new tab. */
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    text = String(text);
    text.replace(LINK, function (match, title, url, bare, offset) {
      if (offset > last) fragment.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", null, title || bare);
      link.href = url || bare;
      link.target = "_blank";
      link.rel = "noopener";
      fragment.appendChild(link);
      last = offset + match.length;
      return match;
    });
    if (last < text.length) fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  /* Lines grouped into runs: {kind: "p"|"ul"|"ol", lines: [...]}. */
  function blocks(text) {
    var runs = [];
    String(text).split("\n").forEach(function (line) {
      var bullet = BULLET.exec(line);
      var numbered = bullet ? null : NUMBERED.exec(line);
      var kind = bullet ? "ul" : numbered ? "ol" : "p";
      var content = bullet ? bullet[1] : numbered ? numbered[1] : line;
      var last = runs[runs.length - 1];
      if (last && last.kind === kind) last.lines.push(content);
      else runs.push({ kind: kind, lines: [content] });
    });
    return runs;
  }

  /*
   * Append one part of an answer (a paragraph, or lines with lists) to the answer's bubble. A list
   * that goes on from the bubble's last list (one option per message) joins it.
   */
  function appendText(bubble, text) {
    blocks(text).forEach(function (run, index) {
      if (run.kind === "p") {
        var joined = run.lines.join("\n").trim();
        if (!joined) return;
        var paragraph = el("p", "sfchat-part");
        paragraph.appendChild(richText(joined));
        bubble.appendChild(paragraph);
        return;
      }
      var previous = bubble.lastElementChild;
      var continues = index === 0 && previous && previous.tagName === run.kind.toUpperCase();
      var list = continues ? previous : el(run.kind, "sfchat-list");
      run.lines.forEach(function (line) {
        var item = el("li");
        item.appendChild(richText(line));
        list.appendChild(item);
      });
      bubble.appendChild(list);
    });
  }

  /* Cards from a message's custom payload or its generic-template attachment (may be empty). */
  function cardsOf(message) {
    var custom = message.custom || {};
    if (Array.isArray(custom.cards)) return custom.cards;
    var attachment = message.attachment || {};
    var payload = attachment.payload || {};
    if (attachment.type === "template" && payload.template_type === "generic") {
      var elements = Array.isArray(payload.elements) ? payload.elements : [payload.elements];
      return elements.filter(Boolean).map(function (e) {
        return {
          title: e.title, subtitle: e.subtitle, image: e.image_url,
          url: e.default_action && e.default_action.url, buttons: e.buttons,
        };
      });
    }
    return [];
  }

  /*
   * A list of cards; `actions` has send(payload, title), addToCart(sku) (optional) and strings
   * {addToCart, added}. Buttons of type web_url open their URL; the others send their payload.
   */
  function cardList(cards, actions) {
    var list = el("ul", "sfchat-cards");
    cards.forEach(function (card) {
      if (!card || !card.title) return;
      var item = el("li", "sfchat-card");
      if (HTTP_URL.test(card.image || "")) {
        var image = el("img", "sfchat-card-image");
        image.src = card.image;
        image.alt = card.title;
        image.loading = "lazy";
        item.appendChild(image);
      }
      var body = el("div", "sfchat-card-body");
      var title = el("h3", "sfchat-card-title");
      if (HTTP_URL.test(card.url || "")) {
        var link = el("a", null, card.title);
        link.href = card.url;
        title.appendChild(link);
      } else {
        title.textContent = card.title;
      }
      body.appendChild(title);
      if (card.subtitle) body.appendChild(el("p", "sfchat-card-subtitle", card.subtitle));
      if (card.price) body.appendChild(el("p", "sfchat-card-price", card.price));
      var buttons = el("div", "sfchat-card-actions");
      if (card.sku && actions.addToCart) {
        var add = el("button", "sfchat-card-add", actions.strings.addToCart);
        add.type = "button";
        add.setAttribute("aria-label", actions.strings.addToCart + ": " + card.title);
        add.dataset.sku = card.sku;
        add.addEventListener("click", function () {
          actions.addToCart(card.sku);
          add.textContent = actions.strings.added;
        });
        buttons.appendChild(add);
      }
      (card.buttons || []).forEach(function (b) {
        if (!b || !b.title) return;
        if (b.type === "web_url" || b.url) {
          if (!HTTP_URL.test(b.url || "")) return;
          var anchor = el("a", "sfchat-button", b.title);
          anchor.href = b.url;
          buttons.appendChild(anchor);
          return;
        }
        var button = el("button", "sfchat-button", b.title);
        button.type = "button";
        button.dataset.payload = b.payload;
        button.addEventListener("click", function () { actions.send(b.payload, b.title); });
        buttons.appendChild(button);
      });
      if (buttons.childNodes.length) body.appendChild(buttons);
      item.appendChild(body);
      list.appendChild(item);
    });
    return list;
  }

  window.StorefrontChatRender = {
    el: el, richText: richText, appendText: appendText, cardsOf: cardsOf, cardList: cardList,
  };
})();
