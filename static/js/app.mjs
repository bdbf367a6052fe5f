// Progressive enhancement only. Our CSP forbids inline script, so the classes
// GOV.UK Frontend's page template adds inline are added here instead.
import { initAll } from "/static/dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// "Print this page" buttons are rendered hidden and shown only where script runs.
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// Passkeys: only pages that offer one load the script for them.
if (document.querySelector("form[data-passkey]")) {
  import("/static/js/passkeys.mjs");
}
