// The API reference page: Swagger UI (served by the app from webapp/static/vendor/) reading /api/v1/openapi.json.
// Loaded as a file, never inline, so the page works under a Content-Security-Policy without 'unsafe-inline'.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("api-reference");
    if (!root || typeof window.SwaggerUIBundle !== "function") return;
    window.SwaggerUIBundle({
      url: root.getAttribute("data-spec-url"),
      domNode: root,
      deepLinking: true,
      validatorUrl: null,  // the public validator is outside the intranet: never called
      tryItOutEnabled: false,
    });
  });
})();
