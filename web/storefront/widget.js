/*
 * Storefront Assistant chat widget: what the shopper sees (widget-session.js talks to the server).
 *
 * Messages are drawn by widget-render.js: every part of one answer goes into one bubble (the
 * channel sends a reply as one event per paragraph), lists as lists, product cards from a
 * message's custom payload. Before the shopper's first message the widget shows the assistant's
 * greeting with suggested questions for the page (`loadGreeting`, served from domain.yml by the
 * page's API); it is not part of the conversation until the shopper picks one.
 * Messages from the agent console carry `custom.handoff` (agent_joined, agent_message,
 * bot_resumed, resolved; agent_left is accepted too) so the widget can show who is speaking.
 *
 * Phones get the open chat full screen (widget.css); focus moves into the panel on open and back
 * to the chat button on close (also with Escape); new messages are announced by the log's
 * `aria-live`.
 *
 * Text is always inserted with textContent; links are built as elements, never as HTML.
 *
 * The widget's own words (the button, the title, the placeholder, "Send"...) default to English
 * (STRINGS) and can be replaced, key by key: `options.labels`, the root element's `data-labels`
 * (JSON), then whatever `options.loadLabels()` resolves to (the store's `widget_labels` setting,
 * served by the page's API); unknown keys and non-text values are ignored.
 */
(function () {
  "use strict";

  var STRINGS = {
    launcher: "Chat with us",
    title: "Store assistant",
    assistant: "Assistant",
    withPerson: "You're chatting with {agent} from our team",
    withPersonUnnamed: "You're chatting with a person from our team",
    placeholder: "Type your message…",
    send: "Send",
    close: "Close chat",
    reconnecting: "Reconnecting…",
    typing: "The assistant is typing…",
    addToCart: "Add to cart",
    added: "Added to cart",
  };
  var render = window.StorefrontChatRender;
  var el = render.el;
  var richText = render.richText;
  var STORAGE_OPEN = "storefront.chat.open";
  var FULL_SCREEN_QUERY = "(max-width: 599px)"; // the breakpoint in widget.css
  var TYPING_TIMEOUT_MS = 15000;

  /* STRINGS with every known key of each `overrides` object that is non-empty text, in order. */
  function labelsFrom(base, overrides) {
    var labels = {};
    Object.keys(STRINGS).forEach(function (key) { labels[key] = base[key]; });
    overrides.forEach(function (given) {
      if (!given || typeof given !== "object") return;
      Object.keys(STRINGS).forEach(function (key) {
        if (typeof given[key] === "string" && given[key].trim()) labels[key] = given[key];
      });
    });
    return labels;
  }

  function dataLabels(root) {
    try { return JSON.parse(root.dataset.labels || "null"); } catch (error) { return null; }
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key] || ""; });
  }

  function Widget(root, options) {
    this.root = root;
    this.options = options;
    this.socket = null;
    this.sessionId = null;
    this.agent = null;
    this.typingTimer = null;
    this.strings = labelsFrom(STRINGS, [options.labels, dataLabels(root)]);
    this.build();
    this.applyLabels();
  }

  /* Use `labels` (see the file's comment) from now on, the text already on screen included. */
  Widget.prototype.setLabels = function (labels) {
    this.strings = labelsFrom(this.strings, [labels]);
    this.applyLabels();
  };

  Widget.prototype.applyLabels = function () {
    var strings = this.strings;
    this.launcher.textContent = strings.launcher;
    this.title.textContent = strings.title;
    this.closeButton.setAttribute("aria-label", strings.close);
    this.log.setAttribute("aria-label", strings.title);
    this.connection.textContent = strings.reconnecting;
    this.typingLabel.textContent = strings.typing;
    this.input.placeholder = strings.placeholder;
    this.input.setAttribute("aria-label", strings.placeholder);
    this.sendButton.textContent = strings.send;
    this.status.textContent = this.statusText();
  };

  /* Who the shopper is talking to, in the widget's words. */
  Widget.prototype.statusText = function () {
    var agent = this.agent;
    return agent === null ? this.strings.assistant
      : agent ? fill(this.strings.withPerson, { agent: agent }) : this.strings.withPersonUnnamed;
  };

  Widget.prototype.build = function () {
    var self = this;
    this.root.classList.add("sfchat");
    this.launcher = el("button", "sfchat-launcher");
    this.launcher.type = "button";
    this.launcher.setAttribute("aria-controls", "sfchat-panel");
    this.panel = el("section", "sfchat-panel");
    this.panel.id = "sfchat-panel";
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-labelledby", "sfchat-title");

    var header = el("header", "sfchat-header");
    var heading = el("div", "sfchat-heading");
    this.title = el("h2", "sfchat-title");
    this.title.id = "sfchat-title";
    heading.appendChild(this.title);
    this.status = el("span", "sfchat-status");
    this.status.setAttribute("aria-live", "polite");
    heading.appendChild(this.status);
    this.closeButton = el("button", "sfchat-close", "×");
    this.closeButton.type = "button";
    header.appendChild(heading);
    header.appendChild(this.closeButton);

    this.log = el("div", "sfchat-log");
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.tabIndex = 0; // scrollable by keyboard
    this.connection = el("div", "sfchat-connection");
    this.connection.setAttribute("role", "status");
    this.connection.hidden = true;
    this.typing = el("div", "sfchat-typing");
    this.typing.setAttribute("role", "status");
    this.typingLabel = el("span", "sfchat-visually-hidden");
    this.typing.appendChild(this.typingLabel);
    for (var i = 0; i < 3; i++) this.typing.appendChild(el("span", "sfchat-dot"));
    this.typing.hidden = true;

    this.form = el("form", "sfchat-form");
    this.input = el("input", "sfchat-input");
    this.input.type = "text";
    this.input.maxLength = 2000;
    this.input.autocomplete = "off";
    this.input.enterKeyHint = "send";
    this.sendButton = el("button", "sfchat-send");
    this.sendButton.type = "submit";
    this.form.appendChild(this.input);
    this.form.appendChild(this.sendButton);

    this.panel.appendChild(header);
    this.panel.appendChild(this.connection);
    this.panel.appendChild(this.log);
    this.panel.appendChild(this.typing);
    this.panel.appendChild(this.form);
    this.root.appendChild(this.panel);
    this.root.appendChild(this.launcher);

    this.launcher.addEventListener("click", function () { self.setOpen(true); });
    this.closeButton.addEventListener("click", function () { self.setOpen(false); });
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") self.setOpen(false);
      else if (event.key === "Tab" && self.fullScreen()) self.keepFocusInside(event);
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (!text) return;
      self.input.value = "";
      self.send(text, text);
    });
    this.setOpen(window.localStorage.getItem(STORAGE_OPEN) === "1", true);
  };

  /* Open or close the panel; focus moves into it on open and back to the launcher on close. */
  Widget.prototype.setOpen = function (open, initial) {
    this.root.classList.toggle("sfchat-open", open);
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    this.launcher.setAttribute("aria-expanded", String(open));
    window.localStorage.setItem(STORAGE_OPEN, open ? "1" : "0");
    // lets the host page make room for the open panel (see store.css); the widget styles nothing else
    document.documentElement.classList.toggle("sfchat-docked", open);
    this.panel.setAttribute("aria-modal", String(open && this.fullScreen()));
    if (open) {
      this.input.focus();
      this.greet();
    } else if (!initial) {
      this.launcher.focus();
    }
  };

  /* Whether the open chat covers the screen (phones: see widget.css), so the page behind is out of reach. */
  Widget.prototype.fullScreen = function () {
    return window.matchMedia(FULL_SCREEN_QUERY).matches;
  };

  /* Tab from the last control goes to the first, Shift+Tab from the first to the last. */
  Widget.prototype.keepFocusInside = function (event) {
    var focusable = this.panel.querySelectorAll("button:not([disabled]), input, a[href], [tabindex='0']");
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  Widget.prototype.scroll = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  Widget.prototype.clearQuickReplies = function () {
    var groups = this.log.querySelectorAll(".sfchat-buttons");
    for (var i = 0; i < groups.length; i++) groups[i].remove();
  };

  Widget.prototype.showUser = function (text) {
    this.clearQuickReplies();
    this.answer = null;
    var row = el("div", "sfchat-msg sfchat-user");
    row.appendChild(el("div", "sfchat-bubble", text));
    this.log.appendChild(row);
    this.scroll();
  };

  Widget.prototype.setAgent = function (agent) {
    this.agent = agent;
    this.root.dataset.mode = agent === null ? "bot" : "agent";
    this.status.textContent = this.statusText();
  };

  /*
   * The bubble for the assistant's answer being received (its parts arrive as separate events); a
   * new one after the shopper speaks. A person's messages are each their own bubble.
   */
  Widget.prototype.answerBubble = function (speaker, author) {
    if (speaker === "bot" && this.answer && this.answer.speaker === "bot") return this.answer.bubble;
    var row = el("div", "sfchat-msg " + (speaker === "agent" ? "sfchat-agent" : "sfchat-bot"));
    if (author) row.appendChild(el("div", "sfchat-author", author));
    var bubble = el("div", "sfchat-bubble");
    row.appendChild(bubble);
    this.log.appendChild(row);
    this.answer = { speaker: speaker, author: author, bubble: bubble };
    return bubble;
  };

  Widget.prototype.showQuickReplies = function (replies) {
    var self = this;
    this.clearQuickReplies();
    var group = el("div", "sfchat-buttons");
    group.setAttribute("role", "group");
    replies.forEach(function (reply) {
      var button = el("button", "sfchat-button", reply.title);
      button.type = "button";
      button.dataset.payload = reply.payload;
      button.addEventListener("click", function () { self.send(reply.payload, reply.title); });
      group.appendChild(button);
    });
    this.log.appendChild(group);
  };

  /* One bot message, live or from the transcript; quick replies shown only when `withButtons`. */
  Widget.prototype.showBot = function (message, withButtons) {
    var self = this;
    var custom = message.custom || {};
    var marker = custom.handoff;
    if (marker === "agent_joined" || (marker === "agent_message" && !this.agent)) {
      this.setAgent(custom.agent || this.agent || "");
    } else if (marker === "bot_resumed" || marker === "resolved" || marker === "agent_left") {
      this.setAgent(null);
    }

    if (marker && marker !== "agent_message") {
      this.answer = null;
      var notice = el("div", "sfchat-notice");
      notice.dataset.handoff = marker;
      notice.appendChild(richText(message.text || ""));
      this.log.appendChild(notice);
      this.scroll();
      return;
    }
    var agentMessage = marker === "agent_message";
    var cards = render.cardsOf(message);
    var attachment = message.attachment || {};
    var image = attachment.type === "image" && attachment.payload && /^https?:/.test(attachment.payload.src || "");
    if (message.text || cards.length || image) {
      var bubble = this.answerBubble(agentMessage ? "agent" : "bot", agentMessage ? custom.agent || "" : "");
      if (message.text) render.appendText(bubble, message.text);
      if (cards.length) {
        bubble.appendChild(render.cardList(cards, {
          send: function (payload, title) { self.send(payload, title); },
          addToCart: this.options.addToCart,
          strings: this.strings,
        }));
      }
      if (image) {
        var picture = el("img", "sfchat-image");
        picture.src = attachment.payload.src;
        picture.alt = "";
        bubble.appendChild(picture);
      }
    }
    var replies = message.quick_replies || [];
    if (withButtons && replies.length) this.showQuickReplies(replies);
    this.scroll();
  };

  /* The assistant's greeting and suggested questions, while the conversation is still empty. */
  Widget.prototype.greet = function () {
    var self = this;
    if (this.greeting || !this.options.loadGreeting || !this.ready || this.log.childNodes.length) return;
    this.greeting = this.options.loadGreeting().then(function (message) {
      if (!message || self.log.childNodes.length) return;
      self.showBot(message, true);
      if (self.answer) self.answer.bubble.parentNode.dataset.greeting = "true";
      // its suggested questions belong to the greeting too (not part of the conversation)
      var suggestions = self.log.querySelector(".sfchat-buttons:last-child");
      if (suggestions) suggestions.dataset.greeting = "true";
      self.answer = null;
    }).catch(function () { /* no greeting: the chat works without one */ }).then(function () {
      self.greeting = null;
    });
  };

  Widget.prototype.showTranscript = function (messages) {
    var lastUser = -1;
    messages.forEach(function (m, i) { if (m.sender === "user") lastUser = i; });
    for (var i = 0; i < messages.length; i++) {
      var message = messages[i];
      if (message.sender === "user") this.showUser(message.text);
      else this.showBot(message, i > lastUser);
    }
  };

  Widget.prototype.setTyping = function (on) {
    var self = this;
    window.clearTimeout(this.typingTimer);
    this.typing.hidden = !on;
    this.root.dataset.typing = String(on);
    if (on) this.typingTimer = window.setTimeout(function () { self.typing.hidden = true; }, TYPING_TIMEOUT_MS);
  };

  window.StorefrontChat = {
    Widget: Widget, // widget-session.js adds the server side: start, send, signOut
    /**
     * Mount the widget in `root`.
     * options: socketPath, metadataKey, transcriptUrl, getContext() -> metadata, serverUrl,
     * loadGreeting() -> Promise of a bot message (optional), addToCart(sku) for product cards
     * (optional), labels (optional) and loadLabels() -> Promise of labels (optional): the widget's
     * own words (see the file's comment).
     */
    mount: function (root, options) {
      var widget = new Widget(root, options);
      if (options.loadLabels) {
        options.loadLabels().then(function (labels) { widget.setLabels(labels); })
          .catch(function () { /* the defaults stay */ });
      }
      widget.started = widget.start(); // resolves once the widget has its session id
      return widget;
    },
  };
})();
