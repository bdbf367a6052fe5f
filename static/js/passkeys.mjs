// Passkeys (WebAuthn): loaded by app.mjs on pages with a form[data-passkey]. The server makes the
// options; this asks the browser's authenticator and posts its answer back in the page's own form,
// so every message, error summary included, is drawn by the server. Without this script the form
// stays hidden and the page says passkeys need JavaScript.

const toBase64url = (buffer) => {
  let text = "";
  for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const fromBase64url = (value) => {
  const text = atob(value.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((value.length + 3) % 4));
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
};

const withIds = (list) => (list || []).map((item) => ({ ...item, id: fromBase64url(item.id) }));

function creationOptions(json) {
  return { ...json, challenge: fromBase64url(json.challenge),
           user: { ...json.user, id: fromBase64url(json.user.id) },
           excludeCredentials: withIds(json.excludeCredentials) };
}

function requestOptions(json) {
  return { ...json, challenge: fromBase64url(json.challenge),
           allowCredentials: withIds(json.allowCredentials) };
}

function answer(credential) {
  const response = credential.response;
  const found = { id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
                  authenticatorAttachment: credential.authenticatorAttachment || undefined,
                  clientExtensionResults: credential.getClientExtensionResults(), response: {
                    clientDataJSON: toBase64url(response.clientDataJSON) } };
  if (response.attestationObject) {
    found.response.attestationObject = toBase64url(response.attestationObject);
    found.response.transports = response.getTransports ? response.getTransports() : [];
  } else {
    found.response.authenticatorData = toBase64url(response.authenticatorData);
    found.response.signature = toBase64url(response.signature);
    if (response.userHandle) found.response.userHandle = toBase64url(response.userHandle);
  }
  return found;
}

async function ask(form) {
  const token = form.querySelector("input[name=csrf_token]").value;
  const reply = await fetch(form.dataset.passkeyOptions, {
    method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token, Accept: "application/json" } });
  if (!reply.ok) throw new Error("options");
  const options = await reply.json();
  const credential = form.dataset.passkey === "create"
    ? await navigator.credentials.create({ publicKey: creationOptions(options) })
    : await navigator.credentials.get({ publicKey: requestOptions(options) });
  if (!credential) throw new Error("none");
  return JSON.stringify(answer(credential));
}

for (const form of document.querySelectorAll("form[data-passkey]")) {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    for (const note of document.querySelectorAll("[data-passkey-needs-script]")) {
      note.textContent = "Your browser cannot use passkeys. Use another browser, or a code instead.";
    }
    continue;
  }
  for (const note of document.querySelectorAll("[data-passkey-needs-script]")) note.hidden = true;
  form.hidden = false;
  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    sending = true;
    const name = form.querySelector("input[name=name]");
    if (!name || name.value.trim()) {   // an empty name: the server says so, no ceremony first
      try {
        form.querySelector("input[name=credential]").value = await ask(form);
      } catch (error) {
        form.querySelector("input[name=problem]").value = (error && error.name) || "error";
      }
    }
    // Not form.submit(): the "submit" button WTForms names shadows that method.
    HTMLFormElement.prototype.submit.call(form);
  });
}
