/*
 * The demo storefront: a product list, a product page (?product=<handle>) and a cart kept in
 * localStorage, all from the page channel's JSON API. It mounts the chat widget and gives it the
 * page context for each message: {page: {product, url}, cart: [{sku, quantity, price}],
 * customer_token} (the token only when a demo customer is signed in).
 */
(function () {
  "use strict";

  var CART_KEY = "storefront.cart";
  var CUSTOMER_KEY = "storefront.customer";
  var SESSION_KEY = "storefront.chat.session"; // the widget's (widget-session.js)
  var state = { store: { name: "" }, products: [], product: null };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function api(path, options) {
    return fetch("api/" + path, options).then(function (reply) {
      return reply.json().then(function (body) {
        if (!reply.ok) throw new Error(body.error || reply.statusText);
        return body;
      });
    });
  }

  function plainText(html) {
    // Shopify descriptions are HTML; DOMParser builds an inert document (no scripts run)
    return new DOMParser().parseFromString(html || "", "text/html").body.textContent.trim();
  }

  function readJson(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key));
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }

  /* ---- cart ---- */

  function cart() { return readJson(CART_KEY, []); }

  function saveCart(lines) {
    window.localStorage.setItem(CART_KEY, JSON.stringify(lines));
    renderCart();
    reportCart(false);
  }

  /* Tell the assistant what the cart holds (cart recovery; the widget's session id names the
     conversation and is the secret that lets this page write its cart). Nothing before the chat
     has a session id. */
  function reportCart(checkedOut) {
    var sessionId = window.localStorage.getItem(SESSION_KEY);
    if (!/^[0-9a-f]{32}$/.test(sessionId || "")) return Promise.resolve(null);
    var body = {
      session_id: sessionId,
      lines: cart().map(function (l) { return { sku: l.sku, quantity: l.quantity }; }),
      checked_out: checkedOut,
    };
    var signedIn = customer();
    if (signedIn) body.customer_token = signedIn.token;
    return api("cart/report", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).catch(function () { return null; /* the cart still works without the assistant */ });
  }

  /* Add `quantity` (default 1) of `sku`; `price` (the plain amount) when the page knows it, else the
     cart API fills it in. */
  function addToCart(sku, price, quantity) {
    var lines = cart();
    var count = quantity || 1;
    var line = lines.find(function (l) { return l.sku === sku; });
    if (line) line.quantity += count;
    else lines.push({ sku: sku, price: price === undefined ? null : price, quantity: count });
    saveCart(lines);
  }

  /* Shopify's cart permalink /cart/<variant id>:<quantity> lands here as ?add=<id>:<quantity>
     (the assistant's add-to-cart links): put the variant in the cart, then drop the parameter.
     Resolves to the variant added (its product's page is the one to show), or null. */
  function addFromPermalink() {
    var params = new URLSearchParams(window.location.search);
    var match = /^(\d+):(\d+)$/.exec(params.get("add") || "");
    if (!match) return Promise.resolve(null);
    params.delete("add");
    var rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
    return api("cart-variants/" + match[1]).then(function (variant) {
      if (variant.available) addToCart(variant.sku, variant.price, Number(match[2]));
      return variant;
    }).catch(function () { return null; });
  }

  /* The cart priced by the store (titles, line totals and subtotal formatted by the server). */
  function renderCart() {
    var lines = cart();
    document.getElementById("cart-count").textContent = String(lines.reduce(function (n, l) { return n + l.quantity; }, 0));
    api("cart", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ lines: lines.map(function (l) { return { sku: l.sku, quantity: l.quantity }; }) }),
    }).then(function (priced) {
      var list = document.getElementById("cart-lines");
      list.textContent = "";
      priced.lines.forEach(function (line) {
        var item = el("li", "cart-line");
        item.appendChild(el("span", "cart-title", line.title));
        item.appendChild(el("span", "cart-variant", [line.color, line.size].filter(Boolean).join(" / ")));
        item.appendChild(el("span", "cart-qty", "× " + line.quantity));
        item.appendChild(el("span", "cart-price", line.line_total_display));
        list.appendChild(item);
      });
      document.getElementById("cart-empty").hidden = priced.lines.length > 0;
      document.getElementById("cart-total").textContent = priced.subtotal_display;
      // keep the current prices for the chat's page context (SKUs the store no longer sells drop out)
      var prices = {};
      priced.lines.forEach(function (line) { prices[line.sku] = line.price; });
      var asked = {};
      lines.forEach(function (l) { asked[l.sku] = true; });
      var current = cart().filter(function (l) { return !asked[l.sku] || prices[l.sku] !== undefined; });
      current.forEach(function (l) { if (prices[l.sku] !== undefined) l.price = prices[l.sku]; });
      window.localStorage.setItem(CART_KEY, JSON.stringify(current));
    }).catch(function () { /* the cart stays as it was; the page still works */ });
  }

  /* ---- signed-in customer (demo) ---- */

  function customer() {
    var stored = readJson(CUSTOMER_KEY, null);
    if (stored && stored.expiresAt > Date.now()) return stored;
    window.localStorage.removeItem(CUSTOMER_KEY);
    return null;
  }

  /* Signing out or switching customer ends the chat's verification (see widget.js signOut). */
  function setupSignIn(widget) {
    var select = document.getElementById("sign-in");
    var current = customer();
    return api("demo-customers").then(function (body) {
      body.customers.forEach(function (c) {
        var option = el("option", null, c.name + " (" + c.email + ")");
        option.value = c.email;
        select.appendChild(option);
      });
      select.value = current ? current.email : "";
      // demo sign-in exists only while the store is the sample store: otherwise no control at all
      select.parentNode.hidden = body.customers.length === 0;
      if (body.customers.length === 0) window.localStorage.removeItem(CUSTOMER_KEY);
      select.addEventListener("change", function () {
        var previous = customer();
        window.localStorage.removeItem(CUSTOMER_KEY);
        if (previous) widget.signOut();
        if (!select.value) return;
        api("sign-in", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ email: select.value }),
        }).then(function (signed) {
          window.localStorage.setItem(CUSTOMER_KEY, JSON.stringify({
            email: signed.email, name: signed.name, token: signed.token,
            expiresAt: Date.now() + signed.expires_in * 1000,
          }));
          reportCart(false); // the cart now belongs to the signed-in customer
        }).catch(function () { select.value = ""; });
      });
    });
  }

  /* ---- catalog and product page ---- */

  function tile(product, className) {
    var initials = product.title.split(/\s+/).slice(0, 2).map(function (w) { return w[0]; }).join("");
    var node = el("div", className, initials);
    var hue = Array.prototype.reduce.call(product.handle, function (h, c) { return (h * 31 + c.charCodeAt(0)) % 360; }, 7);
    node.style.setProperty("--hue", String(hue));
    node.setAttribute("aria-hidden", "true");
    return node;
  }

  function renderList(selected) {
    var list = document.getElementById("product-list");
    state.products.forEach(function (p) {
      var item = el("li", p.handle === selected ? "current" : null);
      var link = el("a", null, p.title);
      link.href = "?product=" + encodeURIComponent(p.handle);
      item.appendChild(link);
      item.appendChild(el("span", "price", p.price_from_display));
      list.appendChild(item);
    });
  }

  function renderProduct(product) {
    var root = document.getElementById("product");
    root.textContent = "";
    root.dataset.handle = product.handle;
    root.appendChild(tile(product, "product-image"));
    var info = el("div", "product-info");
    info.appendChild(el("p", "vendor", product.vendor));
    info.appendChild(el("h1", null, product.title));
    info.appendChild(el("p", "product-price", product.price_display));
    info.appendChild(el("p", "description", plainText(product.description)));
    if (product.final_sale) info.appendChild(el("p", "final-sale", "Final sale"));

    var form = el("form", "buy");
    var choose = el("select");
    choose.id = "variant";
    choose.setAttribute("aria-label", "Color and size");
    product.variants.forEach(function (v) {
      var label = [v.color, v.size].filter(Boolean).join(" / ") || "Default";
      var option = el("option", null, label + (v.available ? "" : " — sold out"));
      option.value = v.sku;
      option.disabled = !v.available;
      choose.appendChild(option);
    });
    var firstAvailable = product.variants.find(function (v) { return v.available; });
    if (firstAvailable) choose.value = firstAvailable.sku;
    var add = el("button", "primary", "Add to cart");
    add.type = "submit";
    add.disabled = !firstAvailable;
    form.appendChild(choose);
    form.appendChild(add);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var variant = product.variants.find(function (v) { return v.sku === choose.value; });
      if (variant && variant.available) addToCart(variant.sku, variant.price);
    });
    info.appendChild(form);
    root.appendChild(info);
    document.title = product.title + " · " + state.store.name;
  }

  /* ---- the chat widget's page context ---- */

  function pageContext() {
    var context = {
      page: { url: window.location.href },
      cart: cart().map(function (l) { return { sku: l.sku, quantity: l.quantity, price: l.price }; }),
    };
    if (state.product) context.page.product = state.product.handle;
    var signedIn = customer();
    if (signedIn) context.customer_token = signedIn.token;
    return context;
  }

  /* The assistant's greeting for this page (its text and suggestions come from domain.yml). */
  function loadGreeting(pageLoaded) {
    return pageLoaded.then(function () {
      var query = state.product ? "?product=" + encodeURIComponent(state.product.handle) : "";
      return api("greeting" + query);
    });
  }

  function start() {
    renderCart();
    var added = addFromPermalink();
    document.getElementById("cart-clear").addEventListener("click", function () { saveCart([]); });
    document.getElementById("cart-checkout").addEventListener("click", function () {
      // the demo's checkout: the assistant marks the cart bought, then the page empties it
      reportCart(true).then(function () { saveCart([]); });
    });
    var pageLoaded = api("products").then(function (body) {
      state.store = body.store;
      state.products = body.products;
      document.getElementById("store-name").textContent = body.store.name;
      return added.then(function (variant) { return { body: body, variant: variant }; });
    }).then(function (loaded) {
      var body = loaded.body;
      var wanted = new URLSearchParams(window.location.search).get("product")
        || (loaded.variant && loaded.variant.handle);
      var handle = wanted || (body.products[0] && body.products[0].handle);
      renderList(handle);
      return handle ? api("products/" + encodeURIComponent(handle)) : null;
    }).then(function (product) {
      state.product = product;
      if (product) renderProduct(product);
    }).catch(function (error) {
      var root = document.getElementById("product");
      root.textContent = "";
      root.appendChild(el("p", "error", "The store could not be loaded: " + error.message));
    });
    var widget = window.StorefrontChat.mount(document.getElementById("chat"), {
      socketPath: "/socket.io",
      metadataKey: "customData",
      transcriptUrl: "api/transcript",
      getContext: pageContext,
      loadGreeting: function () { return loadGreeting(pageLoaded); },
      loadLabels: function () { return api("widget-labels"); },
      addToCart: function (sku) { addToCart(sku); },
    });
    setupSignIn(widget).catch(function () { document.getElementById("sign-in").disabled = true; });
    // a cart filled before this page load belongs to the widget's conversation too
    widget.started.then(function () { reportCart(false); });
  }

  start();
})();
