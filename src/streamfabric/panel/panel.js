// streamfabric operator panel: plain JavaScript, no dependencies, no build step.
//
// Reads GET status (every 2 s; every 10 s while the page is hidden; slower while the API answers
// 429), GET topology (once), GET thumbnails (every tile's picture in one request, every 5 s while
// visible, images the page has left out by ETag), GET history (every 30 s and after a change);
// POST switch {ingest, target, expected} and POST take (retried on 429: the stage throttled it,
// nothing was done, and "expected" makes the retry safe). About 0.75 requests/s per open panel,
// so five panels fit the stage's 5 requests/s. Paths are relative to the page, so the panel works at "/" locally and
// under an API Gateway stage ("/prod/") in AWS. Data is only ever written with textContent.
// Locally every API request carries the server's per-run token (config.local_token, inlined in
// this page) in X-Streamfabric-Token: a page of another origin cannot read it, nor send a custom
// header without a CORS preflight, which the local API never grants.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var HIDDEN_POLL_MS = 10000; // while the page is hidden (another tab, a minimised window)
  var MAX_POLL_MS = 16000; // the slowest the status poll gets while the API answers 429
  var THUMB_MS = 5000; // thumbnails: the API caches them 5 s, MediaConnect refreshes them every few seconds
  var STALE_MS = 6000;
  var HISTORY_MS = 30000;
  var CUT_RETRIES = 4; // a switch or take the stage throttled (429) is sent again, up to this often
  var HISTORY_LIMIT = 12;
  var ROLE_LABEL = { live: "Live", preview: "Preview" };

  var base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
  var config = readConfig();

  var $ = function (id) {
    return document.getElementById(id);
  };

  var state = {
    topology: null, // GET topology
    status: null, // last GET status (possibly updated optimistically after an action)
    lastOk: 0, // Date.now() of the last good status
    epoch: 0, // bumped by every action: a poll started before it is discarded
    busy: false, // an action is in flight
    tiles: {}, // ingest name -> {root, pick, live, health, tag}
    order: [], // ingest names in display order (digit shortcuts)
    pollTimer: null,
    pollChain: 0,
    historyAt: 0,
    pollMs: POLL_MS, // the status poll's interval now (longer while throttled)
    slowed: false, // the last status poll was throttled (429)
    thumbsStarted: false,
  };

  function readConfig() {
    try {
      var node = document.getElementById("panel-config");
      return JSON.parse((node && node.textContent) || "{}") || {};
    } catch (e) {
      return { auth: "none" };
    }
  }

  // ---------------------------------------------------------------- small helpers
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clockTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso || "");
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }

  // "arn:aws:iam::123456789012:user/alice" -> "alice"; "arn:aws:sts::1:assumed-role/Ops/bob" -> "Ops/bob"
  function shortCaller(caller) {
    var text = String(caller || "someone");
    var match = /^arn:[^:]*:(?:iam|sts)::\d*:(?:user|assumed-role|role)\/(.+)$/.exec(text);
    return match ? match[1] : text;
  }

  function describe(name) {
    var topo = state.topology;
    if (!topo || !Array.isArray(topo.ingests)) return "";
    for (var i = 0; i < topo.ingests.length; i++) {
      if (topo.ingests[i].name === name) return topo.ingests[i].description || "";
    }
    return "";
  }

  function onAir(role) {
    var hub = state.status && state.status[role];
    return hub ? hub.ingest || null : null;
  }

  // ---------------------------------------------------------------- banners
  // kind: "error" | "conflict" | "warning" | "connection"; key: one banner per key (replaced).
  function banner(kind, title, text, options) {
    options = options || {};
    var key = options.key || kind + ":" + title;
    dismiss(key);
    var box = el("div", "banner " + kind);
    box.setAttribute("role", "alert");
    box.dataset.key = key;
    box.dataset.kind = kind;
    var body = el("div", "banner-body");
    body.appendChild(el("strong", "banner-title", title));
    if (text) body.appendChild(el("span", "banner-text", text));
    if (options.detail) body.appendChild(el("span", "banner-detail", options.detail));
    box.appendChild(body);
    var buttons = el("div", "banner-buttons");
    (options.actions || []).forEach(function (action) {
      var b = el("button", "quiet", action.label);
      b.type = "button";
      b.addEventListener("click", function () {
        dismiss(key);
        action.run();
      });
      buttons.appendChild(b);
    });
    if (options.dismissable !== false) {
      var close = el("button", "quiet dismiss", "Dismiss");
      close.type = "button";
      close.setAttribute("aria-label", "Dismiss: " + title);
      close.addEventListener("click", function () {
        dismiss(key);
      });
      buttons.appendChild(close);
    }
    box.appendChild(buttons);
    var list = $("banners");
    list.insertBefore(box, list.firstChild);
    while (list.children.length > 4) list.removeChild(list.lastChild);
    return box;
  }

  function dismiss(key) {
    Array.prototype.slice.call($("banners").children).forEach(function (node) {
      if (node.dataset.key === key) node.remove();
    });
  }

  function dismissKind(kind) {
    Array.prototype.slice.call($("banners").children).forEach(function (node) {
      if (node.dataset.kind === kind) node.remove();
    });
  }

  // ---------------------------------------------------------------- sign-in (Cognito, PKCE)
  var auth = {
    mode: config.auth === "cognito" ? "cognito" : "none",
    idToken: null,
    exp: 0,
    refreshToken: null, // kept in memory only
    user: "",

    cognito: function () {
      return config.cognito || {};
    },
    redirectUri: function () {
      return location.origin + base;
    },
    b64url: function (bytes) {
      var s = "";
      for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
      return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    },
    claims: function (jwt) {
      try {
        var part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
        while (part.length % 4) part += "=";
        return JSON.parse(decodeURIComponent(escape(atob(part))));
      } catch (e) {
        return {};
      }
    },
    store: function (tokens) {
      if (!tokens || !tokens.id_token) throw new Error("the sign-in answer has no ID token");
      var claims = auth.claims(tokens.id_token);
      auth.idToken = tokens.id_token;
      auth.exp = (Number(claims.exp) || 0) * 1000;
      if (tokens.refresh_token) auth.refreshToken = tokens.refresh_token;
      // The email is a label only: the API names the user by cognito:username in the audit log.
      auth.user = claims.email || claims["cognito:username"] || claims.sub || "signed in";
      var groups = claims["cognito:groups"];
      auth.groups = Array.isArray(groups) ? groups.map(String) : [];
      sessionStorage.setItem("streamfabric.tokens", JSON.stringify({ id_token: auth.idToken }));
    },
    restore: function () {
      try {
        var saved = JSON.parse(sessionStorage.getItem("streamfabric.tokens") || "null");
        if (saved && saved.id_token) {
          var exp = (Number(auth.claims(saved.id_token).exp) || 0) * 1000;
          if (exp - Date.now() > 60000) auth.store(saved);
        }
      } catch (e) {
        sessionStorage.removeItem("streamfabric.tokens");
      }
    },
    tokenEndpoint: function (params) {
      return fetch(auth.cognito().domain + "/oauth2/token", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(params).toString(),
        cache: "no-store",
        credentials: "omit",
      }).then(function (resp) {
        return resp.json().then(
          function (data) {
            if (!resp.ok) throw new Error((data && (data.error_description || data.error)) || "HTTP " + resp.status);
            return data;
          },
          function () {
            throw new Error("the token endpoint answered HTTP " + resp.status);
          }
        );
      });
    },
    signIn: function () {
      var verifier = auth.b64url(crypto.getRandomValues(new Uint8Array(32)));
      var nonce = auth.b64url(crypto.getRandomValues(new Uint8Array(16)));
      sessionStorage.setItem("streamfabric.pkce", JSON.stringify({ verifier: verifier, state: nonce }));
      return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (digest) {
        var query = new URLSearchParams({
          response_type: "code",
          client_id: auth.cognito().client_id,
          redirect_uri: auth.redirectUri(),
          scope: (auth.cognito().scopes || ["openid"]).join(" "),
          state: nonce,
          code_challenge: auth.b64url(new Uint8Array(digest)),
          code_challenge_method: "S256",
        });
        location.assign(auth.cognito().domain + "/oauth2/authorize?" + query.toString());
      });
    },
    finishSignIn: function (params) {
      var saved = null;
      try {
        saved = JSON.parse(sessionStorage.getItem("streamfabric.pkce") || "null");
      } catch (e) {
        saved = null;
      }
      sessionStorage.removeItem("streamfabric.pkce");
      history.replaceState(null, "", base); // the code is single-use: never leave it in the address bar
      if (params.get("error")) {
        return Promise.reject(new Error(params.get("error_description") || params.get("error")));
      }
      if (!saved || saved.state !== params.get("state")) {
        return Promise.reject(new Error("the sign-in answer does not match this browser's request"));
      }
      return auth
        .tokenEndpoint({
          grant_type: "authorization_code",
          client_id: auth.cognito().client_id,
          code: params.get("code"),
          redirect_uri: auth.redirectUri(),
          code_verifier: saved.verifier,
        })
        .then(auth.store);
    },
    refresh: function () {
      if (!auth.refreshToken) return Promise.reject(new Error("no refresh token"));
      return auth
        .tokenEndpoint({ grant_type: "refresh_token", client_id: auth.cognito().client_id, refresh_token: auth.refreshToken })
        .then(auth.store);
    },
    token: function () {
      if (auth.mode !== "cognito") return Promise.resolve(null);
      if (auth.idToken && auth.exp - Date.now() > 60000) return Promise.resolve(auth.idToken);
      return auth.refresh().then(
        function () {
          return auth.idToken;
        },
        function () {
          return auth.idToken; // let the API say 401; expired() then asks the operator to sign in
        }
      );
    },
    expired: function () {
      auth.idToken = null;
      sessionStorage.removeItem("streamfabric.tokens");
      banner("error", "Signed out", "Your session has ended: sign in again to switch. The show is not affected.", {
        key: "auth",
        dismissable: false,
        actions: [{ label: "Sign in", run: auth.signIn }],
      });
    },
    signOut: function () {
      sessionStorage.removeItem("streamfabric.tokens");
      var query = new URLSearchParams({ client_id: auth.cognito().client_id, logout_uri: auth.redirectUri() });
      location.assign(auth.cognito().domain + "/logout?" + query.toString());
    },
  };

  // ---------------------------------------------------------------- the API
  function ApiError(status, body) {
    this.status = status;
    this.body = body || {};
    this.message = (body && body.message) || "HTTP " + status;
  }

  // Requests in flight, on <html data-inflight>: lets a test (or a curious operator) know the page
  // is not waiting on the API.
  var inflight = 0;
  function track(delta) {
    inflight += delta;
    document.documentElement.setAttribute("data-inflight", String(inflight));
  }

  function api(method, path, body) {
    track(1);
    return apiCall(method, path, body).finally(function () {
      track(-1);
    });
  }

  // A switch or take the API stage throttled (429: nothing was done) is sent again after a short,
  // growing pause; its "expected" fields make a repeat safe. The operator sees "slowing down".
  function cut(path, body, attempt) {
    attempt = attempt || 0;
    return api("POST", path, body).catch(function (err) {
      if (err.status !== 429 || attempt >= CUT_RETRIES) throw err;
      say("slowing down: the API is busy, sending the " + path + " again");
      return new Promise(function (resolve) {
        setTimeout(resolve, 200 * Math.pow(2, attempt) + Math.random() * 100);
      }).then(function () {
        return cut(path, body, attempt + 1);
      });
    });
  }

  function apiCall(method, path, body) {
    return auth.token().then(function (token) {
      var headers = { Accept: "application/json" };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      if (token) headers.Authorization = "Bearer " + token;
      if (config.local_token) headers["X-Streamfabric-Token"] = config.local_token;
      return fetch(base + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "same-origin",
      }).then(
        function (resp) {
          return resp.text().then(function (text) {
            var data = null;
            if (text) {
              try {
                data = JSON.parse(text);
              } catch (e) {
                data = { message: text.slice(0, 300) };
              }
            }
            if (resp.status === 401 && auth.mode === "cognito") auth.expired();
            if (!resp.ok) throw new ApiError(resp.status, data);
            return data;
          });
        },
        function (err) {
          throw new ApiError(0, { error: "network", message: "The control API did not answer (" + err.message + ")." });
        }
      );
    });
  }

  // ---------------------------------------------------------------- rendering
  function regionOrder() {
    var topo = state.topology;
    var order = [];
    if (topo) {
      if (topo.hub) order.push(topo.hub);
      (topo.regions || []).forEach(function (r) {
        if (order.indexOf(r) < 0) order.push(r);
      });
    }
    return order;
  }

  function ingestList() {
    // [{name, region}] in the topology's order when known, else the status's.
    if (state.topology && Array.isArray(state.topology.ingests) && state.topology.ingests.length) {
      return state.topology.ingests.map(function (i) {
        return { name: i.name, region: i.region };
      });
    }
    return ((state.status && state.status.ingests) || []).map(function (i) {
      return { name: i.name, region: i.region };
    });
  }

  function buildTiles() {
    var list = ingestList();
    var names = list.map(function (i) {
      return i.name;
    });
    if (names.join("\n") === Object.keys(state.tiles).join("\n") && names.length) return;
    var regions = regionOrder();
    list.forEach(function (i) {
      if (regions.indexOf(i.region) < 0) regions.push(i.region);
    });
    var hub = state.topology && state.topology.hub;
    var container = $("regions");
    container.textContent = "";
    state.tiles = {};
    state.order = [];
    regions.forEach(function (region) {
      var members = list.filter(function (i) {
        return i.region === region;
      });
      if (!members.length) return;
      var group = el("section", "region");
      group.setAttribute("aria-label", "Region " + region);
      var heading = el("h3", "region-name", region);
      if (region === hub) heading.appendChild(el("span", "hub-tag", "hub"));
      group.appendChild(heading);
      var grid = el("ul", "tiles");
      members.forEach(function (i) {
        grid.appendChild(buildTile(i.name));
      });
      group.appendChild(grid);
      container.appendChild(group);
    });
  }

  function buildTile(name) {
    var index = state.order.length + 1;
    state.order.push(name);
    var root = el("li", "ingest");
    root.dataset.ingest = name;
    var pick = el("button", "pick");
    pick.type = "button";
    if (index <= 9) {
      pick.appendChild(el("kbd", "key", String(index)));
      pick.setAttribute("aria-keyshortcuts", String(index));
    }
    var monitor = el("span", "monitor");
    monitor.dataset.signal = "unknown";
    var thumb = el("img", "thumb");
    thumb.alt = "";
    thumb.hidden = true;
    monitor.appendChild(thumb);
    var badge = el("span", "badge", "…");
    monitor.appendChild(badge);
    pick.appendChild(monitor);
    pick.appendChild(el("span", "name", name));
    var desc = el("span", "desc", describe(name));
    pick.appendChild(desc);
    var health = el("span", "health", "…");
    pick.appendChild(health);
    var tag = el("span", "tag", "");
    tag.setAttribute("aria-hidden", "true");
    pick.appendChild(tag);
    pick.addEventListener("click", function () {
      toPreview(name);
    });
    var live = el("button", "to-live", "Live…");
    live.type = "button";
    live.setAttribute("aria-label", "Put " + name + " on Live (asks to confirm)");
    live.addEventListener("click", function () {
      confirmLive(name);
    });
    root.appendChild(pick);
    root.appendChild(live);
    state.tiles[name] = { root: root, pick: pick, live: live, health: health, tag: tag, desc: desc,
                          monitor: monitor, thumb: thumb, badge: badge };
    paintThumb(thumb, name);
    return root;
  }

  function renderTally(role) {
    var hub = (state.status && state.status[role]) || {};
    var name = hub.ingest;
    var box = $("tally-" + role);
    var ingestNode = $(role + "-ingest");
    var detail = $(role + "-detail");
    if (name) {
      ingestNode.textContent = name;
      box.classList.remove("unknown");
    } else {
      ingestNode.textContent = hub.address ? "Unknown source" : "—";
      box.classList.toggle("unknown", Boolean(hub.address));
    }
    var parts = [];
    if (name) {
      var d = describe(name);
      if (d) parts.push(d);
      var health = ingestHealth(name);
      if (health) parts.push(health.region);
    } else if (hub.address) {
      parts.push(hub.address + (hub.port ? ":" + hub.port : ""));
    }
    var flowState = hub.state || "";
    if (flowState && flowState !== "ACTIVE") parts.push(ROLE_LABEL[role] + " flow " + flowState);
    detail.textContent = parts.join(" · ");
    box.classList.toggle("degraded", Boolean(flowState) && flowState !== "ACTIVE");
    box.dataset.ingest = name || "";
    var sig = name ? signalOf(name) : hub.signal || null;
    $(role + "-monitor").dataset.signal = signalState(sig);
    $(role + "-badge").textContent = signalText(sig);
    paintThumb($(role + "-thumb"), name);
    renderLock(role, hub.protection || null);
  }

  // ---------------------------------------------------------------- protect
  // hub.protection: {role, owner, reason, since, until} while the flow is protected (else null).
  function protectionOf(role) {
    return (state.status && state.status[role] && state.status[role].protection) || null;
  }

  function protectionText(p) {
    return "Protected by " + shortCaller(p.owner) + " until " + clockTime(p.until) + (p.reason ? " — " + p.reason : "");
  }

  function renderLock(role, p) {
    $("tally-" + role).classList.toggle("protected", Boolean(p));
    $(role + "-lock").hidden = !p;
    $(role + "-lock-text").textContent = p ? protectionText(p) : "";
    $(role + "-lock").title = p ? p.owner : "";
    var button = $(role + "-protect");
    button.textContent = (p ? "Unprotect " : "Protect ") + ROLE_LABEL[role];
    button.disabled = state.busy;
  }

  function toggleProtect(role) {
    if (state.busy) return;
    var request;
    if (protectionOf(role)) {
      request = api("POST", "unprotect", { target: role });
    } else {
      var reason = window.prompt("Protect " + ROLE_LABEL[role] + ": every switch and take of it is refused, for everyone, for up to 4 hours. Why?", "");
      if (reason === null) return;
      request = api("POST", "protect", { target: role, reason: reason.slice(0, 200) });
    }
    setBusy(true, null);
    request.then(
      function () {
        dismiss("action");
        afterAction();
      },
      function (err) {
        var body = err.body || {};
        banner("warning", "Not changed (" + (body.error || "HTTP " + err.status) + ")", body.message || err.message, { key: "action" });
        afterAction();
      }
    );
  }

  // ---------------------------------------------------------------- signal and thumbnails
  function signalOf(name) {
    var h = ingestHealth(name);
    return (h && h.signal) || null;
  }

  function signalState(sig) {
    return !sig ? "unknown" : sig.has_signal ? "ok" : "none";
  }

  function signalText(sig) {
    if (!sig) return "…";
    if (!sig.has_signal) return "NO SIGNAL";
    var parts = [];
    if (typeof sig.bitrate_bps === "number") parts.push((sig.bitrate_bps / 1e6).toFixed(1) + " Mb/s");
    if (sig.resolution) parts.push(sig.resolution);
    return parts.join(" · ") || "signal";
  }

  function noSignal(name) {
    var sig = signalOf(name);
    return Boolean(sig && !sig.has_signal);
  }

  var thumbs = {}; // ingest -> object URL of its latest decoded thumbnail

  // Show the ingest's latest thumbnail; the <img> keeps its picture until a new one is decoded
  // (no flicker), and hides when there is none (no signal: the monitor is black with its badge).
  function paintThumb(img, name) {
    var url = (name && thumbs[name]) || "";
    if (!url || noSignal(name)) {
      img.hidden = true;
      return;
    }
    if (img.getAttribute("src") !== url) img.src = url;
    img.hidden = false;
  }

  function paintThumbs(name) {
    var tile = state.tiles[name];
    if (tile) paintThumb(tile.thumb, name);
    ["live", "preview"].forEach(function (role) {
      if (onAir(role) === name) paintThumb($(role + "-thumb"), name);
    });
  }

  var thumbTags = {}; // ingest -> ETag of the picture in thumbs[ingest]

  // One request for every tile (GET thumbnails?have=...): the API leaves out the pictures this page
  // already has. Not counted in html[data-inflight]: thumbnails never change what an action expects.
  function fetchThumbs() {
    var have = Object.keys(thumbTags).map(function (n) {
      return thumbTags[n];
    });
    return auth.token().then(function (token) {
      var headers = { Accept: "application/json" };
      if (token) headers.Authorization = "Bearer " + token;
      if (config.local_token) headers["X-Streamfabric-Token"] = config.local_token;
      var query = have.length ? "?have=" + encodeURIComponent(have.join(",")) : "";
      return fetch(base + "thumbnails" + query, { headers: headers, credentials: "same-origin", cache: "no-store" }).then(function (resp) {
        return resp.ok ? resp.json() : null;
      });
    });
  }

  function jpegBlob(b64) {
    var raw = atob(b64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return new Blob([bytes], { type: "image/jpeg" });
  }

  function showThumb(name, entry) {
    var old = thumbs[name];
    if (!entry.etag) {
      delete thumbs[name];
      delete thumbTags[name];
      paintThumbs(name);
      if (old) URL.revokeObjectURL(old);
      return Promise.resolve();
    }
    if (!entry.jpeg) return Promise.resolve(); // unchanged: the page has it
    var url = URL.createObjectURL(jpegBlob(entry.jpeg));
    var probe = new Image();
    probe.src = url;
    return (probe.decode ? probe.decode() : Promise.resolve()).then(
      function () {
        thumbs[name] = url;
        thumbTags[name] = entry.etag;
        paintThumbs(name);
        if (old) URL.revokeObjectURL(old);
      },
      function () {
        URL.revokeObjectURL(url);
      }
    );
  }

  function loadThumbs() {
    return fetchThumbs().then(
      function (body) {
        var all = (body && body.thumbnails) || {};
        Object.keys(all).forEach(function (name) {
          if (state.tiles[name]) showThumb(name, all[name]);
        });
      },
      function () {} // the status poll reports a lost API
    );
  }

  function refreshThumbs() {
    var due = !document.hidden && !$("panel").hidden && Object.keys(state.tiles).length;
    (due ? loadThumbs() : Promise.resolve()).then(function () {
      setTimeout(refreshThumbs, THUMB_MS);
    });
  }

  function ingestHealth(name) {
    var list = (state.status && state.status.ingests) || [];
    for (var i = 0; i < list.length; i++) if (list[i].name === name) return list[i];
    return null;
  }

  function render() {
    if (!state.status) return;
    buildTiles();
    if (!state.thumbsStarted && Object.keys(state.tiles).length) {
      state.thumbsStarted = true; // one chain of multiviewer requests, from the first tiles on
      refreshThumbs();
    }
    renderTally("preview");
    renderTally("live");
    var live = onAir("live");
    var preview = onAir("preview");
    Object.keys(state.tiles).forEach(function (name) {
      var tile = state.tiles[name];
      var h = ingestHealth(name);
      var ok = Boolean(h && h.healthy);
      var flow = h ? h.state || "UNKNOWN" : "UNKNOWN";
      // the flow's own errors (DescribeFlow Messages) and broken on-air paths from it
      var errors = ((h && h.path_errors) || []).concat((h && h.errors) || []);
      tile.root.dataset.health = ok ? "ok" : "bad";
      tile.health.textContent = ok ? "✓ " + flow : "⚠ " + flow + (errors.length ? " — " + errors[0] : "");
      tile.health.title = errors.join("\n");
      var onLive = name === live;
      var onPreview = name === preview;
      tile.root.dataset.tally = onLive && onPreview ? "both" : onLive ? "live" : onPreview ? "preview" : "none";
      tile.tag.textContent = onLive && onPreview ? "LIVE + PVW" : onLive ? "LIVE" : onPreview ? "PVW" : "";
      if (!tile.desc.textContent) tile.desc.textContent = describe(name);
      var where = onLive && onPreview ? "on Live and Preview" : onLive ? "on Live" : onPreview ? "on Preview" : "off air";
      tile.pick.setAttribute("aria-label", name + ", " + where + ", flow " + flow + (ok ? "" : ", not healthy") + ". Put on Preview");
      var sig = signalOf(name);
      tile.root.dataset.signal = signalState(sig);
      tile.monitor.dataset.signal = signalState(sig);
      tile.badge.textContent = signalText(sig);
      paintThumb(tile.thumb, name);
      if (sig && !sig.has_signal) tile.pick.setAttribute("aria-label", tile.pick.getAttribute("aria-label") + " (no signal)");
      tile.pick.setAttribute("aria-pressed", onPreview ? "true" : "false");
      tile.pick.disabled = state.busy || Boolean(protectionOf("preview"));
      tile.live.disabled = state.busy || onLive || Boolean(protectionOf("live"));
    });
    var take = $("take");
    var locked = protectionOf("live") || protectionOf("preview");
    take.disabled = state.busy || !live || !preview || live === preview || Boolean(locked);
    take.title = locked ? protectionText(locked) : !live || !preview ? "Live or Preview carries an unknown source" : live === preview ? "Preview and Live carry the same ingest" : "";
  }

  function renderConnection() {
    var node = $("connection");
    var text = $("connection-text");
    if (!state.lastOk) return;
    var age = Math.round((Date.now() - state.lastOk) / 1000);
    var stale = Date.now() - state.lastOk > STALE_MS;
    node.dataset.state = stale ? "stale" : "ok";
    document.body.classList.toggle("stale", stale);
    var slow = state.slowed ? " · slowing down (the API is busy)" : "";
    node.dataset.throttled = state.slowed ? "true" : "false";
    text.textContent = (stale ? "Status " + age + " s old — not updating" : "Status live · updated " + (age < 1 ? "now" : age + " s ago")) + slow;
  }

  function renderHistory(records) {
    var body = $("history-rows");
    body.textContent = "";
    var rows = (Array.isArray(records) ? records.slice() : []).reverse();
    if (!rows.length) {
      var empty = el("tr", "empty");
      var cell = el("td", "", "No switches yet.");
      cell.colSpan = 4;
      empty.appendChild(cell);
      body.appendChild(empty);
      return;
    }
    rows.forEach(function (r) {
      var tr = el("tr", "outcome-" + (r.outcome || "unknown"));
      tr.dataset.requestId = r.request_id || "";
      tr.appendChild(el("td", "time", clockTime(r.time)));
      var who = el("td", "who", shortCaller(r.caller));
      who.title = r.caller || "";
      tr.appendChild(who);
      var what;
      if (r.action === "take") {
        what = "Take: " + r.to + " → Live, " + (r.from || "?") + " → Preview";
      } else if (r.action === "protect" || r.action === "unprotect") {
        what = (r.action === "protect" ? "Protect " : "Unprotect ") + (ROLE_LABEL[r.target] || r.target);
      } else {
        what = (ROLE_LABEL[r.target] || r.target) + ": " + (r.from || "?") + " → " + r.to;
      }
      var whatCell = el("td", "what", what);
      if (r.message) whatCell.title = r.message;
      tr.appendChild(whatCell);
      tr.appendChild(el("td", "result", r.outcome));
      body.appendChild(tr);
    });
  }

  // ---------------------------------------------------------------- data
  function applyStatus(status) {
    var before = state.status ? onAir("live") + "|" + onAir("preview") : null;
    state.status = status;
    state.lastOk = Date.now();
    dismiss("connection");
    render();
    renderConnection();
    var after = onAir("live") + "|" + onAir("preview");
    if (before !== null && before !== after) loadHistory();
  }

  // One chain of polls: poll() called early (after an action) replaces the pending one.
  function poll() {
    clearTimeout(state.pollTimer);
    var chain = ++state.pollChain;
    var epoch = state.epoch;
    return api("GET", "status")
      .then(
        function (status) {
          state.slowed = false;
          state.pollMs = POLL_MS;
          if (epoch === state.epoch) applyStatus(status);
        },
        function (err) {
          if (err.status === 401) return;
          if (err.status === 429) {
            // Throttled: not an error, the page asks less often until the API answers again.
            state.slowed = true;
            state.pollMs = Math.min(MAX_POLL_MS, state.pollMs * 2);
            renderConnection();
            return;
          }
          banner("connection", "Status is not updating", err.message + " Retrying every " + POLL_MS / 1000 + " s; what you see may be out of date.", {
            key: "connection",
            dismissable: false,
          });
          renderConnection();
        }
      )
      .then(function () {
        if (chain !== state.pollChain) return;
        if (Date.now() - state.historyAt > HISTORY_MS && !document.hidden) loadHistory();
        state.pollTimer = setTimeout(poll, document.hidden ? Math.max(HIDDEN_POLL_MS, state.pollMs) : state.pollMs);
      });
  }

  function loadHistory() {
    state.historyAt = Date.now();
    return api("GET", "history?limit=" + HISTORY_LIMIT).then(renderHistory, function () {
      /* the status line already says when the API is unreachable */
    });
  }

  function loadTopology() {
    return api("GET", "topology").then(
      function (topo) {
        state.topology = topo;
        $("show-name").textContent = topo.name || "";
        document.title = (topo.name ? topo.name + " · " : "") + "streamfabric control panel";
        state.tiles = {};
        render();
      },
      function () {
        /* optional: the panel groups by the status's regions without it */
      }
    );
  }

  // ---------------------------------------------------------------- actions
  function setBusy(busy, name) {
    state.busy = busy;
    document.body.classList.toggle("busy", busy);
    Object.keys(state.tiles).forEach(function (n) {
      state.tiles[n].root.classList.toggle("pending", busy && n === name);
    });
    render();
  }

  function afterAction() {
    state.epoch += 1;
    setBusy(false);
    loadHistory();
    poll();
  }

  function optimistic(live, preview) {
    if (!state.status) return;
    var s = JSON.parse(JSON.stringify(state.status));
    if (live !== undefined) s.live.ingest = live;
    if (preview !== undefined) s.preview.ingest = preview;
    (s.ingests || []).forEach(function (i) {
      i.on_live = i.name === s.live.ingest;
      i.on_preview = i.name === s.preview.ingest;
    });
    state.status = s;
  }

  function showActionError(err, retry, target) {
    var body = err.body || {};
    if (body.error === "protected") {
      banner("warning", "Not switched: " + (ROLE_LABEL[(body.protection || {}).role] || "the flow") + " is protected", body.message || err.message, { key: "action" });
    } else if (err.status === 409 || body.error === "conflict") {
      showConflict(body, target);
    } else if (err.status === 422 || body.error === "ingest_not_active") {
      var title = {
        no_signal: "Not switched: no signal",
        no_bitrate: "Not switched: no signal",
        encoding_mismatch: "Not switched: another encoding",
      }[body.error] || "Not switched: the ingest is not ready";
      banner("warning", title, body.message || err.message, {
        key: "action",
        actions: retry ? [{ label: "Switch anyway", run: retry }] : [],
      });
    } else if (err.status === 401) {
      // auth.expired() has said it
    } else {
      var title = err.status === 0 ? "No answer from the control API" : "Not switched (" + (body.error || "HTTP " + err.status) + ")";
      banner("error", title, body.message || err.message, { key: "action" });
    }
  }

  // The 409 body: {error: "conflict", message, on_air, expected, last_switch: audit record or null}.
  function showConflict(body, target) {
    var last = body.last_switch || null;
    var role = ROLE_LABEL[target] || "The flow";
    var text = "";
    if (last) {
      var what = last.action === "take" ? "took " + last.to + " to Live" : "put " + last.to + " on " + (ROLE_LABEL[last.target] || last.target);
      text = shortCaller(last.caller) + " " + what + " at " + clockTime(last.time) + ". ";
    }
    text += role + " now carries " + (body.on_air || "an unknown source") + (body.expected ? ", not " + body.expected : "") + ". Nothing was switched: check the tallies, then choose again.";
    banner("conflict", "Conflict — someone else switched first", text, {
      key: "action",
      detail: last && last.caller ? "Switched by " + last.caller : body.message || "",
    });
  }

  function doSwitch(name, target, force) {
    if (state.busy) return Promise.resolve();
    var body = { ingest: name, target: target };
    var current = onAir(target);
    if (current) body.expected = current; // compare-and-set: 409 if another operator switched first
    if (force) body.force = true;
    setBusy(true, name);
    return cut("switch", body).then(
      function (result) {
        dismiss("action");
        if (target === "live") optimistic(result.ingest, undefined);
        else optimistic(undefined, result.ingest);
        say(ROLE_LABEL[target] + ": " + result.ingest + (result.changed ? "" : " (already there)") + timing(result));
        afterAction();
      },
      function (err) {
        showActionError(
          err,
          function () {
            doSwitch(name, target, true);
          },
          target
        );
        afterAction();
      }
    );
  }

  function toPreview(name) {
    if (state.busy) return;
    if (onAir("preview") === name) {
      say(name + " is already on Preview.");
      return;
    }
    doSwitch(name, "preview", false);
  }

  function take() {
    var button = $("take");
    if (state.busy || button.disabled) return;
    var preview = onAir("preview");
    if (preview && noSignal(preview)) {
      // A cut to a dead picture: the same explicit confirmation as a direct Live switch.
      askLive(preview, "Take cuts Preview to air.", function () {
        doTake(true);
      });
      return;
    }
    doTake(false);
  }

  function doTake(force) {
    var button = $("take");
    button.classList.add("pressed");
    setBusy(true, null);
    // Compare-and-set: the cut only happens if Live and Preview still carry what this page shows.
    var body = { expected_live: onAir("live"), expected_preview: onAir("preview") };
    if (force) body.force = true;
    cut("take", body).then(
      function (result) {
        button.classList.remove("pressed");
        dismiss("action");
        optimistic(result.live, result.preview);
        say("Take: " + result.live + " on Live" + timing(result));
        afterAction();
      },
      function (err) {
        button.classList.remove("pressed");
        showActionError(err, null, "live");
        afterAction();
      }
    );
  }

  function timing(result) {
    return typeof result.elapsed_ms === "number" ? " (" + Math.round(result.elapsed_ms) + " ms)" : "";
  }

  function say(text) {
    var node = $("last-action");
    if (node) node.textContent = "Last: " + text;
  }

  var pendingLive = null;
  var pendingRun = null;
  var pendingFocus = null;
  function confirmLive(name) {
    if (state.busy) return;
    var dead = noSignal(name);
    askLive(name, "This cuts straight to air, without going through Preview.", function () {
      doSwitch(name, "live", dead); // confirmed knowing it has no signal: force
    });
    pendingFocus = state.tiles[name] ? state.tiles[name].live : null;
  }

  function askLive(name, how, run) {
    pendingLive = name;
    pendingRun = run;
    pendingFocus = $("take");
    $("confirm-ingest").textContent = name;
    $("confirm-current").textContent = onAir("live") || "an unknown source";
    $("confirm-how").textContent = how;
    var sig = signalOf(name);
    var dead = Boolean(sig && !sig.has_signal);
    $("confirm-warning").hidden = !dead;
    $("confirm-warning-ingest").textContent = name;
    var why = { no_signal: sig && sig.connected === false ? "source not connected" : "no data", no_bitrate: "no bitrate" };
    $("confirm-warning-why").textContent = dead ? why[sig.reason] || String(sig.reason) : "";
    $("confirm-ok").textContent = dead ? "Cut to no signal" : "Switch Live";
    var dialog = $("confirm-live");
    dialog.dataset.nosignal = dead ? "true" : "false";
    dialog.showModal();
    $("confirm-cancel").focus();
  }

  function closeConfirm(ok) {
    var dialog = $("confirm-live");
    var run = pendingRun;
    var focus = pendingFocus;
    pendingLive = pendingRun = pendingFocus = null;
    if (dialog.open) dialog.close();
    if (focus && !focus.disabled) focus.focus();
    if (ok && run) run();
  }

  // ---------------------------------------------------------------- keyboard
  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if ($("confirm-live").open || $("panel").hidden) return;
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === "t" || event.key === "T") {
      event.preventDefault();
      take();
    } else if (/^[1-9]$/.test(event.key)) {
      var name = state.order[Number(event.key) - 1];
      if (name) {
        event.preventDefault();
        state.tiles[name].pick.focus();
        toPreview(name);
      }
    }
  }

  // ---------------------------------------------------------------- start
  function startPanel() {
    $("signin").hidden = true;
    $("panel").hidden = false;
    $("user-name").textContent = auth.mode === "cognito" ? auth.user : "local · no sign-in";
    // What the API allows this user (it enforces it: a viewer's switch or take gets 403).
    var role = "operator";
    if (auth.mode === "cognito") {
      var groups = auth.groups || [];
      role = groups.indexOf("operators") >= 0 ? "operator" : groups.indexOf("viewers") >= 0 ? "viewer" : "none";
      $("user-role").textContent = role === "operator" ? "operator" : role === "viewer" ? "viewer · read-only" : "no group";
      $("user-role").hidden = false;
    }
    document.documentElement.setAttribute("data-role", role);
    $("sign-out").hidden = auth.mode !== "cognito";
    loadTopology().then(function () {
      poll();
      loadHistory();
    });
    setInterval(renderConnection, 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) poll(); // back in view: current at once, then every POLL_MS
    });
  }

  function showSignIn(message) {
    $("panel").hidden = true;
    $("connection").dataset.state = "signed-out";
    $("connection-text").textContent = "Not signed in";
    $("show-name").textContent = "";
    $("signin").hidden = false;
    if (message) $("signin-text").textContent = message;
    $("signin-button").focus();
  }

  function start() {
    $("take").addEventListener("click", take);
    ["live", "preview"].forEach(function (role) {
      $(role + "-protect").addEventListener("click", function () {
        toggleProtect(role);
      });
    });
    $("confirm-cancel").addEventListener("click", function () {
      closeConfirm(false);
    });
    $("confirm-ok").addEventListener("click", function () {
      closeConfirm(true);
    });
    $("confirm-live").addEventListener("cancel", function (event) {
      event.preventDefault();
      closeConfirm(false);
    });
    $("signin-button").addEventListener("click", function () {
      auth.signIn();
    });
    $("sign-out").addEventListener("click", function () {
      auth.signOut();
    });
    document.addEventListener("keydown", onKey);

    if (auth.mode !== "cognito") {
      startPanel();
      return;
    }
    if (config.error || !auth.cognito().domain || !auth.cognito().client_id) {
      showSignIn("Sign-in is not configured: " + (config.error || "no user pool") + ".");
      $("signin-button").disabled = true;
      return;
    }
    var params = new URLSearchParams(location.search);
    if (params.has("code") || params.has("error")) {
      auth.finishSignIn(params).then(startPanel, function (err) {
        showSignIn("Sign-in failed: " + err.message + ". Try again.");
      });
      return;
    }
    auth.restore();
    if (auth.idToken) startPanel();
    else showSignIn(null);
  }

  start();
})();
