/*
 * The chat widget's conversation with Rasa's socket.io channel (adds to widget.js's Widget).
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
 */
(function () {
  "use strict";

  var STORAGE_SESSION = "storefront.chat.session";
  var Widget = window.StorefrontChat.Widget;

  function newSessionId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function validSessionId(value) {
    return typeof value === "string" && /^[0-9a-f]{32}$/.test(value);
  }

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
    this.answer = null;
    this.setTyping(false);
    this.setAgent(null);
    this.greet();
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
    // Websocket first: one connection stays on the Rasa process that accepted it, also when several
    // worker processes share the port (RASA_WORKERS); polling only where websockets are blocked.
    var socket = window.io(this.options.serverUrl || undefined, {
      path: this.options.socketPath,
      transports: ["websocket", "polling"],
      tryAllTransports: true
    });
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
      self.ready = true;
      if (!self.panel.hidden) self.greet();
      self.connect();
    });
  };

})();
