/*
 * Storefront Assistant chat widget: a small socket.io client for Rasa's socket.io channel.
 *
 * Protocol (Rasa 3.6, session_persistence on): connect, emit `session_request {session_id}`,
 * receive `session_confirm <id>`; emit `user_uttered {message, session_id, <metadataKey>: {...}}`;
 * receive `bot_uttered {text, quick_replies, attachment, custom}`.
 *
 * The session id is a random secret kept in localStorage: after a reload the widget fetches the
 * conversation so far from the page channel and then continues the same conversation.
 * `signOut()` (the page calls it when the shopper signs out or switches customer) ends the
 * verification: it sends `/session_start` on the old conversation, whose new session keeps no
 * verified order (actions/session.py), then starts a new conversation with an empty log, so the
 * next person on the device sees neither the orders nor the chat of the previous one.
 * Messages from the agent console carry `custom.handoff` (agent_joined, agent_message,
 * bot_resumed, resolved; agent_left is accepted too) so the widget can show who is speaking.
 *
 * Text is always inserted with textContent; links are built as elements, never as HTML.
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
    typing: "The assistant is typing",
  };
  var STORAGE_SESSION = "storefront.chat.session";
  var STORAGE_OPEN = "storefront.chat.open";
  var TYPING_TIMEOUT_MS = 15000;
  var LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+|mailto:[^\s)]+|tel:[^\s)]+)\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"])/g;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function validSessionId(value) {
    return typeof value === "string" && /^[0-9a-f]{32}$/.test(value);
  }

  /* Text with markdown links [title](url) and bare URLs as links that open in a new tab. */
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    String(text).replace(LINK, function (match, title, url, bare, offset) {
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
    this.build();
  }

  Widget.prototype.build = function () {
    var self = this;
    this.root.classList.add("sfchat");
    this.launcher = el("button", "sfchat-launcher", STRINGS.launcher);
    this.launcher.type = "button";
    this.launcher.setAttribute("aria-controls", "sfchat-panel");
    this.panel = el("section", "sfchat-panel");
    this.panel.id = "sfchat-panel";
    this.panel.setAttribute("aria-label", STRINGS.title);

    var header = el("header", "sfchat-header");
    var heading = el("div", "sfchat-heading");
    heading.appendChild(el("strong", "sfchat-title", STRINGS.title));
    this.status = el("span", "sfchat-status", STRINGS.assistant);
    this.status.setAttribute("aria-live", "polite");
    heading.appendChild(this.status);
    var close = el("button", "sfchat-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", STRINGS.close);
    header.appendChild(heading);
    header.appendChild(close);

    this.log = el("div", "sfchat-log");
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.connection = el("div", "sfchat-connection", STRINGS.reconnecting);
    this.connection.hidden = true;
    this.typing = el("div", "sfchat-typing");
    this.typing.setAttribute("aria-label", STRINGS.typing);
    this.typing.appendChild(el("span"));
    this.typing.appendChild(el("span"));
    this.typing.appendChild(el("span"));
    this.typing.hidden = true;

    this.form = el("form", "sfchat-form");
    this.input = el("input", "sfchat-input");
    this.input.type = "text";
    this.input.placeholder = STRINGS.placeholder;
    this.input.setAttribute("aria-label", STRINGS.placeholder);
    this.input.maxLength = 2000;
    this.input.autocomplete = "off";
    var send = el("button", "sfchat-send", STRINGS.send);
    send.type = "submit";
    this.form.appendChild(this.input);
    this.form.appendChild(send);

    this.panel.appendChild(header);
    this.panel.appendChild(this.connection);
    this.panel.appendChild(this.log);
    this.panel.appendChild(this.typing);
    this.panel.appendChild(this.form);
    this.root.appendChild(this.panel);
    this.root.appendChild(this.launcher);

    this.launcher.addEventListener("click", function () { self.setOpen(true); });
    close.addEventListener("click", function () { self.setOpen(false); });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value.trim();
      if (!text) return;
      self.input.value = "";
      self.send(text, text);
    });
    this.setOpen(window.localStorage.getItem(STORAGE_OPEN) === "1");
  };

  Widget.prototype.setOpen = function (open) {
    this.root.classList.toggle("sfchat-open", open);
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    this.launcher.setAttribute("aria-expanded", String(open));
    window.localStorage.setItem(STORAGE_OPEN, open ? "1" : "0");
    // lets the host page make room for the open panel (see store.css); the widget styles nothing else
    document.documentElement.classList.toggle("sfchat-docked", open);
    if (open) this.input.focus();
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
    var row = el("div", "sfchat-msg sfchat-user");
    row.appendChild(el("div", "sfchat-bubble", text));
    this.log.appendChild(row);
    this.scroll();
  };

  Widget.prototype.setAgent = function (agent) {
    this.agent = agent;
    this.root.dataset.mode = agent === null ? "bot" : "agent";
    this.status.textContent = agent === null ? STRINGS.assistant
      : agent ? fill(STRINGS.withPerson, { agent: agent }) : STRINGS.withPersonUnnamed;
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
      var notice = el("div", "sfchat-notice");
      notice.dataset.handoff = marker;
      notice.appendChild(richText(message.text || ""));
      this.log.appendChild(notice);
      this.scroll();
      return;
    }
    var row = el("div", "sfchat-msg " + (marker === "agent_message" ? "sfchat-agent" : "sfchat-bot"));
    if (marker === "agent_message" && custom.agent) row.appendChild(el("div", "sfchat-author", custom.agent));
    if (message.text) {
      var bubble = el("div", "sfchat-bubble");
      bubble.appendChild(richText(message.text));
      row.appendChild(bubble);
    }
    var attachment = message.attachment;
    if (attachment && attachment.type === "image" && attachment.payload && /^https?:/.test(attachment.payload.src || "")) {
      var image = el("img", "sfchat-image");
      image.src = attachment.payload.src;
      image.alt = "";
      row.appendChild(image);
    }
    this.log.appendChild(row);
    var replies = message.quick_replies || [];
    if (withButtons && replies.length) {
      var group = el("div", "sfchat-buttons");
      replies.forEach(function (reply) {
        var button = el("button", "sfchat-button", reply.title);
        button.type = "button";
        button.dataset.payload = reply.payload;
        button.addEventListener("click", function () { self.send(reply.payload, reply.title); });
        group.appendChild(button);
      });
      this.log.appendChild(group);
    }
    this.scroll();
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
    if (on) this.typingTimer = window.setTimeout(function () { self.typing.hidden = true; }, TYPING_TIMEOUT_MS);
  };

  /* Send `payload` to the assistant and show `shown` (a button's title) as the shopper's message. */
  Widget.prototype.send = function (payload, shown) {
    this.showUser(shown);
    var data = { message: payload, session_id: this.sessionId };
    data[this.options.metadataKey] = this.options.getContext ? this.options.getContext() : {};
    this.socket.emit("user_uttered", data);
    if (this.agent === null) this.setTyping(true);
  };

  Widget.prototype.signOut = function () {
    if (this.socket && this.sessionId) {
      var data = { message: "/session_start", session_id: this.sessionId };
      data[this.options.metadataKey] = this.options.getContext ? this.options.getContext() : {};
      this.socket.emit("user_uttered", data);
    }
    this.sessionId = newSessionId();
    window.localStorage.setItem(STORAGE_SESSION, this.sessionId);
    this.log.textContent = "";
    this.setTyping(false);
    this.setAgent(null);
    if (this.socket) this.socket.emit("session_request", { session_id: this.sessionId });
  };

  Widget.prototype.restore = function () {
    var self = this;
    var stored = window.localStorage.getItem(STORAGE_SESSION);
    if (!validSessionId(stored)) return Promise.resolve(null);
    return fetch(this.options.transcriptUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: stored }),
    }).then(function (reply) {
      if (reply.status === 404) return null; // not a widget conversation: start a new one
      if (!reply.ok) return stored; // keep the session; only the history is missing
      return reply.json().then(function (body) {
        self.showTranscript(body.messages || []);
        return stored;
      });
    }).catch(function () { return stored; });
  };

  Widget.prototype.connect = function () {
    var self = this;
    var socket = window.io(this.options.serverUrl || undefined, { path: this.options.socketPath });
    this.socket = socket;
    socket.on("connect", function () {
      self.connection.hidden = true;
      socket.emit("session_request", { session_id: self.sessionId });
    });
    socket.on("disconnect", function () { self.connection.hidden = false; });
    socket.on("session_confirm", function (id) {
      var confirmed = typeof id === "string" ? id : id && id.session_id;
      if (validSessionId(confirmed) && confirmed !== self.sessionId) {
        self.sessionId = confirmed;
        window.localStorage.setItem(STORAGE_SESSION, confirmed);
      }
      self.root.dataset.session = "ready";
    });
    socket.on(this.options.botEvent || "bot_uttered", function (message) {
      self.setTyping(false);
      self.showBot(message || {}, true);
    });
  };

  Widget.prototype.start = function () {
    var self = this;
    this.setAgent(null);
    return this.restore().then(function (sessionId) {
      self.sessionId = sessionId || newSessionId();
      window.localStorage.setItem(STORAGE_SESSION, self.sessionId);
      self.connect();
    });
  };

  window.StorefrontChat = {
    /**
     * Mount the widget in `root`.
     * options: socketPath, metadataKey, transcriptUrl, getContext() -> metadata, serverUrl.
     */
    mount: function (root, options) {
      var widget = new Widget(root, options);
      widget.start();
      return widget;
    },
  };
})();
